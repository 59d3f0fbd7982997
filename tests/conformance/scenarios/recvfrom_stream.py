# ruff: noqa: F403, F405 - a line-by-line port of recvfrom_stream.php: PHP's names come from star imports
"""Python port of recvfrom_stream.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_recvfrom on connected stream sockets: no sender address to report.
server = socket_create(AF_INET, SOCK_STREAM, 0)
socket_bind(server, "127.0.0.1", PORT)
socket_listen(server)
client = socket_create(AF_INET, SOCK_STREAM, 0)
socket_connect(client, "127.0.0.1", PORT)
conn = socket_accept(server)
socket_write(client, "stream data")
buf, from_, port = Ref(), Ref(), Ref()
var_dump(socket_recvfrom(conn, buf, 6, 0, from_, port), buf.value, from_.value, port.value)
var_dump(socket_recvfrom(conn, buf, 100, MSG_PEEK, from_, port), buf.value)
var_dump(socket_recvfrom(conn, buf, 100, 0, from_, port), buf.value)
socket_close(client)
var_dump(socket_recvfrom(conn, buf, 100, 0, from_, port), buf.value, from_.value, port.value)
p = []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, p)
socket_write(p[0], "pair")
var_dump(socket_recvfrom(p[1], buf, 100, 0, from_), buf.value, from_.value)
for x in [conn, server, p[0], p[1]]:
    socket_close(x)
