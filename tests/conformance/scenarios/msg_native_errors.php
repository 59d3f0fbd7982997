<?php require __DIR__ . '/_prelude.php';
// A received control message PHP has no converter for: a warning, and $message is false.
$server = socket_create(AF_INET, SOCK_DGRAM, SOL_UDP);
var_dump(socket_bind($server, "127.0.0.1", $PORT));
var_dump(socket_set_option($server, IPPROTO_IP, 8, 1)); // IP_PKTINFO (Linux)
$client = socket_create(AF_INET, SOCK_DGRAM, SOL_UDP);
var_dump(socket_sendto($client, "with pktinfo", 12, 0, "127.0.0.1", $PORT));
$m = ["controllen" => 256, "name" => []];
var_dump(socket_recvmsg($server, $m), $m);
var_dump(socket_last_error(), socket_last_error($server));
var_dump(socket_set_option($server, IPPROTO_IP, 8, 0));
var_dump(socket_sendto($client, "plain", 5, 0, "127.0.0.1", $PORT));
$m = ["controllen" => 256];
var_dump(socket_recvmsg($server, $m), $m["iov"], $m["control"]);
socket_close($client);
socket_close($server);
