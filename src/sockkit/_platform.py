"""Values the OS headers define but Python's ``socket`` module does not export.

Python's ``socket`` module is the first source of every constant.  Some values the
kernel has are missing from it (the ``MCAST_*`` requests, ``SO_MEMINFO``,
``UDP_SEGMENT``, …); this module keeps them in one table per platform so that a
port to another OS adds rows here instead of ``sys.platform`` branches all over
the package.  A name the running OS lacks is simply absent: nothing here is ever
a guess.
"""

from __future__ import annotations

import socket
import sys

__all__ = ["PLATFORM_EXTRAS", "SIOCATMARK", "SUN_PATH_SIZE", "constant", "has_constant"]

# From the Linux UAPI headers (<linux/in.h>, <asm-generic/socket.h>, <linux/udp.h>,
# <bits/socket.h>, <netdb.h>, <linux/filter.h>).  Only values the kernel ABI fixes.
_LINUX: dict[str, int] = {
    # socket level
    "SO_PEEK_OFF": 42,
    "SO_BUSY_POLL": 46,
    "SO_BPF_EXTENSIONS": 48,
    "SO_INCOMING_CPU": 49,
    "SO_MEMINFO": 55,
    "SO_ZEROCOPY": 60,
    # IP level
    "IP_PKTINFO": 8,
    "IP_MTU_DISCOVER": 10,
    "IP_RECVERR": 11,
    "IP_RECVTTL": 12,
    "IP_FREEBIND": 15,
    "IP_MULTICAST_ALL": 49,
    # both IP and IPv6 levels (protocol-independent multicast API, RFC 3678)
    "MCAST_JOIN_GROUP": 42,
    "MCAST_BLOCK_SOURCE": 43,
    "MCAST_UNBLOCK_SOURCE": 44,
    "MCAST_LEAVE_GROUP": 45,
    "MCAST_JOIN_SOURCE_GROUP": 46,
    "MCAST_LEAVE_SOURCE_GROUP": 47,
    # IPv6 level
    "IPV6_RECVERR": 25,
    # UDP level
    "UDP_CORK": 1,
    "UDP_SEGMENT": 103,
    "UDP_GRO": 104,
    # message flags
    "MSG_EOF": 512,  # Linux calls it MSG_FIN; PHP exports it as MSG_EOF
    "MSG_WAITFORONE": 65536,
    "MSG_ZEROCOPY": 67108864,
    # getaddrinfo flags (glibc)
    "AI_IDN": 64,
    "AI_CANONIDN": 128,
    # BPF ancillary-data offsets (<linux/filter.h>), exported by PHP
    "SKF_AD_OFF": -4096,
    "SKF_AD_PROTOCOL": 0,
    "SKF_AD_PKTTYPE": 4,
    "SKF_AD_IFINDEX": 8,
    "SKF_AD_NLATTR": 12,
    "SKF_AD_NLATTR_NEST": 16,
    "SKF_AD_MARK": 20,
    "SKF_AD_QUEUE": 24,
    "SKF_AD_HATYPE": 28,
    "SKF_AD_RXHASH": 32,
    "SKF_AD_CPU": 36,
    "SKF_AD_ALU_XOR_X": 40,
    "SKF_AD_VLAN_TAG": 44,
    "SKF_AD_VLAN_TAG_PRESENT": 48,
    "SKF_AD_PAY_OFFSET": 52,
    "SKF_AD_RANDOM": 56,
    "SKF_AD_VLAN_TPID": 60,
    "SKF_AD_MAX": 64,
}

_BY_PLATFORM: dict[str, dict[str, int]] = {"linux": _LINUX}

# ``sys.platform`` without its trailing version digits (``"freebsd14"`` -> ``"freebsd"``).
_PLATFORM = sys.platform.rstrip("0123456789")

# sizeof(struct sockaddr_un.sun_path): <sys/un.h> on each OS, <afunix.h> on Windows.
_SUN_PATH_SIZES: dict[str, int] = {
    "linux": 108,
    "win32": 108,
    "darwin": 104,
    "freebsd": 104,
    "openbsd": 104,
    "netbsd": 104,
    "dragonfly": 104,
}

SUN_PATH_SIZE: int = _SUN_PATH_SIZES.get(_PLATFORM, 104)
"""``sizeof(sockaddr_un.sun_path)`` here (108 on Linux and Windows, 104 on macOS and the BSDs)."""

# The ioctl that tells whether the read pointer is at the urgent mark:
# <asm-generic/sockios.h> on Linux, _IOR('s', 7, int) in <sys/sockio.h> on macOS/BSD.
_SIOCATMARKS: dict[str, int] = {
    "linux": 0x8905,
    "darwin": 0x40047307,
    "freebsd": 0x40047307,
    "openbsd": 0x40047307,
    "netbsd": 0x40047307,
    "dragonfly": 0x40047307,
}

SIOCATMARK: int | None = _SIOCATMARKS.get(_PLATFORM)
"""The ``SIOCATMARK`` ioctl request number here, or ``None`` where sockkit does not know it."""

PLATFORM_EXTRAS: dict[str, int] = _BY_PLATFORM.get(sys.platform, {})
"""The extra constants of the running platform (empty where none are known)."""


def constant(name: str) -> int | None:
    """Return the OS value of a socket constant, or ``None`` where the OS lacks it.

    Python's ``socket`` module is asked first, then the platform table.

    Example:
        >>> constant("SO_REUSEADDR") == socket.SO_REUSEADDR
        True
    """
    value = getattr(socket, name, None)
    if isinstance(value, int):
        return value
    return PLATFORM_EXTRAS.get(name)


def has_constant(name: str) -> bool:
    """Tell whether the running OS defines the socket constant ``name``."""
    return constant(name) is not None
