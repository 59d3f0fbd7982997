"""[`Socket`][sockkit.socket.Socket]: a BSD socket that is typed, closes itself and fails clearly.

A `Socket` wraps one Python ``socket.socket``.  It adds typed addresses, typed
option values, typed exceptions that carry the operation and the address, and
PHP's read/write semantics where sockkit promises them.  It adds nothing to the
success path of a call that the call does not need: errors are converted only
after the system call has failed.

Example:
    >>> with Socket.pair() as (left, right):
    ...     left.write_all(b"hello\\n")
    ...     right.read(100, ReadMode.NORMAL)
    b'hello\\n'
"""

from __future__ import annotations

import _thread
import contextlib
import errno as _errno
import io
import selectors as _selectors
import signal
import socket as _s
import sys
import threading
import warnings
from operator import index as _index
from typing import IO, TYPE_CHECKING, Any, Final, NamedTuple, NoReturn

from typing_extensions import Buffer

from sockkit import _happy_eyeballs
from sockkit._platform import constant as _constant
from sockkit.address import Address, from_sockaddr, to_sockaddr
from sockkit.enums import AddressFamily, Protocol, ReadMode, Shutdown, SocketType
from sockkit.errors import SocketClosedError, SocketError, from_errno, from_oserror
from sockkit.message import (
    _CLOEXEC,
    Message,
    _ancillary,
    _Buffers,
    _install_socket_factory,
    _received,
)
from sockkit.options import Option, _OptionBase

if TYPE_CHECKING:
    import ssl

    from typing_extensions import Self

    from sockkit.tls import TLSSocket

__all__ = ["Socket", "SocketPair"]

# Enum members bound once: evaluating ``ReadMode.NORMAL`` goes through the enum
# metaclass every time, which is measurable on a per-line read.
_NORMAL: Final = ReadMode.NORMAL
# Plain ints, not the socket module's IntFlag members: ``flags | MsgFlag.X`` runs the
# enum machinery (about 1 µs), more than the system call it decorates.
_PEEK: Final = int(_s.MSG_PEEK)
# Writes never raise SIGPIPE: a closed peer is a BrokenPipe exception, not a dead process.
_NOSIGNAL: Final = int(getattr(_s, "MSG_NOSIGNAL", 0))
# sendfile() has no MSG_NOSIGNAL: SIGPIPE is blocked around it where the OS lets us.
_SIGPIPE: Final = (
    signal.SIGPIPE
    if hasattr(signal, "SIGPIPE")
    and hasattr(signal, "pthread_sigmask")
    and hasattr(signal, "sigtimedwait")
    else None
)
_SOMAXCONN: Final = _s.SOMAXCONN
# "No \r ahead" for Socket._ahead_cr: beyond any position a read may look at.
_NO_CR: Final = sys.maxsize
_AF_UNIX: Final = getattr(_s, "AF_UNIX", -1)
# sockatmark(3) is an ioctl; its number is per platform.
_SO_PROTOCOL: Final = _constant("SO_PROTOCOL")
_SIOCATMARK: Final = {"linux": 0x8905, "darwin": 0x40047307}.get(sys.platform)


