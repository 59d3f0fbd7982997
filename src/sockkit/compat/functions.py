"""PHP's ``socket_*`` functions, flat and PHP-named, on top of [`Socket`][sockkit.socket.Socket].

Each function mirrors the PHP 8 signature in its docstring, takes PHP's parameter
names as keyword names and PHP's defaults, and follows PHP's conventions: a failure
returns ``False`` (``None`` where PHP returns ``null``), records the errno as the
socket's and the thread's last error, and emits a
[`SocketWarning`][sockkit.errors.SocketWarning] with PHP's text; "try again" errnos
(``EAGAIN``, ``EINPROGRESS``) are recorded without a warning.  Argument errors raise
``ValueError``/``TypeError`` with PHP 8's text; a closed socket raises
[`SocketClosedError`][sockkit.errors.SocketClosedError] with PHP's
"has already been closed" text.

The work is done by the OO layer; this module only translates arguments, results,
warnings and errors.  Where PHP 8.2 loses data, hangs or silently truncates a value,
compat does the safe thing instead: every such case is in the ``DEVIATIONS`` of
[`sockkit.compat`][sockkit.compat] and on the porting page.
"""

from __future__ import annotations

import contextlib
import errno as _errno
import io
import os
import socket as _s
import weakref
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, Final, Literal

from sockkit._checks import INT_MAX, MAX_PORT
from sockkit.address import UNIX_PATH_MAX, Inet6Address, InetAddress, UnixAddress
from sockkit.compat import _messages as M
from sockkit.compat import _options
from sockkit.compat._coerce import (
    REQUIRED,
    ArgumentCountError,
    arguments,
    check_c_int,
    php_signature,
)
from sockkit.compat._hosts import resolve
from sockkit.compat._state import (
    Ref,
    arg_error,
    check_ref,
    clear_socket_error,
    closed_error,
    fail,
    global_last_error,
    php_type,
    set_global_last_error,
    socket_error,
    strerror,
    warn,
)
from sockkit.enums import MsgFlag, ReadMode
from sockkit.errors import NotASocket, SocketClosedError, SocketError
from sockkit.socket import Socket

if TYPE_CHECKING:
    from typing_extensions import Buffer

__all__ = [
    "socket_accept",
    "socket_atmark",
    "socket_bind",
    "socket_clear_error",
    "socket_close",
    "socket_connect",
    "socket_create",
    "socket_create_listen",
    "socket_create_pair",
    "socket_export_stream",
    "socket_get_option",
    "socket_getopt",
    "socket_getpeername",
    "socket_getsockname",
    "socket_import_stream",
    "socket_last_error",
    "socket_listen",
    "socket_read",
    "socket_recv",
    "socket_recvfrom",
    "socket_send",
    "socket_sendto",
    "socket_set_block",
    "socket_set_nonblock",
    "socket_set_option",
    "socket_setopt",
    "socket_shutdown",
    "socket_strerror",
    "socket_write",
]

_AF_UNIX: Final = int(getattr(_s, "AF_UNIX", 1))
_AF_INET: Final = int(_s.AF_INET)
_AF_INET6: Final = int(_s.AF_INET6)
_SOCK_STREAM: Final = int(_s.SOCK_STREAM)
_FAMILY_NAMES: Final = {_AF_INET: "AF_INET", _AF_INET6: "AF_INET6"}
_NORMAL: Final = ReadMode.NORMAL
_BINARY: Final = ReadMode.BINARY
_NORMAL_INT: Final = int(_NORMAL)  # an int compares with an int faster than with an enum
# The int types a hot-path argument may have without the full checks (compat's
# constants are enum members).
_MODE_TYPES: Final = frozenset({int, ReadMode})
_FLAG_TYPES: Final = frozenset({int, MsgFlag})
_MAX_TYPE: Final = 10  # PHP 8.2 refuses a type above 10 and leaves the rest to the OS

# The streams a socket came from (socket_import_stream) or was given (socket_export_stream).
# socket_close() closes them too, as PHP does, and socket_export_stream() hands out the
# open file object again.
_STREAMS: Final[weakref.WeakKeyDictionary[Socket, list[Any]]] = weakref.WeakKeyDictionary()


# Hot paths.  socket_read (binary), socket_recv, socket_write and socket_send are
# the calls a ported program makes per message: the usual argument types are
# recognised in a few type tests, then the Socket's own method does the work (so
# close(), the line reader's gate and MSG_NOSIGNAL hold for compat exactly as for
# the object-oriented API).


# --------------------------------------------------------------------- helpers


_closed_error: Final = closed_error


def _failed(function: str, text: str, exc: SocketError, sock: Socket | None) -> None:
    """Record and warn for an OS failure the OO layer raised."""
    if isinstance(exc, SocketClosedError):
        # Closed underneath the call (another thread, or through to_stdlib()).
        raise _closed_error(function) from None
    fail(function, text, exc.errno, sock)


def _succeeds(function: str, text: str, sock: Socket, action: Callable[[], object]) -> bool:
    """Run ``action``; on an OS failure record and warn as PHP does, and say ``False``."""
    try:
        action()
    except SocketError as exc:
        _failed(function, text, exc, sock)
        return False
    return True


