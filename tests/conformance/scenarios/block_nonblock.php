<?php require __DIR__ . '/_prelude.php';
// Switching between blocking and non-blocking; SO_RCVTIMEO expiring on a binary read.
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $p);
[$a, $b] = $p;
var_dump(socket_set_nonblock($b));
var_dump(socket_set_nonblock($b));
var_dump(socket_read($b, 10));
var_dump(socket_set_block($b));
socket_write($a, "data");
var_dump(socket_read($b, 10));
var_dump(socket_set_option($b, SOL_SOCKET, SO_RCVTIMEO, ["sec" => 0, "usec" => 100000]));
var_dump(socket_read($b, 10));
var_dump(socket_last_error($b) === SOCKET_EAGAIN);
var_dump(socket_recv($b, $buf, 10, 0), $buf);
var_dump(socket_set_option($b, SOL_SOCKET, SO_RCVTIMEO, ["sec" => 0, "usec" => 0]));
socket_write($a, "x\n");
var_dump(socket_read($b, 10, PHP_NORMAL_READ));
socket_close($a);
socket_close($b);
