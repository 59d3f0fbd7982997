"""Socket options: one enum per level, each member carrying its value codec.

Option numbers collide across levels (``SO_DEBUG``, ``TCP_NODELAY`` and ``IP_TOS``
are all 1 on Linux), so each level has its own enum: [`SocketOption`][sockkit.options.SocketOption],
[`TCPOption`][sockkit.options.TCPOption], [`UDPOption`][sockkit.options.UDPOption],
[`IPOption`][sockkit.options.IPOption] and [`IPv6Option`][sockkit.options.IPv6Option].
Every member knows its ``level``, its ``codec`` (how a Python value becomes the
bytes or int that ``setsockopt`` takes and back), and whether it may be read and
written, so ``sock.get_option(TCPOption.NODELAY)`` needs nothing else.

The option table *is* the enum bodies below: one line per option, giving its value
on this OS, its codec and its access.

Example:
    >>> from sockkit.options import SocketOption, Linger
    >>> SocketOption.LINGER.codec.encode(Linger(True, 5)) == struct.pack("ii", 1, 5)
    True
    >>> SocketOption.TYPE.writable
    False
"""

from __future__ import annotations

import enum
import socket as _s
import struct
import sys
from typing import Any, Final

import attrs

from sockkit._checks import INT_MAX, INT_MIN, UINT_MAX, check_int
from sockkit._layouts import IN6_PKTINFO, TIMEVAL, UCRED, pack_credentials
from sockkit._platform import constant as _constant
from sockkit._platform import has_constant as _has
from sockkit.enums import AddressFamily, Level, SocketType

__all__ = [
    "BOOL",
    "INT",
    "Access",
    "Codec",
    "Credentials",
    "GroupRequest",
    "IPOption",
    "IPv6Option",
    "Linger",
    "MemoryInfo",
    "Option",
    "PacketInfo",
    "SourceGroupRequest",
    "SocketOption",
    "TCPOption",
    "UDPOption",
    "all_options",
    "interface_index",
]


def _c(name: str) -> int:
    value = _constant(name)
    assert value is not None, name
    return value


def interface_index(interface: int | str) -> int:
    """Turn an interface index or name into an index.

    Args:
        interface: an index (``0`` means "let the kernel choose") or a name such as ``"lo"``.

    Raises:
        TypeError: ``interface`` is neither an int nor a str.
        ValueError: the index is out of range or no interface has that name.

    Example:
        >>> interface_index("lo") == socket.if_nametoindex("lo")
        True
    """
    if isinstance(interface, str):
        try:
            return _s.if_nametoindex(interface)
        except OSError:
            raise ValueError(f'no interface with name "{interface}"') from None
    return check_int(interface, "interface index", 0, UINT_MAX)


# --------------------------------------------------------------------- value types


@attrs.frozen
class Linger:
    """The value of ``SO_LINGER``: whether ``close()`` lingers, and for how long.

    ``Linger(True, 0)`` makes ``close()`` reset the connection (RST) at once.

    Example:
        >>> Linger(True, 5)
        Linger(enabled=True, seconds=5)
    """

    enabled: bool
    seconds: int = 0


@attrs.frozen
class GroupRequest:
    """A multicast group to join or leave (``struct group_req``).

    Attributes:
        group: the group's numeric address, IPv4 or IPv6.
        interface: interface index or name; ``0`` lets the kernel choose.
    """

    group: str
    interface: int | str = 0


@attrs.frozen
class SourceGroupRequest:
    """A source-specific multicast request (``struct group_source_req``).

    Attributes:
        group: the group's numeric address.
        source: the source's numeric address, of the same family.
        interface: interface index or name; ``0`` lets the kernel choose.
    """

    group: str
    source: str
    interface: int | str = 0


@attrs.frozen
class PacketInfo:
    """A local address and interface index (``struct in6_pktinfo`` / ``in_pktinfo``).

    Used by the ``IPV6_PKTINFO`` option and by the matching control message.
    """

    address: str
    interface: int = 0


@attrs.frozen
class Credentials:
    """A process's credentials (``struct ucred``): ``SO_PEERCRED`` and ``SCM_CREDENTIALS``."""

    pid: int
    uid: int
    gid: int


