<?php require __DIR__ . '/_prelude.php';
// Unix stream sockets in a private directory: paths as names, the port left alone.
$path = $DIR . "/server.sock";
$server = socket_create(AF_UNIX, SOCK_STREAM, 0);
var_dump(socket_bind($server, $path));
var_dump(socket_listen($server));
var_dump(socket_getsockname($server, $name), str_replace($DIR, "DIR", $name));
$client = socket_create(AF_UNIX, SOCK_STREAM, 0);
var_dump(socket_connect($client, $path));
$conn = socket_accept($server);
$port = "untouched";
var_dump(socket_getpeername($conn, $peer, $port), $peer, $port);
var_dump(socket_getpeername($client, $peer, $port), str_replace($DIR, "DIR", $peer), $port);
var_dump(socket_getsockname($client, $name, $port), $name, $port);
var_dump(socket_write($client, "over unix\n"));
var_dump(socket_read($conn, 100, PHP_NORMAL_READ));
$other = socket_create(AF_UNIX, SOCK_STREAM, 0);
var_dump(socket_bind($other, $path));
var_dump(socket_last_error($other) === SOCKET_EADDRINUSE);
foreach ([$conn, $client, $server, $other] as $s) { socket_close($s); }
unlink($path);
