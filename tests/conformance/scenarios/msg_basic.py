# ruff: noqa: F403, F405 - a line-by-line port of msg_basic.php: PHP's names come from star imports
"""Python port of msg_basic.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_sendmsg/recvmsg without control data: gathered iov, buffer_size, MSG_TRUNC, names.
p = []
socket_create_pair(AF_UNIX, SOCK_DGRAM, 0, p)
var_dump(socket_sendmsg(p[0], {"iov": ["ab", "cd", "", "ef"]}, 0))
m = {"controllen": 1}
var_dump(socket_recvmsg(p[1], m, 0), m)
var_dump(socket_sendmsg(p[0], {"iov": ["a", 5, 1.5, True, None, False]}))
m = {"controllen": 16, "buffer_size": 3, "name": []}
var_dump(socket_recvmsg(p[1], m), m)
var_dump(socket_sendmsg(p[0], {}))
var_dump(socket_sendmsg(p[0], {"iov": []}))
m = {"controllen": "8", "buffer_size": "12"}
var_dump(socket_recvmsg(p[1], m), m)
m = {"controllen": 8.7, "buffer_size": 0}
var_dump(socket_recvmsg(p[1], m), m)
var_dump(socket_sendmsg(p[0], {"iov": ["peek me"]}))
m = {"controllen": 1}
var_dump(socket_recvmsg(p[1], m, MSG_PEEK), m["iov"])
var_dump(socket_recvmsg(p[1], m, 0), m["iov"])
u1 = socket_create(AF_UNIX, SOCK_DGRAM, 0)
u2 = socket_create(AF_UNIX, SOCK_DGRAM, 0)
var_dump(socket_bind(u1, "one.sock"), socket_bind(u2, "two.sock"))
var_dump(socket_sendmsg(u1, {"name": {"path": "two.sock"}, "iov": ["to two"]}))
m = {"name": [], "controllen": 1}
var_dump(socket_recvmsg(u2, m), m)
var_dump(socket_sendmsg(u2, {"name": {"family": AF_UNIX, "path": "one.sock"}, "iov": ["back"]}))
m = {"controllen": 1}
var_dump(socket_recvmsg(u1, m), m["name"], m["iov"])
var_dump(socket_sendmsg(u1, {"name": {"path": "nobody.sock"}, "iov": ["lost"]}))
var_dump(socket_last_error(), socket_last_error(u1))
s = []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, s)
socket_shutdown(s[0], 1)
m = {"controllen": 1, "name": []}
var_dump(socket_recvmsg(s[1], m), m)
for x in [p[0], p[1], u1, u2, s[0], s[1]]:
    socket_close(x)
