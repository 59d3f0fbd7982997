<?php require __DIR__ . '/_prelude.php';
// socket_addrinfo_lookup: hints, results, explain(), and the failures that are just false.
$all = socket_addrinfo_lookup("127.0.0.1");
var_dump(count($all));
foreach ($all as $ai) { var_dump(socket_addrinfo_explain($ai)); }
$tcp = socket_addrinfo_lookup("127.0.0.1", "8080", ["ai_family" => AF_INET, "ai_socktype" => SOCK_STREAM]);
var_dump(count($tcp), get_class($tcp[0]), socket_addrinfo_explain($tcp[0]));
$udp = socket_addrinfo_lookup("localhost", "53", ["ai_family" => "2", "ai_socktype" => SOCK_DGRAM, "ai_flags" => AI_CANONNAME]);
var_dump(socket_addrinfo_explain($udp[0]));
$passive = socket_addrinfo_lookup("0.0.0.0", null, ["ai_flags" => AI_PASSIVE, "ai_socktype" => SOCK_STREAM, "ai_protocol" => SOL_TCP]);
var_dump(socket_addrinfo_explain($passive[0]));
var_dump(count(socket_addrinfo_lookup("127.0.0.1", "", [5, 6])));
var_dump(count(socket_addrinfo_lookup("127.0.0.1", null, [7 => SOCK_STREAM])));
var_dump(socket_addrinfo_lookup("localhost", "80", ["ai_flags" => AI_NUMERICHOST]));
var_dump(socket_addrinfo_lookup("127.0.0.1", "no-such-service-name"));
var_dump(socket_addrinfo_lookup("", "80"));
var_dump(socket_addrinfo_lookup("127.0.0.1", "80", ["ai_socktype" => -5]));
var_dump(socket_addrinfo_lookup("127.0.0.1", "80", ["ai_flags" => 0x7fff0000]));
var_dump(socket_last_error());
try { socket_addrinfo_lookup("127.0.0.1", null, ["ai_flags" => 0, "bogus" => 1]); } catch (Throwable $e) { caught($e); }
try { socket_addrinfo_lookup([]); } catch (Throwable $e) { caught($e); }
try { socket_addrinfo_lookup("127.0.0.1", "80", 5); } catch (Throwable $e) { caught($e); }
try { socket_addrinfo_explain(5); } catch (Throwable $e) { caught($e); }
try { socket_addrinfo_bind(null); } catch (Throwable $e) { caught($e); }
try { socket_addrinfo_connect("127.0.0.1"); } catch (Throwable $e) { caught($e); }
