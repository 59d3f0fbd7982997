# ruff: noqa: F403, F405 - a line-by-line port of names_unbound.php: PHP's names come from star imports
"""Python port of names_unbound.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# getsockname/getpeername before bind and connect.
s = socket_create(AF_INET, SOCK_STREAM, 0)
addr, port = Ref(), Ref()
var_dump(socket_getsockname(s, addr, port), addr.value, port.value)
var_dump(socket_getsockname(s, addr), addr.value)
addr, port = Ref("untouched"), Ref("untouched")
var_dump(socket_getpeername(s, addr, port), addr.value, port.value)
var_dump(socket_last_error(s) == SOCKET_ENOTCONN, socket_last_error() == SOCKET_ENOTCONN)
socket_close(s)
u = socket_create(AF_UNIX, SOCK_STREAM, 0)
port = Ref("untouched")
var_dump(socket_getsockname(u, addr, port), addr.value, port.value)
var_dump(socket_getpeername(u, addr))
socket_close(u)
d = socket_create(AF_INET, SOCK_DGRAM, 0)
var_dump(socket_bind(d, "127.0.0.1"))
var_dump(socket_getsockname(d, addr, port), addr.value, port.value > 0)
var_dump(socket_bind(d, "127.0.0.1"))
socket_close(d)