def _failed_global(function: str, text: str, exc: SocketError) -> None:
    """Record and warn for a failure of a call that has no socket to record it on."""
    fail(function, text, exc.errno, None)


def _check_port(function: str, position: int, port: int) -> None:
    # PHP 8.2 keeps the low 16 bits (port 70000 binds 4464); newer PHP refuses it.
    if not 0 <= port <= MAX_PORT:
        raise ValueError(arg_error(function, position, "port", M.PORT_RANGE))


def _unix_path(function: str, position: int, path: str) -> str | bytes:
    """A Unix socket address as PHP 8.2 accepts it: under ``sizeof(sun_path)`` bytes."""
    raw = os.fsencode(path)
    if len(raw) >= UNIX_PATH_MAX:
        text = M.PATH_TOO_LONG.format(limit=UNIX_PATH_MAX)
        raise ValueError(arg_error(function, position, "address", text))
    if not raw:
        raise ValueError(arg_error(function, position, "address", M.CANNOT_BE_EMPTY))
    if raw[0] == 0:
        return raw  # an abstract name, byte for byte
    if b"\0" in raw:
        # The kernel would stop at the NUL: a silent truncation.
        raise ValueError(arg_error(function, position, "address", M.NO_NULL_BYTES))
    return path


def _socket_family(function: str, sock: Socket) -> int:
    family = int(sock.family)
    if family not in (_AF_UNIX, _AF_INET, _AF_INET6):
        raise ValueError(arg_error(function, 1, "socket", M.SOCKET_FAMILY_CHOICES))
    return family


def _inet_address(
    function: str,
    sock: Socket,
    address: str,
    port: int | None,
    *,
    port_position: int,
) -> tuple[str, int] | tuple[str, int, int, int] | None:
    """``(host, port)`` for an IP socket, or ``None`` after a failed lookup (warned)."""
    family = int(sock.family)
    if port is None:
        text = M.PORT_NOT_NULL.format(family=_FAMILY_NAMES[family])
        raise ValueError(arg_error(function, port_position, "port", text))
    _check_port(function, port_position, port)
    resolved = resolve(function, sock, address, family)
    if resolved is None:
        return None
    host, scope_id = resolved
    if family == _AF_INET6:
        return (host, port, 0, scope_id)
    return (host, port)


def _split_address(family: int, address: object) -> tuple[str, int | None]:
    """An OO address as PHP reports it: ``(address, port)``; ``port`` ``None`` for Unix."""
    if isinstance(address, (InetAddress, Inet6Address)):
        return address.host, address.port
    if isinstance(address, UnixAddress):
        path = address.path
        return (os.fsdecode(path) if isinstance(path, bytes) else path), None
    if family == _AF_INET:
        return "0.0.0.0", 0
    if family == _AF_INET6:
        return "::", 0
    return "", None  # an unnamed Unix socket


def _backlog(backlog: int) -> int:
    # The kernel reads a negative backlog as "the system maximum"; Python's listen()
    # would make it 0 and sockkit's refuses it, so ask for the maximum outright.
    return INT_MAX if backlog < 0 or backlog > INT_MAX else backlog


# --------------------------------------------------------------------- creation


@php_signature
def socket_create(
    domain: int = REQUIRED,
    type: int = REQUIRED,
    protocol: int = REQUIRED,
    *extra: object,
) -> Socket | Literal[False]:
    """Create a socket.

    PHP: ``socket_create(int $domain, int $type, int $protocol): Socket|false``

    Returns ``False`` and warns ``Unable to create socket [errno]: ...`` when the OS
    refuses; the error is recorded as the thread's last error only.

    Raises:
        ValueError: ``domain`` is not ``AF_UNIX``, ``AF_INET`` or ``AF_INET6``, or
            ``type`` is above 10 (PHP 8.2's test).
    """
    function = "socket_create"
    domain, type, protocol = arguments(function, (domain, type, protocol), extra)
    protocol = check_c_int(function, 3, "protocol", protocol)
    if domain not in (_AF_UNIX, _AF_INET6, _AF_INET):
        raise ValueError(arg_error(function, 1, "domain", M.DOMAIN_CHOICES))
    if type > _MAX_TYPE:
        raise ValueError(arg_error(function, 2, "type", M.TYPE_CHOICES))
    check_c_int(function, 2, "type", type)  # a negative type beyond the C range
    if type == -1 or protocol == -1:
        # Python's socket() reads -1 as "the default"; the OS refuses it.
        fail(function, M.CREATE_FAILED, _errno.EINVAL, None)
        return False
    try:
        return Socket(domain, type, protocol)
    except SocketError as exc:
        _failed_global(function, M.CREATE_FAILED, exc)
        return False


@php_signature
def socket_create_listen(
    port: int = REQUIRED,
    backlog: int = 128,
    *extra: object,
) -> Socket | Literal[False]:
    """Open an IPv4 TCP socket listening on every address at ``port``.

    PHP: ``socket_create_listen(int $port, int $backlog = 128): Socket|false``

    Like PHP it sets no ``SO_REUSEADDR``.  A failed step closes the socket it made
    (once: PHP 8.2 closes it a second time) and returns ``False`` after PHP's warning.

    Raises:
        ValueError: ``port`` outside 0-65535 (PHP 8.2 keeps the low 16 bits).
    """
    function = "socket_create_listen"
    port, backlog = arguments(function, (port, backlog), extra)
    _check_port(function, 1, port)
    try:
        sock = Socket(_AF_INET, _SOCK_STREAM, 0)
    except SocketError as exc:
        _failed_global(function, M.CREATE_LISTEN_SOCKET_FAILED, exc)
        return False
    try:
        sock.bind(("0.0.0.0", port))
    except SocketError as exc:
        sock.close()
        _failed_global(function, M.CREATE_LISTEN_BIND_FAILED, exc)
        return False
    try:
        sock.listen(_backlog(backlog))
    except SocketError as exc:
        sock.close()
        _failed_global(function, M.LISTEN_FAILED, exc)
        return False
    return sock


