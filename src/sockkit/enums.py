"""Enumerations of socket families, types, protocols, levels and flags.

Every value comes from the running OS (Python's ``socket`` module first, then the
small per-platform table in ``sockkit._platform``).  A member the OS lacks is
absent from its enum; no value here is made up.

The option enums (``SocketOption``, ``TCPOption``, …) live in
[`sockkit.options`][sockkit.options] because each member carries its value codec.

Example:
    >>> from sockkit import AddressFamily, SocketType
    >>> AddressFamily.INET6.name, int(SocketType.DGRAM) > 0
    ('INET6', True)
"""

from __future__ import annotations

import enum
import socket as _s

from sockkit._platform import constant as _constant
from sockkit._platform import has_constant as _has

__all__ = [
    "AIFlag",
    "AddressFamily",
    "ControlType",
    "Event",
    "Family",
    "Level",
    "MsgFlag",
    "Protocol",
    "ReadMode",
    "Shutdown",
    "SocketType",
]


def _c(name: str) -> int:
    # Only called behind a _has() guard, so the value exists.
    value = _constant(name)
    assert value is not None, name
    return value


class AddressFamily(enum.IntEnum):
    """Address families (``AF_*``): which kind of address a socket speaks.

    Example:
        >>> AddressFamily.INET == socket.AF_INET
        True
    """

    UNSPEC = _s.AF_UNSPEC
    UNIX = _s.AF_UNIX
    INET = _s.AF_INET
    INET6 = _s.AF_INET6
    if _has("AF_PACKET"):
        PACKET = _c("AF_PACKET")
    if _has("AF_NETLINK"):
        NETLINK = _c("AF_NETLINK")
    if _has("AF_VSOCK"):
        VSOCK = _c("AF_VSOCK")


Family = AddressFamily
"""Short alias of [`AddressFamily`][sockkit.enums.AddressFamily]."""


class SocketType(enum.IntEnum):
    """Socket types (``SOCK_*``): the communication semantics.

    Example:
        >>> SocketType.STREAM == socket.SOCK_STREAM
        True
    """

    STREAM = _s.SOCK_STREAM
    DGRAM = _s.SOCK_DGRAM
    RAW = _s.SOCK_RAW
    if _has("SOCK_SEQPACKET"):
        SEQPACKET = _c("SOCK_SEQPACKET")
    if _has("SOCK_RDM"):
        RDM = _c("SOCK_RDM")


class Protocol(enum.IntEnum):
    """IP protocol numbers (``IPPROTO_*``) for the third argument of ``socket()``.

    Example:
        >>> Protocol.TCP == socket.IPPROTO_TCP
        True
    """

    IP = _s.IPPROTO_IP
    ICMP = _s.IPPROTO_ICMP
    TCP = _s.IPPROTO_TCP
    UDP = _s.IPPROTO_UDP
    IPV6 = _s.IPPROTO_IPV6
    RAW = _s.IPPROTO_RAW
    if _has("IPPROTO_ICMPV6"):
        ICMPV6 = _c("IPPROTO_ICMPV6")
    if _has("IPPROTO_IGMP"):
        IGMP = _c("IPPROTO_IGMP")
    if _has("IPPROTO_SCTP"):
        SCTP = _c("IPPROTO_SCTP")
    if _has("IPPROTO_UDPLITE"):
        UDPLITE = _c("IPPROTO_UDPLITE")
    if _has("IPPROTO_MPTCP"):
        MPTCP = _c("IPPROTO_MPTCP")


class Level(enum.IntEnum):
    """Option levels for ``getsockopt``/``setsockopt`` (``SOL_SOCKET``, ``IPPROTO_*``).

    Example:
        >>> Level.SOCKET == socket.SOL_SOCKET
        True
    """

    SOCKET = _s.SOL_SOCKET
    IP = _s.IPPROTO_IP
    IPV6 = _s.IPPROTO_IPV6
    TCP = _s.IPPROTO_TCP
    UDP = _s.IPPROTO_UDP


