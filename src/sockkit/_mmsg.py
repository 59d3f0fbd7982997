"""``sendmmsg(2)``/``recvmmsg(2)`` through ``ctypes``: the one place sockkit declares C structures.

Python's socket module has no batch calls, so this module declares the kernel's
``struct iovec``, ``struct msghdr`` (``struct user_msghdr``) and ``struct mmsghdr``,
and lays a batch out in one buffer (an *arena*): the headers, then one
``iovec``, one address slot and one control slot per message, then the data.
It also converts socket addresses and control messages to and from their C form,
as Python's socket module does for ``sendmsg``/``recvmsg``.

``available`` is false where the calls are missing (any OS but Linux, or a C
library without them); `sockkit.batch` then loops over ``sendmsg``/``recvmsg``.
The declarations are checked against the C compiler's sizes in the tests.
"""

from __future__ import annotations

import ctypes
import os
import socket as _s
import struct
import sys
from collections.abc import Sequence
from itertools import accumulate, chain
from typing import Any, Final, NamedTuple

__all__ = [
    "MSG_SIZE",
    "NAME_SIZE",
    "UNSEEN",
    "Arena",
    "Columns",
    "KEPT_DATA",
    "Gather",
    "Iovec",
    "MMsgHdr",
    "MsgHdr",
    "IN_PLACE",
    "address_in_place",
    "available",
    "pack_control",
    "pack_sockaddr",
    "recvmmsg",
    "sendmmsg",
    "unpack_control",
    "unpack_sockaddr",
]


class Iovec(ctypes.Structure):
    """``struct iovec``."""

    _fields_ = (("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t))


class MsgHdr(ctypes.Structure):
    """``struct msghdr`` as the kernel reads it (``struct user_msghdr``: size_t lengths)."""

    _fields_ = (
        ("msg_name", ctypes.c_void_p),
        ("msg_namelen", ctypes.c_uint32),  # socklen_t
        ("msg_iov", ctypes.c_void_p),
        ("msg_iovlen", ctypes.c_size_t),
        ("msg_control", ctypes.c_void_p),
        ("msg_controllen", ctypes.c_size_t),
        ("msg_flags", ctypes.c_int),
    )


class MMsgHdr(ctypes.Structure):
    """``struct mmsghdr``: one message of a batch and the bytes it moved."""

    _fields_ = (("msg_hdr", MsgHdr), ("msg_len", ctypes.c_uint))


# The same layouts as struct formats, to pack and unpack a whole batch's headers at
# C speed; checked against the ctypes declarations below.
_HEADER: Final = struct.Struct("@PIPNPNi4xI4x")
_IOVEC: Final = struct.Struct("@PN")
_CMSGHDR: Final = struct.Struct("@Nii")  # cmsg_len, cmsg_level, cmsg_type
MSG_SIZE: Final = ctypes.sizeof(MMsgHdr)
NAME_SIZE: Final = 128  # sizeof(struct sockaddr_storage)
MAX_BATCH: Final = 1024  # UIO_MAXIOV: the most messages one call takes
UNSEEN: Final = -1
"""``msg_flags`` before the call: the kernel overwrites it for each message received."""
_ALIGN: Final = _s.CMSG_SPACE(1) - _s.CMSG_SPACE(0) if hasattr(_s, "CMSG_SPACE") else 8


def _column_row() -> str:
    """The struct format of one `MMsgHdr` that reads only the `Columns` fields.

    Built from the ctypes declarations' offsets: pad bytes up to each field, the
    field (at its natural alignment, so native mode adds no padding of its own),
    and pad bytes to the header's end.
    """
    fields = (
        (MsgHdr.msg_namelen.offset, "I"),  # socklen_t
        (MsgHdr.msg_controllen.offset, "N"),  # size_t
        (MsgHdr.msg_flags.offset, "i"),
        (MMsgHdr.msg_len.offset, "I"),
    )
    row, at = "", 0
    for offset, code in fields:
        row += f"{offset - at}x{code}"
        at = offset + struct.calcsize(code)
    return row + f"{MSG_SIZE - at}x"


_COLUMN_ROW: Final = _column_row()
_FIRST: Final = struct.Struct("@" + _COLUMN_ROW)


def _layout_matches() -> bool:
    header = MsgHdr
    return (
        _HEADER.size == MSG_SIZE
        and _IOVEC.size == ctypes.sizeof(Iovec)
        and MMsgHdr.msg_len.offset == _HEADER.size - 8
        and header.msg_flags.offset == struct.calcsize("@PIPNPN")
        and _CMSGHDR.size == (_s.CMSG_LEN(0) if hasattr(_s, "CMSG_LEN") else -1)
        and struct.calcsize("@" + _COLUMN_ROW * 2) == 2 * MSG_SIZE  # see Arena.columns
        and ctypes.sizeof(ctypes.c_int) == ctypes.sizeof(ctypes.c_uint32) == 4
    )


def _functions() -> tuple[Any, Any] | None:
    if not sys.platform.startswith("linux") or not _layout_matches():
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        send, receive = libc.sendmmsg, libc.recvmmsg
    except (OSError, AttributeError):
        return None
    send.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int)
    receive.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_void_p)
    send.restype = receive.restype = ctypes.c_int
    return send, receive


