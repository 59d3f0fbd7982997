# ruff: noqa: F403, F405 - a line-by-line port of unix_path_errors.php: PHP's names come from star imports
"""Python port of unix_path_errors.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# Unix path limits: sizeof(sun_path) is 108 on Linux.
s = socket_create(AF_UNIX, SOCK_STREAM, 0)
try:
    socket_bind(s, "a" * 108)
except Exception as e:
    caught(e)
try:
    socket_connect(s, "b" * 200)
except Exception as e:
    caught(e)
var_dump(socket_connect(s, "/" + "c" * 106))
var_dump(socket_last_error(s) == SOCKET_ENOENT)
var_dump(socket_bind(s, DIR + "/no/such/dir/x.sock"))
var_dump(socket_last_error(s) == SOCKET_ENOENT)
try:
    socket_bind(s, [])
except Exception as e:
    caught(e)
socket_close(s)
u = socket_create(AF_UNIX, SOCK_DGRAM, 0)
var_dump(socket_sendto(u, "x", 1, 0, "/" + "d" * 100))
var_dump(socket_last_error(u) == SOCKET_ENOENT)
socket_close(u)
