"""C structure layouts the socket API exchanges as bytes: one ``struct.Struct`` per layout.

Options (``options.py``), control messages (``message.py``) and PHP's control-message
arrays (``compat/msg.py``) read and write the same kernel structures; their layouts
and the range checks of their fields live here once.
"""

from __future__ import annotations

import struct
from typing import Final

from sockkit._checks import INT_MAX, INT_MIN, UINT_MAX, check_int

__all__ = [
    "IN6_PKTINFO",
    "INT",
    "TIMEVAL",
    "UCRED",
    "U16",
    "pack_credentials",
]

INT: Final = struct.Struct("=i")
"""A C ``int`` (hop limits, traffic classes, descriptors in ``SCM_RIGHTS``)."""
U16: Final = struct.Struct("=H")
"""A ``uint16_t`` (``UDP_SEGMENT``)."""
UCRED: Final = struct.Struct("=iII")
"""``struct ucred``: ``pid_t pid; uid_t uid; gid_t gid`` (``SO_PEERCRED``, ``SCM_CREDENTIALS``)."""
IN6_PKTINFO: Final = struct.Struct("=16sI")
"""``struct in6_pktinfo``: ``struct in6_addr addr; unsigned int ifindex``."""
TIMEVAL: Final = struct.Struct("@ll")
"""``struct timeval``: ``time_t tv_sec; suseconds_t tv_usec``, two C ``long`` on POSIX."""


def pack_credentials(pid: object, uid: object, gid: object, name: str = "Credentials") -> bytes:
    """``struct ucred`` for ``pid``/``uid``/``gid``, each checked against its C type.

    Raises:
        TypeError: a field is not an ``int``.
        ValueError: ``pid`` outside the C ``int`` range, ``uid``/``gid`` outside 0-4294967295.

    Example:
        >>> UCRED.unpack(pack_credentials(1, 2, 3))
        (1, 2, 3)
    """
    return UCRED.pack(
        check_int(pid, f"{name}.pid", INT_MIN, INT_MAX),
        check_int(uid, f"{name}.uid", 0, UINT_MAX),
        check_int(gid, f"{name}.gid", 0, UINT_MAX),
    )