_CALLS: Final = _functions()
available: Final = _CALLS is not None
"""Whether this OS and C library have ``sendmmsg``/``recvmmsg`` (and the layout checked out)."""


def sendmmsg(fd: int, headers: int, count: int, flags: int) -> int:
    """Send ``count`` messages whose headers start at address ``headers``.

    Returns:
        How many were sent, or ``-errno``.
    """
    assert _CALLS is not None
    sent: int = _CALLS[0](fd, headers, count, flags)
    return sent if sent >= 0 else -ctypes.get_errno()


def recvmmsg(fd: int, headers: int, count: int, flags: int) -> int:
    """Receive up to ``count`` messages into those whose headers start at ``headers``.

    Returns:
        How many arrived, or ``-errno``.
    """
    assert _CALLS is not None
    received: int = _CALLS[1](fd, headers, count, flags, None)
    return received if received >= 0 else -ctypes.get_errno()


# --------------------------------------------------------------------- the arena


class Arena:
    """One buffer holding a batch: ``count`` headers, iovecs, address and control slots, data.

    Attributes:
        view: the whole buffer as bytes (``memoryview`` of format ``B``).
        address: its address, for the system call.
    """

    __slots__ = ("_buffer", "address", "control_at", "count", "data_at", "name_at", "view")
    # "name_at", "control_at", "data_at": where each area starts in the buffer.

    def __init__(self, count: int, control: int, data: int) -> None:
        self.count = count
        iovecs = count * MSG_SIZE
        self.name_at = iovecs + count * _IOVEC.size
        self.control_at = self.name_at + count * NAME_SIZE
        self.data_at = self.control_at + control
        self._buffer = ctypes.create_string_buffer(self.data_at + data)
        self.address = ctypes.addressof(self._buffer)
        self.view = memoryview(self._buffer).cast("B")

    @property
    def control_size(self) -> int:
        return self.data_at - self.control_at

    @property
    def data_size(self) -> int:
        return len(self.view) - self.data_at

    def header(self, index: int, fields: Sequence[int]) -> None:
        """Write header ``index`` from offsets into the buffer and lengths.

        ``fields`` is (address offset, its length, control offset, its length,
        data offset, data length); each message has one iovec, in its own slot.
        """
        name, namelen, control, controllen, data_offset, data_len = fields
        iovec = self.count * MSG_SIZE + index * _IOVEC.size
        base = self.address
        _IOVEC.pack_into(self.view, iovec, base + data_offset, data_len)
        _HEADER.pack_into(
            self.view,
            index * MSG_SIZE,
            base + name if namelen else 0,
            namelen,
            base + iovec,
            1,
            base + control if controllen else 0,
            controllen,
            UNSEEN,
            0,
        )

    def control(self, address: int, length: int) -> memoryview:
        """The control data at ``address`` (a received header's ``msg_control``)."""
        at = address - self.address
        return self.view[at : at + length]

    def headers(self, count: int) -> list[tuple[int, ...]]:
        """The first ``count`` headers as tuples of the `MMsgHdr` fields, in order."""
        return list(_HEADER.iter_unpack(self.view[: count * MSG_SIZE]))

    def columns(self, count: int) -> Columns:
        """The fields a receive reads, of the first ``count`` headers, one tuple per field.

        One ``struct`` unpacking reads them all (the struct kept per count), then each
        column is a strided slice: no call per header, and a fixed cost small enough
        for a batch of one.
        """
        layout = _COLUMNS.get(count)
        if layout is None:
            if len(_COLUMNS) >= _COLUMNS_MAX:
                _COLUMNS.clear()
            layout = _COLUMNS[count] = struct.Struct("@" + _COLUMN_ROW * count)
        fields = layout.unpack_from(self.view)
        # (tuple.__new__: a NamedTuple's own __new__ is a Python call, a third of the cost)
        return tuple.__new__(Columns, (fields[0::4], fields[1::4], fields[2::4], fields[3::4]))

    def first(self) -> tuple[int, int, int, int]:
        """The fields a receive reads of the first header alone, as `columns` orders them
        (``namelen``, ``controllen``, ``flags``, ``length``): one unpacking, no columns."""
        fields: tuple[int, int, int, int] = _FIRST.unpack_from(self.view)
        return fields

    def pieces(self, at: int, count: int, stride: int, length: int) -> tuple[bytes, ...]:
        """``count`` copies of ``length`` bytes, ``stride`` apart from offset ``at``.

        One ``struct`` unpacking makes them all (the struct kept for the next batch of
        the same shape), not one slice and copy per piece.
        """
        key = (count, stride, length)
        layout = _PIECES.get(key)
        if layout is None:
            if len(_PIECES) >= _PIECES_MAX:
                _PIECES.clear()
            gap = f"{stride - length}x" if stride > length else ""
            layout = _PIECES[key] = struct.Struct(
                "=" + f"{length}s{gap}" * (count - 1) + f"{length}s"
            )
        return layout.unpack_from(self.view, at)


