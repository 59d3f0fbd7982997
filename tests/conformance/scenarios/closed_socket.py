# ruff: noqa: F403, F405 - a line-by-line port of closed_socket.php: PHP's names come from star imports
"""Python port of closed_socket.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# Every function refuses a closed socket with PHP's Error.
s = socket_create(AF_INET, SOCK_STREAM, 0)
socket_close(s)
calls = {
    "socket_close": lambda: socket_close(s),
    "socket_bind": lambda: socket_bind(s, "127.0.0.1", 0),
    "socket_connect": lambda: socket_connect(s, "127.0.0.1", 1),
    "socket_listen": lambda: socket_listen(s),
    "socket_accept": lambda: socket_accept(s),
    "socket_read": lambda: socket_read(s, 10),
    "socket_write": lambda: socket_write(s, "x"),
    "socket_recv": lambda: socket_recv(s, Ref(), 10, 0),
    "socket_send": lambda: socket_send(s, "x", 1, 0),
    "socket_recvfrom": lambda: socket_recvfrom(s, Ref(), 10, 0, Ref(), Ref()),
    "socket_sendto": lambda: socket_sendto(s, "x", 1, 0, "127.0.0.1", 1),
    "socket_getsockname": lambda: socket_getsockname(s, Ref()),
    "socket_getpeername": lambda: socket_getpeername(s, Ref()),
    "socket_get_option": lambda: socket_get_option(s, SOL_SOCKET, SO_TYPE),
    "socket_set_option": lambda: socket_set_option(s, SOL_SOCKET, SO_REUSEADDR, 1),
    "socket_getopt": lambda: socket_getopt(s, SOL_SOCKET, SO_TYPE),
    "socket_setopt": lambda: socket_setopt(s, SOL_SOCKET, SO_REUSEADDR, 1),
    "socket_shutdown": lambda: socket_shutdown(s),
    "socket_set_block": lambda: socket_set_block(s),
    "socket_set_nonblock": lambda: socket_set_nonblock(s),
    "socket_last_error": lambda: socket_last_error(s),
    "socket_clear_error": lambda: socket_clear_error(s),
    "socket_export_stream": lambda: socket_export_stream(s),
}
for name, call in calls.items():
    try:
        call()
        echo(f"{name}: no error\n")
    except Exception as e:
        caught(e)
var_dump(socket_last_error())
