<?php require __DIR__ . '/_prelude.php';
// Non-blocking reads: EAGAIN is recorded but never warned about.
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $p);
[$a, $b] = $p;
var_dump(socket_set_nonblock($b));
var_dump(socket_read($b, 100));
var_dump(socket_last_error($b) === SOCKET_EAGAIN, socket_last_error() === SOCKET_EAGAIN);
var_dump(socket_recv($b, $buf, 100, 0), $buf);
var_dump(socket_last_error($b) === SOCKET_EWOULDBLOCK);
socket_write($a, "whole line\n");
var_dump(socket_read($b, 100, PHP_NORMAL_READ));
socket_write($a, "more");
var_dump(socket_read($b, 100));
var_dump(socket_recv($b, $buf, 100, MSG_DONTWAIT), $buf);
socket_close($a);
// End of stream on a non-blocking socket: "" in both modes, nothing recorded.
socket_clear_error($b);
var_dump(socket_read($b, 100, PHP_NORMAL_READ));
var_dump(socket_read($b, 100));
var_dump(socket_last_error($b));
socket_close($b);
