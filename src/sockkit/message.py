"""Messages for ``sendmsg``/``recvmsg``: scatter/gather buffers and typed control data.

A [`Message`][sockkit.message.Message] is what
[`Socket.sendmsg`][sockkit.socket.Socket.sendmsg] sends and
[`Socket.recvmsg`][sockkit.socket.Socket.recvmsg] returns: a list of buffers, a
list of control (ancillary) messages, the peer's address and the message flags.

Control messages are typed values, each one (level, type) pair of the OS:

| type | (level, type) | payload |
| --- | --- | --- |
| `Rights` | ``SOL_SOCKET, SCM_RIGHTS`` | ``int[n]`` |
| `Credentials` | ``SOL_SOCKET, SCM_CREDENTIALS`` | ``struct ucred`` |
| `PacketInfo` | ``IPPROTO_IPV6, IPV6_PKTINFO`` | ``struct in6_pktinfo`` |
| `PacketInfo` (IPv4 address) | ``IPPROTO_IP, IP_PKTINFO`` | ``struct in_pktinfo`` |
| `HopLimit` | ``IPPROTO_IPV6, IPV6_HOPLIMIT`` | ``int`` |
| `TrafficClass` | ``IPPROTO_IPV6, IPV6_TCLASS`` | ``int`` |
| `UDPSegment` | ``IPPROTO_UDP, UDP_SEGMENT`` | ``uint16_t`` |
| `UDPSegment` (received with GRO) | ``IPPROTO_UDP, UDP_GRO`` | ``int`` |
| `RawControl` | anything else | bytes as they are |

`Credentials` and `PacketInfo` are the very classes of
[`sockkit.options`][sockkit.options] (``SO_PEERCRED`` and the ``IPV6_PKTINFO``
option use them too): one value type per kernel structure, whether it travels as
an option or as a control message.  They are encoded by
[`encode_control`][sockkit.message.encode_control]; sockkit's own control types
also have an ``encode()`` method that does the same.

Received descriptors are owned by the caller: see [`Rights`][sockkit.message.Rights].

Example:
    >>> with Socket.pair() as (left, right):
    ...     left.sendmsg(Message([b"hello, ", b"world"]))
    ...     right.recvmsg(100).data
    12
    b'hello, world'
"""

from __future__ import annotations

import array
import contextlib
import contextvars
import os
import socket as _s
import struct
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeAlias, cast, overload

import attrs

from sockkit._checks import INT_MAX, INT_MIN, UINT_MAX, check_int
from sockkit._layouts import IN6_PKTINFO, INT, U16, UCRED, pack_credentials
from sockkit._platform import constant as _constant
from sockkit.address import Address, from_sockaddr
from sockkit.enums import ControlType, MsgFlag
from sockkit.errors import SocketClosedError
from sockkit.options import Credentials, PacketInfo, interface_index

if TYPE_CHECKING:
    from typing_extensions import Buffer, Self

    # Type-only: no import happens at run time (see _socket_from_fd below).
    from sockkit.socket import Socket

__all__ = [
    "ControlMessage",
    "ControlTruncatedWarning",
    "HopLimit",
    "Message",
    "RawControl",
    "Rights",
    "TrafficClass",
    "UDPSegment",
    "cmsg_space",
    "decode_control",
    "encode_control",
]

# --------------------------------------------------------------------- constants


def _os_int(name: str) -> int | None:
    # Plain ints: Python's socket module gives some constants as IntFlag/IntEnum members,
    # and `flags | member` would then run the enum's __or__ on every receive.
    value = _constant(name)
    return None if value is None else int(value)


_SOL_SOCKET: Final = int(_s.SOL_SOCKET)
_SCM_RIGHTS: Final = _os_int("SCM_RIGHTS")
_SCM_CREDENTIALS: Final = _os_int("SCM_CREDENTIALS")
_IPPROTO_IP: Final = int(_s.IPPROTO_IP)
_IPPROTO_IPV6: Final = int(_s.IPPROTO_IPV6)
_IPPROTO_UDP: Final = int(_s.IPPROTO_UDP)
_IP_PKTINFO: Final = _os_int("IP_PKTINFO")
_IPV6_PKTINFO: Final = _os_int("IPV6_PKTINFO")
_IPV6_HOPLIMIT: Final = _os_int("IPV6_HOPLIMIT")
_IPV6_TCLASS: Final = _os_int("IPV6_TCLASS")
_UDP_SEGMENT: Final = _os_int("UDP_SEGMENT")
_UDP_GRO: Final = _os_int("UDP_GRO")
_CTRUNC: Final = _os_int("MSG_CTRUNC") or 0
_TRUNC: Final = _os_int("MSG_TRUNC") or 0
_CLOEXEC: Final = _os_int("MSG_CMSG_CLOEXEC") or 0
_NOT_CLOEXEC: Final = ~_CLOEXEC
"""Passed on every receive where the OS has it, so received descriptors are close-on-exec."""

# Kernel structures, native byte order and no padding (as <sys/socket.h> lays them out).
_FD_SIZE: Final = array.array("i").itemsize  # sizeof(int)
_IN_PKTINFO: Final = struct.Struct("=i4s4s")  # int ifindex; in_addr spec_dst; in_addr addr

Encoded: TypeAlias = tuple[int, int, bytes]
"""A control message as ``socket.sendmsg`` takes it: ``(level, type, data)``."""
_Buffers: TypeAlias = "Buffer | Iterable[Buffer]"
"""What ``recvmsg_into`` takes: one writable buffer or several."""

# Rights.sockets() must build `Socket`s, but sockkit.socket imports this module (for
# Socket.sendmsg/recvmsg), and message.py sits beside socket.py, not above it.  So the
# dependency is inverted: socket.py installs its factory here when it is imported
# (`_install_socket_factory(_sockets_of)`).  Importing anything from the sockkit
# package imports sockkit.socket first, so the hook is always set when a user can call
# sockets(); no run-time import of sockkit.socket ever happens here.  The factory wraps
# the descriptors given into ``Socket``s put into the list given; if anything raises,
# it leaves that list empty and every descriptor open and unowned.
_socket_from_fd: Callable[[tuple[int, ...], list[Socket]], None] | None = None


def _install_socket_factory(factory: Callable[[tuple[int, ...], list[Socket]], None]) -> None:
    """Called once by ``sockkit.socket``: how `Rights.sockets` wraps its descriptors."""
    global _socket_from_fd
    _socket_from_fd = factory


# --------------------------------------------------------------------- truncation


