# ruff: noqa: F403, F405 - a line-by-line port of write_lengths.php: PHP's names come from star imports
"""Python port of write_lengths.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_write: $length null, 0, shorter and longer than the data; argument errors.
p = []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, p)
a, b = p
var_dump(socket_write(a, "abcdef"))
var_dump(socket_write(a, "abcdef", None))
var_dump(socket_write(a, "abcdef", 2))
var_dump(socket_write(a, "abcdef", 100))
var_dump(socket_write(a, "abcdef", 0))
var_dump(socket_write(a, ""))
var_dump(socket_read(b, 100))
var_dump(socket_write(a, "héllo"))
var_dump(socket_read(b, 100))
try:
    socket_write(a, "abc", -1)
except Exception as e:
    caught(e)
try:
    socket_write(a, [])
except Exception as e:
    caught(e)
try:
    socket_write(a, "abc", [])
except Exception as e:
    caught(e)
socket_close(b)
var_dump(socket_write(a, "nobody reads this"))
var_dump(socket_last_error(a) == SOCKET_EPIPE)
var_dump(socket_send(a, "nor this", 8, 0))
socket_close(a)
try:
    socket_write(a, "closed")
except Exception as e:
    caught(e)
