"""``socket_sendmsg``/``socket_recvmsg``/``socket_cmsg_space`` and the older iovec API.

PHP describes a message as an array (``conversions.c``); this module converts that
array to a [`Message`][sockkit.message.Message] and back, with PHP's conversion
rules and PHP's error texts (``error converting user data (path: msghdr > ...): ...``),
and calls [`Socket.sendmsg`][sockkit.socket.Socket.sendmsg] /
[`Socket.recvmsg`][sockkit.socket.Socket.recvmsg].  The control messages PHP knows
are PHP's registry: ``SCM_RIGHTS``, ``SCM_CREDENTIALS``, ``IPV6_PKTINFO``,
``IPV6_HOPLIMIT`` and ``IPV6_TCLASS``.

The iovec functions of the older manual (``socket_iovec_alloc`` … ``socket_writev``)
are scatter/gather over the same calls: an `IOVec` is a list of fixed-size buffers.
"""

from __future__ import annotations

import errno as _errno
import math
import os
import re
import socket as _s
import stat
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any, Final, Literal, NoReturn

import attrs

from sockkit._checks import INT_MAX, INT_MIN, UINT_MAX
from sockkit._layouts import IN6_PKTINFO, INT, UCRED
from sockkit.address import UNIX_PATH_MAX, Inet6Address, InetAddress, UnixAddress
from sockkit.compat import _messages as M
from sockkit.compat._coerce import (
    REQUIRED,
    arguments,
    check_buffer,
    check_c_int,
    check_int,
    php_signature,
)
from sockkit.compat._hosts import resolve
from sockkit.compat._state import (
    arg_error,
    check_socket,
    closed_error,
    fail,
    php_string,
    php_type,
    record,
    strerror,
    warn,
)
from sockkit.errors import SocketClosedError, SocketError
from sockkit.message import (
    ControlMessage,
    HopLimit,
    Message,
    RawControl,
    Rights,
    TrafficClass,
    _control_truncation_quiet,
    cmsg_space,
    encode_control,
)
from sockkit.options import Credentials, PacketInfo
from sockkit.socket import Socket

if TYPE_CHECKING:
    from typing_extensions import Buffer

__all__ = [
    "IOVec",
    "socket_cmsg_space",
    "socket_iovec_add",
    "socket_iovec_alloc",
    "socket_iovec_delete",
    "socket_iovec_fetch",
    "socket_iovec_free",
    "socket_iovec_set",
    "socket_readv",
    "socket_recvmsg",
    "socket_sendmsg",
    "socket_writev",
]

_AF_UNIX: Final = int(getattr(_s, "AF_UNIX", 1))
_AF_INET: Final = int(_s.AF_INET)
_AF_INET6: Final = int(_s.AF_INET6)
_SOL_SOCKET: Final = int(_s.SOL_SOCKET)
_IPPROTO_IPV6: Final = int(_s.IPPROTO_IPV6)
_MAX_BUFFER: Final = 100 * 1024 * 1024  # PHP's MAX_USER_BUFF_SIZE
_DEFAULT_BUFFER: Final = 8192  # PHP's DEFAULT_BUFF_SIZE
# A control buffer larger than this holds every control message the kernel can send
# (SCM_RIGHTS carries at most 253 descriptors); Python refuses much larger ones.
_MAX_CONTROL: Final = 1 << 20
_MISSING: Final = object()

# PHP's numeric strings (is_numeric_string): whitespace, a number, whitespace.
_NUMERIC: Final = re.compile(
    r"[ \t\n\r\v\f]*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[ \t\n\r\v\f]*"
)
_DIGITS: Final = re.compile(r"[+-]?[0-9]+")
_UINT16: Final = "an unsigned 16-bit integer"


def _os_int(name: str) -> int | None:
    value = getattr(_s, name, None)
    return None if value is None else int(value)


# --------------------------------------------------------------------- PHP's registry


@attrs.frozen
class _Entry:
    """One control message PHP's ``sendrecvmsg.c`` knows: payload size and converters."""

    name: str
    size: int  # the fixed part of the payload (sizeof)
    item: int  # the size of each repeated element (SCM_RIGHTS: sizeof(int))


_RIGHTS: Final = _os_int("SCM_RIGHTS")
_CREDENTIALS: Final = _os_int("SCM_CREDENTIALS")
_PKTINFO6: Final = _os_int("IPV6_PKTINFO")
_HOPLIMIT: Final = _os_int("IPV6_HOPLIMIT")
_TCLASS: Final = _os_int("IPV6_TCLASS")

_REGISTRY: Final[dict[tuple[int, int], _Entry]] = {
    (level, kind): _Entry(name, size, item)
    for level, kind, name, size, item in (
        (_IPPROTO_IPV6, _PKTINFO6, "IPV6_PKTINFO", IN6_PKTINFO.size, 0),
        (_IPPROTO_IPV6, _HOPLIMIT, "IPV6_HOPLIMIT", INT.size, 0),
        (_IPPROTO_IPV6, _TCLASS, "IPV6_TCLASS", INT.size, 0),
        (_SOL_SOCKET, _CREDENTIALS, "SCM_CREDENTIALS", UCRED.size, 0),
        (_SOL_SOCKET, _RIGHTS, "SCM_RIGHTS", 0, INT.size),
    )
    if kind is not None
}
"""PHP's ancillary-data registry on this OS: (level, type) -> entry."""