class ControlTruncatedWarning(UserWarning):
    """A received message's control data was cut short (``MSG_CTRUNC``): data was lost.

    The ``ancbufsize`` given to `Socket.recvmsg` / `Socket.recvmsg_into` had no
    room for every control message that came with the message.  Whatever did not
    fit is gone for good; received descriptors that arrived are closed (an
    incomplete set is never handed over) and their `Rights` is left out.  Size the
    buffer with `cmsg_space` (``Rights.space(n)`` for ``n`` descriptors).

    A ``UserWarning``, not a ``ResourceWarning``: nothing leaked (sockkit closed
    every descriptor), so this is not about a resource left open but about data
    the program expected and lost through a too-small buffer, a bug in the calling
    code.  ``ResourceWarning`` is also hidden unless asked for, where this one is
    shown by default, once per calling line.  To have it raised instead, turn it
    into an error: ``warnings.simplefilter("error", ControlTruncatedWarning)`` or
    ``python -W error::sockkit.message.ControlTruncatedWarning``.

    ``sockkit.compat`` does not emit it: PHP reports truncation through the flags
    alone.

    Example:
        >>> import warnings
        >>> with Socket.pair() as (left, right), Socket.pair() as (a, b):
        ...     left.sendmsg(Message([b"x"], [Rights([a, b, a])]))
        ...     with warnings.catch_warnings(record=True) as caught:
        ...         warnings.simplefilter("always")
        ...         message = right.recvmsg(1, Rights.space(1))
        ...     message.control, caught[0].category.__name__
        1
        ([], 'ControlTruncatedWarning')
    """


_truncation_warnings: Final = contextvars.ContextVar("sockkit_control_truncation", default=True)
"""Off while ``sockkit.compat`` receives: PHP does not warn there.  Per thread and task."""

# Attribute the warning to the first caller outside the package (3.12+ knows how);
# before 3.12, to the caller of Socket.recvmsg:
# _warn_truncated <- _received <- Socket._receive_message <- Socket.recvmsg <- caller.
_PACKAGE_DIR: Final = os.path.dirname(os.path.abspath(__file__)) + os.sep
_WARN_WHERE: Final[dict[str, Any]] = (
    {"skip_file_prefixes": (_PACKAGE_DIR,)} if sys.version_info >= (3, 12) else {"stacklevel": 5}
)


@contextlib.contextmanager
def _control_truncation_quiet() -> Iterator[None]:
    """For ``sockkit.compat``: receive without `ControlTruncatedWarning` in this context."""
    token = _truncation_warnings.set(False)
    try:
        yield
    finally:
        _truncation_warnings.reset(token)


def _warn_truncated(closed: int) -> None:
    if not _truncation_warnings.get():
        return
    lost = f"; {closed} received descriptor(s) were closed" if closed else ""
    warnings.warn(
        "control data truncated (MSG_CTRUNC): ancbufsize had no room for every control"
        f" message{lost}; size it with cmsg_space() (Rights.space(n) for n descriptors)",
        ControlTruncatedWarning,
        **_WARN_WHERE,
    )


# --------------------------------------------------------------------- validation


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


def _bytes_of(value: object, what: str) -> bytes:
    if type(value) is bytes:
        return value
    # bytes(5) would be five zero bytes and str needs an encoding: both are mistakes here.
    if isinstance(value, (str, int)):
        raise TypeError(f"{what} must be bytes-like, got {type(value).__name__}")
    try:
        with memoryview(value) as view:  # type: ignore[arg-type]
            return view.tobytes()
    except TypeError:
        raise TypeError(f"{what} must be bytes-like, got {type(value).__name__}") from None


def _to_sources(values: Iterable[int | _HasFileno]) -> tuple[int | _HasFileno, ...]:
    """Check what a `Rights` to send is built from; keep the objects themselves."""
    if isinstance(values, (str, bytes, bytearray, memoryview)) or not isinstance(values, Iterable):
        raise TypeError(
            f"Rights.fds must be an iterable of descriptors, got {type(values).__name__}"
        )
    sources: list[int | _HasFileno] = []
    for item in values:
        if isinstance(item, int):
            sources.append(check_int(item, "Rights.fds element", 0, INT_MAX))
        else:
            check_int(_fileno_of(item), "Rights.fds element", 0, INT_MAX)
            sources.append(item)
    return tuple(sources)


def _fileno_of(item: object) -> object:
    fileno = getattr(item, "fileno", None)
    if fileno is None or not callable(fileno):
        raise TypeError(
            f"Rights.fds elements must be ints or have fileno(), got {type(item).__name__}"
        )
    return fileno()


def _descriptor_now(item: int | _HasFileno) -> int:
    """The descriptor an element of a `Rights` to send names at this moment."""
    if isinstance(item, int):
        return item
    fd = item.fileno()
    if fd < 0:
        raise SocketClosedError("sendmsg")
    return fd


def _to_level(value: int) -> int:
    return check_int(value, "RawControl.level", INT_MIN, INT_MAX)


def _to_type(value: int) -> int:
    return check_int(value, "RawControl.type", INT_MIN, INT_MAX)


def _to_data(value: Buffer) -> bytes:
    return _bytes_of(value, "RawControl.data")


def _to_hop_limit(value: int) -> int:
    return check_int(value, "HopLimit.value", -1, 255)


def _to_traffic_class(value: int) -> int:
    return check_int(value, "TrafficClass.value", -1, 255)


def _to_segment_size(value: int) -> int:
    return check_int(value, "UDPSegment.size", 0, 0xFFFF)


def _unsupported(name: str) -> ValueError:
    return ValueError(f"{name} control messages are not supported on this OS")


# --------------------------------------------------------------------- control messages