IN_PLACE: Final = 16384
"""Bytes from which a message's one ``bytes`` buffer is sent from where it lies, not
copied into the arena: finding its address costs about 0.35 µs, which copying that
much costs more than (measured: 1,200 bytes 0.26 µs, 64,800 bytes 1.6 µs warm, more
with the cold caches a large send leaves)."""


def address_in_place(view: memoryview) -> int | None:
    """The address of the bytes ``view`` shows, when the kernel may read them in place:
    a view of a whole ``bytes`` object (immutable, kept alive by the view); else None.

    A ``c_char_p`` made from a ``bytes`` object points at that object's own data;
    its pointer is read back as an integer.
    """
    obj = view.obj
    if type(obj) is not bytes or view.nbytes != len(obj):
        return None
    address: int | None = ctypes.c_void_p.from_buffer(ctypes.c_char_p(obj)).value
    return address


class Columns(NamedTuple):
    """Fields of received headers, by column: one tuple each, in message order."""

    namelens: tuple[int, ...]
    controllens: tuple[int, ...]
    flags: tuple[int, ...]
    lengths: tuple[int, ...]


_COLUMNS: Final[dict[int, struct.Struct]] = {}
_COLUMNS_MAX: Final = 64
_PIECES: Final[dict[tuple[int, int, int], struct.Struct]] = {}
_PIECES_MAX: Final = 64


# --------------------------------------------------------------------- plain sends


class Gather:
    """Headers for a batch of plain datagrams, whose iovecs point into its own data area.

    Each header ``i`` has no address and no control data, and one iovec, the
    ``i``-th.  The datagrams are copied into the data area, one after the other;
    the iovecs are written only when the datagrams' lengths differ from the last
    batch's, so a stream of batches of one shape costs one copy of the data each.
    A batch larger than `KEPT_DATA` bytes gets a data area of its own for the call.
    """

    __slots__ = ("_buffer", "_data", "_formats", "_laid", "address", "view")

    def __init__(self) -> None:
        count = MAX_BATCH
        self._buffer = ctypes.create_string_buffer(count * (MSG_SIZE + _IOVEC.size))
        self.address = ctypes.addressof(self._buffer)
        self.view = memoryview(self._buffer).cast("B")
        self._formats: dict[int, struct.Struct] = {}
        self._data = _Data(0)
        self._laid: list[int] | None = None  # the lengths the iovecs point at now
        iovecs = self.address + count * MSG_SIZE
        for index in range(count):
            iovec = iovecs + index * _IOVEC.size
            _HEADER.pack_into(self.view, index * MSG_SIZE, 0, 0, iovec, 1, 0, 0, 0, 0)

    def point(self, items: Sequence[bytes]) -> object:
        """Copy ``items`` (at most `MAX_BATCH`) into the data area behind the first iovecs.

        Returns the data area: keep it until the call returns.
        """
        lengths = list(map(len, items))
        total = sum(lengths)
        data = self._data
        if total > data.size:
            data = _Data(total)
            if total <= KEPT_DATA:
                self._data = data
            self._laid = None
        if lengths != self._laid:
            self._lay(data.address, lengths)
            self._laid = lengths if data is self._data else None
        data.view[:total] = b"".join(items)
        return data

    def _lay(self, base: int, lengths: list[int]) -> None:
        count = len(lengths)
        layout = self._formats.get(count)
        if layout is None:
            layout = self._formats[count] = struct.Struct("@" + "PN" * count)
        starts = map(base.__add__, accumulate(lengths, initial=0))
        layout.pack_into(
            self.view,
            MAX_BATCH * MSG_SIZE,
            *chain.from_iterable(zip(starts, lengths, strict=False)),
        )


KEPT_DATA: Final = 1 << 20
"""The largest data area (bytes) a `Gather` keeps from one batch to the next."""


class _Data:
    """A C buffer of ``size`` bytes: its address and a byte view of it."""

    __slots__ = ("_buffer", "address", "size", "view")

    def __init__(self, size: int) -> None:
        self._buffer = ctypes.create_string_buffer(max(size, 1))
        self.address = ctypes.addressof(self._buffer)
        self.size = size
        self.view = memoryview(self._buffer).cast("B")


# --------------------------------------------------------------------- addresses