# --------------------------------------------------------------------- conversion errors


class _ConversionError(Exception):
    """A PHP conversion error; ``args[0]`` is the warning text without its prefix."""


class _Ctx:
    """Where a conversion is, for PHP's ``(path: msghdr > name > port)``."""

    __slots__ = ("function", "invalid", "keys", "native", "sock")

    def __init__(self, function: str, sock: Socket, *, native: bool = False) -> None:
        self.function = function
        self.sock = sock
        self.native = native
        self.keys = ["msghdr"]
        # A value that converts but that the kernel refuses (EINVAL) once it is sent.
        self.invalid = False

    def fail(self, reason: str) -> NoReturn:
        template = M.CONVERSION_NATIVE_FAILED if self.native else M.CONVERSION_FAILED
        raise _ConversionError(template.format(path=" > ".join(self.keys), reason=reason))


def _is_array(value: object) -> bool:
    return isinstance(value, (Mapping, list, tuple))


def _values(value: object) -> list[Any]:
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, (list, tuple)):
        return list(value)
    return []


def _get(container: object, key: str) -> Any:
    if isinstance(container, Mapping):
        return container.get(key, _MISSING)
    return _MISSING  # a list has no string keys


def _float_to_int(value: float) -> int:
    # PHP 8 (64-bit): a float outside the zend_long range, or not finite, is 0.
    if not math.isfinite(value) or not -(2.0**63) <= value < 2.0**63:
        return 0
    return int(value)


def _integer(ctx: _Ctx, value: object) -> int:
    """PHP's ``from_zval_integer_common``: int, float, or a numeric string."""
    if type(value) is int:
        return value
    if value is None or isinstance(value, bool) or _is_array(value):
        ctx.fail(M.CONV_NOT_INTEGER)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _float_to_int(value)
    text = php_string(value)
    match = _NUMERIC.fullmatch(text)
    if match is None:
        ctx.fail(M.CONV_NOT_NUMERIC.format(value=text))
    number = match.group(1)
    if _DIGITS.fullmatch(number) and -(2**63) <= int(number) < 2**63:
        return int(number)
    return _float_to_int(float(number))


def _bounded(ctx: _Ctx, value: object, low: int, high: int, what: str) -> int:
    number = _integer(ctx, value)
    if not low <= number <= high:
        ctx.fail(M.CONV_BOUNDS.format(what=what))
    return number


def _native_int(ctx: _Ctx, value: object) -> int:
    return _bounded(ctx, value, INT_MIN, INT_MAX, "a native int")


def _uint32(ctx: _Ctx, value: object) -> int:
    return _bounded(ctx, value, 0, UINT_MAX, "an unsigned 32-bit integer")


def _sa_family(ctx: _Ctx, value: object) -> int:
    # The struct's own family field: converted again (a null "family" fails here).
    return _bounded(ctx, value, 0, 0xFFFF, "a sa_family_t value")


def _field(ctx: _Ctx, container: object, key: str, convert: Callable[[_Ctx, Any], Any]) -> Any:
    """Convert ``container[key]`` under ``key`` in the path; ``_MISSING`` if absent."""
    value = _get(container, key)
    if value is _MISSING:
        return _MISSING
    ctx.keys.append(key)
    result = convert(ctx, value)
    ctx.keys.pop()
    return result


def _required(ctx: _Ctx, container: object, key: str, convert: Callable[[_Ctx, Any], Any]) -> Any:
    result = _field(ctx, container, key, convert)
    if result is _MISSING:
        ctx.fail(M.KEY_REQUIRED.format(key=key))
    return result


def _bytes(value: object) -> bytes:
    """PHP's string conversion, as bytes (bytes-like values as they are)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    return php_string(value).encode()


# --------------------------------------------------------------------- user data -> Message


def _address(ctx: _Ctx, value: object, family: int) -> str:
    text = php_string(value)
    resolved = resolve(ctx.function, ctx.sock, text, family)
    if resolved is None:
        template = M.UNRESOLVABLE_INET if family == _AF_INET else M.UNRESOLVABLE_INET6
        ctx.fail(template.format(address=text))
    return resolved[0]


def _unix_path(ctx: _Ctx, value: object) -> str | bytes:
    path = _bytes(value)
    if not path:
        ctx.fail(M.PATH_EMPTY)
    if len(path) >= UNIX_PATH_MAX:
        ctx.fail(M.PATH_TOO_LONG_MAX.format(limit=UNIX_PATH_MAX - 1))
    if path[0] == 0:
        return path  # an abstract name, byte for byte
    if b"\0" in path:
        ctx.fail(M.PATH_NUL)  # the kernel would stop at the NUL
    return os.fsdecode(path)


def _name(
    ctx: _Ctx, value: object, *, fill: bool
) -> InetAddress | Inet6Address | UnixAddress | None:
    """PHP's ``from_zval_write_sockaddr_aux``: the ``name`` of a message."""
    if not _is_array(value):
        ctx.fail(M.EXPECTED_ARRAY)
    own = int(ctx.sock.family)
    given = _get(value, "family")
    family = (
        own if given is _MISSING or given is None else _field(ctx, value, "family", _native_int)
    )
    reader = _NAME_READERS.get(family)
    if reader is None:
        ctx.fail(M.FAMILY_ONLY)
    return reader(ctx, value, own, fill)


