# ruff: noqa: F403, F405 - a line-by-line port of msg_send_errors.php: PHP's names come from star imports
"""Python port of msg_send_errors.php (sockkit.compat)."""

import sys

from _prelude import *

from sockkit.compat import *

# socket_sendmsg's conversion errors (warning + false, no error code) and argument errors.
p = []
socket_create_pair(AF_UNIX, SOCK_DGRAM, 0, p)
s = p[0]
messages = [
    {"iov": 5},
    {"control": 5},
    {"control": [5]},
    {"control": [{"level": SOL_SOCKET, "type": 999}]},
    {"control": [{"level": "x", "type": 1}]},
    {"control": [{"level": 2**40, "type": 1}]},
    {"control": [{"level": SOL_SOCKET, "type": True}]},
    {
        "control": {
            "a": {"level": SOL_SOCKET, "type": SCM_RIGHTS, "data": [sys.stdin]},
            "b": 7,
        }
    },
    {"name": 5},
    {"name": {"path": ""}},
    {"name": {"path": "a" * 108}},
    {"name": {"family": AF_INET, "addr": "127.0.0.1"}},
    {"name": {"family": AF_INET6}},
    {"name": {"family": 99}},
    {"name": {"family": "unix"}},
    {"name": {"path": "no-such.sock"}, "iov": ["x"]},
    {"name": {"family": None, "path": "no-such.sock"}, "iov": 7},
]
for message in messages:
    var_dump(socket_sendmsg(s, message, 0))
var_dump(socket_last_error(), socket_last_error(s))
var_dump(socket_sendmsg(s, {"iov": ["list"]}, MSG_DONTWAIT))
try:
    socket_sendmsg(s, 5)
except Exception as e:
    caught(e)
try:
    socket_sendmsg(s, {}, 2**40)
except Exception as e:
    caught(e)
try:
    socket_sendmsg(5, {})
except Exception as e:
    caught(e)
socket_close(p[1])
var_dump(socket_sendmsg(s, {"iov": ["to nobody"]}))
var_dump(socket_last_error(s))
socket_close(s)
try:
    socket_sendmsg(s, {})
except Exception as e:
    caught(e)