@php_signature
def socket_create_pair(
    domain: int = REQUIRED,
    type: int = REQUIRED,
    protocol: int = REQUIRED,
    pair: Any = REQUIRED,
    *extra: object,
) -> bool:
    """Create two connected sockets and store them in ``pair``.

    PHP: ``socket_create_pair(int $domain, int $type, int $protocol, array &$pair): bool``

    ``pair`` is a list (its contents become ``[left, right]``), a dict (``{0: left,
    1: right}``) or a `Ref` (``.value = [left, right]``); on failure it is left as it was.

    Raises:
        ValueError: ``domain`` or ``type`` as for `socket_create`.
        TypeError: ``pair`` cannot take the result.
    """
    function = "socket_create_pair"
    domain, type, protocol, pair = arguments(function, (domain, type, protocol, pair), extra)
    protocol = check_c_int(function, 3, "protocol", protocol)
    if not isinstance(pair, (list, dict)):
        check_ref(function, 4, "pair", pair)
    if domain not in (_AF_UNIX, _AF_INET6, _AF_INET):
        raise ValueError(arg_error(function, 1, "domain", M.DOMAIN_CHOICES))
    if type > _MAX_TYPE:
        raise ValueError(arg_error(function, 2, "type", M.TYPE_CHOICES))
    check_c_int(function, 2, "type", type)  # a negative type beyond the C range
    try:
        left, right = Socket.pair(domain, type, protocol)
    except SocketError as exc:
        _failed_global(function, M.CREATE_PAIR_FAILED, exc)
        return False
    if isinstance(pair, list):
        pair[:] = [left, right]
    elif isinstance(pair, dict):
        pair.clear()
        pair.update({0: left, 1: right})
    else:
        pair.value = [left, right]
    return True


# --------------------------------------------------------------------- connection


@php_signature
def socket_accept(socket: Socket = REQUIRED, *extra: object) -> Socket | Literal[False]:
    """Accept a connection on a listening socket.

    PHP: ``socket_accept(Socket $socket): Socket|false``

    As in PHP, a failure is recorded as the thread's last error but not on the
    listening socket (PHP records it on the new socket it then discards), and a
    non-blocking listener with nothing pending returns ``False`` without a warning.
    """
    function = "socket_accept"
    sock: Socket
    (sock,) = arguments(function, (socket,), extra)
    try:
        conn, _peer = sock.accept()
    except SocketError as exc:
        _failed(function, M.ACCEPT_FAILED, exc, None)
        return False
    return conn


def _target(function: str, sock: Socket, address: str, port: int | None) -> object | None:
    """What bind/connect pass to the OO layer: a Unix path, or a looked-up IP address.

    ``None`` means a host lookup failed (already warned and recorded).
    """
    if _socket_family(function, sock) == _AF_UNIX:
        return _unix_path(function, 2, address)
    return _inet_address(function, sock, address, port, port_position=3)


@php_signature
def socket_bind(
    socket: Socket = REQUIRED,
    address: str = REQUIRED,
    port: int = 0,
    *extra: object,
) -> bool:
    """Bind to an address (IP sockets) or a path (Unix sockets).

    PHP: ``socket_bind(Socket $socket, string $address, int $port = 0): bool``

    A host name is looked up; a failed lookup warns ``Host lookup failed [-10001]:
    Unknown host`` and records ``-10000 - h_errno``.

    Raises:
        ValueError: a port outside 0-65535; a Unix path of 108 bytes or more, empty, or
            with a NUL after its first byte (an abstract name starts with ``"\\0"``).
    """
    function = "socket_bind"
    sock: Socket
    sock, address, port = arguments(function, (socket, address, port), extra)
    target = _target(function, sock, address, port)
    if target is None:
        return False
    return _succeeds(function, M.BIND_FAILED, sock, lambda: sock.bind(target))


@php_signature
def socket_listen(socket: Socket = REQUIRED, backlog: int = 0, *extra: object) -> bool:
    """Listen for connections.

    PHP: ``socket_listen(Socket $socket, int $backlog = 0): bool``

    A negative backlog means the system maximum, as the kernel reads it.
    """
    function = "socket_listen"
    sock: Socket
    sock, backlog = arguments(function, (socket, backlog), extra)
    return _succeeds(function, M.LISTEN_FAILED, sock, lambda: sock.listen(_backlog(backlog)))