def _inet_name(ctx: _Ctx, value: object, own: int, fill: bool) -> InetAddress | Inet6Address | None:
    if own not in (_AF_INET, _AF_INET6):
        ctx.fail(M.FAMILY_NUMBER_UNSUPPORTED.format(family=_AF_INET))
    if not fill:
        return None
    _field(ctx, value, "family", _sa_family)
    host = _field(ctx, value, "addr", lambda c, v: _address(c, v, _AF_INET))
    port = _field(ctx, value, "port", lambda c, v: _bounded(c, v, 0, 0xFFFF, _UINT16))
    host = "0.0.0.0" if host is _MISSING else host
    port = 0 if port is _MISSING else port
    if own == _AF_INET6:
        # An IPv4 address on an IPv6 socket: the kernel reads both alike.
        return Inet6Address("::ffff:" + host, port)
    return InetAddress(host, port)


def _inet6_name(ctx: _Ctx, value: object, own: int, fill: bool) -> Inet6Address | None:
    if own != _AF_INET6:
        ctx.fail(M.FAMILY_NAME_UNSUPPORTED.format(name="AF_INET6"))
    if not fill:
        return None
    _field(ctx, value, "family", _sa_family)
    host = _field(ctx, value, "addr", lambda c, v: _address(c, v, _AF_INET6))
    port = _field(ctx, value, "port", lambda c, v: _bounded(c, v, 0, 0xFFFF, _UINT16))
    flowinfo = _field(ctx, value, "flowinfo", _uint32)
    scope_id = _field(ctx, value, "scope_id", _uint32)
    return Inet6Address(
        "::" if host is _MISSING else host,
        0 if port is _MISSING else port,
        0 if flowinfo is _MISSING else flowinfo,
        0 if scope_id is _MISSING else scope_id,
    )


def _unix_name(ctx: _Ctx, value: object, own: int, fill: bool) -> UnixAddress | None:
    if own != _AF_UNIX:
        ctx.fail(M.FAMILY_NAME_UNSUPPORTED.format(name="AF_UNIX"))
    if not fill:
        return None
    _field(ctx, value, "family", _sa_family)
    path = _field(ctx, value, "path", _unix_path)
    # No path: an empty sun_path, which the kernel reads as the abstract name "".
    return UnixAddress(b"\0" if path is _MISSING else path)


_NAME_READERS: Final[
    dict[
        int,
        Callable[[_Ctx, object, int, bool], InetAddress | Inet6Address | UnixAddress | None],
    ]
] = {_AF_INET: _inet_name, _AF_INET6: _inet6_name, _AF_UNIX: _unix_name}


def _fd_of(ctx: _Ctx, item: object) -> int:
    """A descriptor of an ``SCM_RIGHTS`` list: a `Socket`, or a stream (``fileno()``)."""
    if isinstance(item, Socket):
        if item.closed:
            ctx.fail(M.FD_SOCKET_CLOSED)
        return item.fileno()
    fileno = getattr(item, "fileno", None)
    if item is None or isinstance(item, (int, str, bytes)) or not callable(fileno):
        ctx.fail(M.FD_NOT_SOCKET_OR_STREAM)
    try:
        fd = fileno()
    except (OSError, ValueError) as exc:
        # io.UnsupportedOperation: a stream with no descriptor (PHP: a memory stream).
        ctx.fail(M.FD_CAST_FAILED if isinstance(exc, OSError) else M.FD_NOT_A_STREAM)
    if isinstance(fd, bool) or not isinstance(fd, int) or fd < 0:
        ctx.fail(M.FD_NOT_A_STREAM)  # a closed Python socket's fileno() is -1
    return int(fd)


def _rights(ctx: _Ctx, value: object) -> Rights:
    if not _is_array(value):
        ctx.fail(M.EXPECTED_ARRAY)
    fds: list[int] = []
    for number, item in enumerate(_values(value), 1):
        ctx.keys.append(f"element #{number}")
        fds.append(_fd_of(ctx, item))
        ctx.keys.pop()
    return Rights(fds)


def _credentials(ctx: _Ctx, value: object) -> Credentials:
    if not _is_array(value):
        ctx.fail(M.EXPECTED_ARRAY)
    pid = _required(ctx, value, "pid", lambda c, v: _bounded(c, v, 0, INT_MAX, "a pid_t value"))
    uid = _required(ctx, value, "uid", lambda c, v: _bounded(c, v, 0, UINT_MAX, "a uid_t value"))
    gid = _required(ctx, value, "gid", lambda c, v: _bounded(c, v, 0, UINT_MAX, "a uid_t value"))
    return Credentials(pid, uid, gid)


