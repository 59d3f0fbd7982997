# ruff: noqa: F403, F405 - a line-by-line port of host_lookup_ipv6.php: PHP's names come from star imports
"""Python port of host_lookup_ipv6.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# Host names on IPv6 sockets: localhost resolves, a bad name records -10000 - h_errno.
s = socket_create(AF_INET6, SOCK_STREAM, 0)
var_dump(socket_connect(s, "not a host", PORT))
var_dump(socket_last_error(s), socket_last_error())
echo(socket_strerror(socket_last_error(s)), "\n")
var_dump(socket_bind(s, ""))
var_dump(socket_last_error(s))
echo(socket_strerror(socket_last_error()), "\n")
try:
    socket_connect(s, "::1")
except Exception as e:
    caught(e)
socket_close(s)
server = socket_create(AF_INET6, SOCK_STREAM, 0)
var_dump(socket_bind(server, "::1", PORT))
var_dump(socket_listen(server))
client = socket_create(AF_INET6, SOCK_STREAM, 0)
var_dump(socket_connect(client, "::1", PORT))
conn = socket_accept(server)
peer = Ref()
var_dump(socket_getpeername(conn, peer), peer.value)
local, port = Ref(), Ref()
var_dump(socket_getsockname(server, local, port), local.value, port.value == PORT)
mapped = socket_create(AF_INET6, SOCK_STREAM, 0)
var_dump(socket_connect(mapped, "127.0.0.1", PORT))
var_dump(socket_last_error(mapped) == SOCKET_ECONNREFUSED)
v4 = socket_create(AF_INET, SOCK_DGRAM, 0)
var_dump(socket_sendto(v4, "x", 1, 0, "localhost", PORT))
for x in [conn, client, server, mapped, v4]:
    socket_close(x)