@php_signature
def socket_connect(
    socket: Socket = REQUIRED,
    address: str = REQUIRED,
    port: int | None = None,
    *extra: object,
) -> bool:
    """Connect to an address (IP sockets, ``port`` required) or a path (Unix sockets).

    PHP: ``socket_connect(Socket $socket, string $address, ?int $port = null): bool``

    A non-blocking connect that has started returns ``False`` with ``EINPROGRESS``
    recorded and no warning, as in PHP.  An empty Unix path fails as the kernel
    answers PHP's call: ``False`` after the warning ``[22]: Invalid argument``.

    Raises:
        ValueError: ``port`` is ``None`` on an IP socket or outside 0-65535; a Unix
            path as for `socket_bind`, but for the empty one.
    """
    function = "socket_connect"
    sock: Socket
    sock, address, port = arguments(function, (socket, address, port), extra)
    if not address and _socket_family(function, sock) == _AF_UNIX:
        # PHP hands the kernel an address of no path at all, which Linux refuses.
        fail(function, M.CONNECT_FAILED, _errno.EINVAL, sock)
        return False
    target = _target(function, sock, address, port)
    if target is None:
        return False
    return _succeeds(function, M.CONNECT_FAILED, sock, lambda: sock.connect(target))


@php_signature
def socket_shutdown(socket: Socket = REQUIRED, mode: int = 2, *extra: object) -> bool:
    """Shut down reading (0), writing (1) or both (2).

    PHP: ``socket_shutdown(Socket $socket, int $mode = 2): bool``

    Another ``mode`` fails as the OS answers it: ``EINVAL``, warned.
    """
    function = "socket_shutdown"
    sock: Socket
    sock, mode = arguments(function, (socket, mode), extra)
    if mode not in (0, 1, 2):
        fail(function, M.SHUTDOWN_FAILED, _errno.EINVAL, sock)
        return False
    return _succeeds(function, M.SHUTDOWN_FAILED, sock, lambda: sock.shutdown(mode))


@php_signature
def socket_close(socket: Socket = REQUIRED, *extra: object) -> None:
    """Close the socket (and the stream it was imported from or exported to, as PHP does).

    PHP: ``socket_close(Socket $socket): void``
    """
    sock: Socket
    (sock,) = arguments("socket_close", (socket,), extra)
    streams = _STREAMS.pop(sock, ())
    sock.close()
    for stream in streams:
        close = getattr(stream, "close", None)
        if callable(close):
            with contextlib.suppress(OSError):
                close()


@php_signature
def socket_set_nonblock(socket: Socket = REQUIRED, *extra: object) -> bool:
    """Make calls on the socket return at once instead of waiting.

    PHP: ``socket_set_nonblock(Socket $socket): bool``
    """
    function = "socket_set_nonblock"
    sock: Socket
    (sock,) = arguments(function, (socket,), extra)
    text = M.SET_NONBLOCK_FAILED
    return _succeeds(function, text, sock, lambda: setattr(sock, "blocking", False))


@php_signature
def socket_set_block(socket: Socket = REQUIRED, *extra: object) -> bool:
    """Make calls on the socket wait.

    PHP: ``socket_set_block(Socket $socket): bool``
    """
    function = "socket_set_block"
    sock: Socket
    (sock,) = arguments(function, (socket,), extra)
    text = M.SET_BLOCK_FAILED
    return _succeeds(function, text, sock, lambda: setattr(sock, "blocking", True))


def _name(function: str, text: str, values: tuple[Any, ...], *, peer: bool) -> bool:
    sock, address, port = values
    family = int(sock.family)
    if family not in (_AF_UNIX, _AF_INET, _AF_INET6):
        warn(function, M.UNSUPPORTED_FAMILY.format(family=family))
        return False
    try:
        found = sock.peer_address if peer else sock.local_address
    except SocketError as exc:
        _failed(function, text, exc, sock)
        return False
    host, number = _split_address(family, found)
    address.value = host
    if number is not None and port is not None:
        port.value = number
    return True


@php_signature
def socket_getsockname(
    socket: Socket = REQUIRED,
    address: Any = REQUIRED,
    port: Any = None,
    *extra: object,
) -> bool:
    """Store the local address (and port) in ``address.value`` (and ``port.value``).

    PHP: ``socket_getsockname(Socket $socket, string &$address, int &$port = null): bool``

    A Unix socket reports its path (``""`` when unnamed; an abstract name starts with
    ``"\\0"``) and leaves ``port`` alone.
    """
    function = "socket_getsockname"
    values = arguments(function, (socket, address, port), extra)
    return _name(function, M.GETSOCKNAME_FAILED, tuple(values), peer=False)


@php_signature
def socket_getpeername(
    socket: Socket = REQUIRED,
    address: Any = REQUIRED,
    port: Any = None,
    *extra: object,
) -> bool:
    """Store the peer's address (and port) in ``address.value`` (and ``port.value``).

    PHP: ``socket_getpeername(Socket $socket, string &$address, int &$port = null): bool``
    """
    function = "socket_getpeername"
    values = arguments(function, (socket, address, port), extra)
    return _name(function, M.GETPEERNAME_FAILED, tuple(values), peer=True)


# --------------------------------------------------------------------- data


