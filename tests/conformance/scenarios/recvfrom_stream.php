<?php require __DIR__ . '/_prelude.php';
// socket_recvfrom on connected stream sockets: no sender address to report.
$server = socket_create(AF_INET, SOCK_STREAM, 0);
socket_bind($server, "127.0.0.1", $PORT);
socket_listen($server);
$client = socket_create(AF_INET, SOCK_STREAM, 0);
socket_connect($client, "127.0.0.1", $PORT);
$conn = socket_accept($server);
socket_write($client, "stream data");
var_dump(socket_recvfrom($conn, $buf, 6, 0, $from, $port), $buf, $from, $port);
var_dump(socket_recvfrom($conn, $buf, 100, MSG_PEEK, $from, $port), $buf);
var_dump(socket_recvfrom($conn, $buf, 100, 0, $from, $port), $buf);
socket_close($client);
var_dump(socket_recvfrom($conn, $buf, 100, 0, $from, $port), $buf, $from, $port);
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $p);
socket_write($p[0], "pair");
var_dump(socket_recvfrom($p[1], $buf, 100, 0, $from), $buf, $from);
foreach ([$conn, $server, $p[0], $p[1]] as $x) { socket_close($x); }