_FAMILY: Final = struct.Struct("=H")  # sa_family_t, native order
_INET: Final = struct.Struct("!H4s8x")  # sin_port, sin_addr, sin_zero
_INET6: Final = struct.Struct("!HI16s")  # sin6_port, sin6_flowinfo, sin6_addr
_SCOPE: Final = struct.Struct("=I")  # sin6_scope_id, host order
_AF_INET: Final = int(_s.AF_INET)
_AF_INET6: Final = int(_s.AF_INET6)
_AF_UNIX: Final = int(getattr(_s, "AF_UNIX", -1))
_SUN_PATH: Final = 108


def _numeric_host(family: int, host: str) -> bytes:
    # The socket module's rules for a host in sendto(): "" is any address,
    # "<broadcast>" IPv4's broadcast, anything else not numeric is looked up.
    if not host:
        return bytes(4 if family == _AF_INET else 16)
    if host == "<broadcast>" and family == _AF_INET:
        return b"\xff\xff\xff\xff"
    try:
        return _s.inet_pton(family, host)
    except OSError:
        info = _s.getaddrinfo(host, None, family, _s.SOCK_DGRAM)
        return _s.inet_pton(family, str(info[0][4][0]))


def pack_sockaddr(family: int, sockaddr: Any) -> bytes:
    """The C ``struct sockaddr_*`` for an address in the socket module's form.

    Raises:
        socket.gaierror: a host name could not be resolved.
        ValueError: the family is not INET, INET6 or UNIX.
    """
    if family == _AF_INET:
        host, port = sockaddr
        return _FAMILY.pack(family) + _INET.pack(port, _numeric_host(family, host))
    if family == _AF_INET6:
        host, port, *rest = sockaddr
        flowinfo, scope_id = rest if rest else (0, 0)
        packed = _numeric_host(family, host)
        return _FAMILY.pack(family) + _INET6.pack(port, flowinfo, packed) + _SCOPE.pack(scope_id)
    if family == _AF_UNIX:
        path = os.fsencode(sockaddr) if isinstance(sockaddr, str) else bytes(sockaddr)
        if path[:1] != b"\0" and len(path) < _SUN_PATH:
            path += b"\0"  # a filesystem path, NUL-terminated as the kernel prints it back
        return _FAMILY.pack(family) + path
    raise ValueError(f"batches support AF_INET, AF_INET6 and AF_UNIX, not family {family}")


def unpack_sockaddr(raw: memoryview) -> Any:
    """The socket module's form of a received ``struct sockaddr_*`` (``None`` when empty)."""
    if len(raw) < _FAMILY.size:
        return None
    family = _FAMILY.unpack_from(raw)[0]
    if family == _AF_INET:
        port, packed = _INET.unpack_from(raw, 2)
        return (_s.inet_ntop(_AF_INET, packed), port)
    if family == _AF_INET6:
        port, flowinfo, packed = _INET6.unpack_from(raw, 2)
        return (_s.inet_ntop(_AF_INET6, packed), port, flowinfo, _SCOPE.unpack_from(raw, 24)[0])
    if family == _AF_UNIX:
        path = raw[2:].tobytes()
        if path[:1] == b"\0":
            return path  # an abstract name, every byte of it
        return os.fsdecode(path.split(b"\0", 1)[0])
    return None


# --------------------------------------------------------------------- control data


def control_space(ancdata: Sequence[tuple[int, int, bytes]]) -> int:
    """The bytes `pack_control` needs for ``ancdata``."""
    return sum(_s.CMSG_SPACE(len(data)) for _level, _kind, data in ancdata)


def pack_control(view: memoryview, offset: int, ancdata: Sequence[tuple[int, int, bytes]]) -> int:
    """Write ``ancdata`` as ``cmsghdr``s at ``offset`` of ``view``; return the bytes used."""
    at = offset
    for level, kind, data in ancdata:
        _CMSGHDR.pack_into(view, at, _s.CMSG_LEN(len(data)), level, kind)
        start = at + _CMSGHDR.size
        view[start : start + len(data)] = data
        at += _s.CMSG_SPACE(len(data))
    return at - offset


def unpack_control(raw: memoryview) -> list[tuple[int, int, bytes]]:
    """The ``(level, type, data)`` items of a received control buffer.

    As Python's socket module does, an item cut short by truncation
    (``MSG_CTRUNC``) keeps the part that arrived.
    """
    items: list[tuple[int, int, bytes]] = []
    at = 0
    end = len(raw)
    header = _CMSGHDR.size
    while at + header <= end:
        length, level, kind = _CMSGHDR.unpack_from(raw, at)
        if length < header:
            break
        items.append((level, kind, raw[at + header : min(at + length, end)].tobytes()))
        at += (length + _ALIGN - 1) & ~(_ALIGN - 1)
    return items
