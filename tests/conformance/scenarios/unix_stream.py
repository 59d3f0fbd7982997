# ruff: noqa: F403, F405 - a line-by-line port of unix_stream.php: PHP's names come from star imports
"""Python port of unix_stream.php (sockkit.compat)."""

import os

from _prelude import *

from sockkit.compat import *

# Unix stream sockets in a private directory: paths as names, the port left alone.
path = DIR + "/server.sock"
server = socket_create(AF_UNIX, SOCK_STREAM, 0)
var_dump(socket_bind(server, path))
var_dump(socket_listen(server))
name = Ref()
var_dump(socket_getsockname(server, name), name.value.replace(DIR, "DIR"))
client = socket_create(AF_UNIX, SOCK_STREAM, 0)
var_dump(socket_connect(client, path))
conn = socket_accept(server)
peer, port = Ref(), Ref("untouched")
var_dump(socket_getpeername(conn, peer, port), peer.value, port.value)
var_dump(socket_getpeername(client, peer, port), peer.value.replace(DIR, "DIR"), port.value)
var_dump(socket_getsockname(client, name, port), name.value, port.value)
var_dump(socket_write(client, "over unix\n"))
var_dump(socket_read(conn, 100, PHP_NORMAL_READ))
other = socket_create(AF_UNIX, SOCK_STREAM, 0)
var_dump(socket_bind(other, path))
var_dump(socket_last_error(other) == SOCKET_EADDRINUSE)
for s in [conn, client, server, other]:
    socket_close(s)
os.unlink(path)