class Rights:
    """Descriptors passed over a Unix socket (``SCM_RIGHTS``).

    To send, build it from descriptors: ints, or objects with ``fileno()`` such as
    a `Socket` or an open file.  The objects are kept and their descriptors read
    at send time (a `Socket` is held open for the duration of the send), so a
    socket closed in between is an error, never a number that may name another
    file by then.  Plain ints stay the caller's, as with ``socket.send_fds``.  The
    kernel duplicates the descriptors into the receiving process and the sender
    keeps its own: a `Rights` you build never closes anything.

    A `Rights` *received* by `Socket.recvmsg` owns new descriptors, which the
    caller must dispose of, once: `close` them, wrap them with `sockets`, or take
    them for good with `detach`.  Each empties the `Rights`.  A received `Rights`
    garbage-collected while it still holds descriptors closes them and emits
    ``ResourceWarning``.  Received descriptors are close-on-exec.

    Attributes:
        fds: the descriptor numbers: for a `Rights` to send, read now from what it
            was built from; for a received one, those it still owns (empty once
            closed, wrapped or detached).

    Raises:
        TypeError: ``fds`` is not an iterable of ints / objects with ``fileno()``.
        ValueError: a descriptor is negative (e.g. a closed `Socket`'s ``-1``).

    Example:
        >>> with Socket.pair() as (left, right), Socket.pair() as (mine, theirs):
        ...     left.sendmsg(Message([b"x"], [Rights([theirs])]))
        ...     message = right.recvmsg(1, Rights.space(1))
        ...     [passed] = message.control[0].sockets()
        ...     with passed:
        ...         mine.send(b"hi"), passed.recv(2)
        1
        (2, b'hi')
    """

    __slots__ = ("__weakref__", "_cell", "_sources")

    # What a Rights to send was built from (ints and objects with fileno()).
    _sources: tuple[int | _HasFileno, ...]
    # A received Rights' descriptors while it owns them; None for one to send.  The
    # list is shared with the receive path until the hand-over is complete, and every
    # closer pops from it: each descriptor is closed exactly once, by whoever is first.
    _cell: list[int] | None

    def __init__(self, fds: Iterable[int | _HasFileno]) -> None:
        self._sources = _to_sources(fds)
        self._cell = None

    @classmethod
    def _owning(cls, cell: list[int]) -> Rights:
        """A received `Rights` owning the descriptors in ``cell`` (checked by the caller)."""
        rights = object.__new__(cls)
        rights._sources = ()
        rights._cell = cell
        return rights

    @property
    def fds(self) -> tuple[int, ...]:
        cell = self._cell
        if cell is not None:
            return tuple(cell)
        return tuple(_descriptor_now(item) for item in self._sources)

    @property
    def received(self) -> bool:
        """Whether this `Rights` came from a receive (and owns its descriptors)."""
        return self._cell is not None

    def encode(self) -> Encoded:
        """Return ``(SOL_SOCKET, SCM_RIGHTS, data)`` for ``sendmsg``, reading descriptors now.

        Raises:
            ValueError: the OS has no ``SCM_RIGHTS``.
            SocketClosedError: a socket it holds is closed.

        Example:
            >>> Rights([0]).encode() == (socket.SOL_SOCKET, socket.SCM_RIGHTS, bytes(4))
            True
        """
        if _SCM_RIGHTS is None:
            raise _unsupported("SCM_RIGHTS")
        return (_SOL_SOCKET, _SCM_RIGHTS, array.array("i", self.fds).tobytes())

    @staticmethod
    def space(n: int) -> int:
        """The ``ancbufsize`` that receives ``n`` descriptors: ``cmsg_space(Rights, n)``.

        Raises:
            TypeError: ``n`` is not an int.
            ValueError: ``n`` is negative or too large, or the OS has no ``SCM_RIGHTS``.

        Example:
            >>> Rights.space(1) == socket.CMSG_SPACE(4)
            True
        """
        return cmsg_space(Rights, n)

    def close(self) -> None:
        """Close every received descriptor still held; the `Rights` is empty afterwards.

        A `Rights` built for sending closes nothing: its descriptors are the caller's.
        Idempotent.

        Example:
            >>> with Socket.pair() as (left, right):
            ...     Message([b"x"], [Rights([left])]).close()
            ...     left.closed
            False
        """
        cell = self._cell
        while cell:
            fd = cell.pop()
            with contextlib.suppress(OSError):
                os.close(fd)

    def detach(self) -> tuple[int, ...]:
        """Hand the received descriptors over for good: the caller must close them itself.

        Returns:
            The descriptor numbers; the `Rights` is empty afterwards.
        """
        cell = self._cell
        if cell is None:
            return ()
        # Copied, then emptied by a statement rather than a call, and returned from
        # this frame: the interpreter runs signal handlers after calls, so an
        # interrupt finds each descriptor either still here or with the caller.
        taken = tuple(cell)
        del cell[:]
        return taken

    def sockets(self) -> list[Socket]:
        """Wrap every received descriptor as a `Socket`, which then owns it.

        All or nothing: if one descriptor is not a socket, none is wrapped and the
        `Rights` still holds them all.

        Returns:
            One `Socket` per descriptor, in order; the `Rights` is empty afterwards.

        Raises:
            NotASocket: a descriptor is not a socket (use `detach` for pipes and files).
            BadFileDescriptor: a descriptor is not open.

        Example:
            >>> sockets = received_rights.sockets()  # doctest: +SKIP
        """
        factory = _socket_from_fd
        if factory is None:  # pragma: no cover - sockkit.socket installs it on import
            raise RuntimeError("sockkit.socket has not been imported")
        cell = self._cell
        if not cell:
            return []
        made: list[Socket] = []
        try:
            factory(tuple(cell), made)
        except BaseException:
            # Also for an interrupt as the factory returns, its Sockets all made.
            for sock in made:
                if not sock.closed:
                    sock.detach()  # the descriptor stays this Rights', unclosed
            raise
        # Only now do the Sockets own them; emptied by a statement, not a call, so
        # no interrupt can come between the last Socket made and this.
        del cell[:]
        return made

    def __len__(self) -> int:
        cell = self._cell
        return len(cell) if cell is not None else len(self._sources)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Rights):
            return NotImplemented
        return self._cell == other._cell and self._sources == other._sources

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        try:
            fds = self.fds
        except Exception:  # a closed socket inside: say what it holds instead
            return f"Rights({list(self._sources)!r})"
        return f"Rights(fds={fds!r})"

    def __reduce_ex__(self, protocol: Any) -> Any:
        # A copy of an owning Rights would close the same descriptors twice.
        if self._cell:
            raise TypeError("cannot copy or pickle a Rights that owns descriptors; detach() first")
        if self._cell is not None:
            return (_empty_received, ())
        return (Rights, (self._sources,))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_cell", None):
            text = f"unclosed received descriptors {self!r}"
            self.close()  # first: under -W error the warning raises
            warnings.warn(text, ResourceWarning, stacklevel=2, source=self)


def _empty_received() -> Rights:
    return Rights._owning([])


