# ruff: noqa: F403, F405 - a line-by-line port of read_binary.php: PHP's names come from star imports
"""Python port of read_binary.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# PHP_BINARY_READ (the default, and any mode but PHP_NORMAL_READ): one recv.
p = []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, p)
a, b = p
socket_write(a, "line one\nline two\r\n")
var_dump(socket_read(b, 5))
var_dump(socket_read(b, 5, PHP_BINARY_READ))
var_dump(socket_read(b, 3, 0))
var_dump(socket_read(b, 3, 99))
var_dump(socket_read(b, 100))
var_dump(socket_read(b, 0))
var_dump(socket_read(b, -1))
socket_write(a, b"\x00\x01\xff binary")
var_dump(socket_read(b, 100).hex())
try:
    socket_read(b, [])
except Exception as e:
    caught(e)
socket_shutdown(a, 1)
var_dump(socket_read(b, 100))
var_dump(socket_read(b, 100))
var_dump(socket_last_error(b))
socket_close(a)
socket_close(b)
