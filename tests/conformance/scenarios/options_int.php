<?php require __DIR__ . '/_prelude.php';
// Integer options: PHP's int conversion of $value, and the OS's errors.
$s = socket_create(AF_INET, SOCK_STREAM, SOL_TCP);
var_dump(socket_get_option($s, SOL_SOCKET, SO_REUSEADDR));
foreach ([true, "1", "0", "a", [1], [], null, 2.7, "12abc", " 7", "1e1", 0] as $value) {
    var_dump(socket_set_option($s, SOL_SOCKET, SO_KEEPALIVE, $value));
    var_dump(socket_get_option($s, SOL_SOCKET, SO_KEEPALIVE));
}
var_dump(socket_set_option($s, IPPROTO_IP, 2 /* IP_TTL */, "12abc"));
var_dump(socket_get_option($s, IPPROTO_IP, 2));
var_dump(socket_set_option($s, IPPROTO_IP, 2, "0x10"));
var_dump(socket_set_option($s, SOL_TCP, TCP_NODELAY, 1));
var_dump(socket_get_option($s, SOL_TCP, TCP_NODELAY));
var_dump(socket_get_option($s, SOL_SOCKET, SO_TYPE) === SOCK_STREAM);
var_dump(socket_get_option($s, SOL_SOCKET, SO_ERROR));
var_dump(socket_set_option($s, SOL_SOCKET, SO_TYPE, SOCK_DGRAM));
var_dump(socket_last_error($s) === SOCKET_ENOPROTOOPT);
var_dump(socket_get_option($s, SOL_SOCKET, 9999));
var_dump(socket_get_option($s, 9999, 1));
var_dump(socket_last_error($s) === SOCKET_EOPNOTSUPP);
var_dump(socket_set_option($s, 9999, 1, 1));
var_dump(socket_getopt($s, SOL_SOCKET, SO_REUSEADDR));
var_dump(socket_setopt($s, SOL_SOCKET, SO_REUSEADDR, 1));
var_dump(socket_getopt($s, SOL_SOCKET, SO_REUSEADDR));
var_dump(socket_getopt($s, SOL_SOCKET, 9999));
try { socket_setopt($s, SOL_SOCKET, SO_LINGER, []); } catch (Throwable $e) { caught($e); }
$u = socket_create(AF_UNIX, SOCK_STREAM, 0);
var_dump(socket_get_option($u, SOL_TCP, TCP_NODELAY));
var_dump(socket_set_option($u, SOL_TCP, TCP_NODELAY, 1));
socket_close($u);
socket_close($s);
