# ruff: noqa: F403, F405 - a line-by-line port of create_listen.php: PHP's names come from star imports
"""Python port of create_listen.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_create_listen: IPv4, every address, no SO_REUSEADDR; a taken port warns.
listener = socket_create_listen(PORT)
echo("listening\n" if isinstance(listener, Socket) else "failed\n")
addr, port = Ref(), Ref()
var_dump(socket_getsockname(listener, addr, port), addr.value, port.value == PORT)
var_dump(socket_get_option(listener, SOL_SOCKET, SO_REUSEADDR))
var_dump(socket_get_option(listener, SOL_SOCKET, SO_TYPE) == SOCK_STREAM)
var_dump(socket_create_listen(PORT))
var_dump(socket_last_error() == SOCKET_EADDRINUSE)
var_dump(socket_last_error(listener))
c = socket_create(AF_INET, SOCK_STREAM, 0)
var_dump(socket_connect(c, "127.0.0.1", PORT))
conn = socket_accept(listener)
var_dump(socket_write(c, "to the listener\n"))
var_dump(socket_read(conn, 100, PHP_NORMAL_READ))
try:
    socket_create_listen([])
except Exception as e:
    caught(e)
any_ = socket_create_listen(0, 1)
var_dump(socket_getsockname(any_, addr, port), addr.value, port.value > 0)
for x in [conn, c, listener, any_]:
    socket_close(x)