@attrs.frozen
class HopLimit:
    """The IPv6 hop limit of a datagram (``IPV6_HOPLIMIT``).

    Received when ``IPv6Option.RECVHOPLIMIT`` is set; sent, it overrides the hop
    limit for one datagram (``-1``: the default).

    Raises:
        TypeError: ``value`` is not an int.
        ValueError: ``value`` is outside -1-255.

    Example:
        >>> HopLimit(64).encode()[2] == struct.pack("=i", 64)
        True
    """

    value: int = attrs.field(converter=_to_hop_limit)

    def encode(self) -> Encoded:
        """Return ``(IPPROTO_IPV6, IPV6_HOPLIMIT, data)`` for ``sendmsg``.

        Raises:
            ValueError: the OS has no ``IPV6_HOPLIMIT``.

        Example:
            >>> HopLimit(1).encode()[0] == socket.IPPROTO_IPV6
            True
        """
        if _IPV6_HOPLIMIT is None:
            raise _unsupported("IPV6_HOPLIMIT")
        return (_IPPROTO_IPV6, _IPV6_HOPLIMIT, INT.pack(self.value))


@attrs.frozen
class TrafficClass:
    """The IPv6 traffic class of a datagram (``IPV6_TCLASS``): DSCP and ECN bits.

    Received when ``IPv6Option.RECVTCLASS`` is set; sent, it sets the traffic
    class of one datagram (``-1``: the default).

    Raises:
        TypeError: ``value`` is not an int.
        ValueError: ``value`` is outside -1-255.

    Example:
        >>> TrafficClass(0x28).value
        40
    """

    value: int = attrs.field(converter=_to_traffic_class)

    def encode(self) -> Encoded:
        """Return ``(IPPROTO_IPV6, IPV6_TCLASS, data)`` for ``sendmsg``.

        Raises:
            ValueError: the OS has no ``IPV6_TCLASS``.

        Example:
            >>> TrafficClass(0).encode()[2] == bytes(4)
            True
        """
        if _IPV6_TCLASS is None:
            raise _unsupported("IPV6_TCLASS")
        return (_IPPROTO_IPV6, _IPV6_TCLASS, INT.pack(self.value))


@attrs.frozen
class UDPSegment:
    """UDP generic segmentation offload (``UDP_SEGMENT``, Linux 4.18+).

    Sent with one large buffer, the kernel splits it into datagrams of ``size``
    bytes (the last may be shorter): many datagrams for one system call.

    Raises:
        TypeError: ``size`` is not an int.
        ValueError: ``size`` is outside 0-65535.

    Example:
        >>> sock.sendmsg(Message([bytes(3000)], [UDPSegment(1000)]))  # doctest: +SKIP
        3000
    """

    size: int = attrs.field(converter=_to_segment_size)

    def encode(self) -> Encoded:
        """Return ``(IPPROTO_UDP, UDP_SEGMENT, data)`` for ``sendmsg``.

        Raises:
            ValueError: the OS has no ``UDP_SEGMENT``.

        Example:
            >>> UDPSegment(1400).encode()[2] == struct.pack("=H", 1400)
            True
        """
        if _UDP_SEGMENT is None:
            raise _unsupported("UDP_SEGMENT")
        return (_IPPROTO_UDP, _UDP_SEGMENT, U16.pack(self.size))


@attrs.frozen
class RawControl:
    """A control message sockkit has no type for, kept as its level, type and bytes.

    Received control messages of unknown (level, type), and known ones whose
    payload does not fit their type, stay `RawControl`.  Sending one whose
    (level, type) sockkit knows checks that the payload has that type's shape.

    Raises:
        TypeError: ``level``/``type`` are not ints or ``data`` is not bytes-like.
        ValueError: ``level``/``type`` do not fit a C ``int``.

    Example:
        >>> RawControl(socket.IPPROTO_IP, socket.IP_TTL, struct.pack("=i", 64)).data
        b'@\\x00\\x00\\x00'
    """

    level: int = attrs.field(converter=_to_level)
    type: int = attrs.field(converter=_to_type)
    data: bytes = attrs.field(converter=_to_data)

    def encode(self) -> Encoded:
        """Return ``(level, type, data)`` for ``sendmsg``.

        Raises:
            ValueError: (level, type) is a pair sockkit knows and ``data`` does not
                have its shape (e.g. 3 bytes for ``SCM_RIGHTS``).

        Example:
            >>> RawControl(0, 99, b"ab").encode()
            (0, 99, b'ab')
        """
        kind = _KINDS.get((self.level, self.type))
        if kind is not None and kind.decode(self.data) is None:
            raise ValueError(
                f"RawControl data is not a valid {kind.name} payload: expected"
                f" {kind.shape()}, got {len(self.data)} bytes {self.data[:32]!r}"
            )
        return (self.level, self.type, self.data)


ControlMessage: TypeAlias = (
    Rights | Credentials | PacketInfo | HopLimit | TrafficClass | UDPSegment | RawControl
)
"""Any control message: the typed ones and `RawControl`."""


# --------------------------------------------------------------------- encoders


def _encode_credentials(value: Credentials) -> Encoded:
    if _SCM_CREDENTIALS is None:
        raise _unsupported("SCM_CREDENTIALS")
    return (
        _SOL_SOCKET,
        _SCM_CREDENTIALS,
        pack_credentials(value.pid, value.uid, value.gid),
    )


def _encode_packet_info(value: PacketInfo) -> Encoded:
    address = value.address
    if not isinstance(address, str):
        raise TypeError(f"PacketInfo.address must be a str, got {type(address).__name__}")
    index = interface_index(value.interface)
    if ":" in address:
        if _IPV6_PKTINFO is None:
            raise _unsupported("IPV6_PKTINFO")
        try:
            packed = _s.inet_pton(_s.AF_INET6, address)
        except (OSError, ValueError):
            raise ValueError(f"PacketInfo.address is not an IPv6 address: {address!r}") from None
        return (_IPPROTO_IPV6, _IPV6_PKTINFO, IN6_PKTINFO.pack(packed, index))
    if _IP_PKTINFO is None:
        raise _unsupported("IP_PKTINFO")
    try:
        packed = _s.inet_pton(_s.AF_INET, address)
    except (OSError, ValueError):
        raise ValueError(f"PacketInfo.address is not an IP address: {address!r}") from None
    if index > INT_MAX:
        raise ValueError(f"PacketInfo.interface must be 0-{INT_MAX} for IPv4, got {index}")
    # Sent, ipi_spec_dst is the source address to use (ipi_addr is ignored); received,
    # ipi_addr is the datagram's destination.  Filling both makes decode(encode(x)) == x.
    return (_IPPROTO_IP, _IP_PKTINFO, _IN_PKTINFO.pack(index, packed, packed))


# One encoder per control type; subclasses are found through the MRO.
_ENCODERS: Final[dict[type, Callable[[Any], Encoded]]] = {
    Rights: Rights.encode,
    Credentials: _encode_credentials,
    PacketInfo: _encode_packet_info,
    HopLimit: HopLimit.encode,
    TrafficClass: TrafficClass.encode,
    UDPSegment: UDPSegment.encode,
    RawControl: RawControl.encode,
}
_CONTROL_TYPES: Final = tuple(_ENCODERS)