@php_signature
def socket_write(
    socket: Socket = REQUIRED,
    data: str | Buffer = REQUIRED,
    length: int | None = None,
    *extra: object,
) -> int | Literal[False]:
    """Write once: at most ``length`` bytes of ``data`` (all of it when ``None``).

    PHP: ``socket_write(Socket $socket, string $data, ?int $length = null): int|false``

    Returns the number of bytes written, which may be fewer than asked (call again
    with the rest).  ``str`` data is sent as UTF-8.

    Raises:
        ValueError: ``length`` is negative.
    """
    if (
        type(socket) is Socket
        and (type(data) is bytes or isinstance(data, (bytearray, memoryview)))
        and (length is None or (type(length) is int and length >= 0))
        and not extra
    ):
        # The common call, checked in three type tests (see "Hot paths" above).
        try:
            return socket.write(data, length)
        except SocketError as exc:
            _failed("socket_write", M.WRITE_FAILED, exc, socket)
            return False
    function = "socket_write"
    sock: Socket
    sock, buffer, length = arguments(function, (socket, data, length), extra)
    if length is not None and length < 0:
        raise ValueError(arg_error(function, 3, "length", M.NOT_NEGATIVE))
    try:
        return sock.write(buffer, length)
    except SocketError as exc:
        _failed(function, M.WRITE_FAILED, exc, sock)
        return False


@php_signature
def socket_read(
    socket: Socket = REQUIRED,
    length: int = REQUIRED,
    mode: int = 2,
    *extra: object,
) -> bytes | Literal[False]:
    """Read up to ``length`` bytes; with ``PHP_NORMAL_READ``, up to the end of a line.

    PHP: ``socket_read(Socket $socket, int $length, int $mode = PHP_BINARY_READ): string|false``

    ``PHP_BINARY_READ`` (or any mode but ``PHP_NORMAL_READ``) returns what one
    ``recv`` gives: ``b""`` at end of stream.  ``PHP_NORMAL_READ`` returns up to and
    including the first ``\\n`` or ``\\r``.  ``length <= 0`` returns ``False`` and
    records nothing.

    DEVIATIONS (PHP 8.2 reads one byte per system call and loses or spins):
        * blocking socket, end of stream: a pending partial line is returned; the next
          call returns ``False`` with PHP's end-of-stream signal, the warning ``[104]:
          Connection reset by peer`` and last error 104 (PHP drops the partial line);
        * non-blocking socket: returns what has arrived (a partial line, or ``b""`` at
          end of stream); with nothing to read, ``False`` with ``EAGAIN`` recorded and
          no warning (PHP spins until a line completes);
        * ``SO_RCVTIMEO`` expiring mid-line returns the bytes read so far; with none,
          ``False`` with ``EAGAIN`` recorded and no warning (PHP spins forever).
    """
    if (
        type(socket) is Socket
        and type(length) is int
        and type(mode) in _MODE_TYPES
        and length > 0
        and not extra
    ):
        # The common call, checked in three type tests; errors are handled as below.
        if mode != _NORMAL_INT:
            try:
                return socket.recv(length)
            except SocketError as exc:
                _failed("socket_read", M.READ_FAILED, exc, socket)
                return False
        try:
            line = socket.read(length, _NORMAL)
        except SocketError as exc:
            _failed("socket_read", M.READ_FAILED, exc, socket)
            return False
        if line or not socket.blocking:
            return line
        # PHP's php_read reports the end of the stream as a reset connection.
        fail("socket_read", M.READ_FAILED, _errno.ECONNRESET, socket)
        return False
    function = "socket_read"
    sock: Socket
    sock, length, mode = arguments(function, (socket, length, mode), extra)
    if length <= 0:
        return False
    if mode != _NORMAL:
        try:
            return sock.read(length, _BINARY)
        except SocketError as exc:
            _failed(function, M.READ_FAILED, exc, sock)
            return False
    blocking = sock.blocking
    try:
        line = sock.read(length, _NORMAL)
    except SocketError as exc:
        _failed(function, M.READ_FAILED, exc, sock)
        return False
    if not line and blocking:
        # PHP's php_read reports the end of the stream as a reset connection.
        fail(function, M.READ_FAILED, _errno.ECONNRESET, sock)
        return False
    return line


@php_signature
def socket_recv(
    socket: Socket = REQUIRED,
    data: Any = REQUIRED,
    length: int = REQUIRED,
    flags: int = REQUIRED,
    *extra: object,
) -> int | Literal[False]:
    """Receive up to ``length`` bytes into ``data.value``; return how many.

    PHP: ``socket_recv(Socket $socket, ?string &$data, int $length, int $flags): int|false``

    At end of stream it returns 0 and sets ``data.value`` to ``None``; on failure
    ``data.value`` is ``None`` too.  ``length <= 0`` returns ``False`` and leaves
    ``data`` alone.
    """
    if (
        type(socket) is Socket
        and type(data) is Ref
        and type(length) is int
        and type(flags) in _FLAG_TYPES
        and length > 0
        and not extra
    ):
        # The common call, checked in four type tests (see "Hot paths" above).
        try:
            received: bytes = socket.recv(length, flags)
        except SocketError as exc:
            data.value = None
            _failed("socket_recv", M.RECV_FAILED, exc, socket)
            return False
        data.value = received or None
        return len(received)
    function = "socket_recv"
    sock: Socket
    sock, data, length, flags = arguments(function, (socket, data, length, flags), extra)
    if length <= 0:
        return False
    try:
        received = sock.recv(length, flags)
    except SocketError as exc:
        data.value = None
        _failed(function, M.RECV_FAILED, exc, sock)
        return False
    data.value = received or None
    return len(received)


