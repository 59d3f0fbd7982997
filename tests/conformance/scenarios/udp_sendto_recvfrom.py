# ruff: noqa: F403, F405 - a line-by-line port of udp_sendto_recvfrom.php: PHP's names come from star imports
"""Python port of udp_sendto_recvfrom.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# UDP on loopback: sendto/recvfrom, truncated datagrams, the sender's address and port.
server = socket_create(AF_INET, SOCK_DGRAM, SOL_UDP)
var_dump(socket_bind(server, "127.0.0.1", PORT))
client = socket_create(AF_INET, SOCK_DGRAM, SOL_UDP)
var_dump(socket_bind(client, "127.0.0.1"))
clientAddr, clientPort = Ref(), Ref()
socket_getsockname(client, clientAddr, clientPort)
var_dump(socket_sendto(client, "first datagram", 100, 0, "127.0.0.1", PORT))
var_dump(socket_sendto(client, "second", 3, 0, "localhost", PORT))
var_dump(socket_sendto(client, "", 0, 0, "127.0.0.1", PORT))
buf, from_, port = Ref(), Ref(), Ref()
var_dump(
    socket_recvfrom(server, buf, 5, 0, from_, port),
    buf.value,
    from_.value,
    port.value == clientPort.value,
)
var_dump(socket_recvfrom(server, buf, 100, 0, from_, port), buf.value, from_.value)
var_dump(socket_recvfrom(server, buf, 100, 0, from_, port), buf.value, from_.value)
buf, from_, port = Ref("untouched"), Ref("untouched"), Ref("untouched")
var_dump(socket_recvfrom(server, buf, 0, 0, from_, port), buf.value, from_.value, port.value)
var_dump(
    socket_recvfrom(server, buf, 100, MSG_DONTWAIT, from_, port), buf.value, from_.value, port.value
)
var_dump(socket_last_error(server) == SOCKET_EAGAIN)
try:
    socket_sendto(client, "x", 1, 0, "127.0.0.1")
except Exception as e:
    caught(e)
try:
    socket_sendto(client, "x", -1, 0, "127.0.0.1", PORT)
except Exception as e:
    caught(e)
try:
    socket_recvfrom(server, buf, 10, 0, from_)
except Exception as e:
    echo(str(e), "\n")
var_dump(socket_connect(client, "127.0.0.1", PORT))
var_dump(socket_send(client, "connected", 9, 0))
var_dump(
    socket_recvfrom(server, buf, 100, 0, from_, port), buf.value, port.value == clientPort.value
)
socket_close(client)
socket_close(server)
