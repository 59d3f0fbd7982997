# ruff: noqa: F403, F405 - a line-by-line port of msg_rights.php: PHP's names come from star imports
"""Python port of msg_rights.php (sockkit.compat)."""

from pathlib import Path

from _prelude import *

from sockkit.compat import *


# SCM_RIGHTS: descriptors passed over a Unix socket arrive as Sockets (sockets) or streams.
def kinds(data):
    return [
        "Socket" if isinstance(x, Socket) else "stream" if hasattr(x, "fileno") else "?"
        for x in data
    ]


channel, passed = [], []
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, channel)
socket_create_pair(AF_UNIX, SOCK_STREAM, 0, passed)
Path("data.txt").write_bytes(b"file contents\n")
file = open("data.txt", "rb")  # noqa: SIM115 - fclose()d below, as in the PHP original
# Streams are sent as given (Socket objects would be shifted by PHP 8.2).
stream = socket_export_stream(passed[1])
control = [{"level": SOL_SOCKET, "type": SCM_RIGHTS, "data": [stream, file]}]
var_dump(socket_sendmsg(channel[0], {"iov": ["fds"], "control": control}, 0))
m = {"controllen": socket_cmsg_space(SOL_SOCKET, SCM_RIGHTS, 2)}
var_dump(socket_recvmsg(channel[1], m, 0))
var_dump(m["iov"], m["flags"], len(m["control"]))
c = m["control"][0]
var_dump(c["level"] == SOL_SOCKET, c["type"] == SCM_RIGHTS, kinds(c["data"]))
sock, fh = c["data"]
var_dump(socket_write(passed[0], "through the passed socket\n"))
var_dump(socket_read(sock, 100, PHP_NORMAL_READ))
var_dump(socket_write(sock, "and back"))
var_dump(socket_read(passed[0], 100))
var_dump(fh.read(100))
fh.close()
socket_close(sock)
# Room for nothing: the kernel drops the descriptors and reports MSG_CTRUNC.
var_dump(socket_sendmsg(channel[0], {"iov": ["x"], "control": control}, 0))
m = {"controllen": 1}
var_dump(socket_recvmsg(channel[1], m, 0), m["control"], m["flags"] == MSG_CTRUNC)
# A closed socket, an int, and nothing at all are conversion errors.
closed = socket_create(AF_UNIX, SOCK_STREAM, 0)
socket_close(closed)
for data in [[closed], [file, 3], [], "x"]:
    var_dump(
        socket_sendmsg(
            channel[0], {"control": [{"level": SOL_SOCKET, "type": SCM_RIGHTS, "data": data}]}
        )
    )
var_dump(socket_sendmsg(channel[0], {"control": [{"level": SOL_SOCKET, "type": SCM_RIGHTS}]}))
file.close()
for s in [channel[0], channel[1], passed[0], passed[1]]:
    socket_close(s)
