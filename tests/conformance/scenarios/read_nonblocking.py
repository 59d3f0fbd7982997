# ruff: noqa: F403, F405 - a line-by-line port of read_nonblocking.php: PHP's names come from star imports
"""Python port of read_nonblocking.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# Non-blocking reads: EAGAIN is recorded but never warned about.
p = []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, p)
a, b = p
var_dump(socket_set_nonblock(b))
var_dump(socket_read(b, 100))
var_dump(socket_last_error(b) == SOCKET_EAGAIN, socket_last_error() == SOCKET_EAGAIN)
buf = Ref()
var_dump(socket_recv(b, buf, 100, 0), buf.value)
var_dump(socket_last_error(b) == SOCKET_EWOULDBLOCK)
socket_write(a, "whole line\n")
var_dump(socket_read(b, 100, PHP_NORMAL_READ))
socket_write(a, "more")
var_dump(socket_read(b, 100))
var_dump(socket_recv(b, buf, 100, MSG_DONTWAIT), buf.value)
socket_close(a)
# End of stream on a non-blocking socket: "" in both modes, nothing recorded.
socket_clear_error(b)
var_dump(socket_read(b, 100, PHP_NORMAL_READ))
var_dump(socket_read(b, 100))
var_dump(socket_last_error(b))
socket_close(b)
