# ruff: noqa: F403, F405 - a line-by-line port of msg_credentials.php: PHP's names come from star imports
"""Python port of msg_credentials.php (sockkit.compat)."""

import os

from _prelude import *

from sockkit.compat import *

# SCM_CREDENTIALS: the sender's pid/uid/gid, checked by the kernel; conversion errors.
p = []
socket_create_pair(AF_UNIX, SOCK_DGRAM, 0, p)
var_dump(socket_set_option(p[1], SOL_SOCKET, SO_PASSCRED, 1))
me = {"pid": os.getpid(), "uid": os.getuid(), "gid": os.getgid()}
control = [{"level": SOL_SOCKET, "type": SCM_CREDENTIALS, "data": me}]
var_dump(socket_sendmsg(p[0], {"iov": ["who"], "control": control}))
m = {"controllen": socket_cmsg_space(SOL_SOCKET, SCM_CREDENTIALS)}
var_dump(socket_recvmsg(p[1], m))
c = m["control"][0]
var_dump(c["level"], c["type"] == SCM_CREDENTIALS, list(c["data"]), c["data"] == me)
# Without an explicit message the kernel attaches the sender's credentials itself.
var_dump(socket_sendmsg(p[0], {"iov": ["plain"]}))
m = {"controllen": 64}
var_dump(socket_recvmsg(p[1], m), m["control"][0]["data"] == me)
bad = [
    5,
    {"pid": 1},
    {"pid": -1, "uid": 0, "gid": 0},
    {"pid": os.getpid(), "uid": -1, "gid": 0},
    {"pid": os.getpid(), "uid": "root", "gid": 0},
    {"pid": os.getpid(), "uid": 0, "gid": 2**33},
    {"pid": os.getpid(), "uid": None, "gid": 0},
]
for data in bad:
    var_dump(
        socket_sendmsg(
            p[0], {"control": [{"level": SOL_SOCKET, "type": SCM_CREDENTIALS, "data": data}]}
        )
    )
# No data: PHP sends a zeroed struct ucred, which the kernel refuses (pid 0).
var_dump(
    socket_sendmsg(
        p[0], {"iov": ["x"], "control": [{"level": SOL_SOCKET, "type": SCM_CREDENTIALS}]}
    )
)
var_dump(socket_last_error(p[0]))
socket_close(p[0])
socket_close(p[1])
