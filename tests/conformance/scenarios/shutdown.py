# ruff: noqa: F403, F405 - a line-by-line port of shutdown.php: PHP's names come from star imports
"""Python port of shutdown.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_shutdown: each direction, bad modes, unconnected sockets.
p = []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, p)
a, b = p
var_dump(socket_write(a, "last words"))
var_dump(socket_shutdown(a, 1))
var_dump(socket_read(b, 100))
var_dump(socket_read(b, 100))
var_dump(socket_write(a, "too late"))
var_dump(socket_last_error(a) == SOCKET_EPIPE)
var_dump(socket_write(b, "still open"))
var_dump(socket_read(a, 100))
var_dump(socket_shutdown(b, 0))
var_dump(socket_shutdown(b))
var_dump(socket_shutdown(a, 5))
var_dump(socket_shutdown(a, -1))
var_dump(socket_last_error(a) == SOCKET_EINVAL)
socket_close(a)
socket_close(b)
t = socket_create(AF_INET, SOCK_STREAM, 0)
var_dump(socket_shutdown(t, 2))
var_dump(socket_last_error(t) == SOCKET_ENOTCONN)
socket_close(t)
