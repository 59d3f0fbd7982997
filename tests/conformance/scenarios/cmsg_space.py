# ruff: noqa: F403, F405 - a line-by-line port of cmsg_space.php: PHP's names come from star imports
"""Python port of cmsg_space.php (sockkit.compat)."""

from _prelude import *

from sockkit.compat import *

# socket_cmsg_space: CMSG_SPACE of PHP's registry entries, and its argument errors.
for n in [0, 1, 2, 3, 4, 253, 1000, 2**29, 2**31 - 1]:
    var_dump(socket_cmsg_space(SOL_SOCKET, SCM_RIGHTS, n))
var_dump(
    socket_cmsg_space(SOL_SOCKET, SCM_CREDENTIALS),
    socket_cmsg_space(SOL_SOCKET, SCM_CREDENTIALS, 9),
)
var_dump(
    socket_cmsg_space(IPPROTO_IPV6, IPV6_PKTINFO), socket_cmsg_space(IPPROTO_IPV6, IPV6_HOPLIMIT)
)
var_dump(socket_cmsg_space(IPPROTO_IPV6, IPV6_TCLASS, 5))
bad = [
    [SOL_SOCKET, 999, 0],
    [IPPROTO_IP, 8, 0],
    [999, SCM_RIGHTS, -1],
    [SOL_SOCKET, SCM_RIGHTS, -1],
    [2**40, 1, 0],
    [1, -(2**40), 0],
    [1, 1, 2**31],
]
for level, type_, n in bad:
    try:
        var_dump(socket_cmsg_space(level, type_, n))
    except Exception as e:
        caught(e)
try:
    socket_cmsg_space([], 1)
except Exception as e:
    caught(e)
try:
    socket_cmsg_space(1, 1, [2])
except Exception as e:
    caught(e)
