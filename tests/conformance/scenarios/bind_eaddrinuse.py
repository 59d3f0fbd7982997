# ruff: noqa: F403, F405 - a line-by-line port of bind_eaddrinuse.php: PHP's names come from star imports
"""Python port of bind_eaddrinuse.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# EADDRINUSE: the second bind warns, records on the socket and globally.
first = socket_create(AF_INET, SOCK_STREAM, 0)
var_dump(socket_bind(first, "127.0.0.1", PORT))
var_dump(socket_listen(first))
second = socket_create(AF_INET, SOCK_STREAM, 0)
var_dump(socket_bind(second, "127.0.0.1", PORT))
var_dump(socket_last_error(second), socket_last_error(), socket_last_error(first))
echo(socket_strerror(socket_last_error(second)), "\n")
with silenced():
    var_dump(socket_bind(second, "127.0.0.1", PORT))
var_dump(socket_last_error(second) == SOCKET_EADDRINUSE)
socket_clear_error(second)
var_dump(socket_last_error(second), socket_last_error())
var_dump(socket_bind(second, "127.0.0.1", 0))
try:
    socket_bind(second, "127.0.0.1", 0)
except Exception as e:
    caught(e)
var_dump(socket_bind(second, "127.0.0.1", 0))
var_dump(socket_last_error(second))
var_dump(socket_bind(second, "192.0.2.123", 0))
socket_close(first)
socket_close(second)
