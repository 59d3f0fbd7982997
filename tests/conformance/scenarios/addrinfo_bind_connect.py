# ruff: noqa: F403, F405 - a line-by-line port of addrinfo_bind_connect.php: PHP's names come from star imports
"""Python port of addrinfo_bind_connect.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_addrinfo_bind/connect: a server and a client from lookups; EADDRINUSE, ECONNREFUSED.
hints = {"ai_family": AF_INET, "ai_socktype": SOCK_STREAM}
[ai] = socket_addrinfo_lookup("127.0.0.1", str(PORT), hints)
server = socket_addrinfo_bind(ai)
var_dump(isinstance(server, Socket))
var_dump(socket_get_option(server, SOL_SOCKET, SO_REUSEADDR))
var_dump(socket_listen(server, 5))
client = socket_addrinfo_connect(ai)
var_dump(isinstance(client, Socket))
conn = socket_accept(server)
var_dump(socket_write(client, "over addrinfo\n"))
var_dump(socket_read(conn, 100, PHP_NORMAL_READ))
var_dump(socket_addrinfo_bind(ai))
var_dump(socket_last_error(), socket_last_error(server))
socket_close(conn)
socket_close(client)
socket_close(server)
var_dump(socket_addrinfo_connect(ai))
var_dump(socket_last_error())
[udp] = socket_addrinfo_lookup(
    "127.0.0.1", str(PORT), {"ai_family": AF_INET, "ai_socktype": SOCK_DGRAM}
)
receiver = socket_addrinfo_bind(udp)
sender = socket_addrinfo_connect(udp)
var_dump(socket_send(sender, "datagram", 8, 0))
buf = Ref()
var_dump(socket_recv(receiver, buf, 100, 0), buf.value)
var_dump(socket_get_option(sender, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM)
socket_close(sender)
socket_close(receiver)