def _ifindex(ctx: _Ctx, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= UINT_MAX:
            ctx.fail(M.IFINDEX_RANGE.format(given=int(value)))
        return int(value)
    name = php_string(value)
    try:
        return _s.if_nametoindex(name)
    except (OSError, ValueError):
        ctx.fail(M.IFNAME_UNKNOWN.format(name=name))


def _packet_info(ctx: _Ctx, value: object) -> PacketInfo:
    if not _is_array(value):
        ctx.fail(M.EXPECTED_ARRAY)
    address = _required(ctx, value, "addr", lambda c, v: _address(c, v, _AF_INET6))
    return PacketInfo(address, _required(ctx, value, "ifindex", _ifindex))


def _small_int(ctx: _Ctx, value: object) -> int:
    """A hop limit or traffic class: -1..255 (the kernel refuses the rest with EINVAL)."""
    number = _native_int(ctx, value)
    if not -1 <= number <= 255:
        ctx.invalid = True  # sockkit's types refuse it before the call: report EINVAL then
        return 0
    return number


def _hop_limit(ctx: _Ctx, value: object) -> HopLimit:
    return HopLimit(_small_int(ctx, value))


def _traffic_class(ctx: _Ctx, value: object) -> TrafficClass:
    return TrafficClass(_small_int(ctx, value))


_WRITERS: Final[dict[str, Callable[[_Ctx, Any], ControlMessage]]] = {
    "SCM_RIGHTS": _rights,
    "SCM_CREDENTIALS": _credentials,
    "IPV6_PKTINFO": _packet_info,
    "IPV6_HOPLIMIT": _hop_limit,
    "IPV6_TCLASS": _traffic_class,
}
# A fixed-size payload PHP sends zero-filled when "data" is missing.
_ZERO: Final[dict[str, Callable[[], ControlMessage]]] = {
    "SCM_CREDENTIALS": lambda: Credentials(0, 0, 0),
    "IPV6_PKTINFO": lambda: PacketInfo("::", 0),
    "IPV6_HOPLIMIT": lambda: HopLimit(0),
    "IPV6_TCLASS": lambda: TrafficClass(0),
}


def _control(ctx: _Ctx, element: object) -> ControlMessage:
    """PHP's ``from_zval_write_control``: one ``["level", "type", "data"]`` element."""
    if not _is_array(element):
        ctx.fail(M.EXPECTED_ARRAY)
    # PHP 8.2 reads uninitialised memory for a missing level or type.
    level = _required(ctx, element, "level", _native_int)
    kind = _required(ctx, element, "type", _native_int)
    entry = _REGISTRY.get((level, kind))
    if entry is None:
        ctx.fail(M.CMSG_UNSUPPORTED.format(level=level, type=kind))
    data = _get(element, "data")
    if entry.item:
        if data is _MISSING:
            ctx.fail(M.CMSG_NEEDS_DATA)
        if not _is_array(data):
            ctx.fail(M.EXPECTED_ARRAY)
        if not len(data):
            ctx.fail(M.FD_ARRAY_EMPTY)
    if data is _MISSING:
        return _ZERO[entry.name]()
    result: ControlMessage = _field(ctx, element, "data", _WRITERS[entry.name])
    return result


def _iov(ctx: _Ctx, value: object) -> list[bytes]:
    if not _is_array(value):
        ctx.fail(M.EXPECTED_ARRAY)
    return [_bytes(item) for item in _values(value)]


def _controls(ctx: _Ctx, value: object) -> list[ControlMessage]:
    if not _is_array(value):
        ctx.fail(M.EXPECTED_ARRAY)
    controls: list[ControlMessage] = []
    for number, element in enumerate(_values(value)):  # PHP counts these from 0
        ctx.keys.append(f"element #{number}")
        controls.append(_control(ctx, element))
        ctx.keys.pop()
    return controls


def _to_message(ctx: _Ctx, container: object) -> Message:
    """PHP's ``from_zval_write_msghdr_send``: the keys ``name``, ``iov``, ``control``."""
    address = _field(ctx, container, "name", lambda c, v: _name(c, v, fill=True))
    buffers = _field(ctx, container, "iov", _iov)
    control = _field(ctx, container, "control", _controls)
    return Message(
        buffers=[] if buffers is _MISSING else buffers,
        control=[] if control is _MISSING else control,
        address=None if address is _MISSING else address,
    )


# --------------------------------------------------------------------- Message -> PHP array


def _stream(fd: int) -> IO[bytes]:
    """A binary, unbuffered file object over a received descriptor (PHP: a stream)."""
    import fcntl  # noqa: PLC0415 - POSIX only, where descriptors arrive in messages

    access = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE
    mode = {os.O_RDONLY: "rb", os.O_WRONLY: "wb"}.get(access, "r+b")
    return open(fd, mode, buffering=0)


def _wrap_fds(ctx: _Ctx, fds: list[int], made: list[Any]) -> list[Any]:
    """`Socket` objects for sockets, file objects otherwise; ``fds`` empties as they go."""
    wrapped: list[Any] = []
    while fds:
        fd = fds[0]
        try:
            is_socket = stat.S_ISSOCK(os.fstat(fd).st_mode)
            item: Any = Socket.from_fd(fd) if is_socket else _stream(fd)
        except (OSError, SocketError) as exc:
            ctx.fail(M.FD_FSTAT_FAILED.format(fd=fd, errno=exc.errno))
        fds.pop(0)
        made.append(item)
        wrapped.append(item)
    return wrapped


def _level_type(item: ControlMessage) -> tuple[int, int]:
    if isinstance(item, RawControl):
        return item.level, item.type
    level, kind, _data = encode_control(item)
    return level, kind


def _raw_data(ctx: _Ctx, entry: _Entry, data: bytes) -> Any:
    """A registry payload sockkit could not type (an out-of-range value), read as PHP does."""
    if len(data) < entry.size:
        expected, got = _s.CMSG_LEN(entry.size), _s.CMSG_LEN(len(data))
        ctx.fail(M.CMSG_TOO_SMALL.format(expected=expected, got=got))
    if entry.name == "SCM_CREDENTIALS":
        pid, uid, gid = UCRED.unpack_from(data)
        return {"pid": pid, "uid": uid, "gid": gid}
    if entry.name == "IPV6_PKTINFO":
        packed, index = IN6_PKTINFO.unpack_from(data)
        return {"addr": _s.inet_ntop(_s.AF_INET6, packed), "ifindex": index}
    return INT.unpack_from(data)[0]


def _control_data(ctx: _Ctx, item: ControlMessage, made: list[Any], pending: list[int]) -> Any:
    if isinstance(item, Rights):
        pending.extend(item.detach())
        return _wrap_fds(ctx, pending, made)
    if isinstance(item, Credentials):
        return {"pid": item.pid, "uid": item.uid, "gid": item.gid}
    if isinstance(item, PacketInfo) and ":" in str(item.address):
        return {"addr": item.address, "ifindex": item.interface}
    if isinstance(item, (HopLimit, TrafficClass)):
        return item.value
    level, kind = _level_type(item)
    entry = _REGISTRY.get((level, kind))
    if entry is None or not isinstance(item, RawControl):
        ctx.fail(M.CMSG_UNSUPPORTED.format(level=level, type=kind))
    return _raw_data(ctx, entry, item.data)


def _name_array(address: object) -> dict[str, Any] | None:
    if isinstance(address, InetAddress):
        return {"family": _AF_INET, "addr": address.host, "port": address.port}
    if isinstance(address, Inet6Address):
        return {
            "family": _AF_INET6,
            "addr": address.host,
            "port": address.port,
            "flowinfo": address.flowinfo,
            "scope_id": address.scope_id,
        }
    if isinstance(address, UnixAddress):
        path = address.path
        return {"family": _AF_UNIX, "path": os.fsdecode(path) if isinstance(path, bytes) else path}
    return None


def _to_array(ctx: _Ctx, message: Message, want_name: bool) -> dict[str, Any]:
    """PHP's ``to_zval_read_msghdr``: ``name``, ``control``, ``iov``, ``flags``."""
    made: list[Any] = []
    pending: list[int] = []
    try:
        ctx.keys.append("control")
        controls: list[dict[str, Any]] = []
        for number, item in enumerate(message.control, 1):
            level, kind = _level_type(item)
            ctx.keys.append(f"element #{number}")
            ctx.keys.append("data")
            controls.append(
                {"level": level, "type": kind, "data": _control_data(ctx, item, made, pending)}
            )
            del ctx.keys[-2:]
        ctx.keys.pop()
    except BaseException:
        # Nothing is handed over: close what was wrapped and what was not.
        for obj in made:
            obj.close()
        for fd in pending:
            os.close(fd)
        message.close()
        raise
    data = message.data
    return {
        "name": _name_array(message.address) if want_name else None,
        "control": controls,
        "iov": [data] if data else [],
        "flags": int(message.flags),
    }


# --------------------------------------------------------------------- sendmsg / recvmsg


def _flags(function: str, flags: object) -> int:
    return check_c_int(function, 3, "flags", flags)


@php_signature
def socket_sendmsg(
    socket: Socket = REQUIRED,
    message: Mapping[str, Any] | list[Any] = REQUIRED,
    flags: int = 0,
    *extra: object,
) -> int | Literal[False]:
    """Send one message described as PHP describes it; return the number of bytes sent.

    PHP: ``socket_sendmsg(Socket $socket, array $message, int $flags = 0): int|false``

    ``message`` has the keys ``"name"`` (the destination: ``{"addr", "port"}`` with
    ``"flowinfo"``/``"scope_id"`` for IPv6, ``{"path"}`` for Unix, optionally
    ``"family"``), ``"iov"`` (a list of data, each converted to a string) and
    ``"control"`` (a list of ``{"level", "type", "data"}``: ``SCM_RIGHTS`` takes a
    list of sockets or file objects, ``SCM_CREDENTIALS`` ``{"pid", "uid", "gid"}``,
    ``IPV6_PKTINFO`` ``{"addr", "ifindex"}``, ``IPV6_HOPLIMIT``/``IPV6_TCLASS`` an int).

    A value that does not convert warns ``error converting user data (path: msghdr
    > ...): ...`` and returns ``False`` without recording an error code; a failed send
    warns ``Error in sendmsg [errno]: ...``.

    DEVIATIONS:
        The sockets of an ``SCM_RIGHTS`` list are sent as given (PHP 8.2 sends them
        shifted by one slot: slot 0 carries descriptor 0 and the last one is
        dropped).  A control element without ``"level"`` or ``"type"`` is a
        conversion error (``The key 'level' is required``; PHP 8.2 reads
        uninitialised memory).  A Unix path with a NUL after its first byte is a
        conversion error (the kernel would cut it there); an abstract name is sent
        byte for byte.  An ``AF_INET`` name on an IPv6 socket is sent as the
        IPv4-mapped address (the kernel reads both alike).

    Raises:
        ValueError: ``flags`` outside the C ``int`` range.
        TypeError: an argument of the wrong type.
        SocketClosedError: the socket is closed (PHP's ``Error``).

    Example:
        >>> from sockkit.compat import AF_UNIX, SOCK_DGRAM, socket_create_pair
        >>> pair = []
        >>> socket_create_pair(AF_UNIX, SOCK_DGRAM, 0, pair)
        True
        >>> socket_sendmsg(pair[0], {"iov": ["hello, ", "world"]})
        12
        >>> received = {"controllen": 1}
        >>> socket_recvmsg(pair[1], received)
        12
        >>> received["iov"]
        [b'hello, world']
        >>> for sock in pair: sock.close()
    """
    function = "socket_sendmsg"
    sock: Socket
    sock, message, number = arguments(function, (socket, message, flags), extra)
    _flags(function, number)
    ctx = _Ctx(function, sock)
    try:
        built = _to_message(ctx, message)
    except _ConversionError as exc:
        warn(function, exc.args[0])
        return False
    if ctx.invalid:
        fail(function, M.SENDMSG_FAILED, _errno.EINVAL, sock)  # as the kernel answers
        return False
    try:
        return sock.sendmsg(built, number)
    except SocketClosedError:
        raise closed_error(function) from None
    except SocketError as exc:
        fail(function, M.SENDMSG_FAILED, exc.errno, sock)
        return False


def _recv_request(ctx: _Ctx, container: object) -> tuple[bool, int, int]:
    """PHP's ``from_zval_write_msghdr_recv``: (name wanted, buffer size, control length)."""
    want_name = _field(ctx, container, "name", lambda c, v: _name(c, v, fill=False))
    size = _field(ctx, container, "buffer_size", _buffer_size)
    controllen = _field(ctx, container, "controllen", _controllen)
    if controllen is _MISSING:
        ctx.fail(M.KEY_REQUIRED.format(key="controllen"))
    return want_name is not _MISSING, _DEFAULT_BUFFER if size is _MISSING else size, controllen


def _buffer_size(ctx: _Ctx, value: object) -> int:
    number = _integer(ctx, value)
    if not 0 <= number <= _MAX_BUFFER:
        ctx.fail(M.BUFFER_SIZE_RANGE.format(high=_MAX_BUFFER, given=number))
    return number


def _controllen(ctx: _Ctx, value: object) -> int:
    number = _uint32(ctx, value)
    if not number:
        ctx.fail(M.CONTROLLEN_ZERO)
    return number


@php_signature
def socket_recvmsg(
    socket: Socket = REQUIRED,
    message: Any = REQUIRED,
    flags: int = 0,
    *extra: object,
) -> int | Literal[False]:
    """Receive one message into the array ``message``; return the number of bytes.

    PHP: ``socket_recvmsg(Socket $socket, array &$message, int $flags = 0): int|false``

    ``message`` is a dict (filled in place) or a `Ref` holding one.  It asks with
    the keys ``"controllen"`` (required, > 0: the room for control messages, see
    `socket_cmsg_space`), ``"buffer_size"`` (default 8192) and ``"name"`` (present:
    report the sender).  Afterwards it holds ``"name"`` (``None``, or the sender as
    ``{"family", "addr", "port", ...}`` / ``{"family", "path"}``), ``"control"``
    (``{"level", "type", "data"}`` each: ``SCM_RIGHTS`` data is a list of `Socket`
    objects, file objects for other descriptors; ``SCM_CREDENTIALS`` data is
    ``{"pid", "uid", "gid"}``), ``"iov"`` (the data, ``[]`` when none) and
    ``"flags"``.

    A failed receive warns ``Error in recvmsg [errno]: ...`` (also for ``EAGAIN``, as
    PHP does) and records the errno as the thread's last error only.

    DEVIATIONS:
        Control data truncated (``MSG_CTRUNC`` in ``"flags"``): the descriptors that
        arrived are closed and their ``SCM_RIGHTS`` entry is left out (PHP 8.2 hands
        over those that fit).  A received control message PHP cannot convert warns
        ``error converting native data (...)`` and, as PHP sets ``$message`` to
        ``false``, empties the dict (a `Ref` gets ``False``); its descriptors are
        closed (PHP 8.2 leaks them).  Abstract Unix names are reported byte for
        byte (PHP 8.2: ``""``).

    Raises:
        ValueError: ``flags`` outside the C ``int`` range.
        TypeError: an argument of the wrong type.
        SocketClosedError: the socket is closed (PHP's ``Error``).
    """
    function = "socket_recvmsg"
    sock: Socket
    sock, message, number = arguments(function, (socket, message, flags), extra)
    by_ref = not isinstance(message, (dict, list)) and hasattr(message, "value")
    target = message.value if by_ref else message
    if not isinstance(target, (dict, list)):
        text = M.MUST_BE_TYPE.format(expected="array", given=php_type(target))
        raise TypeError(arg_error(function, 2, "message", text))
    _flags(function, number)
    ctx = _Ctx(function, sock)
    try:
        want_name, size, controllen = _recv_request(ctx, target)
    except _ConversionError as exc:
        warn(function, exc.args[0])
        return False
    try:
        # PHP reports truncated control data through the flags alone: no warning.
        with _control_truncation_quiet():
            received = sock.recvmsg(size, min(controllen, _MAX_CONTROL), number)
    except SocketClosedError:
        raise closed_error(function) from None
    except SocketError as exc:
        # PHP records a recvmsg() failure as the thread's last error only.
        code = _errno.EAGAIN if exc.errno is None else exc.errno
        record(code, None)
        warn(function, f"{M.RECVMSG_FAILED} [{code}]: {strerror(code)}")
        return False
    count = received.nbytes if received.nbytes is not None else len(received.data)
    try:
        result: dict[str, Any] | Literal[False] = _to_array(
            _Ctx(function, sock, native=True), received, want_name
        )
    except _ConversionError as exc:
        warn(function, exc.args[0])
        result = False
    if by_ref:
        message.value = result
    else:
        message.clear()
        if result is not False:
            message.update(result)
    return count


@php_signature
def socket_cmsg_space(
    level: int = REQUIRED,
    type: int = REQUIRED,
    num: int = 0,
    *extra: object,
) -> int:
    """The ``controllen`` to receive one control message of a kind (``CMSG_SPACE``).

    PHP: ``socket_cmsg_space(int $level, int $type, int $num = 0): ?int``

    ``num`` is the number of descriptors for ``SCM_RIGHTS`` and is ignored for the
    fixed-size kinds.  Add the results up for several control messages.

    Raises:
        ValueError: a pair PHP does not support (``Pair level 1 and/or type 999 is not
            supported``), a negative ``num``, an argument outside the C ``int`` range.
        TypeError: an argument that is not an ``int``.

    Example:
        >>> from sockkit.compat import SOL_SOCKET, SCM_RIGHTS
        >>> socket_cmsg_space(SOL_SOCKET, SCM_RIGHTS, 3)  # Linux x86-64
        32
    """
    function = "socket_cmsg_space"
    values = arguments(function, (level, type, num), extra)
    for position, name in enumerate(("level", "type", "num"), 1):
        check_c_int(function, position, name, values[position - 1])
    kind: int
    count: int
    level, kind, count = values
    if count < 0:
        raise ValueError(arg_error(function, 3, "num", M.NOT_NEGATIVE))
    entry = _REGISTRY.get((level, kind))
    if entry is None:
        raise ValueError(M.CMSG_PAIR_UNSUPPORTED.format(level=level, type=kind))
    try:
        return cmsg_space(level, kind, count)
    except ValueError:
        # More than Python's CMSG_SPACE() takes; PHP still gives the number.
        base = _s.CMSG_SPACE(0)
        align = _s.CMSG_SPACE(1) - base
        size = entry.size + count * entry.item
        return base + -(-size // align) * align


# --------------------------------------------------------------------- the iovec API


class IOVec:
    """A scatter/gather array (PHP 4's ``Socket I/O vector`` resource).

    Made by `socket_iovec_alloc`: a list of byte buffers, each with a fixed size.
    `socket_readv` fills them in order, `socket_writev` sends them one after the
    other; ``nbytes`` is how many bytes the last of those calls moved.
    """

    __slots__ = ("_vectors", "nbytes")

    def __init__(self, sizes: list[int]) -> None:
        self._vectors: list[bytearray] | None = [bytearray(size) for size in sizes]
        self.nbytes = 0

    @property
    def freed(self) -> bool:
        """Whether `socket_iovec_free` has released it."""
        return self._vectors is None

    def __len__(self) -> int:
        return 0 if self._vectors is None else len(self._vectors)

    def __repr__(self) -> str:
        if self._vectors is None:
            return "IOVec(freed)"
        return f"IOVec(sizes={[len(vector) for vector in self._vectors]}, nbytes={self.nbytes})"


def _vectors(function: str, iovec: object, position: int = 1) -> list[bytearray]:
    if not isinstance(iovec, IOVec):
        text = M.MUST_BE_TYPE.format(expected="IOVec", given=php_type(iovec))
        raise TypeError(arg_error(function, position, "iovec", text))
    vectors = iovec._vectors
    if vectors is None:
        raise ValueError(arg_error(function, position, "iovec", M.IOVEC_FREED))
    return vectors


def socket_iovec_alloc(count: int, *sizes: int) -> IOVec:
    """Make a scatter/gather array of ``count`` zero-filled buffers of the given sizes.

    PHP 4: ``resource socket_iovec_alloc(int num_vectors [, int ...])``

    Raises:
        ValueError: ``count`` is not the number of sizes given, or a size is negative
            or over 100 MiB (PHP's largest buffer for a socket call).
        TypeError: an argument that is not an ``int``.

    Example:
        >>> iovec = socket_iovec_alloc(2, 3, 5)
        >>> socket_iovec_set(iovec, 0, "abc"), socket_iovec_fetch(iovec, 0)
        (True, b'abc')
    """
    function = "socket_iovec_alloc"
    count = check_int(function, 1, "count", count)
    checked = [check_int(function, n, "sizes", size) for n, size in enumerate(sizes, 2)]
    if count != len(checked):
        raise ValueError(arg_error(function, 1, "count", M.IOVEC_SIZES.format(given=len(checked))))
    for n, size in enumerate(checked, 2):
        if size < 0:
            raise ValueError(arg_error(function, n, "sizes", M.NOT_NEGATIVE))
        if size > _MAX_BUFFER:  # PHP 4 gave up at its memory limit, not with an error
            message = M.BETWEEN.format(low=0, high=_MAX_BUFFER)
            raise ValueError(arg_error(function, n, "sizes", message))
    return IOVec(checked)


def socket_iovec_fetch(iovec: IOVec, iovec_position: int) -> bytes:
    """The bytes of the buffer at ``iovec_position`` (its whole size).

    PHP 4: ``string socket_iovec_fetch(resource iovec, int iovec_position)``

    A position outside the array warns ``can't access a vector position past the
    amount of vectors set in the array`` and returns ``b""``, as PHP 4 did.
    """
    function = "socket_iovec_fetch"
    vectors = _vectors(function, iovec)
    position = check_int(function, 2, "iovec_position", iovec_position)
    if not 0 <= position < len(vectors):
        warn(function, M.IOVEC_FETCH_RANGE)
        return b""
    return bytes(vectors[position])


def socket_iovec_set(iovec: IOVec, iovec_position: int, new_val: str | Buffer) -> bool:
    """Replace the buffer at ``iovec_position`` with ``new_val``, whose length it takes.

    PHP 4: ``bool socket_iovec_set(resource iovec, int iovec_position, string new_val)``

    A position outside the array warns ``can't access a vector position outside of
    the vector array bounds`` and returns ``False``.

    DEVIATIONS:
        The whole value is kept; PHP 4 cut it at its first NUL byte (``strlen``).
    """
    function = "socket_iovec_set"
    vectors = _vectors(function, iovec)
    position = check_int(function, 2, "iovec_position", iovec_position)
    data = check_buffer(function, 3, "new_val", new_val)
    if not 0 <= position < len(vectors):
        warn(function, M.IOVEC_SET_RANGE)
        return False
    vectors[position] = bytearray(data)
    return True


def socket_iovec_add(iovec: IOVec, iov_len: int) -> bool:
    """Append a zero-filled buffer of ``iov_len`` bytes.

    PHP 4: ``bool socket_iovec_add(resource iovec, int iov_len)``

    Raises:
        ValueError: ``iov_len`` is negative or over 100 MiB.
    """
    function = "socket_iovec_add"
    vectors = _vectors(function, iovec)
    size = check_int(function, 2, "iov_len", iov_len)
    if size < 0:
        raise ValueError(arg_error(function, 2, "iov_len", M.NOT_NEGATIVE))
    if size > _MAX_BUFFER:
        message = M.BETWEEN.format(low=0, high=_MAX_BUFFER)
        raise ValueError(arg_error(function, 2, "iov_len", message))
    vectors.append(bytearray(size))
    return True


def socket_iovec_delete(iovec: IOVec, iov_pos: int) -> bool:
    """Remove the buffer at ``iov_pos``; the ones after it move up.

    PHP 4: ``bool socket_iovec_delete(resource iovec, int iov_pos)``

    A position outside the array warns ``can't delete an IO vector that is out of
    array bounds`` and returns ``False``.

    DEVIATIONS:
        PHP 4 accepted the position one past the end and copied the buffers the
        wrong way round; here the buffer is removed.
    """
    function = "socket_iovec_delete"
    vectors = _vectors(function, iovec)
    position = check_int(function, 2, "iov_pos", iov_pos)
    if not 0 <= position < len(vectors):
        warn(function, M.IOVEC_DELETE_RANGE)
        return False
    del vectors[position]
    return True


def socket_iovec_free(iovec: IOVec) -> bool:
    """Release the array; using it afterwards raises ``ValueError``.

    PHP 4: ``bool socket_iovec_free(resource iovec)``
    """
    _vectors("socket_iovec_free", iovec)
    iovec._vectors = None
    return True


def _check_pair(
    function: str, socket: object, iovec: object
) -> tuple[Socket, IOVec, list[bytearray]]:
    sock = check_socket(function, socket)
    vectors = _vectors(function, iovec, 2)
    return sock, iovec, vectors  # type: ignore[return-value] # _vectors checked it


def socket_readv(socket: Socket, iovec: IOVec) -> bool:
    """Read into the buffers of ``iovec``, filled in order (``readv``); ``True`` on success.

    PHP 4: ``bool socket_readv(resource socket, resource iovec_id)``

    One receive, like ``readv(2)``: ``iovec.nbytes`` is how many bytes arrived (0 at
    the end of a stream); the part of the buffers past them keeps its old bytes.  A
    failure warns ``unable to read from socket [errno]: ...`` (silently for
    ``EAGAIN``) and returns ``False``.

    DEVIATIONS:
        PHP 4 returned ``False`` whenever any byte was read (it tested
        ``readv() != 0``); here ``True`` means the call succeeded.
    """
    function = "socket_readv"
    sock, handle, vectors = _check_pair(function, socket, iovec)
    try:
        with _control_truncation_quiet():  # as in socket_recvmsg
            received = sock.recvmsg_into(vectors)
    except SocketClosedError:
        raise closed_error(function) from None
    except SocketError as exc:
        fail(function, M.READ_FAILED, exc.errno, sock)
        return False
    handle.nbytes = received.nbytes or 0
    return True


def socket_writev(socket: Socket, iovec: IOVec) -> bool:
    """Send the buffers of ``iovec`` one after the other (``writev``); ``True`` on success.

    PHP 4: ``bool socket_writev(resource socket, resource iovec_id)``

    One send, like ``writev(2)``: ``iovec.nbytes`` is how many bytes went (a stream
    socket may take fewer than all).  A failure warns ``Unable to write to socket
    [errno]: ...`` (silently for ``EAGAIN``) and returns ``False``.

    DEVIATIONS:
        PHP 4 returned ``False`` whenever any byte was written (it tested
        ``writev() != 0``); here ``True`` means the call succeeded.
    """
    function = "socket_writev"
    sock, handle, vectors = _check_pair(function, socket, iovec)
    try:
        handle.nbytes = sock.sendmsg(Message(buffers=list(vectors)))
    except SocketClosedError:
        raise closed_error(function) from None
    except SocketError as exc:
        fail(function, M.SEND_FAILED, exc.errno, sock)
        return False
    return True
