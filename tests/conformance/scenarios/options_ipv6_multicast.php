<?php require __DIR__ . '/_prelude.php';
// IPv6-level options: hops, loop, interface, group requests, IPV6_PKTINFO.
$s = socket_create(AF_INET6, SOCK_DGRAM, 0);
try { socket_set_option($s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 256); } catch (Throwable $e) { caught($e); }
try { socket_set_option($s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, -2); } catch (Throwable $e) { caught($e); }
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, -1));
var_dump(socket_get_option($s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS));
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 9));
var_dump(socket_get_option($s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS));
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 3));
var_dump(socket_get_option($s, IPPROTO_IPV6, IPV6_MULTICAST_LOOP));
var_dump(socket_get_option($s, IPPROTO_IPV6, IPV6_MULTICAST_IF));
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_MULTICAST_IF, "lo"));
var_dump(socket_get_option($s, IPPROTO_IPV6, IPV6_MULTICAST_IF) === 1);
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_MULTICAST_IF, 987654));
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_V6ONLY, 1));
var_dump(socket_get_option($s, IPPROTO_IPV6, IPV6_V6ONLY));
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 33));
var_dump(socket_get_option($s, IPPROTO_IPV6, IPV6_UNICAST_HOPS));
var_dump(socket_set_option($s, IPPROTO_IPV6, MCAST_JOIN_GROUP, ["group" => "ff02::1:3", "interface" => "lo"]));
var_dump(socket_set_option($s, IPPROTO_IPV6, MCAST_LEAVE_GROUP, ["group" => "ff02::1:3", "interface" => "lo"]));
var_dump(socket_set_option($s, IPPROTO_IPV6, MCAST_JOIN_GROUP, ["group" => "239.1.1.1", "interface" => "lo"]));
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_PKTINFO, ["addr" => "::1", "ifindex" => 1]));
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_PKTINFO, ["addr" => "::1"]));
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_PKTINFO, ["ifindex" => 1]));
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_PKTINFO, 5));
var_dump(socket_get_option($s, IPPROTO_IPV6, IPV6_PKTINFO));
var_dump(socket_set_option($s, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1));
var_dump(socket_get_option($s, IPPROTO_IPV6, IPV6_RECVPKTINFO));
$v4 = socket_create(AF_INET, SOCK_DGRAM, 0);
var_dump(socket_set_option($v4, IPPROTO_IPV6, MCAST_JOIN_GROUP, ["group" => "239.1.1.1"]));
var_dump(socket_set_option($v4, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 1));
socket_close($v4);
socket_close($s);