@php_signature
def socket_send(
    socket: Socket = REQUIRED,
    data: str | Buffer = REQUIRED,
    length: int = REQUIRED,
    flags: int = REQUIRED,
    *extra: object,
) -> int | Literal[False]:
    """Send at most ``length`` bytes of ``data``; return how many were sent.

    PHP: ``socket_send(Socket $socket, string $data, int $length, int $flags): int|false``

    Raises:
        ValueError: ``length`` is negative.
    """
    if (
        type(socket) is Socket
        and (type(data) is bytes or isinstance(data, (bytearray, memoryview)))
        and type(length) is int
        and type(flags) in _FLAG_TYPES
        and length >= 0
        and not extra
    ):
        # The common call, checked in four type tests (see "Hot paths" above).
        if length < len(data):
            data = memoryview(data).cast("B")[:length]
        try:
            return socket.send(data, flags)
        except SocketError as exc:
            _failed("socket_send", M.SEND_FAILED, exc, socket)
            return False
    function = "socket_send"
    sock: Socket
    sock, buffer, length, flags = arguments(function, (socket, data, length, flags), extra)
    if length < 0:
        raise ValueError(arg_error(function, 3, "length", M.NOT_NEGATIVE))
    try:
        return sock.send(memoryview(buffer)[:length], flags)
    except SocketError as exc:
        _failed(function, M.SEND_FAILED, exc, sock)
        return False


@php_signature
def socket_recvfrom(  # noqa: PLR0917 - PHP's signature
    socket: Socket = REQUIRED,
    data: Any = REQUIRED,
    length: int = REQUIRED,
    flags: int = REQUIRED,
    address: Any = REQUIRED,
    port: Any = None,
    *extra: object,
) -> int | Literal[False]:
    """Receive up to ``length`` bytes and the sender's address.

    PHP: ``socket_recvfrom(Socket $socket, &$data, int $length, int $flags, &$address,
    &$port = null): int|false``

    Sets ``data.value`` (``b""`` for an empty datagram), ``address.value`` (a Unix
    path, ``""`` for an unnamed sender; ``"0.0.0.0"``/``"::"`` when an IP socket has
    no sender address) and, for IP sockets, ``port.value``.  On failure nothing is
    set.

    Raises:
        TypeError: ``port`` is missing on an IP socket (PHP's "Wrong parameter count").
    """
    function = "socket_recvfrom"
    values = (socket, data, length, flags, address, port)
    sock: Socket
    sock, data, length, flags, address, port = arguments(function, values, extra)
    flags = check_c_int(function, 4, "flags", flags)
    if length <= 0:
        return False
    family = _socket_family(function, sock)
    if family != _AF_UNIX and port is None:
        raise ArgumentCountError(M.WRONG_PARAM_COUNT.format(function=function))
    try:
        received, sender = sock.recvfrom(length, flags)
    except SocketError as exc:
        text = M.RECVFROM6_FAILED if family == _AF_INET6 else M.RECVFROM_FAILED
        _failed(function, text, exc, sock)
        return False
    host, number = _split_address(family, sender)
    data.value = received
    address.value = host
    if number is not None:
        port.value = number
    return len(received)


@php_signature
def socket_sendto(  # noqa: PLR0917 - PHP's signature
    socket: Socket = REQUIRED,
    data: str | Buffer = REQUIRED,
    length: int = REQUIRED,
    flags: int = REQUIRED,
    address: str = REQUIRED,
    port: int | None = None,
    *extra: object,
) -> int | Literal[False]:
    """Send at most ``length`` bytes of ``data`` to ``address`` (and ``port``).

    PHP: ``socket_sendto(Socket $socket, string $data, int $length, int $flags,
    string $address, ?int $port = null): int|false``

    Raises:
        ValueError: a negative ``length``; ``port`` ``None`` on an IP socket or outside
            0-65535; a Unix path as for `socket_bind` (PHP 8.2 silently cuts the path
            at 107 bytes or at a NUL).
    """
    function = "socket_sendto"
    values = (socket, data, length, flags, address, port)
    sock: Socket
    sock, buffer, length, flags, address, port = arguments(function, values, extra)
    flags = check_c_int(function, 4, "flags", flags)
    if length < 0:
        raise ValueError(arg_error(function, 3, "length", M.NOT_NEGATIVE))
    family = _socket_family(function, sock)
    target: object
    if family == _AF_UNIX:
        target = _unix_path(function, 5, address)
    else:
        inet = _inet_address(function, sock, address, port, port_position=6)
        if inet is None:
            return False
        target = inet
    try:
        return sock.sendto(memoryview(buffer)[:length], target, flags)
    except SocketError as exc:
        _failed(function, M.SEND_FAILED, exc, sock)
        return False


# --------------------------------------------------------------------- options


