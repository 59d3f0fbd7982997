<?php require __DIR__ . '/_prelude.php';
// PHP_BINARY_READ (the default, and any mode but PHP_NORMAL_READ): one recv.
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, $p);
[$a, $b] = $p;
socket_write($a, "line one\nline two\r\n");
var_dump(socket_read($b, 5));
var_dump(socket_read($b, 5, PHP_BINARY_READ));
var_dump(socket_read($b, 3, 0));
var_dump(socket_read($b, 3, 99));
var_dump(socket_read($b, 100));
var_dump(socket_read($b, 0));
var_dump(socket_read($b, -1));
socket_write($a, "\x00\x01\xff binary");
var_dump(bin2hex(socket_read($b, 100)));
try { socket_read($b, []); } catch (Throwable $e) { caught($e); }
socket_shutdown($a, 1);
var_dump(socket_read($b, 100));
var_dump(socket_read($b, 100));
var_dump(socket_last_error($b));
socket_close($a);
socket_close($b);
