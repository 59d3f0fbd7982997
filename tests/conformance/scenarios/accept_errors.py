# ruff: noqa: F403, F405 - a line-by-line port of accept_errors.php: PHP's names come from star imports
"""Python port of accept_errors.php (sockkit.compat)."""

import time

from _prelude import *

from sockkit.compat import *

# socket_accept records on the thread, not on the listening socket.
s = socket_create(AF_INET, SOCK_STREAM, 0)
var_dump(socket_accept(s))
var_dump(socket_last_error(s), socket_last_error() == SOCKET_EINVAL)
var_dump(socket_bind(s, "127.0.0.1", PORT))
var_dump(socket_listen(s, -1))
var_dump(socket_set_nonblock(s))
var_dump(socket_accept(s))
var_dump(socket_last_error(s), socket_last_error() == SOCKET_EAGAIN)
c = socket_create(AF_INET, SOCK_STREAM, 0)
var_dump(socket_connect(c, "127.0.0.1", PORT))
time.sleep(0.1)
conn = socket_accept(s)
echo("accepted\n" if isinstance(conn, Socket) else "nothing\n")
var_dump(socket_last_error(conn))
var_dump(socket_write(conn, "accepted sockets block\n"))
var_dump(socket_read(c, 100, PHP_NORMAL_READ))
for x in [conn, c, s]:
    socket_close(x)
var_dump(socket_last_error() == SOCKET_EAGAIN)
