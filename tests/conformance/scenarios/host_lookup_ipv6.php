<?php require __DIR__ . '/_prelude.php';
// Host names on IPv6 sockets: localhost resolves, a bad name records -10000 - h_errno.
$s = socket_create(AF_INET6, SOCK_STREAM, 0);
var_dump(socket_connect($s, "not a host", $PORT));
var_dump(socket_last_error($s), socket_last_error());
echo socket_strerror(socket_last_error($s)), "\n";
var_dump(socket_bind($s, ""));
var_dump(socket_last_error($s));
echo socket_strerror(socket_last_error()), "\n";
try { socket_connect($s, "::1"); } catch (Throwable $e) { caught($e); }
socket_close($s);
$server = socket_create(AF_INET6, SOCK_STREAM, 0);
var_dump(socket_bind($server, "::1", $PORT));
var_dump(socket_listen($server));
$client = socket_create(AF_INET6, SOCK_STREAM, 0);
var_dump(socket_connect($client, "::1", $PORT));
$conn = socket_accept($server);
var_dump(socket_getpeername($conn, $peer), $peer);
var_dump(socket_getsockname($server, $local, $port), $local, $port === $PORT);
$mapped = socket_create(AF_INET6, SOCK_STREAM, 0);
var_dump(socket_connect($mapped, "127.0.0.1", $PORT));
var_dump(socket_last_error($mapped) === SOCKET_ECONNREFUSED);
$v4 = socket_create(AF_INET, SOCK_DGRAM, 0);
var_dump(socket_sendto($v4, "x", 1, 0, "localhost", $PORT));
foreach ([$conn, $client, $server, $mapped, $v4] as $x) { socket_close($x); }
