<?php require __DIR__ . '/_prelude.php';
// Multicast options on loopback: TTL/loop/interface values and group requests.
$s = socket_create(AF_INET, SOCK_DGRAM, 0);
try { socket_set_option($s, IPPROTO_IP, IP_MULTICAST_TTL, 256); } catch (Throwable $e) { caught($e); }
try { socket_set_option($s, IPPROTO_IP, IP_MULTICAST_TTL, -1); } catch (Throwable $e) { caught($e); }
var_dump(socket_set_option($s, IPPROTO_IP, IP_MULTICAST_TTL, "7"));
var_dump(socket_get_option($s, IPPROTO_IP, IP_MULTICAST_TTL));
var_dump(socket_set_option($s, IPPROTO_IP, IP_MULTICAST_LOOP, "0"));
var_dump(socket_get_option($s, IPPROTO_IP, IP_MULTICAST_LOOP));
var_dump(socket_set_option($s, IPPROTO_IP, IP_MULTICAST_LOOP, 5));
var_dump(socket_get_option($s, IPPROTO_IP, IP_MULTICAST_LOOP));
var_dump(socket_get_option($s, IPPROTO_IP, IP_MULTICAST_IF));
var_dump(socket_set_option($s, IPPROTO_IP, IP_MULTICAST_IF, "lo"));
var_dump(socket_set_option($s, IPPROTO_IP, IP_MULTICAST_IF, 0));
var_dump(socket_set_option($s, IPPROTO_IP, IP_MULTICAST_IF, "no-such-if0"));
var_dump(socket_set_option($s, IPPROTO_IP, IP_MULTICAST_IF, 987654));
var_dump(socket_last_error($s));
try { socket_set_option($s, IPPROTO_IP, IP_MULTICAST_IF, -1); } catch (Throwable $e) { caught($e); }
var_dump(socket_set_option($s, IPPROTO_IP, MCAST_JOIN_GROUP, ["group" => "239.255.0.42", "interface" => "lo"]));
var_dump(socket_set_option($s, IPPROTO_IP, MCAST_JOIN_GROUP, ["group" => "239.255.0.42", "interface" => "lo"]));
var_dump(socket_last_error($s) === SOCKET_EADDRINUSE);
var_dump(socket_set_option($s, IPPROTO_IP, MCAST_LEAVE_GROUP, ["group" => "239.255.0.42", "interface" => "lo"]));
var_dump(socket_set_option($s, IPPROTO_IP, MCAST_LEAVE_GROUP, ["group" => "239.255.0.42", "interface" => "lo"]));
var_dump(socket_set_option($s, IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, ["group" => "232.1.1.1", "source" => "127.0.0.1", "interface" => "lo"]));
var_dump(socket_set_option($s, IPPROTO_IP, MCAST_BLOCK_SOURCE, ["group" => "232.1.1.1", "source" => "127.0.0.1", "interface" => "lo"]));
var_dump(socket_set_option($s, IPPROTO_IP, MCAST_LEAVE_SOURCE_GROUP, ["group" => "232.1.1.1", "source" => "127.0.0.1", "interface" => "lo"]));
try { socket_set_option($s, IPPROTO_IP, MCAST_JOIN_GROUP, []); } catch (Throwable $e) { caught($e); }
try { socket_set_option($s, IPPROTO_IP, MCAST_JOIN_GROUP, "239.1.1.1"); } catch (Throwable $e) { caught($e); }
try { socket_set_option($s, IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, ["group" => "232.1.1.1"]); } catch (Throwable $e) { caught($e); }
try { socket_set_option($s, IPPROTO_IP, MCAST_JOIN_GROUP, ["group" => "239.1.1.1", "interface" => -1]); } catch (Throwable $e) { caught($e); }
var_dump(socket_set_option($s, IPPROTO_IP, MCAST_JOIN_GROUP, ["group" => "239.1.1.1", "interface" => "no-such-if0"]));
var_dump(socket_get_option($s, IPPROTO_IP, MCAST_JOIN_GROUP));
$u = socket_create(AF_UNIX, SOCK_DGRAM, 0);
var_dump(socket_set_option($u, IPPROTO_IP, MCAST_JOIN_GROUP, ["group" => "239.1.1.1"]));
var_dump(socket_set_option($u, IPPROTO_IP, IP_MULTICAST_TTL, 1));
socket_close($u);
socket_close($s);
