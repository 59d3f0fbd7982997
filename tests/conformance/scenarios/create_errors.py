# ruff: noqa: F403, F405 - a line-by-line port of create_errors.php: PHP's names come from star imports
"""Python port of create_errors.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_create: argument errors, OS errors (global last error only), success.
try:
    socket_create(99, SOCK_STREAM, 0)
except Exception as e:
    caught(e)
try:
    socket_create(AF_INET, 11, 0)
except Exception as e:
    caught(e)
try:
    socket_create(AF_INET, SOCK_STREAM, [])
except Exception as e:
    caught(e)
var_dump(socket_create(AF_INET, SOCK_STREAM, 999))
var_dump(socket_last_error())
var_dump(socket_create(AF_INET, SOCK_STREAM, 1))
var_dump(socket_last_error())
var_dump(socket_create(AF_INET, -1, 0))
echo(socket_strerror(socket_last_error()), "\n")
s = socket_create(AF_INET, SOCK_DGRAM, SOL_UDP)
echo("Socket\n" if isinstance(s, Socket) else "not a socket\n")
var_dump(socket_last_error(s))
var_dump(socket_get_option(s, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM)
socket_clear_error()
var_dump(socket_last_error())
socket_close(s)
