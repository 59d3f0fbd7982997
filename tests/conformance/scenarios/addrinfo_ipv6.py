# ruff: noqa: F403, F405 - a line-by-line port of addrinfo_ipv6.php: PHP's names come from star imports
"""Python port of addrinfo_ipv6.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_addrinfo_* over IPv6: explain()'s sin6 keys, canonname, bind and connect on ::1.
hints = {
    "ai_family": AF_INET6,
    "ai_socktype": SOCK_STREAM,
    "ai_flags": AI_CANONNAME | AI_NUMERICHOST,
}
list_ = socket_addrinfo_lookup("::1", str(PORT), hints)
explained = socket_addrinfo_explain(list_[0])
explained["ai_addr"]["sin6_port"] = explained["ai_addr"]["sin6_port"] == PORT
var_dump(len(list_), explained)
server = socket_addrinfo_bind(list_[0])
var_dump(socket_listen(server))
client = socket_addrinfo_connect(list_[0])
conn = socket_accept(server)
addr = Ref()
var_dump(socket_getpeername(conn, addr), addr.value)
buf = Ref()
var_dump(socket_send(client, "v6", 2, 0), socket_recv(conn, buf, 10, 0), buf.value)
var_dump(socket_addrinfo_bind(list_[0]))
var_dump(socket_last_error())
[v4] = socket_addrinfo_lookup(
    "127.0.0.1", "0", {"ai_family": AF_INET6, "ai_flags": AI_V4MAPPED, "ai_socktype": SOCK_DGRAM}
)
var_dump(socket_addrinfo_explain(v4))
for s in [conn, client, server]:
    socket_close(s)
