# ruff: noqa: F403, F405 - a line-by-line port of msg_ipv6_ancillary.php: PHP's names come from star imports
"""Python port of msg_ipv6_ancillary.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# IPv6 ancillary data: IPV6_HOPLIMIT, IPV6_TCLASS and IPV6_PKTINFO sent and received.
a = socket_create(AF_INET6, SOCK_DGRAM, SOL_UDP)
var_dump(socket_bind(a, "::1"))
aaddr, aport = Ref(), Ref()
socket_getsockname(a, aaddr, aport)
b = socket_create(AF_INET6, SOCK_DGRAM, SOL_UDP)
var_dump(socket_bind(b, "::1", PORT))
for opt in [IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS, IPV6_RECVPKTINFO]:
    var_dump(socket_set_option(b, IPPROTO_IPV6, opt, 1))
to = {"addr": "::1", "port": PORT}
control = [
    {"level": IPPROTO_IPV6, "type": IPV6_HOPLIMIT, "data": 7},
    {"level": IPPROTO_IPV6, "type": IPV6_TCLASS, "data": "4"},
]
var_dump(socket_sendmsg(a, {"name": to, "iov": ["hi"], "control": control}))
space = (
    socket_cmsg_space(IPPROTO_IPV6, IPV6_HOPLIMIT)
    + socket_cmsg_space(IPPROTO_IPV6, IPV6_TCLASS)
    + socket_cmsg_space(IPPROTO_IPV6, IPV6_PKTINFO)
)
m = {"name": [], "controllen": space}
var_dump(socket_recvmsg(b, m))
m["name"]["port"] = m["name"]["port"] == aport.value
m["control"][0]["data"]["ifindex"] = m["control"][0]["data"]["ifindex"] > 0
var_dump(m)
pktinfo = [{"level": IPPROTO_IPV6, "type": IPV6_PKTINFO, "data": {"addr": "::1", "ifindex": 0}}]
var_dump(socket_sendmsg(a, {"name": to, "iov": ["pkt"], "control": pktinfo}))
m = {"controllen": 1}
var_dump(socket_recvmsg(b, m), m["iov"], m["flags"] == MSG_CTRUNC, m["control"])
var_dump(
    socket_sendmsg(
        a,
        {
            "name": to,
            "iov": ["x"],
            "control": [{"level": IPPROTO_IPV6, "type": IPV6_HOPLIMIT, "data": 300}],
        },
    )
)
var_dump(socket_last_error(a))
badinfo = [
    {"ifindex": 1},
    {"addr": "::1"},
    {"addr": "::1", "ifindex": -1},
    {"addr": "::1", "ifindex": "no-such-if0"},
    {"addr": "::1", "ifindex": 2**32},
    7,
]
for data in badinfo:
    var_dump(
        socket_sendmsg(
            a,
            {
                "name": to,
                "iov": ["x"],
                "control": [{"level": IPPROTO_IPV6, "type": IPV6_PKTINFO, "data": data}],
            },
        )
    )
var_dump(socket_sendmsg(a, {"name": {"addr": "::1", "port": PORT, "flowinfo": -1}, "iov": ["x"]}))
var_dump(
    socket_sendmsg(a, {"name": {"addr": "::1", "port": PORT, "scope_id": 2**32}, "iov": ["x"]})
)
var_dump(
    socket_sendmsg(
        a,
        {"name": {"addr": "::1", "port": PORT, "flowinfo": 0, "scope_id": 0}, "iov": ["full name"]},
    )
)
m = {"controllen": space, "name": {"family": AF_INET6}}
var_dump(
    socket_recvmsg(b, m), m["iov"], m["name"]["addr"], m["name"]["flowinfo"], m["name"]["scope_id"]
)
socket_close(a)
socket_close(b)
