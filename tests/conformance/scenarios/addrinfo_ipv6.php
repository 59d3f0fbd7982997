<?php require __DIR__ . '/_prelude.php';
// socket_addrinfo_* over IPv6: explain()'s sin6 keys, canonname, bind and connect on ::1.
$hints = ["ai_family" => AF_INET6, "ai_socktype" => SOCK_STREAM, "ai_flags" => AI_CANONNAME | AI_NUMERICHOST];
$list = socket_addrinfo_lookup("::1", (string) $PORT, $hints);
$explained = socket_addrinfo_explain($list[0]);
$explained["ai_addr"]["sin6_port"] = $explained["ai_addr"]["sin6_port"] === $PORT;
var_dump(count($list), $explained);
$server = socket_addrinfo_bind($list[0]);
var_dump(socket_listen($server));
$client = socket_addrinfo_connect($list[0]);
$conn = socket_accept($server);
var_dump(socket_getpeername($conn, $addr), $addr);
var_dump(socket_send($client, "v6", 2, 0), socket_recv($conn, $buf, 10, 0), $buf);
var_dump(socket_addrinfo_bind($list[0]));
var_dump(socket_last_error());
[$v4] = socket_addrinfo_lookup("127.0.0.1", "0", ["ai_family" => AF_INET6, "ai_flags" => AI_V4MAPPED, "ai_socktype" => SOCK_DGRAM]);
var_dump(socket_addrinfo_explain($v4));
foreach ([$conn, $client, $server] as $s) { socket_close($s); }
