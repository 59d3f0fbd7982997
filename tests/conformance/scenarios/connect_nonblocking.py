# ruff: noqa: F403, F405 - a line-by-line port of connect_nonblocking.php: PHP's names come from star imports
"""Python port of connect_nonblocking.php (sockkit.compat)."""

import time

from _prelude import *

from sockkit.compat import *

# A non-blocking connect: false with EINPROGRESS recorded, no warning.
server = socket_create(AF_INET, SOCK_STREAM, 0)
socket_bind(server, "127.0.0.1", PORT)
socket_listen(server)
client = socket_create(AF_INET, SOCK_STREAM, 0)
var_dump(socket_set_nonblock(client))
var_dump(socket_connect(client, "127.0.0.1", PORT))
var_dump(socket_last_error(client) == SOCKET_EINPROGRESS, socket_last_error() == SOCKET_EINPROGRESS)
time.sleep(0.2)
var_dump(socket_get_option(client, SOL_SOCKET, SO_ERROR))
var_dump(socket_set_block(client))
conn = socket_accept(server)
var_dump(socket_write(client, "after connect\n"))
var_dump(socket_read(conn, 100, PHP_NORMAL_READ))
socket_close(conn)
socket_close(client)
socket_set_nonblock(server)
var_dump(socket_accept(server))
var_dump(socket_last_error(server), socket_last_error() == SOCKET_EAGAIN)
socket_close(server)