class _Closed:
    """Stands in for the Python socket once a `Socket` is closed.

    Every attribute is a callable that raises `SocketClosedError`, so the hot path
    needs no "is it closed?" test: a closed socket fails on its own.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        def closed(*args: object, **kwargs: object) -> NoReturn:
            raise SocketClosedError(name)

        return closed

    def fileno(self) -> int:
        return -1

    def close(self) -> None:
        pass


_CLOSED: Final = _Closed()

# Bumped whenever a Socket closes, gives its descriptor away or shares its Python socket:
# Selector.wait reuses its plan for the very Socket objects it waited on last only while
# this is unchanged (a closed Socket's descriptor number may already name another file).
_closes = 0


def _enum_or_int(enum_type: type[Any], value: int) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        return value


# Frames of these files belong to calls on a socket (ours, or the socket module's),
# and this local of such a frame names the Socket or its Python socket.  Code that
# calls a Socket's wrapped socket directly adds its file (_register_direct_caller).
_CALL_FILES: Final[dict[str, str]] = {__file__: "self", _s.__file__: "self"}


def _register_direct_caller(file: str, local: str) -> None:
    """Let ``close()`` find calls blocked in functions of ``file``.

    For code that calls a `Socket`'s wrapped Python socket itself, to skip the
    method's frame on a hot path (``sockkit.compat`` does): while such a call is
    blocked, its frame's local variable ``local`` must hold the `Socket`, so that
    closing the `Socket` from another thread wakes it as it wakes the methods.
    """
    _CALL_FILES[file] = local


_SELECTORS_FILE: Final = _selectors.__file__
# How many threads besides the main one are running (CPython's, 20 ns); None: unknown.
_other_threads: Final = getattr(_thread, "_count", None)


def _references(obj: object) -> int:
    """``sys.getrefcount`` where the interpreter has exact reference counts, else 1."""
    return sys.getrefcount(obj) if _EXACT_REFCOUNTS else 1


def _references_when_unshared() -> int:
    probe = object()  # held by one local, like the socket in close()
    return _references(probe)


_EXACT_REFCOUNTS: Final = hasattr(sys, "getrefcount") and bool(
    getattr(sys, "_is_gil_enabled", lambda: True)()
)
# A call in progress on the Python socket (in any thread) holds a reference to it; so
# does a file from makefile() or a user of to_stdlib().  When close() holds the only
# one, nobody can be blocked in it: no need to look at the threads.  (-1: always look.)
_UNSHARED: Final = _references_when_unshared() if _EXACT_REFCOUNTS else -1


def _in_use_elsewhere(owner: Socket, sock: object) -> bool:
    """Whether another thread is inside a call on this socket now (and may be blocked in it).

    Looks at the innermost frame of each other thread: a blocked call's innermost
    Python frame is the `Socket` method (or the socket module's) whose ``self`` it is,
    or a registered direct caller's whose named local it is (one frame further out
    when the socket module waits in ``selectors``).  Costs
    nothing on the data path; ``close()`` pays only when other threads exist (about
    0.1 µs per thread).
    """
    if _other_threads is not None and not _other_threads():
        return False  # the main thread alone: nobody else can be blocked
    me = threading.get_ident()
    for ident, top in sys._current_frames().items():
        if ident == me:
            continue
        frame = top
        filename = frame.f_code.co_filename
        if filename == _SELECTORS_FILE and frame.f_back is not None:
            frame = frame.f_back  # socket.sendfile() waiting for writability
            filename = frame.f_code.co_filename
        local = _CALL_FILES.get(filename)
        if local is not None:
            this = frame.f_locals.get(local)
            if this is owner or this is sock:
                return True
    return False


class Socket:
    """A BSD socket.

    Args:
        family: the address family (default ``AddressFamily.INET``).
        type: the socket type (default ``SocketType.STREAM``).
        protocol: the protocol number (default 0: the family's default for the type).

    Raises:
        AddressFamilyNotSupported: the OS does not support the family.
        SocketError: any other failure of ``socket(2)``, typed by its errno.

    The socket is non-inheritable, closes when its ``with`` block ends, and warns
    with ``ResourceWarning`` if the garbage collector finds it open.

    Example:
        >>> with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        ...     sock.bind(("127.0.0.1", 0))
        ...     sock.local_address.host
        '127.0.0.1'
    """

    __slots__ = (
        "__weakref__",
        "_ahead",
        "_ahead_at",
        "_ahead_cr",
        "_family",
        "_last_error",
        "_shared",
        "_sock",
        "_type",
    )

    _sock: Any
    _family: int
    _type: int
    _last_error: int
    _shared: bool
    # Bytes a NORMAL read peeked at that are still queued in the kernel (stream
    # sockets only), where the next line starts in them (-1: never cache), and where
    # their next \r is (_NO_CR when there is none).
    _ahead: bytes
    _ahead_at: int
    _ahead_cr: int

    def __init__(
        self,
        family: int = AddressFamily.INET,
        type: int = SocketType.STREAM,
        protocol: int = 0,
    ) -> None:
        for name, value in (("family", family), ("type", type), ("protocol", protocol)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} must be an int, got {value.__class__.__name__}")
        self._sock = _CLOSED
        self._shared = False
        try:
            sock = _s.socket(family, type, protocol)
        except OSError as exc:
            raise from_oserror(exc, "socket") from None
        self._adopt(sock)

    def _adopt(self, sock: _s.socket) -> None:
        self._sock = sock
        self._family = sock.family
        self._type = sock.type
        self._last_error = 0
        self._shared = False
        self._ahead = b""
        self._ahead_at = 0 if sock.type == _s.SOCK_STREAM else -1

    @classmethod
    def _wrap(cls, sock: _s.socket) -> Socket:
        self = cls.__new__(cls)
        self._adopt(sock)
        return self

    # ------------------------------------------------------------------ construction

    @classmethod
    def pair(
        cls,
        family: int = _AF_UNIX,
        type: int = SocketType.STREAM,
        protocol: int = 0,
    ) -> SocketPair:
        """Create a pair of connected sockets (``socketpair(2)``).

        The result unpacks as ``left, right`` and, used in ``with``, closes both.

        Raises:
            SocketError: typed by errno, e.g. ``OperationNotSupported`` for TCP.

        Example:
            >>> with Socket.pair() as (left, right):
            ...     left.send(b"x"), right.recv(1)
            (1, b'x')
        """
        try:
            one, two = _s.socketpair(family, type, protocol)
        except OSError as exc:
            raise from_oserror(exc, "socketpair") from None
        return SocketPair(cls._wrap(one), cls._wrap(two))

    @classmethod
    def from_stdlib(cls, sock: _s.socket) -> Socket:
        """Wrap a Python ``socket.socket``; the new `Socket` owns it from now on.

        Raises:
            TypeError: ``sock`` is not a ``socket.socket``.
            SocketClosedError: ``sock`` is already closed.
        """
        if not isinstance(sock, _s.socket):
            raise TypeError(f"sock must be a socket.socket, got {sock.__class__.__name__}")
        if sock.fileno() < 0:
            raise SocketClosedError("from_stdlib")
        return cls._wrap(sock)

    @classmethod
    def from_fd(cls, fd: int) -> Socket:
        """Wrap an open socket descriptor; the new `Socket` owns (and will close) it.

        Family, type and protocol are read from the descriptor.

        Raises:
            TypeError: ``fd`` is not an int.
            ValueError: ``fd`` is negative.
            NotASocket: the descriptor is not a socket.
            BadFileDescriptor: the descriptor is not open.
        """
        if not isinstance(fd, int) or isinstance(fd, bool):
            raise TypeError(f"fd must be an int, got {fd.__class__.__name__}")
        if fd < 0:
            raise ValueError(f"fd must be >= 0, got {fd}")
        try:
            sock = _s.socket(fileno=fd)
        except OSError as exc:
            raise from_oserror(exc, "socket(fileno)") from None
        return cls._wrap(sock)

    @classmethod
    def create_server(
        cls,
        address: object,
        *,
        backlog: int = 128,
        family: int | None = None,
        reuse_port: bool = False,
        dualstack: bool = False,
    ) -> Socket:
        """Create a listening stream socket bound to ``address``.

        ``address`` is ``(host, port)`` (``""`` listens on every IPv4 address), a
        typed address, or a Unix path.  ``SO_REUSEADDR`` is set on POSIX so a
        restarted server can bind at once.

        Args:
            address: where to listen.
            backlog: the ``listen()`` backlog.
            family: the address family; guessed from ``address`` when ``None``.
            reuse_port: set ``SO_REUSEPORT`` so several processes may listen.
            dualstack: an IPv6 listener that also accepts IPv4 (``IPV6_V6ONLY`` off).

        Raises:
            ValueError: a bad address, or ``dualstack`` for a non-IPv6 family or
                where the OS cannot do it.
            AddressInUse: another socket has the address.
            LookupFailed: a host name could not be resolved.

        Example:
            >>> with Socket.create_server(("127.0.0.1", 0)) as server:
            ...     server.get_option(SocketOption.ACCEPTCONN)
            True
        """
        return _happy_eyeballs.create_server(
            cls, address, backlog=backlog, family=family, reuse_port=reuse_port, dualstack=dualstack
        )

    @classmethod
    def create_connection(
        cls,
        address: tuple[str, int] | Address,
        *,
        timeout: float | None = None,
        source_address: tuple[str, int] | Address | None = None,
        happy_eyeballs_delay: float = 0.25,
    ) -> Socket:
        """Connect a stream socket to ``(host, port)``, trying every address it resolves to.

        IPv6 and IPv4 addresses are raced as RFC 8305 ("Happy Eyeballs") says: the
        next attempt starts when the previous one fails or after
        ``happy_eyeballs_delay`` seconds, the first connection wins and every other
        socket is closed.

        Args:
            address: ``(host, port)``; the host may be a name or a numeric address.
            timeout: the whole connect's time limit, also left set on the socket.
            source_address: bind to this ``(host, port)`` before connecting.
            happy_eyeballs_delay: seconds before the next attempt starts.

        Raises:
            LookupFailed: the host could not be resolved.
            SocketError: every attempt failed; the raised error is the last
                attempt's, and ``.attempts`` lists every attempt's error in the
                order the attempts started.
        """
        return _happy_eyeballs.create_connection(
            cls,
            address,
            timeout=timeout,
            source_address=source_address,
            delay=happy_eyeballs_delay,
        )

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the socket.  Closing twice is harmless.

        After ``close()``, ``fileno()`` returns -1, ``family`` and ``type`` still
        answer, and everything that would reach the OS raises `SocketClosedError`.
        """
        global _closes
        sock = self._sock
        self._sock = _CLOSED
        _closes += 1
        if sock is not _CLOSED and _references(sock) > _UNSHARED and _in_use_elsewhere(self, sock):
            # close() alone does not wake a thread blocked in this socket (Linux keeps
            # the file alive for the call): shutdown() does, and the woken call then
            # raises SocketClosedError.  Only then: shutdown() would also cut the
            # connection for a forked child or a receiver of the descriptor.
            with contextlib.suppress(OSError):
                sock.shutdown(_s.SHUT_RDWR)
        sock.close()

    def detach(self) -> int:
        """Give up ownership of the descriptor and return it; the `Socket` is closed.

        Raises:
            SocketClosedError: the socket was already closed.
        """
        global _closes
        fd: int = self._sock.detach()
        self._sock = _CLOSED
        _closes += 1
        return fd

    @property
    def closed(self) -> bool:
        """Whether the socket is closed (also when closed through ``to_stdlib()``)."""
        return bool(self._sock.fileno() < 0)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        sock = getattr(self, "_sock", _CLOSED)
        if sock is _CLOSED or self._shared or sock.fileno() < 0:
            return
        warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=2, source=self)
        self._sock = _CLOSED
        sock.close()

    def fileno(self) -> int:
        """Return the descriptor, or -1 once closed."""
        fd: int = self._sock.fileno()
        return fd

    def to_stdlib(self) -> _s.socket:
        """Return the Python ``socket.socket`` underneath (shared, not a copy).

        Closing either closes both; the `Socket` then reports ``closed``.

        Raises:
            SocketClosedError: the socket is closed.
        """
        sock = self._sock
        if sock is _CLOSED:
            raise SocketClosedError("to_stdlib")
        global _closes
        self._shared = True
        _closes += 1
        self._ahead, self._ahead_at = b"", -1  # others may read it now: no look-ahead
        result: _s.socket = sock
        return result

    def makefile(self, mode: str = "rb", buffering: int | None = None) -> IO[Any]:
        """Return a file object reading and/or writing this socket.

        Args:
            mode: ``"r"``, ``"w"``, ``"rw"``, with ``"b"`` for binary.
            buffering: as for ``open()``; ``0`` for unbuffered binary.

        Raises:
            ValueError: an unknown mode.
            SocketClosedError: the socket is closed.
        """
        if not set(mode) <= {"r", "w", "b"} or not mode.strip("b"):
            raise ValueError(f"mode must be made of 'r', 'w' and 'b', got {mode!r}")
        # Reads through the file bypass this object: no cached line look-ahead from now on.
        self._ahead, self._ahead_at = b"", -1
        file: IO[Any] = self._sock.makefile(mode, buffering)
        return file

    def start_tls(
        self,
        context: ssl.SSLContext,
        *,
        server_hostname: str | None = None,
        server_side: bool = False,
        suppress_ragged_eofs: bool = False,
        do_handshake: bool = True,
    ) -> TLSSocket:
        """Run TLS over this connected socket and return the [`TLSSocket`][sockkit.tls.TLSSocket].

        The `TLSSocket` owns this socket from then on (a failed handshake closes it);
        ``tls.unwrap()`` gives it back for plaintext.  See
        [`TLSSocket.start`][sockkit.tls.TLSSocket.start] for the arguments and errors.

        Raises:
            CertificateVerifyError: the peer's certificate did not verify.
            TLSHandshakeError: the handshake failed.
        """
        from sockkit.tls import TLSSocket  # noqa: PLC0415  (tls sits above socket)

        return TLSSocket.start(
            self,
            context,
            server_hostname=server_hostname,
            server_side=server_side,
            suppress_ragged_eofs=suppress_ragged_eofs,
            do_handshake=do_handshake,
        )

    # ------------------------------------------------------------------ state

    @property
    def family(self) -> AddressFamily | int:
        """The address family (an `AddressFamily`, or an int the enum lacks)."""
        return _enum_or_int(AddressFamily, self._family)  # type: ignore[no-any-return]

    @property
    def type(self) -> SocketType | int:
        """The socket type (a `SocketType`, or an int the enum lacks)."""
        return _enum_or_int(SocketType, self._type)  # type: ignore[no-any-return]

    @property
    def protocol(self) -> Protocol | int:
        """The protocol the OS reports (``SO_PROTOCOL``), or the one given at creation.

        Raises:
            SocketClosedError: the socket is closed.
        """
        sock = self._sock
        number: int = sock.proto
        if _SO_PROTOCOL is not None:
            try:
                number = sock.getsockopt(_s.SOL_SOCKET, _SO_PROTOCOL)
            except OSError as exc:
                if isinstance(exc, SocketError):
                    raise
        return _enum_or_int(Protocol, number)  # type: ignore[no-any-return]

    @property
    def blocking(self) -> bool:
        """Whether calls wait (``True``) or fail with `WouldBlock` at once (``False``)."""
        return bool(self._sock.getblocking())

    @blocking.setter
    def blocking(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise TypeError(f"blocking must be a bool, got {value.__class__.__name__}")
        self._sock.setblocking(value)

    @property
    def timeout(self) -> float | None:
        """Seconds a call may wait: ``None`` blocks, ``0.0`` never waits.

        A call that runs out of time raises `TimedOut`.
        """
        value: float | None = self._sock.gettimeout()
        return value

    @timeout.setter
    def timeout(self, value: float | None) -> None:
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"timeout must be seconds or None, got {value.__class__.__name__}")
            if not value >= 0:
                raise ValueError(f"timeout must be >= 0 or None, got {value}")
        self._sock.settimeout(value)

    @property
    def local_address(self) -> Address | None:
        """The address the socket is bound to (``getsockname``).

        ``None`` for an unnamed Unix socket.

        Raises:
            SocketClosedError: the socket is closed.
        """
        try:
            raw = self._sock.getsockname()
        except OSError as exc:
            raise self._error(exc, "getsockname") from None
        return from_sockaddr(self._family, raw)

    @property
    def peer_address(self) -> Address | None:
        """The address of the connected peer (``getpeername``).

        Raises:
            NotConnected: the socket is not connected.
            SocketClosedError: the socket is closed.
        """
        try:
            raw = self._sock.getpeername()
        except OSError as exc:
            raise self._error(exc, "getpeername") from None
        return from_sockaddr(self._family, raw)

    @property
    def last_error(self) -> int:
        """The errno of this socket's last failure, 0 if none (see `clear_error`)."""
        return self._last_error

    def clear_error(self) -> None:
        """Reset `last_error` to 0."""
        self._last_error = 0

    def atmark(self) -> bool:
        """Whether the read position is at the out-of-band mark (``sockatmark(3)``).

        Raises:
            OperationNotSupported: the platform has no ``SIOCATMARK``.
            SocketClosedError: the socket is closed.
        """
        fd = self.fileno()
        if fd < 0:
            raise SocketClosedError("atmark")
        if _SIOCATMARK is None:
            raise from_errno(_errno.EOPNOTSUPP, "atmark")
        import fcntl  # noqa: PLC0415 - POSIX only, and atmark is rare
        import struct  # noqa: PLC0415

        try:
            raw = fcntl.ioctl(fd, _SIOCATMARK, bytes(4))
        except OSError as exc:
            raise self._error(exc, "atmark") from None
        return bool(struct.unpack("i", raw)[0])

    def __repr__(self) -> str:
        family = getattr(self.family, "name", self._family)
        kind = getattr(self.type, "name", self._type)
        sock = self._sock
        if sock is _CLOSED or sock.fileno() < 0:
            return f"<Socket {family} {kind} closed>"
        parts = [f"<Socket {family} {kind} fd={sock.fileno()}"]
        for label, getter in (("local", sock.getsockname), ("peer", sock.getpeername)):
            try:
                address = from_sockaddr(self._family, getter())
            except (OSError, ValueError):
                continue
            parts.append(f"{label}={address if address is not None else '<unnamed>'}")
        return " ".join(parts) + ">"

    # ------------------------------------------------------------------ errors

    def _error(self, exc: OSError, operation: str, address: object = None) -> SocketError:
        """Turn an ``OSError`` from the socket module into the typed exception."""
        if isinstance(exc, SocketError):
            return exc
        if self._sock.fileno() < 0:
            # Closed underneath us (through to_stdlib()): never report the OS's EBADF.
            return SocketClosedError(operation)
        error = from_oserror(exc, operation, address)
        if error.errno:
            self._last_error = error.errno
        return error

    # ------------------------------------------------------------------ connection

    def bind(self, address: object) -> None:
        """Bind the socket to ``address`` (``bind(2)``).

        Args:
            address: ``(host, port)`` for IPv4, ``(host, port[, flowinfo, scope_id])``
                for IPv6, a path (``str``) or abstract name (``bytes`` starting with
                ``b"\\0"``) for Unix sockets, or a typed address.

        Raises:
            ValueError: the address is malformed or of the wrong family (before any system call).
            AddressInUse: another socket is bound there.
            PermissionDenied: a privileged port or a protected path.
        """
        sockaddr = to_sockaddr(self._family, address)
        try:
            self._sock.bind(sockaddr)
        except OSError as exc:
            raise self._error(exc, "bind", sockaddr) from None

    def listen(self, backlog: int = _SOMAXCONN) -> None:
        """Mark the socket as accepting connections (``listen(2)``).

        Raises:
            TypeError: ``backlog`` is not an int.
            ValueError: ``backlog`` is negative.
        """
        if not isinstance(backlog, int) or isinstance(backlog, bool):
            raise TypeError(f"backlog must be an int, got {backlog.__class__.__name__}")
        if backlog < 0:
            raise ValueError(f"backlog must be >= 0, got {backlog}")
        try:
            self._sock.listen(backlog)
        except OSError as exc:
            raise self._error(exc, "listen") from None

    def accept(self) -> tuple[Socket, Address | None]:
        """Accept a connection (``accept(2)``): the new socket and the peer's address.

        Raises:
            WouldBlock: a non-blocking listener has nothing pending.
            TimedOut: the socket's timeout expired.
            InvalidArgument: the socket is not listening.
        """
        try:
            sock, raw = self._sock.accept()
        except OSError as exc:
            raise self._error(exc, "accept") from None
        return Socket._wrap(sock), from_sockaddr(self._family, raw)

    def connect(self, address: object) -> None:
        """Connect to ``address`` (``connect(2)``).

        For IP sockets the host may be a name, which the OS resolver looks up.

        Raises:
            ValueError: a malformed address, or a numeric one of the wrong family.
            ConnectionRefused: nothing listens there.
            InProgress: a non-blocking connect has started (wait for writability).
            TimedOut: the socket's timeout expired.
            LookupFailed: the host name could not be resolved.
        """
        sockaddr = to_sockaddr(self._family, address)
        try:
            self._sock.connect(sockaddr)
        except OSError as exc:
            raise self._error(exc, "connect", sockaddr) from None

    def shutdown(self, how: int = Shutdown.BOTH) -> None:
        """Shut down reading, writing or both (``shutdown(2)``).

        Raises:
            ValueError: ``how`` is not a `Shutdown` value.
            NotConnected: the socket is not connected.
        """
        if how not in (0, 1, 2) or isinstance(how, bool):
            raise ValueError(f"how must be Shutdown.READ, WRITE or BOTH, got {how!r}")
        try:
            self._sock.shutdown(how)
        except OSError as exc:
            raise self._error(exc, "shutdown") from None

    # ------------------------------------------------------------------ data

    def recv(self, length: int, flags: int = 0) -> bytes:
        """Receive up to ``length`` bytes (``recv(2)``); ``b""`` means end of stream.

        Raises:
            ValueError: ``length`` is negative.
            WouldBlock: non-blocking and nothing to read.
            TimedOut: the timeout expired.
            ConnectionReset: the peer reset the connection.
        """
        self._ahead = b""  # what read() peeked at may be consumed now
        try:
            # Each argument the socket module parses costs: the usual call passes none.
            data: bytes = self._sock.recv(length) if flags == 0 else self._sock.recv(length, flags)
        except OSError as exc:
            raise self._error(exc, "recv") from None
        except ValueError:
            raise ValueError(f"length must be >= 0, got {length}") from None
        if not data and self._sock is _CLOSED:
            raise SocketClosedError("recv")  # closed by another thread while waiting
        return data

    def recv_into(self, buffer: Buffer, nbytes: int = 0, flags: int = 0) -> int:
        """Receive into ``buffer`` (up to ``nbytes``, or its size when 0); return the count.

        Raises:
            ValueError: ``nbytes`` is negative or larger than the buffer.
            WouldBlock, TimedOut, ConnectionReset: as for `recv`.
        """
        self._ahead = b""  # what read() peeked at may be consumed now
        try:
            count: int = self._sock.recv_into(buffer, nbytes, flags)
        except OSError as exc:
            raise self._error(exc, "recv_into") from None
        if not count and self._sock is _CLOSED:
            raise SocketClosedError("recv_into")  # closed by another thread while waiting
        return count

    def recvfrom(self, length: int, flags: int = 0) -> tuple[bytes, Address | None]:
        """Receive a datagram and its sender's address (``None`` for an unnamed sender).

        Raises:
            ValueError: ``length`` is negative.
            WouldBlock, TimedOut: as for `recv`.
        """
        self._ahead = b""  # what read() peeked at may be consumed now
        try:
            data, raw = self._sock.recvfrom(length, flags)
        except OSError as exc:
            raise self._error(exc, "recvfrom") from None
        except ValueError:
            raise ValueError(f"length must be >= 0, got {length}") from None
        if not data and self._sock is _CLOSED:
            raise SocketClosedError("recvfrom")  # closed by another thread while waiting
        # A connected stream socket has no sender address: Python gives None.
        return data, None if raw is None else from_sockaddr(self._family, raw)

    def send(self, data: Buffer, flags: int = 0) -> int:
        """Send bytes (``send(2)``); returns how many were sent, which may be fewer.

        Raises:
            BrokenPipe: the peer has closed (never a ``SIGPIPE``).
            WouldBlock: non-blocking and the send buffer is full.
        """
        try:
            # "flags | _NOSIGNAL" makes a new int (and runs the enum machinery, 0.6 µs,
            # for a MsgFlag): not for the usual 0.  (== 0, not truth: None is refused.)
            flags = _NOSIGNAL if flags == 0 else _index(flags) | _NOSIGNAL
            count: int = self._sock.send(data, flags)
        except OSError as exc:
            raise self._error(exc, "send") from None
        return count

    def sendto(self, data: Buffer, address: object, flags: int = 0) -> int:
        """Send a datagram to ``address``; returns the number of bytes sent.

        Raises:
            ValueError: a malformed address or one of the wrong family.
            MessageTooLong: the datagram is larger than the protocol allows.
        """
        sockaddr = to_sockaddr(self._family, address)
        try:
            count: int = self._sock.sendto(data, _index(flags) | _NOSIGNAL, sockaddr)
        except OSError as exc:
            raise self._error(exc, "sendto", sockaddr) from None
        return count

    def write(self, data: Buffer, length: int | None = None) -> int:
        """Write once, like PHP's ``socket_write``: at most ``length`` bytes, maybe fewer.

        Args:
            data: the bytes to write.
            length: write at most this many (``None``: all of ``data``; more than
                ``len(data)`` is the same as ``len(data)``).

        Returns:
            The number of bytes written, which may be less than asked.

        Raises:
            TypeError: ``data`` is not bytes-like (encode a ``str`` first).
            ValueError: ``length`` is negative.
            BrokenPipe, ConnectionReset, WouldBlock: as for `send`.
        """
        if length is not None:
            if length < 0:
                raise ValueError(f"length must be >= 0, got {length}")
            data = memoryview(data)[:length]
        try:
            count: int = self._sock.send(data, _NOSIGNAL)
        except OSError as exc:
            raise self._error(exc, "write") from None
        return count

    def write_all(self, data: Buffer) -> None:
        """Write all of ``data``, waiting as needed (``sendall``).

        Raises:
            BrokenPipe, ConnectionReset: the peer went away.
            TimedOut: the socket's timeout expired; some data may have been sent.
        """
        try:
            self._sock.sendall(data, _NOSIGNAL)
        except OSError as exc:
            raise self._error(exc, "write_all") from None

    def read(self, length: int, mode: int = ReadMode.BINARY) -> bytes:
        """Read like PHP's ``socket_read``.

        ``ReadMode.BINARY`` returns what one ``recv`` gives.  ``ReadMode.NORMAL``
        returns up to and including the first ``\\n`` or ``\\r``, never more than
        ``length`` bytes, and never consumes a byte past the terminator.  On a
        blocking socket it waits for the rest of a line; a partial line at the end
        of the stream is returned, then ``b""``.  On a non-blocking socket it
        returns the part of a line that has arrived.

        Raises:
            ValueError: ``length`` is negative.
            WouldBlock: non-blocking and nothing has arrived.
            TimedOut: the timeout expired before any byte arrived.

        Example:
            >>> with Socket.pair() as (left, right):
            ...     left.write_all(b"ab\\r\\ncd")
            ...     left.shutdown(Shutdown.WRITE)
            ...     [right.read(100, ReadMode.NORMAL) for _ in range(4)]
            [b'ab\\r', b'\\n', b'cd', b'']
        """
        if mode != _NORMAL:
            self._ahead = b""  # what an earlier NORMAL read peeked at may be consumed now
            try:
                data: bytes = self._sock.recv(length)
            except OSError as exc:
                raise self._error(exc, "read") from None
            except ValueError:
                raise ValueError(f"length must be >= 0, got {length}") from None
            if not data and self._sock is _CLOSED:
                raise SocketClosedError("read")  # closed by another thread while waiting
            return data
        if length <= 0:
            if length < 0:
                raise ValueError(f"length must be >= 0, got {length}")
            return b""
        ahead = self._ahead
        if ahead:
            # An earlier peek saw more than its line, and nothing else has read since
            # (every other receive path drops it): if a whole line is in there, one recv
            # takes exactly it.
            at = self._ahead_at
            limit = at + length
            newline = ahead.find(b"\n", at, limit)
            end = self._ahead_cr  # where the next \r is (_NO_CR when there is none)
            if end < limit and (newline < 0 or end < newline):
                end += 1
                carriage = ahead.find(b"\r", end)
                self._ahead_cr = carriage if carriage >= 0 else _NO_CR
            else:
                end = newline + 1
            self._ahead = b""
            if end:
                try:
                    line: bytes = self._sock.recv(end - at)
                except OSError as exc:
                    raise self._error(exc, "read") from None
                if line == ahead[at:end]:
                    if end < len(ahead):
                        self._ahead = ahead
                        self._ahead_at = end
                    return line
                # The descriptor was read elsewhere meanwhile: what arrived is the answer.
                if not line and self._sock is _CLOSED:
                    raise SocketClosedError("read")  # closed by another thread while waiting
                return line
        recv = self._sock.recv
        try:
            # Peek, then take exactly up to the terminator, and nothing after it.  What
            # the peek saw beyond the line stays queued in the kernel; it is kept, so the
            # next lines need one recv each (every other receive path drops it).
            peeked: bytes = recv(length, _PEEK)
            end = _line_end(peeked)
            if end:
                line = recv(end)
                if end < len(peeked) and self._ahead_at >= 0 and len(line) == end:
                    self._ahead = peeked
                    self._ahead_at = end
                    carriage = peeked.find(b"\r", end)
                    self._ahead_cr = carriage if carriage >= 0 else _NO_CR
                return line
            if not peeked:
                if self._sock is _CLOSED:
                    raise SocketClosedError("read")  # closed by another thread while waiting
                return peeked
            first: bytes = recv(len(peeked))
        except OSError as exc:
            raise self._error(exc, "read") from None
        if len(first) >= length or self._sock.gettimeout() == 0.0:
            return first
        return self._read_rest(first, length)

    def _read_rest(self, first: bytes, length: int) -> bytes:
        """Finish a NORMAL read on a blocking socket whose line arrived in pieces."""
        parts = [first]
        have = len(first)
        recv = self._sock.recv
        while have < length:
            try:
                peeked: bytes = recv(length - have, _PEEK)
                if not peeked:
                    break
                end = _line_end(peeked)
                chunk: bytes = recv(end or len(peeked))
            except (TimeoutError, BlockingIOError):
                break  # what has arrived is the answer; the next read reports the wait
            except OSError as exc:
                raise self._error(exc, "read") from None
            parts.append(chunk)
            have += len(chunk)
            if end:
                break
        return b"".join(parts)

    def sendfile(self, file: IO[bytes], offset: int = 0, count: int | None = None) -> int:
        """Send a regular file's contents (``sendfile(2)`` where possible).

        Args:
            file: a regular file opened in binary mode.
            offset: where to start in the file.
            count: how many bytes (``None``: to the end).

        Returns:
            The number of bytes sent.

        Raises:
            ValueError: negative ``offset`` or ``count``, or a text-mode file.
            BrokenPipe, ConnectionReset: the peer went away.
        """
        if offset < 0 or (count is not None and count < 0):
            raise ValueError("offset and count must be >= 0")
        if isinstance(file, io.TextIOBase):
            raise ValueError("file must be opened in binary mode")
        if not offset and file.seekable():
            # The socket module's send() fallback (taken after sendfile(2) fails, e.g. on
            # EPIPE) reads from the current position when offset is 0: start at 0 too.
            file.seek(0)
        try:
            if _SIGPIPE is None or signal.getsignal(_SIGPIPE) is signal.SIG_IGN:
                sent: int = self._sock.sendfile(file, offset, count)
            else:
                # sendfile(2) (and the socket module's send() fallback) cannot take
                # MSG_NOSIGNAL: hold SIGPIPE back in this thread and discard ours.
                pending = _SIGPIPE in signal.sigpending()
                signal.pthread_sigmask(signal.SIG_BLOCK, (_SIGPIPE,))
                try:
                    sent = self._sock.sendfile(file, offset, count)
                finally:
                    if not pending and _SIGPIPE in signal.sigpending():
                        signal.sigtimedwait((_SIGPIPE,), 0)
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, (_SIGPIPE,))
        except OSError as exc:
            raise self._error(exc, "sendfile") from None
        return sent

    def sendmsg(self, message: Message, flags: int = 0) -> int:
        """Send one message (``sendmsg(2)``): its buffers gathered, with its control data.

        ``message.address`` is the destination (for an unconnected datagram
        socket); ``message.flags`` is ignored, as by ``sendmsg(2)``.

        Args:
            message: the buffers, control messages and address to send.
            flags: ``MsgFlag`` values (``MSG_NOSIGNAL`` is always added).

        Returns:
            The number of bytes sent; a stream socket may send fewer than all.

        Raises:
            TypeError: ``message`` is not a `Message`, or holds a value of the wrong type.
            ValueError: a malformed address or control message (before any system call).
            BrokenPipe: the peer has closed (never a ``SIGPIPE``).
            InvalidArgument: the kernel refused the control data.

        Example:
            >>> with Socket.pair() as (left, right):
            ...     left.sendmsg(Message([b"ab", b"cd"]))
            4
        """
        if not isinstance(message, Message):
            raise TypeError(f"message must be a Message, got {message.__class__.__name__}")
        control = message.control
        ancdata = _ancillary(control) if control else ()
        address = message.address
        sockaddr = None if address is None else to_sockaddr(self._family, address)
        flags = _index(flags) | _NOSIGNAL
        try:
            if sockaddr is None:
                count: int = self._sock.sendmsg(message.buffers, ancdata, flags)
            else:
                count = self._sock.sendmsg(message.buffers, ancdata, flags, sockaddr)
        except OSError as exc:
            raise self._error(exc, "sendmsg", sockaddr) from None
        return count

    def recvmsg(self, bufsize: int, ancbufsize: int = 0, flags: int = 0) -> Message:
        """Receive one message (``recvmsg(2)``) with up to ``bufsize`` bytes of data.

        Size ``ancbufsize`` with `cmsg_space` (added up for several control
        messages).  Received descriptors arrive close-on-exec in an owning `Rights`;
        if the control data was truncated (``MsgFlag.CTRUNC`` in ``flags``) they
        are all closed and left out.

        Args:
            bufsize: the most data bytes to receive.
            ancbufsize: the room for control data (0: none).
            flags: ``MsgFlag`` values such as ``PEEK`` or ``DONTWAIT``.

        Returns:
            A `Message` with one buffer, its control messages, the sender's
            address and the flags the kernel reported.

        Raises:
            ValueError: ``bufsize`` or ``ancbufsize`` is negative.
            WouldBlock: non-blocking and nothing to read.
            TimedOut: the timeout expired.

        Example:
            >>> with Socket.pair() as (left, right):
            ...     left.send(b"hi")
            ...     right.recvmsg(10).data
            2
            b'hi'
        """
        self._ahead = b""  # what read() peeked at may be consumed now
        try:
            data, ancdata, msg_flags, raw = self._sock.recvmsg(
                bufsize, ancbufsize, flags | _CLOEXEC
            )
        except OSError as exc:
            raise self._error(exc, "recvmsg") from None
        if not data and not ancdata and self._sock is _CLOSED:
            raise SocketClosedError("recvmsg")  # closed by another thread while waiting
        return _received([data], len(data), ancdata, msg_flags, raw, family=self._family)

    def recvmsg_into(self, buffers: _Buffers, ancbufsize: int = 0, flags: int = 0) -> Message:
        """Receive one message into the caller's writable buffers, filled in order.

        As `recvmsg`, but the data lands in ``buffers`` (one writable buffer or a
        list of them) and ``Message.nbytes`` says how many bytes arrived.

        Args:
            buffers: a writable bytes-like object (``bytearray``, ``memoryview``…)
                or a list of them.
            ancbufsize: the room for control data (0: none).
            flags: ``MsgFlag`` values.

        Returns:
            A `Message` whose ``buffers`` are the caller's buffers.

        Raises:
            TypeError: a buffer is not writable.
            ValueError: ``ancbufsize`` is negative.
            WouldBlock, TimedOut: as for `recvmsg`.

        Example:
            >>> head, tail = bytearray(2), bytearray(8)
            >>> with Socket.pair() as (left, right):
            ...     left.send(b"hello")
            ...     right.recvmsg_into([head, tail]).nbytes
            5
            5
        """
        if isinstance(buffers, (bytearray, memoryview)):
            buffers = [buffers]
        elif not isinstance(buffers, list):
            buffers = list(buffers)  # type: ignore[arg-type]
        self._ahead = b""  # what read() peeked at may be consumed now
        try:
            nbytes, ancdata, msg_flags, raw = self._sock.recvmsg_into(
                buffers, ancbufsize, flags | _CLOEXEC
            )
        except OSError as exc:
            raise self._error(exc, "recvmsg_into") from None
        if not nbytes and not ancdata and self._sock is _CLOSED:
            raise SocketClosedError("recvmsg_into")  # closed by another thread while waiting
        return _received(buffers, nbytes, ancdata, msg_flags, raw, family=self._family)

    # ------------------------------------------------------------------ options

    def get_option(self, option: Option) -> Any:
        """Read a socket option, decoded to its typed value.

        Args:
            option: a member of `SocketOption`, `TCPOption`, `UDPOption`,
                `IPOption` or `IPv6Option`.

        Raises:
            TypeError: ``option`` is not an option member (use `get_option_raw` for numbers).
            ValueError: the option is write-only.
            ProtocolNotAvailable: the OS does not know the option for this socket.

        Example:
            >>> with Socket() as sock:
            ...     sock.get_option(SocketOption.TYPE)
            <SocketType.STREAM: 1>
        """
        if not isinstance(option, _OptionBase):
            raise TypeError(
                f"option must be an option enum member, got {option.__class__.__name__}"
                " (use get_option_raw for a level and number)"
            )
        if not option.readable:
            raise ValueError(f"{option.__class__.__name__}.{option.name} is write-only")
        codec = option.codec
        try:
            if codec.buflen is None:
                raw = self._sock.getsockopt(option.level, option)
            else:
                raw = self._sock.getsockopt(option.level, option, codec.buflen)
        except OSError as exc:
            raise self._error(exc, f"getsockopt({option.name})") from None
        return codec.decode(raw)

    def set_option(self, option: Option, value: Any) -> None:
        """Set a socket option from its typed value.

        Raises:
            TypeError: ``option`` is not an option member, or ``value`` has the wrong type.
            ValueError: the option is read-only, or ``value`` is out of range.
            SocketError: the OS refused, typed by errno (e.g. ``PermissionDenied``).

        Example:
            >>> with Socket() as sock:
            ...     sock.set_option(SocketOption.LINGER, Linger(True, 0))
            ...     sock.get_option(SocketOption.LINGER)
            Linger(enabled=True, seconds=0)
        """
        if not isinstance(option, _OptionBase):
            raise TypeError(
                f"option must be an option enum member, got {option.__class__.__name__}"
                " (use set_option_raw for a level and number)"
            )
        if not option.writable:
            raise ValueError(f"{option.__class__.__name__}.{option.name} is read-only")
        encoded = option.codec.encode(value)
        try:
            self._sock.setsockopt(option.level, option, encoded)
        except OSError as exc:
            raise self._error(exc, f"setsockopt({option.name})") from None

    def get_option_raw(self, level: int, name: int, buflen: int | None = None) -> int | bytes:
        """Read an option by number: an int without ``buflen``, else up to ``buflen`` bytes.

        Raises:
            ValueError: ``buflen`` is not 1-1024.
            SocketError: typed by errno.
        """
        try:
            if buflen is None:
                number: int = self._sock.getsockopt(level, name)
                return number
            if not 0 < buflen <= 1024:
                raise ValueError(f"buflen must be 1-1024, got {buflen}")
            data: bytes = self._sock.getsockopt(level, name, buflen)
        except OSError as exc:
            raise self._error(exc, "getsockopt") from None
        return data

    def set_option_raw(self, level: int, name: int, value: int | Buffer) -> None:
        """Set an option by number from an int or raw bytes.

        Raises:
            TypeError: ``value`` is neither an int nor bytes-like.
            SocketError: typed by errno.
        """
        try:
            self._sock.setsockopt(level, name, value)
        except OSError as exc:
            raise self._error(exc, "setsockopt") from None


def _line_end(data: bytes) -> int:
    """One past the first ``\\n`` or ``\\r`` in ``data``, or 0 when there is none."""
    newline = data.find(b"\n")
    carriage = data.find(b"\r", 0, newline if newline >= 0 else len(data))
    if carriage >= 0:
        return carriage + 1
    return newline + 1


class SocketPair(NamedTuple):
    """Two connected sockets from [`Socket.pair`][sockkit.socket.Socket.pair].

    Unpacks like a tuple, and as a context manager closes both.
    """

    left: Socket
    right: Socket

    def __enter__(self) -> SocketPair:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close both sockets."""
        self.left.close()
        self.right.close()


# Rights.sockets() (sockkit.message) wraps received descriptors with this; message.py
# cannot import this module (it is imported by it), so the factory is handed down.
_install_socket_factory(Socket.from_fd)
