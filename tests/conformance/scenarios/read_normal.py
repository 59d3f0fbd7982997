# ruff: noqa: F403, F405 - a line-by-line port of read_normal.php: PHP's names come from star imports
"""Python port of read_normal.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# PHP_NORMAL_READ: up to and including \r or \n, never more than $length bytes.
p = []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, p)
a, b = p
socket_write(a, "ab\r\ncd\nefghij\nk\rlast line\n")
var_dump(socket_read(b, 100, PHP_NORMAL_READ))
var_dump(socket_read(b, 100, PHP_NORMAL_READ))
var_dump(socket_read(b, 2, PHP_NORMAL_READ))
var_dump(socket_read(b, 100, PHP_NORMAL_READ))
var_dump(socket_read(b, 3, PHP_NORMAL_READ))
var_dump(socket_read(b, 3, PHP_NORMAL_READ))
var_dump(socket_read(b, 3, PHP_NORMAL_READ))
var_dump(socket_read(b, 100, PHP_NORMAL_READ))
var_dump(socket_read(b, 100, PHP_NORMAL_READ))
var_dump(socket_read(b, 0, PHP_NORMAL_READ))
var_dump(socket_read(b, -5, PHP_NORMAL_READ))
var_dump(socket_last_error(b))
socket_write(a, "x\n")
socket_close(a)
var_dump(socket_read(b, 100, PHP_NORMAL_READ))
# End of stream on a blocking socket: PHP's "connection reset" signal.
var_dump(socket_read(b, 100, PHP_NORMAL_READ))
var_dump(socket_last_error(b), socket_last_error())
var_dump(socket_read(b, 100))
socket_close(b)
