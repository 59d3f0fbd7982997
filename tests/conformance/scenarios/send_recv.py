# ruff: noqa: F403, F405 - a line-by-line port of send_recv.php: PHP's names come from star imports
"""Python port of send_recv.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_send / socket_recv: lengths, flags, the by-reference buffer.
p = []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, p)
a, b = p
var_dump(socket_send(a, "hello world", 5, 0))
var_dump(socket_send(a, "!?", 100, 0))
var_dump(socket_send(a, "ignored", 0, 0))
try:
    socket_send(a, "x", -1, 0)
except Exception as e:
    caught(e)
buf = Ref("before")
var_dump(socket_recv(b, buf, 0, 0), buf.value)
var_dump(socket_recv(b, buf, -1, 0), buf.value)
var_dump(socket_recv(b, buf, 3, MSG_PEEK), buf.value)
var_dump(socket_recv(b, buf, 3, 0), buf.value)
var_dump(socket_recv(b, buf, 100, 0), buf.value)
var_dump(socket_send(a, "wait for all", 12, 0))
var_dump(socket_recv(b, buf, 12, MSG_WAITALL), buf.value)
socket_close(a)
var_dump(socket_recv(b, buf, 100, 0), buf.value)
var_dump(socket_last_error(b))
socket_close(b)
tcp = socket_create(AF_INET, SOCK_STREAM, 0)
buf = Ref("before")
var_dump(socket_recv(tcp, buf, 10, 0), buf.value)
var_dump(socket_last_error(tcp) == SOCKET_ENOTCONN)
var_dump(socket_send(tcp, "x", 1, 0))
socket_close(tcp)
