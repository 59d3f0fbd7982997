# ruff: noqa: F403, F405 - a line-by-line port of msg_udp_names.php: PHP's names come from star imports
"""Python port of msg_udp_names.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# sendmsg/recvmsg on UDP: "name" as the destination, the sender's name when asked for.
server = socket_create(AF_INET, SOCK_DGRAM, SOL_UDP)
var_dump(socket_bind(server, "127.0.0.1", PORT))
client = socket_create(AF_INET, SOCK_DGRAM, SOL_UDP)
var_dump(socket_bind(client, "127.0.0.1"))
caddr, cport = Ref(), Ref()
socket_getsockname(client, caddr, cport)
var_dump(
    socket_sendmsg(client, {"name": {"addr": "127.0.0.1", "port": PORT}, "iov": ["one", "two"]})
)
m = {"name": [], "controllen": 1}
var_dump(socket_recvmsg(server, m))
m["name"]["port"] = m["name"]["port"] == cport.value
var_dump(m)
var_dump(
    socket_sendmsg(
        client,
        {"name": {"family": AF_INET, "addr": "localhost", "port": str(PORT)}, "iov": ["by name"]},
    )
)
m = {"controllen": 1, "buffer_size": 4}
var_dump(socket_recvmsg(server, m), m)
var_dump(socket_sendmsg(client, {"name": {"port": PORT}, "iov": ["to 0.0.0.0"]}))
m = {"controllen": 1, "name": {"family": AF_INET}}
var_dump(socket_recvmsg(server, m), m["iov"], m["name"]["addr"])
var_dump(socket_sendmsg(client, {"name": {"addr": "127.0.0.1", "port": 70000}, "iov": ["x"]}))
var_dump(socket_sendmsg(client, {"name": {"addr": "127.0.0.1", "port": -1}, "iov": ["x"]}))
var_dump(socket_sendmsg(client, {"name": {"addr": "127.0.0.1", "port": "http"}, "iov": ["x"]}))
var_dump(socket_sendmsg(client, {"name": {"path": "x.sock"}, "iov": ["x"]}))
var_dump(socket_sendmsg(client, {"name": {"family": AF_UNIX, "path": "x.sock"}, "iov": ["x"]}))
var_dump(socket_sendmsg(client, {"iov": ["no destination"]}))
var_dump(socket_last_error(client))
var_dump(socket_connect(client, "127.0.0.1", PORT))
var_dump(socket_sendmsg(client, {"iov": ["connected"]}))
m = {"controllen": 1}
var_dump(socket_recvmsg(server, m), m["iov"])
tcp = socket_create(AF_INET, SOCK_STREAM, SOL_TCP)
var_dump(socket_sendmsg(tcp, {"iov": ["not connected"]}))
socket_close(tcp)
socket_close(client)
socket_close(server)
