# ruff: noqa: F403, F405 - a line-by-line port of options_shaped.php: PHP's names come from star imports
"""Python port of options_shaped.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# Options PHP gives a shape: SO_LINGER, SO_RCVTIMEO/SO_SNDTIMEO, TCP_CONGESTION, SO_MEMINFO.
s = socket_create(AF_INET, SOCK_STREAM, 0)
var_dump(socket_get_option(s, SOL_SOCKET, SO_LINGER))
var_dump(socket_set_option(s, SOL_SOCKET, SO_LINGER, {"l_onoff": 1, "l_linger": 5}))
var_dump(socket_get_option(s, SOL_SOCKET, SO_LINGER))
var_dump(socket_set_option(s, SOL_SOCKET, SO_LINGER, {"l_linger": "3", "l_onoff": "yes"}))
var_dump(socket_get_option(s, SOL_SOCKET, SO_LINGER))
try:
    socket_set_option(s, SOL_SOCKET, SO_LINGER, {"l_onoff": 1})
except Exception as e:
    caught(e)
try:
    socket_set_option(s, SOL_SOCKET, SO_LINGER, {"l_linger": 1})
except Exception as e:
    caught(e)
try:
    socket_set_option(s, SOL_SOCKET, SO_LINGER, 5)
except Exception as e:
    caught(e)
var_dump(socket_get_option(s, SOL_SOCKET, SO_RCVTIMEO))
var_dump(socket_set_option(s, SOL_SOCKET, SO_RCVTIMEO, {"sec": 2, "usec": 500000}))
var_dump(socket_get_option(s, SOL_SOCKET, SO_RCVTIMEO))
var_dump(socket_set_option(s, SOL_SOCKET, SO_SNDTIMEO, {"sec": "1", "usec": 0}))
var_dump(socket_get_option(s, SOL_SOCKET, SO_SNDTIMEO))
try:
    socket_set_option(s, SOL_SOCKET, SO_SNDTIMEO, {"sec": 1})
except Exception as e:
    caught(e)
try:
    socket_set_option(s, SOL_SOCKET, SO_SNDTIMEO, {"usec": 1})
except Exception as e:
    caught(e)
try:
    socket_set_option(s, SOL_SOCKET, SO_RCVTIMEO, "x")
except Exception as e:
    caught(e)
var_dump(socket_set_option(s, SOL_TCP, TCP_CONGESTION, "reno"))
var_dump(socket_get_option(s, SOL_TCP, TCP_CONGESTION))
var_dump(socket_set_option(s, SOL_TCP, TCP_CONGESTION, "nonexistent"))
var_dump(socket_set_option(s, SOL_TCP, TCP_CONGESTION, 5))
var_dump(list(socket_get_option(s, SOL_SOCKET, SO_MEMINFO)))
var_dump(socket_get_option(s, SOL_SOCKET, SO_MEMINFO)["wmem_queued"])
u = socket_create(AF_UNIX, SOCK_STREAM, 0)
var_dump(socket_get_option(u, SOL_TCP, TCP_CONGESTION))
var_dump(socket_set_option(u, SOL_SOCKET, SO_LINGER, {"l_onoff": 1, "l_linger": 1}))
var_dump(socket_get_option(u, SOL_SOCKET, SO_LINGER))
socket_close(u)
socket_close(s)