def _encoder_for(kind: type) -> Callable[[Any], Encoded]:
    for base in kind.__mro__:
        encoder = _ENCODERS.get(base)
        if encoder is not None:
            return encoder
    raise TypeError(
        f"control messages must be Rights, Credentials, PacketInfo, HopLimit, TrafficClass,"
        f" UDPSegment or RawControl, got {kind.__name__}"
    )


def encode_control(message: ControlMessage) -> Encoded:
    """Encode one control message as the ``(level, type, data)`` that ``sendmsg`` takes.

    Args:
        message: any control message, including `Credentials` and `PacketInfo`
            (an IPv4 address gives ``IP_PKTINFO``, an IPv6 one ``IPV6_PKTINFO``).

    Raises:
        TypeError: ``message`` is not a control message, or a field has the wrong type.
        ValueError: a field is out of range, or the OS lacks that control message.

    Example:
        >>> encode_control(Credentials(1, 2, 3)) == (
        ...     socket.SOL_SOCKET, socket.SCM_CREDENTIALS, struct.pack("=iII", 1, 2, 3))
        True
    """
    encoder = _ENCODERS.get(type(message))
    if encoder is None:
        encoder = _encoder_for(type(message))
    return encoder(message)


def _ancillary(control: list[ControlMessage]) -> list[Encoded]:
    """The ``ancdata`` argument of ``socket.sendmsg`` for ``control``."""
    encoders = _ENCODERS
    return [(encoders.get(type(item)) or _encoder_for(type(item)))(item) for item in control]


# --------------------------------------------------------------------- decoders
# Each returns None when the payload does not have its type's shape: the caller
# keeps it as RawControl.  None of them raises for any bytes.


def _decode_rights(data: bytes) -> Rights | None:
    if len(data) % _FD_SIZE:
        return None
    fds = array.array("i")
    fds.frombytes(data)
    if fds and min(fds) < 0:
        return None
    return Rights(tuple(fds))


def _decode_credentials(data: bytes) -> Credentials | None:
    if len(data) != UCRED.size:
        return None
    return Credentials(*UCRED.unpack(data))


def _decode_packet_info6(data: bytes) -> PacketInfo | None:
    if len(data) != IN6_PKTINFO.size:
        return None
    packed, index = IN6_PKTINFO.unpack(data)
    return PacketInfo(_s.inet_ntop(_s.AF_INET6, packed), index)


def _decode_packet_info4(data: bytes) -> PacketInfo | None:
    if len(data) != _IN_PKTINFO.size:
        return None
    index, _spec_dst, packed = _IN_PKTINFO.unpack(data)
    if index < 0:
        return None
    return PacketInfo(_s.inet_ntop(_s.AF_INET, packed), index)


def _decode_int(data: bytes) -> int | None:
    if len(data) != INT.size:
        return None
    value: int = INT.unpack(data)[0]
    return value if -1 <= value <= 255 else None


def _decode_hop_limit(data: bytes) -> HopLimit | None:
    value = _decode_int(data)
    return None if value is None else HopLimit(value)


def _decode_traffic_class(data: bytes) -> TrafficClass | None:
    value = _decode_int(data)
    return None if value is None else TrafficClass(value)


def _decode_udp_segment(data: bytes) -> UDPSegment | None:
    if len(data) != U16.size:
        return None
    return UDPSegment(U16.unpack(data)[0])


def _decode_gro_segment(data: bytes) -> UDPSegment | None:
    # UDP_GRO reports the segment size of a coalesced datagram as an int.
    if len(data) != INT.size:
        return None
    size: int = INT.unpack(data)[0]
    return UDPSegment(size) if 0 <= size <= 0xFFFF else None


@attrs.frozen
class _Kind:
    """One known control message: its pair, payload size and decoder."""

    name: str
    level: int
    type: int
    size: int  # fixed part of the payload
    item: int  # size of each repeated element (SCM_RIGHTS: one int per descriptor)
    decode: Callable[[bytes], ControlMessage | None]

    def shape(self) -> str:
        if self.item:
            return f"a multiple of {self.item} bytes"
        return f"{self.size} bytes"


# The control-message table: (ControlType member, C name, fixed size, size per item,
# decoder, the class it decodes to).  A row whose member the running OS lacks is left out.
_TABLE: Final = (
    ("RIGHTS", "SCM_RIGHTS", 0, _FD_SIZE, _decode_rights, Rights),
    ("CREDENTIALS", "SCM_CREDENTIALS", UCRED.size, 0, _decode_credentials, Credentials),
    ("IPV6_PKTINFO", "IPV6_PKTINFO", IN6_PKTINFO.size, 0, _decode_packet_info6, PacketInfo),
    ("IP_PKTINFO", "IP_PKTINFO", _IN_PKTINFO.size, 0, _decode_packet_info4, PacketInfo),
    ("IPV6_HOPLIMIT", "IPV6_HOPLIMIT", INT.size, 0, _decode_hop_limit, HopLimit),
    ("IPV6_TCLASS", "IPV6_TCLASS", INT.size, 0, _decode_traffic_class, TrafficClass),
    ("UDP_SEGMENT", "UDP_SEGMENT", U16.size, 0, _decode_udp_segment, UDPSegment),
    ("UDP_GRO", "UDP_GRO", INT.size, 0, _decode_gro_segment, UDPSegment),
)


def _build_kinds() -> dict[tuple[int, int], _Kind]:
    kinds: dict[tuple[int, int], _Kind] = {}
    for member_name, c_name, size, item, decode, _cls in _TABLE:
        member = ControlType.__members__.get(member_name)
        if member is None:
            continue
        level, kind = member.value
        kinds[level, kind] = _Kind(c_name, level, kind, size, item, decode)
    return kinds


# Types the kernel takes from a sender and never hands to a receiver: a class's
# receive-buffer size (cmsg_space) is that of the type it arrives as (UDPSegment
# leaves as UDP_SEGMENT and arrives as UDP_GRO).
_SENT_ONLY: Final = frozenset({"UDP_SEGMENT"})


def _build_class_types() -> dict[type, ControlType]:
    """The one `ControlType` each control class arrives as; a class that arrives as
    either of two (PacketInfo: IPv4 or IPv6) has none."""
    found: dict[type, list[ControlType]] = {}
    for member_name, _c_name, _size, _item, _decode, cls in _TABLE:
        member = ControlType.__members__.get(member_name)
        if member is not None and member_name not in _SENT_ONLY:
            found.setdefault(cls, []).append(member)
    return {cls: members[0] for cls, members in found.items() if len(members) == 1}


