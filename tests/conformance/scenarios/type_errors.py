# ruff: noqa: F403, F405 - a line-by-line port of type_errors.php: PHP's names come from star imports
"""Python port of type_errors.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *


class stdClass:
    pass


# PHP 8's TypeError texts, with PHP's type names.
s = socket_create(AF_INET, SOCK_STREAM, 0)
tries = [
    lambda: socket_bind("not a socket", "127.0.0.1"),
    lambda: socket_bind(None, "127.0.0.1"),
    lambda: socket_bind([], "127.0.0.1"),
    lambda: socket_bind(42, "127.0.0.1"),
    lambda: socket_bind(1.5, "127.0.0.1"),
    lambda: socket_bind(True, "127.0.0.1"),
    lambda: socket_last_error("x"),
    lambda: socket_clear_error([]),
    lambda: socket_write(s, []),
    lambda: socket_read(s, []),
    lambda: socket_read(s, "ten"),
    lambda: socket_send(s, [], 1, 0),
    lambda: socket_strerror("abc"),
    lambda: socket_create([], SOCK_STREAM, 0),
    lambda: socket_create_listen("port"),
    lambda: socket_get_option(s, [], SO_TYPE),
    lambda: socket_set_option(s, SOL_SOCKET, "x", 1),
    lambda: socket_connect(s, [], 80),
    lambda: socket_accept(stdClass()),
    lambda: socket_import_stream(5),
    lambda: socket_import_stream(s),
]
for attempt in tries:
    try:
        attempt()
        echo("no error\n")
    except Exception as e:
        caught(e)
socket_close(s)
