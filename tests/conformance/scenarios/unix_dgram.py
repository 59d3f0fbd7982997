# ruff: noqa: F403, F405 - a line-by-line port of unix_dgram.php: PHP's names come from star imports
"""Python port of unix_dgram.php (sockkit.compat)."""

import os

from _prelude import *

from sockkit.compat import *

# Unix datagram sockets: sendto a path, recvfrom reports the sender's path ("" if unnamed).
serverPath = DIR + "/dgram-server.sock"
clientPath = DIR + "/dgram-client.sock"
server = socket_create(AF_UNIX, SOCK_DGRAM, 0)
var_dump(socket_bind(server, serverPath))
named = socket_create(AF_UNIX, SOCK_DGRAM, 0)
var_dump(socket_bind(named, clientPath))
unnamed = socket_create(AF_UNIX, SOCK_DGRAM, 0)
var_dump(socket_sendto(named, "from named", 10, 0, serverPath))
var_dump(socket_sendto(unnamed, "from unnamed", 100, 0, serverPath))
buf, from_, port = Ref(), Ref(), Ref("untouched")
var_dump(
    socket_recvfrom(server, buf, 100, 0, from_, port),
    buf.value,
    from_.value.replace(DIR, "DIR"),
    port.value,
)
var_dump(socket_recvfrom(server, buf, 4, 0, from_), buf.value, from_.value)
var_dump(socket_sendto(unnamed, "lost", 4, 0, DIR + "/nobody.sock"))
var_dump(socket_last_error(unnamed) == SOCKET_ENOENT)
var_dump(socket_sendto(unnamed, "x", 1, 0, DIR + "/dgram-server.sock", 12345))
var_dump(socket_recv(server, buf, 10, 0), buf.value)
for s in [server, named, unnamed]:
    socket_close(s)
os.unlink(serverPath)
os.unlink(clientPath)