_KINDS: Final = _build_kinds()
_CLASS_TYPES: Final = _build_class_types()


def decode_control(level: int, type: int, data: Buffer) -> ControlMessage:
    """Decode one control message from its level, type and payload.

    The (level, type) pair picks the type; a pair sockkit does not know, or a
    payload that does not have the shape of its type (wrong size, out-of-range
    value), gives `RawControl(level, type, data)`.  No payload makes it raise.

    A `Rights` decoded here does not own its descriptors (the numbers may mean
    nothing in this process); only `Socket.recvmsg` hands over owned ones.

    Args:
        level: the ``cmsg_level``.
        type: the ``cmsg_type``.
        data: the payload.

    Raises:
        TypeError: ``level``/``type`` are not ints, or ``data`` is not bytes-like.
        ValueError: ``level``/``type`` do not fit a C ``int``.

    Example:
        >>> decode_control(socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT, struct.pack("=i", 64))
        HopLimit(value=64)
        >>> decode_control(socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT, b"??")
        RawControl(level=41, type=52, data=b'??')
    """
    level = _to_level(level)
    type = _to_type(type)
    data = _to_data(data)
    kind = _KINDS.get((level, type))
    if kind is not None:
        decoded = kind.decode(data)
        if decoded is not None:
            return decoded
    return RawControl(level, type, data)


@overload
def cmsg_space(kind: ControlType | type[ControlMessage], n: int = 0, /) -> int: ...


@overload
def cmsg_space(level: int, type: int, n: int = 0, /) -> int: ...


def cmsg_space(kind: object, *args: int) -> int:
    """The receive-buffer size (``ancbufsize``) for one control message of a kind.

    PHP's ``socket_cmsg_space``: ``CMSG_SPACE`` of the payload, where the payload
    of ``SCM_RIGHTS`` is ``n`` descriptors and ``n`` is ignored for fixed-size
    kinds.  Add the results up for several control messages.

    The kind is named three ways: a [`ControlType`][sockkit.enums.ControlType]
    member, a control class with one type (`Rights`, `Credentials`, `HopLimit`,
    `TrafficClass`, `UDPSegment`, which arrives as ``UDP_GRO``; `PacketInfo`
    arrives as ``IP_PKTINFO`` or ``IPV6_PKTINFO``, so it needs the member), or the
    ``level, type`` numbers.

    Args:
        kind: the `ControlType` member or control class; or the level, e.g.
            ``Level.SOCKET``, followed by the type number as the next argument.
        *args: ``n``, the number of items (descriptors for ``SCM_RIGHTS``),
            preceded by the type number when ``kind`` is a level.

    Raises:
        TypeError: an argument has the wrong type, or there are too many.
        ValueError: sockkit does not know the (level, type) pair, the class has
            no single type, or ``n`` is negative or too large.

    Example:
        >>> cmsg_space(Rights, 3)  # on Linux x86-64
        32
        >>> cmsg_space(ControlType.IPV6_PKTINFO)
        40
        >>> cmsg_space(socket.SOL_SOCKET, socket.SCM_RIGHTS, 3)
        32
    """
    if isinstance(kind, (ControlType, type)):
        if len(args) > 1:
            raise TypeError(f"cmsg_space({_kind_name(kind)}, n) takes one count, got {args}")
        level, number = _control_pair(kind)
        n = args[0] if args else 0
    else:
        if not 1 <= len(args) <= 2:
            raise TypeError("cmsg_space(level, type, n=0) needs a type after the level")
        level = check_int(kind, "level", INT_MIN, INT_MAX)
        number = check_int(args[0], "type", INT_MIN, INT_MAX)
        n = args[1] if len(args) == 2 else 0
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {n.__class__.__name__}")
    found = _KINDS.get((level, number))
    if found is None:
        raise ValueError(f"pair level {level} and/or type {number} is not supported")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    try:
        space: int = _s.CMSG_SPACE(found.size + n * found.item)
    except OverflowError:
        raise ValueError(f"n is too large: {n}") from None
    return space


def _kind_name(kind: ControlType | type) -> str:
    return str(kind) if isinstance(kind, ControlType) else kind.__name__


def _control_pair(kind: ControlType | type) -> tuple[int, int]:
    """The (level, type) numbers of a `ControlType` member or a control class."""
    if isinstance(kind, ControlType):
        pair: tuple[int, int] = kind.value
        return pair
    for base in kind.__mro__:
        member = _CLASS_TYPES.get(base)
        if member is not None:
            pair = member.value
            return pair
    if issubclass(kind, PacketInfo):
        raise ValueError(
            "PacketInfo travels as IP_PKTINFO or IPV6_PKTINFO: pass"
            " ControlType.IP_PKTINFO or ControlType.IPV6_PKTINFO"
        )
    if issubclass(kind, _CONTROL_TYPES):
        raise ValueError(f"{kind.__name__} has no control-message type on this OS")
    raise TypeError(f"kind must be a ControlType or a control message class, got {kind!r}")


# --------------------------------------------------------------------- Message


def _to_buffers(value: Iterable[Buffer] | Buffer) -> list[Buffer]:
    # One bytes-like object is one buffer (list(b"ab") would be a list of ints).
    if isinstance(value, (bytes, bytearray, memoryview)):
        return [value]
    # (a list needs no test against the Iterable ABC, which costs more than the rest)
    if type(value) is not list and (isinstance(value, str) or not isinstance(value, Iterable)):
        raise TypeError(
            f"buffers must be a bytes-like object or a list of them, got {type(value).__name__}"
        )
    buffers = list(value)
    for buffer in buffers:
        if not isinstance(buffer, (bytes, bytearray, memoryview)):
            if isinstance(buffer, str):
                raise TypeError("buffers must be bytes-like, got str (encode it first)")
            try:
                memoryview(buffer).release()
            except TypeError:
                raise TypeError(
                    f"buffers must be bytes-like, got {type(buffer).__name__}"
                ) from None
    return buffers


def _to_control(value: Iterable[ControlMessage] | ControlMessage) -> list[ControlMessage]:
    if type(value) is list and not value:  # the default: no control data
        return []
    if isinstance(value, _CONTROL_TYPES):
        return [cast("ControlMessage", value)]
    if not isinstance(value, Iterable):
        raise TypeError(f"control must be a list of control messages, got {type(value).__name__}")
    control = list(value)
    for item in control:
        if not isinstance(item, _CONTROL_TYPES):
            _encoder_for(type(item))  # raises the TypeError naming the allowed types
    return control