class _FlagRepr:
    """The ``repr`` of Python 3.11+ flags on every Python: ``<Event.READ|WRITE: 3>``.

    Python 3.10 writes combined members highest bit first (``<Event.WRITE|READ: 3>``)
    and none as ``<Event.0: 0>``; doctests and logs read the same on every Python.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        value = int(self)  # type: ignore[call-overload]
        cls = type(self)
        names = []
        rest = value
        for member in cls:  # type: ignore[attr-defined]
            bits = int(member)
            if bits and value & bits == bits:
                names.append(member.name)
                rest &= ~bits
        if rest > 0:  # bits no member names, in decimal as Python 3.11+ writes them
            names.append(str(rest))
        if not names:
            return f"<{cls.__name__}: {value}>"
        return f"<{cls.__name__}.{'|'.join(names)}: {value}>"


class MsgFlag(_FlagRepr, enum.IntFlag):
    """Flags for ``send``/``recv`` and the flags a received message reports (``MSG_*``).

    Example:
        >>> int(MsgFlag.PEEK | MsgFlag.DONTWAIT) == socket.MSG_PEEK | socket.MSG_DONTWAIT
        True
    """

    OOB = _s.MSG_OOB
    PEEK = _s.MSG_PEEK
    DONTROUTE = _s.MSG_DONTROUTE
    if _has("MSG_CTRUNC"):
        CTRUNC = _c("MSG_CTRUNC")
    if _has("MSG_TRUNC"):
        TRUNC = _c("MSG_TRUNC")
    if _has("MSG_DONTWAIT"):
        DONTWAIT = _c("MSG_DONTWAIT")
    if _has("MSG_EOR"):
        EOR = _c("MSG_EOR")
    if _has("MSG_WAITALL"):
        WAITALL = _c("MSG_WAITALL")
    if _has("MSG_EOF"):
        EOF = _c("MSG_EOF")
    if _has("MSG_CONFIRM"):
        CONFIRM = _c("MSG_CONFIRM")
    if _has("MSG_ERRQUEUE"):
        ERRQUEUE = _c("MSG_ERRQUEUE")
    if _has("MSG_NOSIGNAL"):
        NOSIGNAL = _c("MSG_NOSIGNAL")
    if _has("MSG_MORE"):
        MORE = _c("MSG_MORE")
    if _has("MSG_WAITFORONE"):
        WAITFORONE = _c("MSG_WAITFORONE")
    if _has("MSG_FASTOPEN"):
        FASTOPEN = _c("MSG_FASTOPEN")
    if _has("MSG_ZEROCOPY"):
        ZEROCOPY = _c("MSG_ZEROCOPY")
    if _has("MSG_CMSG_CLOEXEC"):
        CMSG_CLOEXEC = _c("MSG_CMSG_CLOEXEC")


class Shutdown(enum.IntEnum):
    """Which direction ``shutdown()`` closes.

    Example:
        >>> int(Shutdown.BOTH)
        2
    """

    READ = _s.SHUT_RD
    WRITE = _s.SHUT_WR
    BOTH = _s.SHUT_RDWR


class ReadMode(enum.IntEnum):
    """How [`Socket.read`][sockkit.socket.Socket.read] reads (PHP's ``PHP_*_READ``).

    ``NORMAL`` stops after the first ``\\n`` or ``\\r``; ``BINARY`` returns what one
    ``recv`` gives.
    """

    NORMAL = 1
    BINARY = 2


class AIFlag(_FlagRepr, enum.IntFlag):
    """Flags for ``getaddrinfo`` (``AI_*``).

    Example:
        >>> AIFlag.NUMERICHOST == socket.AI_NUMERICHOST
        True
    """

    PASSIVE = _s.AI_PASSIVE
    CANONNAME = _s.AI_CANONNAME
    NUMERICHOST = _s.AI_NUMERICHOST
    if _has("AI_V4MAPPED"):
        V4MAPPED = _c("AI_V4MAPPED")
    if _has("AI_ALL"):
        ALL = _c("AI_ALL")
    if _has("AI_ADDRCONFIG"):
        ADDRCONFIG = _c("AI_ADDRCONFIG")
    if _has("AI_IDN"):
        IDN = _c("AI_IDN")
    if _has("AI_CANONIDN"):
        CANONIDN = _c("AI_CANONIDN")
    if _has("AI_NUMERICSERV"):
        NUMERICSERV = _c("AI_NUMERICSERV")


class Event(_FlagRepr, enum.IntFlag):
    """What a [`Selector`][sockkit.selector.Selector] waits for on a socket.

    Example:
        >>> Event.WRITE in (Event.READ | Event.WRITE)
        True
    """

    READ = 1
    WRITE = 2
    EXCEPTIONAL = 4


def _control(level: int, name: str) -> tuple[int, int]:
    # Only called behind a _has() guard, as _c is.
    return (int(level), _c(name))


class ControlType(enum.Enum):
    """Control (ancillary) message types: the ``(cmsg_level, cmsg_type)`` pairs of the OS.

    Each member's value is the pair, so that a type number shared by two levels
    (they are numbered per level, as options are) never makes two members one.
    [`cmsg_space`][sockkit.message.cmsg_space] takes a member to size a receive
    buffer; `level` and `type` give the numbers for anything lower.  A member the
    running OS lacks is absent.

    Example:
        >>> ControlType.RIGHTS.level == socket.SOL_SOCKET
        True
        >>> ControlType.RIGHTS.type == socket.SCM_RIGHTS
        True
        >>> ControlType((socket.SOL_SOCKET, socket.SCM_RIGHTS)).name
        'RIGHTS'
    """

    if _has("SCM_RIGHTS"):
        RIGHTS = _control(_s.SOL_SOCKET, "SCM_RIGHTS")
        """``SCM_RIGHTS``: descriptors passed over a Unix socket."""
    if _has("SCM_CREDENTIALS"):
        CREDENTIALS = _control(_s.SOL_SOCKET, "SCM_CREDENTIALS")
        """``SCM_CREDENTIALS``: the sender's pid, uid and gid (Linux)."""
    if _has("IP_PKTINFO"):
        IP_PKTINFO = _control(_s.IPPROTO_IP, "IP_PKTINFO")
        """``IP_PKTINFO``: an IPv4 datagram's destination address and interface."""
    if _has("IPV6_PKTINFO"):
        IPV6_PKTINFO = _control(_s.IPPROTO_IPV6, "IPV6_PKTINFO")
        """``IPV6_PKTINFO``: an IPv6 datagram's destination address and interface."""
    if _has("IPV6_HOPLIMIT"):
        IPV6_HOPLIMIT = _control(_s.IPPROTO_IPV6, "IPV6_HOPLIMIT")
        """``IPV6_HOPLIMIT``: an IPv6 datagram's hop limit."""
    if _has("IPV6_TCLASS"):
        IPV6_TCLASS = _control(_s.IPPROTO_IPV6, "IPV6_TCLASS")
        """``IPV6_TCLASS``: an IPv6 datagram's traffic class."""
    if _has("UDP_SEGMENT"):
        UDP_SEGMENT = _control(_s.IPPROTO_UDP, "UDP_SEGMENT")
        """``UDP_SEGMENT``: the segment size of UDP segmentation offload."""
    if _has("UDP_GRO"):
        UDP_GRO = _control(_s.IPPROTO_UDP, "UDP_GRO")
        """``UDP_GRO``: the segment size of datagrams the kernel coalesced (receive offload)."""

    @property
    def level(self) -> Level:
        """The ``cmsg_level``, e.g. ``Level.SOCKET``."""
        level: int = self.value[0]
        return Level(level)

    @property
    def type(self) -> int:
        """The ``cmsg_type`` number on this OS, e.g. ``socket.SCM_RIGHTS``."""
        number: int = self.value[1]
        return number