@php_signature
def socket_get_option(
    socket: Socket = REQUIRED,
    level: int = REQUIRED,
    option: int = REQUIRED,
    *extra: object,
) -> Any:
    """Read a socket option: an ``int``, or an array (dict) for the options PHP shapes.

    PHP: ``socket_get_option(Socket $socket, int $level, int $option): array|int|false``

    ``SO_LINGER`` -> ``{"l_onoff", "l_linger"}``; ``SO_RCVTIMEO``/``SO_SNDTIMEO`` ->
    ``{"sec", "usec"}``; ``SO_MEMINFO`` -> its 9 counters; ``TCP_CONGESTION`` ->
    ``{"name"}``; ``IP_MULTICAST_IF`` -> the interface index; ``IPV6_PKTINFO`` ->
    ``{"addr", "ifindex"}``; everything else an ``int``.

    DEVIATIONS:
        ``SO_BINDTODEVICE`` reads as the interface name (``""`` when unbound); PHP 8.2
        reads it as an ``int`` (uninitialised memory when unbound, ``EINVAL`` when bound).
    """
    function = "socket_get_option"
    sock: Socket
    sock, level, option = arguments(function, (socket, level, option), extra)
    level = check_c_int(function, 2, "level", level)
    option = check_c_int(function, 3, "option", option)
    return _options.get_option(function, sock, level, option)


@php_signature
def socket_getopt(
    socket: Socket = REQUIRED,
    level: int = REQUIRED,
    option: int = REQUIRED,
    *extra: object,
) -> Any:
    """Alias of `socket_get_option`.

    PHP: ``socket_getopt(Socket $socket, int $level, int $option): array|int|false``
    """
    function = "socket_getopt"
    sock: Socket
    sock, level, option = arguments(function, (socket, level, option), extra)
    level = check_c_int(function, 2, "level", level)
    option = check_c_int(function, 3, "option", option)
    return _options.get_option(function, sock, level, option)


@php_signature
def socket_set_option(
    socket: Socket = REQUIRED,
    level: int = REQUIRED,
    option: int = REQUIRED,
    value: Any = REQUIRED,
    *extra: object,
) -> bool:
    """Set a socket option from PHP's value shape (see `socket_get_option`).

    PHP: ``socket_set_option(Socket $socket, int $level, int $option, $value): bool``

    An ``int`` option takes any value through PHP's int conversion (``"1"``, ``True``
    -> 1; ``"a"`` -> 0).  Multicast requests take ``{"group": ..., "interface": ...}``
    (and ``"source"`` for the ``*_SOURCE_*`` requests); the group may be a name.

    Raises:
        ValueError: a required key is missing (``must have key "l_onoff"``, ``No key
            "group" passed in optval``), a multicast TTL outside 0-255 or hop limit
            outside -1..255, an interface index outside 0-4294967295; and, where PHP
            8.2 would silently truncate: an ``int`` value outside the C ``int`` range,
            ``l_onoff``/``l_linger`` outside 0-65535, ``sec`` outside 0-2147483647 or
            ``usec`` outside 0-999999, an interface or algorithm name of 16 bytes or more.
    """
    function = "socket_set_option"
    sock: Socket
    sock, level, option, value = arguments(function, (socket, level, option, value), extra)
    level = check_c_int(function, 2, "level", level)
    option = check_c_int(function, 3, "option", option)
    return _options.set_option(function, sock, level, option, value)


@php_signature
def socket_setopt(
    socket: Socket = REQUIRED,
    level: int = REQUIRED,
    option: int = REQUIRED,
    value: Any = REQUIRED,
    *extra: object,
) -> bool:
    """Alias of `socket_set_option`.

    PHP: ``socket_setopt(Socket $socket, int $level, int $option, $value): bool``
    """
    function = "socket_setopt"
    sock: Socket
    sock, level, option, value = arguments(function, (socket, level, option, value), extra)
    level = check_c_int(function, 2, "level", level)
    option = check_c_int(function, 3, "option", option)
    return _options.set_option(function, sock, level, option, value)


# --------------------------------------------------------------------- errors


@php_signature
def socket_last_error(socket: Socket | None = None, *extra: object) -> int:
    """The socket's last error, or without a socket the calling thread's.

    PHP: ``socket_last_error(?Socket $socket = null): int``

    PHP keeps one last error per request; compat keeps one per thread.  Host-lookup
    failures are ``-10000 - h_errno`` (``-10001``: unknown host).
    """
    sock: Socket | None
    (sock,) = arguments("socket_last_error", (socket,), extra)
    if sock is None:
        return global_last_error()
    return socket_error(sock)


@php_signature
def socket_clear_error(socket: Socket | None = None, *extra: object) -> None:
    """Reset the socket's last error, or without a socket the calling thread's.

    PHP: ``socket_clear_error(?Socket $socket = null): void``
    """
    sock: Socket | None
    (sock,) = arguments("socket_clear_error", (socket,), extra)
    if sock is None:
        set_global_last_error(0)
    else:
        clear_socket_error(sock)


@php_signature
def socket_strerror(error_code: int = REQUIRED, *extra: object) -> str:
    """The message for an error code, as PHP words it.

    PHP: ``socket_strerror(int $error_code): string``

    Codes below -10000 are host-lookup errors (``-10001`` -> ``"Unknown host"``);
    the rest read as ``strerror(3)`` does (``10001`` -> ``"Unknown error 10001"``).
    """
    function = "socket_strerror"
    code: int
    (code,) = arguments(function, (error_code,), extra)
    return strerror(check_c_int(function, 1, "error_code", code))


# --------------------------------------------------------------------- streams


