<?php require __DIR__ . '/_prelude.php';
// socket_accept records on the thread, not on the listening socket.
$s = socket_create(AF_INET, SOCK_STREAM, 0);
var_dump(socket_accept($s));
var_dump(socket_last_error($s), socket_last_error() === SOCKET_EINVAL);
var_dump(socket_bind($s, "127.0.0.1", $PORT));
var_dump(socket_listen($s, -1));
var_dump(socket_set_nonblock($s));
var_dump(socket_accept($s));
var_dump(socket_last_error($s), socket_last_error() === SOCKET_EAGAIN);
$c = socket_create(AF_INET, SOCK_STREAM, 0);
var_dump(socket_connect($c, "127.0.0.1", $PORT));
usleep(100000);
$conn = socket_accept($s);
echo $conn instanceof Socket ? "accepted\n" : "nothing\n";
var_dump(socket_last_error($conn));
var_dump(socket_write($conn, "accepted sockets block\n"));
var_dump(socket_read($c, 100, PHP_NORMAL_READ));
foreach ([$conn, $c, $s] as $x) { socket_close($x); }
var_dump(socket_last_error() === SOCKET_EAGAIN);
