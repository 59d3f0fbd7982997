<?php require __DIR__ . '/_prelude.php';
// getsockname/getpeername before bind and connect.
$s = socket_create(AF_INET, SOCK_STREAM, 0);
var_dump(socket_getsockname($s, $addr, $port), $addr, $port);
var_dump(socket_getsockname($s, $addr), $addr);
$addr = $port = "untouched";
var_dump(socket_getpeername($s, $addr, $port), $addr, $port);
var_dump(socket_last_error($s) === SOCKET_ENOTCONN, socket_last_error() === SOCKET_ENOTCONN);
socket_close($s);
$u = socket_create(AF_UNIX, SOCK_STREAM, 0);
$port = "untouched";
var_dump(socket_getsockname($u, $addr, $port), $addr, $port);
var_dump(socket_getpeername($u, $addr));
socket_close($u);
$d = socket_create(AF_INET, SOCK_DGRAM, 0);
var_dump(socket_bind($d, "127.0.0.1"));
var_dump(socket_getsockname($d, $addr, $port), $addr, $port > 0);
var_dump(socket_bind($d, "127.0.0.1"));
socket_close($d);
