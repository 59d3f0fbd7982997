<?php require __DIR__ . '/_prelude.php';
// socket_create_listen: IPv4, every address, no SO_REUSEADDR; a taken port warns.
$listener = socket_create_listen($PORT);
echo $listener instanceof Socket ? "listening\n" : "failed\n";
var_dump(socket_getsockname($listener, $addr, $port), $addr, $port === $PORT);
var_dump(socket_get_option($listener, SOL_SOCKET, SO_REUSEADDR));
var_dump(socket_get_option($listener, SOL_SOCKET, SO_TYPE) === SOCK_STREAM);
var_dump(socket_create_listen($PORT));
var_dump(socket_last_error() === SOCKET_EADDRINUSE);
var_dump(socket_last_error($listener));
$c = socket_create(AF_INET, SOCK_STREAM, 0);
var_dump(socket_connect($c, "127.0.0.1", $PORT));
$conn = socket_accept($listener);
var_dump(socket_write($c, "to the listener\n"));
var_dump(socket_read($conn, 100, PHP_NORMAL_READ));
try { socket_create_listen([]); } catch (Throwable $e) { caught($e); }
$any = socket_create_listen(0, 1);
var_dump(socket_getsockname($any, $addr, $port), $addr, $port > 0);
foreach ([$conn, $c, $listener, $any] as $x) { socket_close($x); }