def _contents(message: Message) -> tuple[list[Buffer], list[ControlMessage]]:
    """A message's buffers and control messages as lists, for sending: values
    assigned after construction are converted now, with the constructor's errors."""
    buffers, control = message.buffers, message.control
    if type(buffers) is not list:
        buffers = _to_buffers(buffers)
    if type(control) is not list:
        control = _to_control(control)
    return buffers, control


def _to_flags(value: int) -> MsgFlag:
    if isinstance(value, MsgFlag):
        return value
    return MsgFlag(check_int(value, "flags", INT_MIN, UINT_MAX))


@attrs.define(eq=True, on_setattr=attrs.setters.NO_OP)
class Message:
    """One message for `Socket.sendmsg` / `Socket.recvmsg`.

    Attributes:
        buffers: the data, as a list of bytes-like objects (scatter/gather): sent
            one after the other; received, one ``bytes`` (`Socket.recvmsg`) or
            the caller's own buffers (`Socket.recvmsg_into`).
        control: control (ancillary) messages: `Rights`, `Credentials`,
            `PacketInfo`, `HopLimit`, `TrafficClass`, `UDPSegment`, `RawControl`.
        address: the destination (sent on an unconnected socket) or the sender
            (received); ``None`` for none / an unnamed Unix peer.
        flags: what the kernel reported (``MsgFlag.TRUNC``, ``MsgFlag.CTRUNC``, …);
            ignored by ``sendmsg``, which takes its own ``flags`` argument.
        nbytes: how many bytes were received; ``None`` for a message built to send.

    Raises:
        TypeError: a buffer is not bytes-like, or a control message is not one of
            the types above.

    The fields are converted and checked when the message is made.  Assignment
    stores a value as given, unchecked (it runs no code, which keeps every
    received message cheap to build): assign what the constructor makes, a
    list of bytes-like objects to ``buffers``, a list of control messages to
    ``control``, a `MsgFlag` to ``flags``.  A single buffer or control message
    assigned is still taken as a list of one where the message is used
    (sending, `data`, `datagrams`, `close`).

    A received message may hold descriptors (`Rights`): ``with message:`` or
    `close` disposes of those not taken.

    Example:
        >>> with Socket(AddressFamily.INET, SocketType.DGRAM) as a, Socket(
        ...     AddressFamily.INET, SocketType.DGRAM
        ... ) as b:
        ...     b.bind(("127.0.0.1", 0))
        ...     a.sendmsg(Message([b"ab", b"cd"], address=b.local_address))
        ...     b.recvmsg(10).data
        4
        b'abcd'
    """

    buffers: list[Buffer] = attrs.field(factory=list, converter=_to_buffers)
    control: list[ControlMessage] = attrs.field(factory=list, converter=_to_control)
    address: Address | None = None
    flags: MsgFlag = attrs.field(default=MsgFlag(0), converter=_to_flags)
    nbytes: int | None = None

    @property
    def data(self) -> bytes:
        """The data as one ``bytes``: the buffers joined, cut to `nbytes` when received.

        Example:
            >>> Message([b"ab", bytearray(b"cd")]).data
            b'abcd'
        """
        buffers = self.buffers
        if type(buffers) is not list:  # assigned after construction: converted now
            buffers = _to_buffers(buffers)
        nbytes = self.nbytes
        if len(buffers) == 1 and type(buffers[0]) is bytes:
            only: bytes = buffers[0]
            if nbytes is None or nbytes == len(only):  # a received datagram: all of it
                return only
        joined = b"".join(buffers)
        if nbytes is not None and nbytes < len(joined):
            return joined[:nbytes]
        return joined

    def datagrams(self) -> list[bytes]:
        """The datagrams of a message: its data split by its `UDPSegment` size.

        A message received with ``UDPOption.GRO`` on may hold several datagrams
        coalesced by the kernel, all of the segment size but the last; a message
        sent with `UDPSegment` is split the same way by the kernel.  Without a
        `UDPSegment` (or with size 0) the whole data is one datagram.

        A coalesced message cut by too small a buffer (``MsgFlag.TRUNC`` in its
        ``flags``: the kernel dropped the rest) gives its whole segments only: the
        piece at the cut is part of a datagram, not one, and is left out, as are
        the datagrams the kernel dropped.  A message of one datagram (no segment
        size) is that datagram, cut as its `data` is.

        Example:
            >>> Message([b"abcdefg"], [UDPSegment(3)]).datagrams()
            [b'abc', b'def', b'g']
            >>> Message([b"abcdefg"], [UDPSegment(3)], flags=MsgFlag.TRUNC).datagrams()
            [b'abc', b'def']
            >>> Message([b"abc"]).datagrams()
            [b'abc']
        """
        data = self.data
        control = self.control
        if not control:
            return [data]
        if type(control) is not list:
            control = _to_control(control)
        size = next((item.size for item in control if isinstance(item, UDPSegment)), 0)
        length = len(data)
        if size and int(self.flags) & _TRUNC:  # (int: an IntFlag's & makes a member)
            length -= length % size
            if not length:
                return []
            data = data[:length]
        if not size or length <= size:
            return [data]
        if length > _SPLIT_MOST * size:
            return [data[start : start + size] for start in range(0, length, size)]
        return list(_split_layout(length, size).unpack(data))

    def close(self) -> None:
        """Close every descriptor still held by the message's `Rights`.

        Example:
            >>> Message(control=[Rights([os.dup(0)])]).close()
        """
        control = self.control
        if type(control) is not list:  # assigned after construction
            if isinstance(control, Rights):
                control = [control]
            elif not isinstance(control, Iterable):  # None, say: nothing to close
                control = []
        for item in control:
            if isinstance(item, Rights):
                item.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# --------------------------------------------------------------------- receiving

_FLAG_CACHE: Final[dict[int, MsgFlag]] = {}


def _msg_flags(value: int) -> MsgFlag:
    flag = _FLAG_CACHE.get(value)
    if flag is None:
        flag = MsgFlag(value)
        if len(_FLAG_CACHE) < 256:
            _FLAG_CACHE[value] = flag
    return flag


# One struct per shape of coalesced message (a GRO buffer of 54 segments of 1,200
# bytes: one layout for every full buffer) makes all its datagrams in one C call.
_SPLITS: Final[dict[tuple[int, int], struct.Struct]] = {}
_SPLITS_MAX: Final = 64
_SPLIT_MOST: Final = 128  # datagrams; beyond that a layout costs more than it saves


