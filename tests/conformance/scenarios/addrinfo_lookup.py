# ruff: noqa: F403, F405 - a line-by-line port of addrinfo_lookup.php: PHP's names come from star imports
"""Python port of addrinfo_lookup.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_addrinfo_lookup: hints, results, explain(), and the failures that are just false.
all_ = socket_addrinfo_lookup("127.0.0.1")
var_dump(len(all_))
for ai in all_:
    var_dump(socket_addrinfo_explain(ai))
tcp = socket_addrinfo_lookup(
    "127.0.0.1", "8080", {"ai_family": AF_INET, "ai_socktype": SOCK_STREAM}
)
var_dump(
    len(tcp),
    "AddressInfo" if isinstance(tcp[0], AddrInfo) else "?",
    socket_addrinfo_explain(tcp[0]),
)
udp = socket_addrinfo_lookup(
    "localhost", "53", {"ai_family": "2", "ai_socktype": SOCK_DGRAM, "ai_flags": AI_CANONNAME}
)
var_dump(socket_addrinfo_explain(udp[0]))
passive = socket_addrinfo_lookup(
    "0.0.0.0", None, {"ai_flags": AI_PASSIVE, "ai_socktype": SOCK_STREAM, "ai_protocol": SOL_TCP}
)
var_dump(socket_addrinfo_explain(passive[0]))
var_dump(len(socket_addrinfo_lookup("127.0.0.1", "", [5, 6])))
var_dump(len(socket_addrinfo_lookup("127.0.0.1", None, {7: SOCK_STREAM})))
var_dump(socket_addrinfo_lookup("localhost", "80", {"ai_flags": AI_NUMERICHOST}))
var_dump(socket_addrinfo_lookup("127.0.0.1", "no-such-service-name"))
var_dump(socket_addrinfo_lookup("", "80"))
var_dump(socket_addrinfo_lookup("127.0.0.1", "80", {"ai_socktype": -5}))
var_dump(socket_addrinfo_lookup("127.0.0.1", "80", {"ai_flags": 0x7FFF0000}))
var_dump(socket_last_error())
try:
    socket_addrinfo_lookup("127.0.0.1", None, {"ai_flags": 0, "bogus": 1})
except Exception as e:
    caught(e)
try:
    socket_addrinfo_lookup([])
except Exception as e:
    caught(e)
try:
    socket_addrinfo_lookup("127.0.0.1", "80", 5)
except Exception as e:
    caught(e)
try:
    socket_addrinfo_explain(5)
except Exception as e:
    caught(e)
try:
    socket_addrinfo_bind(None)
except Exception as e:
    caught(e)
try:
    socket_addrinfo_connect("127.0.0.1")
except Exception as e:
    caught(e)