@php_signature
def socket_import_stream(stream: Any = REQUIRED, *extra: object) -> Socket | Literal[False]:
    """Wrap a Python socket, or a file object over one, as a `Socket`.

    PHP: ``socket_import_stream($stream): Socket|false``

    ``stream`` is a ``socket.socket``, a file object from ``makefile()`` or anything
    else whose ``fileno()`` is a socket.  Its descriptor is duplicated, so the
    `Socket` and ``stream`` each own one and neither is ever left holding a number
    the OS has given to someone else: closing ``stream`` leaves the `Socket`
    working.  ``socket_close()`` on the result closes ``stream`` too (if it has a
    ``close()`` method), as PHP does.  The stream of `socket_export_stream` gives
    back its own `Socket`, as PHP gives back the socket a stream was exported from.

    Returns ``False`` with PHP's warning when the descriptor is not a socket.

    Raises:
        TypeError: ``stream`` has no ``fileno()`` (PHP: "must be of type resource"),
            or is closed ("supplied resource is not a valid stream resource").
    """
    function = "socket_import_stream"
    (stream,) = arguments(function, (stream,), extra)
    if isinstance(stream, Socket) or not callable(getattr(stream, "fileno", None)):
        text = M.MUST_BE_TYPE.format(expected="resource", given=php_type(stream))
        raise TypeError(arg_error(function, 1, "stream", text))
    if isinstance(stream, _ExportedStream) and not stream.closed:
        return stream.socket  # the socket itself: one owner of the descriptor
    try:
        fd = int(stream.fileno())
    except (OSError, ValueError):
        fd = -1
    if fd < 0 or getattr(stream, "closed", False) is True:
        raise TypeError(M.INVALID_STREAM.format(function=function))
    try:
        duplicate = os.dup(fd)
    except OSError as exc:
        fail(function, M.IMPORT_FAMILY_FAILED, exc.errno, None)
        return False
    try:
        sock = Socket.from_fd(duplicate)
    except NotASocket:
        os.close(duplicate)
        warn(function, M.IMPORT_NOT_A_SOCKET)
        return False
    except SocketError as exc:
        os.close(duplicate)
        fail(function, M.IMPORT_FAMILY_FAILED, exc.errno, None)
        return False
    try:
        # O_NONBLOCK belongs to the open file description both descriptors share.
        sock.blocking = os.get_blocking(duplicate)
    except OSError as exc:
        sock.close()
        fail(function, M.IMPORT_BLOCKING_FAILED, exc.errno, None)
        return False
    _STREAMS[sock] = [stream]
    return sock


class _ExportedStream(io.RawIOBase):
    """`socket_export_stream`'s file: the socket's own, so closing it closes the socket."""

    def __init__(self, sock: Socket) -> None:
        super().__init__()
        self._raw: Any = sock.makefile("rwb", buffering=0)
        self.socket = sock

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return int(self._raw.fileno())

    def readinto(self, buffer: Any) -> int | None:
        return self._raw.readinto(buffer)  # type: ignore[no-any-return]

    def write(self, data: Any) -> int | None:
        return self._raw.write(data)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._raw.close()  # first: the socket's descriptor stays open while a file uses it
        finally:
            super().close()
            self._forget(self.socket)
            self.socket.close()

    @staticmethod
    def _forget(sock: Socket, streams: Any = _STREAMS) -> None:
        # The table is bound at definition: a stream finalised while the interpreter
        # exits, after this module's globals are cleared, still finds it.
        streams.pop(sock, None)


@php_signature
def socket_export_stream(socket: Socket = REQUIRED, *extra: object) -> IO[bytes] | Literal[False]:
    """A binary read/write file object over the socket, unbuffered both ways.

    PHP: ``socket_export_stream(Socket $socket)``

    Asking twice gives the same file object, as PHP gives the same stream; for a socket
    that came from `socket_import_stream`, the file object it came from.  Reads are
    unbuffered so that the stream and `socket_read` can be mixed without one taking
    bytes meant for the other.  `socket_close` closes the stream too, and closing the
    stream closes the socket, as PHP's ``fclose()`` does (PHP then leaves the socket
    with a closed descriptor; compat's raises PHP's "has already been closed" error).
    """
    function = "socket_export_stream"
    sock: Socket
    (sock,) = arguments(function, (socket,), extra)
    streams = _STREAMS.setdefault(sock, [])
    for existing in streams:
        if isinstance(existing, io.IOBase) and not existing.closed:
            return existing  # type: ignore[return-value]
    try:
        stream: IO[bytes] = _ExportedStream(sock)  # type: ignore[assignment]
    except SocketClosedError:
        raise _closed_error(function) from None
    except (OSError, ValueError):
        warn(function, M.EXPORT_FAILED)
        return False
    streams.append(stream)
    return stream


@php_signature
def socket_atmark(socket: Socket = REQUIRED, *extra: object) -> bool:
    """Whether the socket's read position is at the out-of-band mark.

    PHP 8.3: ``socket_atmark(Socket $socket): bool``

    On failure returns ``False`` after the warning ``Unable to apply sockmark``.
    """
    function = "socket_atmark"
    sock: Socket
    (sock,) = arguments(function, (socket,), extra)
    try:
        return sock.atmark()
    except SocketError as exc:
        _failed(function, M.ATMARK_FAILED, exc, sock)
        return False
