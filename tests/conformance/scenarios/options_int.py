# ruff: noqa: F403, F405 - a line-by-line port of options_int.php: PHP's names come from star imports
"""Python port of options_int.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# Integer options: PHP's int conversion of $value, and the OS's errors.
s = socket_create(AF_INET, SOCK_STREAM, SOL_TCP)
var_dump(socket_get_option(s, SOL_SOCKET, SO_REUSEADDR))
for value in [True, "1", "0", "a", [1], [], None, 2.7, "12abc", " 7", "1e1", 0]:
    var_dump(socket_set_option(s, SOL_SOCKET, SO_KEEPALIVE, value))
    var_dump(socket_get_option(s, SOL_SOCKET, SO_KEEPALIVE))
var_dump(socket_set_option(s, IPPROTO_IP, 2, "12abc"))  # IP_TTL
var_dump(socket_get_option(s, IPPROTO_IP, 2))
var_dump(socket_set_option(s, IPPROTO_IP, 2, "0x10"))
var_dump(socket_set_option(s, SOL_TCP, TCP_NODELAY, 1))
var_dump(socket_get_option(s, SOL_TCP, TCP_NODELAY))
var_dump(socket_get_option(s, SOL_SOCKET, SO_TYPE) == SOCK_STREAM)
var_dump(socket_get_option(s, SOL_SOCKET, SO_ERROR))
var_dump(socket_set_option(s, SOL_SOCKET, SO_TYPE, SOCK_DGRAM))
var_dump(socket_last_error(s) == SOCKET_ENOPROTOOPT)
var_dump(socket_get_option(s, SOL_SOCKET, 9999))
var_dump(socket_get_option(s, 9999, 1))
var_dump(socket_last_error(s) == SOCKET_EOPNOTSUPP)
var_dump(socket_set_option(s, 9999, 1, 1))
var_dump(socket_getopt(s, SOL_SOCKET, SO_REUSEADDR))
var_dump(socket_setopt(s, SOL_SOCKET, SO_REUSEADDR, 1))
var_dump(socket_getopt(s, SOL_SOCKET, SO_REUSEADDR))
var_dump(socket_getopt(s, SOL_SOCKET, 9999))
try:
    socket_setopt(s, SOL_SOCKET, SO_LINGER, [])
except Exception as e:
    caught(e)
u = socket_create(AF_UNIX, SOCK_STREAM, 0)
var_dump(socket_get_option(u, SOL_TCP, TCP_NODELAY))
var_dump(socket_set_option(u, SOL_TCP, TCP_NODELAY, 1))
socket_close(u)
socket_close(s)