@attrs.frozen
class MemoryInfo:
    """``SO_MEMINFO``: the socket's memory counters (``SK_MEMINFO_*``), in bytes."""

    rmem_alloc: int
    rcvbuf: int
    wmem_alloc: int
    sndbuf: int
    fwd_alloc: int
    wmem_queued: int
    optmem: int
    backlog: int
    drops: int


# --------------------------------------------------------------------- codecs


class Codec:
    """Converts an option's Python value to what ``setsockopt`` takes, and back.

    Attributes:
        name: the value type in words, for docs and error messages.
        buflen: bytes ``getsockopt`` must return, or ``None`` for a plain C ``int``.
    """

    __slots__ = ("buflen", "name")

    def __init__(self, name: str, buflen: int | None = None) -> None:
        self.name = name
        self.buflen = buflen

    def encode(self, value: Any) -> int | bytes:
        """Return the ``setsockopt`` argument for ``value``.

        Raises:
            TypeError: the value has the wrong type.
            ValueError: the value is out of range.
        """
        raise NotImplementedError

    def decode(self, raw: int | bytes) -> Any:
        """Return the Python value for what ``getsockopt`` gave."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Codec {self.name}>"


class _IntCodec(Codec):
    __slots__ = ("high", "low")

    def __init__(self, low: int = INT_MIN, high: int = INT_MAX, name: str = "int") -> None:
        super().__init__(name)
        self.low = low
        self.high = high

    def encode(self, value: Any) -> int:
        return check_int(value, "option value", self.low, self.high)

    def decode(self, raw: int | bytes) -> int:
        assert isinstance(raw, int)
        return raw


class _BoolCodec(Codec):
    __slots__ = ()

    def encode(self, value: Any) -> int:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return 1 if value else 0
        raise TypeError(f"option value must be a bool, got {type(value).__name__}")

    def decode(self, raw: int | bytes) -> bool:
        return bool(raw)


class _EnumCodec(Codec):
    """Read-only ints that name a member of an enum (``SO_TYPE``, ``SO_DOMAIN``)."""

    __slots__ = ("enum",)

    def __init__(self, enum_type: type[enum.IntEnum]) -> None:
        super().__init__(enum_type.__name__)
        self.enum = enum_type

    def encode(self, value: Any) -> int:
        return check_int(value, "option value")

    def decode(self, raw: int | bytes) -> Any:
        assert isinstance(raw, int)
        try:
            return self.enum(raw)
        except ValueError:
            return raw


class _LingerCodec(Codec):
    __slots__ = ()
    _FORMAT: Final = struct.Struct("ii")

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, Linger):
            raise TypeError(f"SO_LINGER takes a Linger, got {type(value).__name__}")
        seconds = check_int(value.seconds, "Linger.seconds", 0)
        return self._FORMAT.pack(1 if value.enabled else 0, seconds)

    def decode(self, raw: int | bytes) -> Linger:
        assert isinstance(raw, bytes)
        onoff, seconds = self._FORMAT.unpack(raw[: self._FORMAT.size])
        return Linger(bool(onoff), seconds)


class _TimevalCodec(Codec):
    """Seconds as a float <-> ``struct timeval`` (``0.0`` means no timeout)."""

    __slots__ = ()
    _FORMAT: Final = TIMEVAL

    def encode(self, value: Any) -> bytes:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"timeout must be seconds as a float, got {type(value).__name__}")
        if not 0 <= value <= INT_MAX:
            raise ValueError(f"timeout must be 0-{INT_MAX} seconds, got {value}")
        seconds = int(value)
        micros = round((value - seconds) * 1_000_000)
        if micros == 1_000_000:
            seconds, micros = seconds + 1, 0
        return self._FORMAT.pack(seconds, micros)

    def decode(self, raw: int | bytes) -> float:
        assert isinstance(raw, bytes)
        seconds, micros = self._FORMAT.unpack(raw[: self._FORMAT.size])
        return float(seconds + micros / 1_000_000)


class _StringCodec(Codec):
    """NUL-terminated names: ``SO_BINDTODEVICE`` and ``TCP_CONGESTION``."""

    __slots__ = ()

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, str):
            raise TypeError(f"option value must be a str, got {type(value).__name__}")
        data = value.encode()
        assert self.buflen is not None
        if b"\0" in data or len(data) >= self.buflen:
            raise ValueError(f"option value must be under {self.buflen} bytes without NUL")
        return data

    def decode(self, raw: int | bytes) -> str:
        assert isinstance(raw, bytes)
        return raw.split(b"\0", 1)[0].decode(errors="replace")


class _InterfaceCodec(Codec):
    """``IPV6_MULTICAST_IF`` and ``IP_MULTICAST_IF``: an interface index or name."""

    __slots__ = ("family",)
    # struct ip_mreqn: multiaddr, address, ifindex.  Linux takes it for IP_MULTICAST_IF.
    _MREQN: Final = struct.Struct("4s4si")

    def __init__(self, family: int) -> None:
        super().__init__("interface", 4 if family == _s.AF_INET else None)
        self.family = family

    def encode(self, value: Any) -> int | bytes:
        index = interface_index(value)
        if index > INT_MAX:  # both options take the index as a C int
            raise ValueError(f"interface index must be 0-{INT_MAX} here, got {index}")
        if self.family == _s.AF_INET:
            # Set by the interface's address where it has one, so that reading the
            # option back (which reports an address) gives the same index.
            address = _ipv4_of_index(index) if index else bytes(4)
            if address is not None:
                return address
            return self._MREQN.pack(bytes(4), bytes(4), index)
        return index

    def decode(self, raw: int | bytes) -> int:
        if isinstance(raw, int):
            return raw
        # IPv4 reports the interface's address; map it back to an index as PHP does.
        return _index_of_ipv4(raw[:4])


def _ipv4_interfaces() -> list[tuple[int, bytes]]:
    """(index, packed IPv4 address) of every interface that has one (Linux ioctl)."""
    found: list[tuple[int, bytes]] = []
    if sys.platform != "linux":
        return found
    import fcntl  # noqa: PLC0415 - only needed for this rare lookup

    siocgifaddr = 0x8915
    with _s.socket(_s.AF_INET, _s.SOCK_DGRAM) as probe:
        for index, name in _s.if_nameindex():
            request = struct.pack("16s16x", name.encode()[:15])
            try:
                reply = fcntl.ioctl(probe.fileno(), siocgifaddr, request)
            except OSError:
                continue
            found.append((index, reply[20:24]))
    return found


def _index_of_ipv4(packed: bytes) -> int:
    if packed != bytes(4):
        for index, address in _ipv4_interfaces():
            if address == packed:
                return index
    return 0


def _ipv4_of_index(index: int) -> bytes | None:
    for known, address in _ipv4_interfaces():
        if known == index:
            return address
    return None


def _pack_sockaddr(address: str) -> tuple[int, bytes]:
    """Return (family, struct sockaddr_storage) for a numeric IP address."""
    import ipaddress  # noqa: PLC0415 - ~1 ms at import, needed by few options

    try:
        ip = ipaddress.ip_address(address)
    except (ValueError, TypeError):
        message = f"multicast address must be a numeric IP address, got {address!r}"
        raise ValueError(message) from None
    if ip.version == 4:
        raw = struct.pack("=HH4s8x", _s.AF_INET, 0, ip.packed)
        return _s.AF_INET, raw.ljust(128, b"\0")
    raw = struct.pack("=HHI16sI", _s.AF_INET6, 0, 0, ip.packed, 0)
    return _s.AF_INET6, raw.ljust(128, b"\0")


def _unpack_sockaddr(raw: bytes) -> str:
    import ipaddress  # noqa: PLC0415 - ~1 ms at import, needed by few options

    family = struct.unpack_from("=H", raw)[0]
    if family == _s.AF_INET:
        return str(ipaddress.IPv4Address(raw[4:8]))
    return str(ipaddress.IPv6Address(raw[8:24]))


class _GroupCodec(Codec):
    """``MCAST_JOIN_GROUP`` and friends (RFC 3678), for one address family."""

    __slots__ = ("family", "with_source")
    # gr_interface is a uint32 followed by padding up to the sockaddr_storage's alignment.
    _HEAD: Final = struct.Struct("=I4x")

    def __init__(self, family: int, with_source: bool) -> None:
        name = "SourceGroupRequest" if with_source else "GroupRequest"
        super().__init__(name)
        self.family = family
        self.with_source = with_source

    def encode(self, value: Any) -> bytes:
        wanted = SourceGroupRequest if self.with_source else GroupRequest
        if not isinstance(value, wanted):
            raise TypeError(f"option value must be a {wanted.__name__}, got {type(value).__name__}")
        family, group = _pack_sockaddr(value.group)
        self._check(family, "group", value.group)
        raw = self._HEAD.pack(interface_index(value.interface)) + group
        if isinstance(value, SourceGroupRequest):
            family, source = _pack_sockaddr(value.source)
            self._check(family, "source", value.source)
            raw += source
        return raw

    def _check(self, family: int, what: str, address: str) -> None:
        if family != self.family:
            level = "IPv6" if self.family == _s.AF_INET6 else "IP"
            raise ValueError(f"{what} {address!r} is not an address of the {level} level's family")

    def decode(self, raw: int | bytes) -> Any:
        raise ValueError(f"{self.name} options cannot be read")


class _MembershipCodec(Codec):
    """``IP_ADD_MEMBERSHIP`` (``ip_mreqn``) and ``IPV6_JOIN_GROUP`` (``ipv6_mreq``)."""

    __slots__ = ("family",)

    def __init__(self, family: int) -> None:
        super().__init__("GroupRequest")
        self.family = family

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, GroupRequest):
            raise TypeError(f"option value must be a GroupRequest, got {type(value).__name__}")
        family, raw = _pack_sockaddr(value.group)
        if family != self.family:
            raise ValueError(f"group {value.group!r} is not an address of this level's family")
        index = interface_index(value.interface)
        if family == _s.AF_INET:
            if index > INT_MAX:  # ip_mreqn's imr_ifindex is a C int
                raise ValueError(f"interface index must be 0-{INT_MAX} for IPv4, got {index}")
            return struct.pack("=4s4si", raw[4:8], bytes(4), index)
        return IN6_PKTINFO.pack(raw[8:24], index)

    def decode(self, raw: int | bytes) -> Any:
        raise ValueError(f"{self.name} options cannot be read")


class _PacketInfoCodec(Codec):
    """``IPV6_PKTINFO`` as a sticky option: ``struct in6_pktinfo``."""

    __slots__ = ()
    _FORMAT: Final = IN6_PKTINFO

    def encode(self, value: Any) -> bytes:
        import ipaddress  # noqa: PLC0415 - ~1 ms at import, needed by few options

        if not isinstance(value, PacketInfo):
            raise TypeError(f"option value must be a PacketInfo, got {type(value).__name__}")
        try:
            packed = ipaddress.IPv6Address(value.address).packed
        except ValueError:
            message = f"PacketInfo.address must be an IPv6 address, got {value.address!r}"
            raise ValueError(message) from None
        return self._FORMAT.pack(packed, interface_index(value.interface))

    def decode(self, raw: int | bytes) -> PacketInfo:
        import ipaddress  # noqa: PLC0415 - ~1 ms at import, needed by few options

        assert isinstance(raw, bytes)
        packed, index = self._FORMAT.unpack(raw[: self._FORMAT.size])
        return PacketInfo(str(ipaddress.IPv6Address(packed)), index)


class _CredentialsCodec(Codec):
    __slots__ = ()

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, Credentials):
            raise TypeError(f"option value must be Credentials, got {type(value).__name__}")
        return pack_credentials(value.pid, value.uid, value.gid)

    def decode(self, raw: int | bytes) -> Credentials:
        assert isinstance(raw, bytes)
        return Credentials(*UCRED.unpack(raw[: UCRED.size]))


class _MemInfoCodec(Codec):
    __slots__ = ()
    _FORMAT: Final = struct.Struct("=9I")

    def encode(self, value: Any) -> bytes:
        raise ValueError("SO_MEMINFO cannot be set")

    def decode(self, raw: int | bytes) -> MemoryInfo:
        assert isinstance(raw, bytes)
        return MemoryInfo(*self._FORMAT.unpack(raw[: self._FORMAT.size].ljust(36, b"\0")))


INT: Final[Codec] = _IntCodec()
"""A C ``int``."""
BOOL: Final[Codec] = _BoolCodec("bool")
"""A C ``int`` used as a flag; reads back as ``bool``."""
_UINT: Final = _IntCodec(0, INT_MAX, "int >= 0")
_BYTE: Final = _IntCodec(0, 255, "int 0-255")
_HOPS: Final = _IntCodec(-1, 255, "int -1-255")
_TIMEVAL: Final = _TimevalCodec("seconds (float)", 16)
_LINGER: Final = _LingerCodec("Linger", 8)
_DEVICE: Final = _StringCodec("interface name (str)", 16)
_CONGESTION: Final = _StringCodec("algorithm name (str)", 16)
_CREDS: Final = _CredentialsCodec("Credentials", 12)
_MEMINFO: Final = _MemInfoCodec("MemoryInfo", 36)
_PKTINFO6: Final = _PacketInfoCodec("PacketInfo", 20)
_V4_GROUP: Final = _GroupCodec(_s.AF_INET, with_source=False)
_V4_SOURCE: Final = _GroupCodec(_s.AF_INET, with_source=True)
_V6_GROUP: Final = _GroupCodec(_s.AF_INET6, with_source=False)
_V6_SOURCE: Final = _GroupCodec(_s.AF_INET6, with_source=True)


class Access(enum.Flag):
    """Whether an option may be read (``getsockopt``) and written (``setsockopt``)."""

    READ = 1
    WRITE = 2
    BOTH = READ | WRITE


_RW: Final = Access.BOTH
_RO: Final = Access.READ
_WO: Final = Access.WRITE


# --------------------------------------------------------------------- option enums


class _OptionBase(enum.IntEnum):
    """Members are declared as ``NAME = value, codec, access``."""

    codec: Codec
    access: Access

    def __new__(cls, value: int, codec: Codec, access: Access) -> _OptionBase:
        member = int.__new__(cls, value)
        member._value_ = value
        member.codec = codec
        member.access = access
        return member

    # Option numbers collide across levels, so a member only equals members of its own
    # enum (and plain ints): TCPOption.NODELAY != SocketOption.DEBUG although both are 1.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, _OptionBase) and type(other) is not type(self):
            return False
        return int(self) == other

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return int.__hash__(self)

    @property
    def level(self) -> Level:
        """The level ``getsockopt``/``setsockopt`` needs for this option."""
        return _LEVELS[type(self)]

    @property
    def readable(self) -> bool:
        """Whether ``get_option`` may read this option."""
        return Access.READ in self.access

    @property
    def writable(self) -> bool:
        """Whether ``set_option`` may write this option."""
        return Access.WRITE in self.access


class SocketOption(_OptionBase):
    """Options at the socket level (``SOL_SOCKET``, ``SO_*``).

    Example:
        >>> with Socket() as sock:
        ...     sock.set_option(SocketOption.REUSEADDR, True)
        ...     sock.get_option(SocketOption.REUSEADDR)
        True
    """

    DEBUG = _s.SO_DEBUG, BOOL, _RW
    REUSEADDR = _s.SO_REUSEADDR, BOOL, _RW
    KEEPALIVE = _s.SO_KEEPALIVE, BOOL, _RW
    DONTROUTE = _s.SO_DONTROUTE, BOOL, _RW
    BROADCAST = _s.SO_BROADCAST, BOOL, _RW
    LINGER = _s.SO_LINGER, _LINGER, _RW
    OOBINLINE = _s.SO_OOBINLINE, BOOL, _RW
    SNDBUF = _s.SO_SNDBUF, _UINT, _RW
    RCVBUF = _s.SO_RCVBUF, _UINT, _RW
    SNDLOWAT = _s.SO_SNDLOWAT, _UINT, _RW
    RCVLOWAT = _s.SO_RCVLOWAT, _UINT, _RW
    SNDTIMEO = _s.SO_SNDTIMEO, _TIMEVAL, _RW
    RCVTIMEO = _s.SO_RCVTIMEO, _TIMEVAL, _RW
    TYPE = _s.SO_TYPE, _EnumCodec(SocketType), _RO
    ERROR = _s.SO_ERROR, INT, _RO
    if _has("SO_REUSEPORT"):
        REUSEPORT = _c("SO_REUSEPORT"), BOOL, _RW
    if _has("SO_ACCEPTCONN"):
        ACCEPTCONN = _c("SO_ACCEPTCONN"), BOOL, _RO
    if _has("SO_DOMAIN"):
        DOMAIN = _c("SO_DOMAIN"), _EnumCodec(AddressFamily), _RO
    if _has("SO_PROTOCOL"):
        PROTOCOL = _c("SO_PROTOCOL"), INT, _RO
    if _has("SO_PEERCRED"):
        PEERCRED = _c("SO_PEERCRED"), _CREDS, _RO
    if _has("SO_PASSCRED"):
        PASSCRED = _c("SO_PASSCRED"), BOOL, _RW
    if _has("SO_PRIORITY"):
        PRIORITY = _c("SO_PRIORITY"), _UINT, _RW
    if _has("SO_BINDTODEVICE"):
        BINDTODEVICE = _c("SO_BINDTODEVICE"), _DEVICE, _RW
    if _has("SO_MARK"):
        MARK = _c("SO_MARK"), _UINT, _RW
    if _has("SO_INCOMING_CPU"):
        INCOMING_CPU = _c("SO_INCOMING_CPU"), INT, _RW
    if _has("SO_MEMINFO"):
        MEMINFO = _c("SO_MEMINFO"), _MEMINFO, _RO
    if _has("SO_BPF_EXTENSIONS"):
        BPF_EXTENSIONS = _c("SO_BPF_EXTENSIONS"), INT, _RO
    if _has("SO_ZEROCOPY"):
        ZEROCOPY = _c("SO_ZEROCOPY"), BOOL, _RW
    if _has("SO_PEEK_OFF"):
        PEEK_OFF = _c("SO_PEEK_OFF"), INT, _RW
    if _has("SO_BUSY_POLL"):
        BUSY_POLL = _c("SO_BUSY_POLL"), _UINT, _RW


class TCPOption(_OptionBase):
    """Options at the TCP level (``IPPROTO_TCP``, ``TCP_*``).

    Example:
        >>> with Socket() as sock:
        ...     sock.set_option(TCPOption.NODELAY, True)
        ...     sock.get_option(TCPOption.NODELAY)
        True
    """

    NODELAY = _s.TCP_NODELAY, BOOL, _RW
    if _has("TCP_MAXSEG"):
        MAXSEG = _c("TCP_MAXSEG"), _UINT, _RW
    if _has("TCP_CORK"):
        CORK = _c("TCP_CORK"), BOOL, _RW
    if _has("TCP_KEEPIDLE"):
        KEEPIDLE = _c("TCP_KEEPIDLE"), _UINT, _RW
    if _has("TCP_KEEPINTVL"):
        KEEPINTVL = _c("TCP_KEEPINTVL"), _UINT, _RW
    if _has("TCP_KEEPCNT"):
        KEEPCNT = _c("TCP_KEEPCNT"), _UINT, _RW
    if _has("TCP_SYNCNT"):
        SYNCNT = _c("TCP_SYNCNT"), _UINT, _RW
    if _has("TCP_LINGER2"):
        LINGER2 = _c("TCP_LINGER2"), INT, _RW
    if _has("TCP_DEFER_ACCEPT"):
        DEFER_ACCEPT = _c("TCP_DEFER_ACCEPT"), _UINT, _RW
    if _has("TCP_WINDOW_CLAMP"):
        WINDOW_CLAMP = _c("TCP_WINDOW_CLAMP"), _UINT, _RW
    if _has("TCP_QUICKACK"):
        QUICKACK = _c("TCP_QUICKACK"), BOOL, _RW
    if _has("TCP_CONGESTION"):
        CONGESTION = _c("TCP_CONGESTION"), _CONGESTION, _RW
    if _has("TCP_USER_TIMEOUT"):
        USER_TIMEOUT = _c("TCP_USER_TIMEOUT"), _UINT, _RW
    if _has("TCP_FASTOPEN"):
        FASTOPEN = _c("TCP_FASTOPEN"), _UINT, _RW
    if _has("TCP_NOTSENT_LOWAT"):
        NOTSENT_LOWAT = _c("TCP_NOTSENT_LOWAT"), _UINT, _RW


class UDPOption(_OptionBase):
    """Options at the UDP level (``IPPROTO_UDP``, ``UDP_*``)."""

    if _has("UDP_CORK"):
        CORK = _c("UDP_CORK"), BOOL, _RW
    if _has("UDP_SEGMENT"):
        SEGMENT = _c("UDP_SEGMENT"), _IntCodec(0, 65535, "int 0-65535"), _RW
    if _has("UDP_GRO"):
        GRO = _c("UDP_GRO"), BOOL, _RW


class IPOption(_OptionBase):
    """Options at the IPv4 level (``IPPROTO_IP``, ``IP_*`` and ``MCAST_*``).

    Example:
        >>> IPOption.MULTICAST_TTL.codec.encode(300)
        Traceback (most recent call last):
        ...
        ValueError: option value must be 0-255, got 300
    """

    TOS = _s.IP_TOS, _BYTE, _RW
    TTL = _s.IP_TTL, _IntCodec(1, 255, "int 1-255"), _RW
    MULTICAST_IF = _s.IP_MULTICAST_IF, _InterfaceCodec(_s.AF_INET), _RW
    MULTICAST_TTL = _s.IP_MULTICAST_TTL, _BYTE, _RW
    MULTICAST_LOOP = _s.IP_MULTICAST_LOOP, BOOL, _RW
    ADD_MEMBERSHIP = _s.IP_ADD_MEMBERSHIP, _MembershipCodec(_s.AF_INET), _WO
    DROP_MEMBERSHIP = _s.IP_DROP_MEMBERSHIP, _MembershipCodec(_s.AF_INET), _WO
    if _has("IP_HDRINCL"):
        HDRINCL = _c("IP_HDRINCL"), BOOL, _RW
    if _has("IP_RECVTOS"):
        RECVTOS = _c("IP_RECVTOS"), BOOL, _RW
    if _has("IP_RECVTTL"):
        RECVTTL = _c("IP_RECVTTL"), BOOL, _RW
    if _has("IP_PKTINFO"):
        PKTINFO = _c("IP_PKTINFO"), BOOL, _RW
    if _has("IP_RECVERR"):
        RECVERR = _c("IP_RECVERR"), BOOL, _RW
    if _has("IP_MTU_DISCOVER"):
        MTU_DISCOVER = _c("IP_MTU_DISCOVER"), _UINT, _RW
    if _has("IP_FREEBIND"):
        FREEBIND = _c("IP_FREEBIND"), BOOL, _RW
    if _has("IP_TRANSPARENT"):
        TRANSPARENT = _c("IP_TRANSPARENT"), BOOL, _RW
    if _has("IP_BIND_ADDRESS_NO_PORT"):
        BIND_ADDRESS_NO_PORT = _c("IP_BIND_ADDRESS_NO_PORT"), BOOL, _RW
    if _has("IP_MULTICAST_ALL"):
        MULTICAST_ALL = _c("IP_MULTICAST_ALL"), BOOL, _RW
    if _has("MCAST_JOIN_GROUP"):
        MCAST_JOIN_GROUP = _c("MCAST_JOIN_GROUP"), _V4_GROUP, _WO
        MCAST_LEAVE_GROUP = _c("MCAST_LEAVE_GROUP"), _V4_GROUP, _WO
        MCAST_BLOCK_SOURCE = _c("MCAST_BLOCK_SOURCE"), _V4_SOURCE, _WO
        MCAST_UNBLOCK_SOURCE = _c("MCAST_UNBLOCK_SOURCE"), _V4_SOURCE, _WO
        MCAST_JOIN_SOURCE_GROUP = _c("MCAST_JOIN_SOURCE_GROUP"), _V4_SOURCE, _WO
        MCAST_LEAVE_SOURCE_GROUP = _c("MCAST_LEAVE_SOURCE_GROUP"), _V4_SOURCE, _WO


class IPv6Option(_OptionBase):
    """Options at the IPv6 level (``IPPROTO_IPV6``, ``IPV6_*`` and ``MCAST_*``).

    Example:
        >>> IPv6Option.V6ONLY.level == Level.IPV6
        True
    """

    V6ONLY = _s.IPV6_V6ONLY, BOOL, _RW
    UNICAST_HOPS = _s.IPV6_UNICAST_HOPS, _HOPS, _RW
    MULTICAST_IF = _s.IPV6_MULTICAST_IF, _InterfaceCodec(_s.AF_INET6), _RW
    MULTICAST_HOPS = _s.IPV6_MULTICAST_HOPS, _HOPS, _RW
    MULTICAST_LOOP = _s.IPV6_MULTICAST_LOOP, BOOL, _RW
    JOIN_GROUP = _s.IPV6_JOIN_GROUP, _MembershipCodec(_s.AF_INET6), _WO
    LEAVE_GROUP = _s.IPV6_LEAVE_GROUP, _MembershipCodec(_s.AF_INET6), _WO
    if _has("IPV6_RECVPKTINFO"):
        RECVPKTINFO = _c("IPV6_RECVPKTINFO"), BOOL, _RW
    if _has("IPV6_PKTINFO"):
        PKTINFO = _c("IPV6_PKTINFO"), _PKTINFO6, _RW
    if _has("IPV6_RECVHOPLIMIT"):
        RECVHOPLIMIT = _c("IPV6_RECVHOPLIMIT"), BOOL, _RW
    if _has("IPV6_HOPLIMIT"):
        HOPLIMIT = _c("IPV6_HOPLIMIT"), _HOPS, _RW
    if _has("IPV6_RECVTCLASS"):
        RECVTCLASS = _c("IPV6_RECVTCLASS"), BOOL, _RW
    if _has("IPV6_TCLASS"):
        TCLASS = _c("IPV6_TCLASS"), _HOPS, _RW
    if _has("IPV6_DONTFRAG"):
        DONTFRAG = _c("IPV6_DONTFRAG"), BOOL, _RW
    if _has("IPV6_RECVERR"):
        RECVERR = _c("IPV6_RECVERR"), BOOL, _RW
    if _has("MCAST_JOIN_GROUP"):
        MCAST_JOIN_GROUP = _c("MCAST_JOIN_GROUP"), _V6_GROUP, _WO
        MCAST_LEAVE_GROUP = _c("MCAST_LEAVE_GROUP"), _V6_GROUP, _WO
        MCAST_BLOCK_SOURCE = _c("MCAST_BLOCK_SOURCE"), _V6_SOURCE, _WO
        MCAST_UNBLOCK_SOURCE = _c("MCAST_UNBLOCK_SOURCE"), _V6_SOURCE, _WO
        MCAST_JOIN_SOURCE_GROUP = _c("MCAST_JOIN_SOURCE_GROUP"), _V6_SOURCE, _WO
        MCAST_LEAVE_SOURCE_GROUP = _c("MCAST_LEAVE_SOURCE_GROUP"), _V6_SOURCE, _WO


_LEVELS: Final[dict[type[_OptionBase], Level]] = {
    SocketOption: Level.SOCKET,
    TCPOption: Level.TCP,
    UDPOption: Level.UDP,
    IPOption: Level.IP,
    IPv6Option: Level.IPV6,
}

Option = SocketOption | TCPOption | UDPOption | IPOption | IPv6Option
"""Any option member, of any level."""


def all_options() -> list[Option]:
    """Return every option member of every level, in table order.

    Example:
        >>> TCPOption.NODELAY in all_options()
        True
    """
    members: list[Option] = []
    for enum_type in (SocketOption, TCPOption, UDPOption, IPOption, IPv6Option):
        members.extend(enum_type)
    return members