def _split_layout(length: int, size: int) -> struct.Struct:
    """The struct that cuts ``length`` bytes into pieces of ``size`` (the last shorter)."""
    key = (length, size)
    layout = _SPLITS.get(key)
    if layout is None:
        whole, rest = divmod(length, size)
        if len(_SPLITS) >= _SPLITS_MAX:
            _SPLITS.clear()
        layout = _SPLITS[key] = struct.Struct(f"{size}s" * whole + (f"{rest}s" if rest else ""))
    return layout


_new: Final = object.__new__


def _new_message(
    buffers: list[Any],
    control: list[ControlMessage],
    address: Address | None,
    flags: int,
    nbytes: int,
) -> Message:
    # Trusted construction (the values come from the kernel): no converters, plain
    # slot stores (Message has no assignment hooks).
    message = _new(Message)
    message.buffers = buffers
    message.control = control
    message.address = address
    # Linux echoes MSG_CMSG_CLOEXEC (a request, not a report) into msg_flags: drop it.
    message.flags = _msg_flags(flags & _NOT_CLOEXEC)
    message.nbytes = nbytes
    return message


def _new_messages(
    datas: Iterable[bytes],
    controls: Iterable[list[ControlMessage]] | None,
    addresses: Iterable[Address | None],
    flags: Sequence[int],
    nbytes: Iterable[int],
    *,
    count: int,
) -> list[Message]:
    """`_new_message` for ``count`` received messages without descriptors at once,
    each with one buffer (its ``datas`` item).

    ``controls`` gives each message its own list (None: every list empty).  The
    kernel's flags are converted once per distinct value, mostly one per batch.
    """
    if controls is None:
        controls = map(list, repeat((), count))
    kinds = set(flags)
    if len(kinds) == 1:  # the usual batch: every message with the same flags
        typed: Iterable[MsgFlag] = repeat(_msg_flags(kinds.pop() & _NOT_CLOEXEC), count)
    else:
        typed = map(_msg_flags, map(_NOT_CLOEXEC.__and__, flags))
    messages = []
    new, kind = _new, Message
    for data, control, address, flag, length in zip(
        datas, controls, addresses, typed, nbytes, strict=True
    ):
        message = new(kind)  # as in _new_message, inline: a call per message costs more
        message.buffers = [data]
        message.control = control
        message.address = address
        message.flags = flag
        message.nbytes = length
        messages.append(message)
    return messages


def _received_fds(ancdata: list[Encoded]) -> tuple[list[list[int]], bool]:
    """The descriptors the kernel installed: one list per ``SCM_RIGHTS`` entry.

    Also whether they all arrived intact (whole, non-negative ints; no truncation
    is judged by the caller from the flags).
    """
    cells: list[list[int]] = []
    intact = True
    for level, kind, data in ancdata:
        if level == _SOL_SOCKET and kind == _SCM_RIGHTS:
            whole = array.array("i")
            whole.frombytes(data[: len(data) - len(data) % _FD_SIZE])
            installed = [fd for fd in whole if fd >= 0]
            cells.append(installed)
            if len(data) % _FD_SIZE or len(installed) != len(whole):
                intact = False
    return cells, intact


def _close_cells(cells: list[list[int]]) -> None:
    """Close every descriptor still in ``cells``; each is popped, so closed once."""
    for cell in cells:
        while cell:
            fd = cell.pop()
            with contextlib.suppress(OSError):
                os.close(fd)


def _abandon(ancdata: list[Encoded], cells: list[list[int]] | None) -> None:
    """A receive is interrupted before its message reached the caller: close what came."""
    _close_cells(_received_fds(ancdata)[0] if cells is None else cells)


def _outgoing(control: list[ControlMessage]) -> tuple[list[Any], list[Encoded]]:
    """``sendmsg``'s ``ancdata`` for ``control``, with every `Socket` of a `Rights` held.

    Returns the held sockets (the caller releases each, ``interrupt=False``, after
    the send) and the encoded control data.  Holding (``retain``) keeps each socket's
    descriptor number its own until the send is done; a closed one raises
    `SocketClosedError`.
    """
    held: list[Any] = []
    try:
        for item in control:
            if isinstance(item, Rights):
                for source in item._sources:
                    retain = getattr(source, "retain", None)
                    if retain is not None:
                        # Not interrupting: closing a socket in flight must not shut
                        # down the connection the receiver is being given.
                        retain(interrupt=False)
                        held.append(source)
        return held, _ancillary(control)
    except BaseException:
        for source in held:
            source.release(interrupt=False)
        raise


def _received(
    buffers: list[Any],
    nbytes: int,
    ancdata: list[Encoded],
    flags: int,
    raw_address: Any,
    *,
    family: int,
    cells: list[list[int]] | None = None,
) -> Message:
    """Build the `Message` for what ``socket.recvmsg``/``recvmsg_into`` returned.

    Descriptor safety: every descriptor received is either handed to the caller in
    an owning `Rights` or closed here — when the control data was truncated
    (``MSG_CTRUNC``), an ``SCM_RIGHTS`` payload is malformed, or anything raises
    before the message is complete.  ``cells`` (from `_received_fds`) may be shared
    with the caller, which closes what is left in them if the hand-over is
    interrupted after this returns: every closer pops, so none is closed twice.
    """
    if not ancdata:
        if flags & _CTRUNC:
            _warn_truncated(0)
        address = None if raw_address is None else from_sockaddr(family, raw_address)
        return _new_message(buffers, [], address, flags, nbytes)
    if cells is None:
        cells, intact = _received_fds(ancdata)
    else:
        intact = _received_fds(ancdata)[1]
    intact = intact and not flags & _CTRUNC
    try:
        if not intact:
            # The caller cannot get them all intact, so it gets none: close every one
            # and leave the SCM_RIGHTS entries out (flags still report MSG_CTRUNC).
            count = sum(len(cell) for cell in cells)
            _close_cells(cells)
            if flags & _CTRUNC:  # (a malformed payload with room to spare is the kernel's)
                _warn_truncated(count)
        elif not _CLOEXEC:
            for cell in cells:
                for fd in cell:
                    os.set_inheritable(fd, False)
        control: list[ControlMessage] = []
        next_cell = iter(cells)
        for level, kind, data in ancdata:
            if level == _SOL_SOCKET and kind == _SCM_RIGHTS:
                cell = next(next_cell)
                if intact:
                    control.append(Rights._owning(cell))
                continue
            control.append(decode_control(level, kind, data))
        address = None if raw_address is None else from_sockaddr(family, raw_address)
        return _new_message(buffers, control, address, flags, nbytes)
    except BaseException:
        _close_cells(cells)
        raise
