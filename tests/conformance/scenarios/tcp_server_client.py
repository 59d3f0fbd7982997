# ruff: noqa: F403, F405 - a line-by-line port of tcp_server_client.php: PHP's names come from star imports
"""Python port of tcp_server_client.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# A TCP server and client on loopback: bind, listen, connect, accept, names, data.
server = socket_create(AF_INET, SOCK_STREAM, SOL_TCP)
var_dump(socket_set_option(server, SOL_SOCKET, SO_REUSEADDR, 1))
var_dump(socket_bind(server, "127.0.0.1", PORT))
var_dump(socket_listen(server, 5))
addr, port = Ref(), Ref()
var_dump(socket_getsockname(server, addr, port), addr.value, port.value == PORT)
client = socket_create(AF_INET, SOCK_STREAM, SOL_TCP)
var_dump(socket_connect(client, "127.0.0.1", PORT))
conn = socket_accept(server)
echo("accepted\n" if isinstance(conn, Socket) else "no connection\n")
peer, peerPort = Ref(), Ref()
var_dump(socket_getpeername(conn, peer, peerPort), peer.value)
local, localPort = Ref(), Ref()
var_dump(
    socket_getsockname(client, local, localPort), local.value, localPort.value == peerPort.value
)
remote, remotePort = Ref(), Ref()
var_dump(socket_getpeername(client, remote, remotePort), remote.value, remotePort.value == PORT)
var_dump(socket_write(client, "hello server\n"))
var_dump(socket_read(conn, 1024, PHP_NORMAL_READ))
var_dump(socket_write(conn, "hello client"))
var_dump(socket_read(client, 1024))
var_dump(socket_last_error(server), socket_last_error(conn), socket_last_error(client))
socket_close(client)
var_dump(socket_read(conn, 1024))
socket_close(conn)
socket_close(server)
