# ruff: noqa: F403, F405 - a line-by-line port of last_error_clear.php: PHP's names come from star imports
"""Python port of last_error_clear.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# Per-socket and global last errors: who records what, and clearing them.
a = socket_create(AF_INET, SOCK_STREAM, 0)
b = socket_create(AF_INET, SOCK_STREAM, 0)
var_dump(socket_last_error(a), socket_last_error(b), socket_last_error())
var_dump(socket_connect(a, "127.0.0.1", PORT))
var_dump(socket_last_error(a), socket_last_error(b), socket_last_error())
addr = Ref()
var_dump(socket_getpeername(b, addr))
var_dump(socket_last_error(a), socket_last_error(b), socket_last_error())
socket_clear_error(a)
var_dump(socket_last_error(a), socket_last_error(b), socket_last_error())
socket_clear_error()
var_dump(socket_last_error(a), socket_last_error(b), socket_last_error())
var_dump(socket_create(AF_INET, SOCK_STREAM, 1))
var_dump(socket_last_error(a), socket_last_error(b), socket_last_error())
socket_clear_error(None)
var_dump(socket_last_error(None))
with silenced():
    var_dump(socket_connect(a, "127.0.0.1", PORT), socket_last_error(a))
socket_close(a)
socket_close(b)
