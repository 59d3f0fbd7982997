# The pinned design names the error classes for what happened (``AddressInUse``, ``TimedOut``),
# not with an ``Error`` suffix, so pep8-naming's N818 does not apply to this module.
# ruff: noqa: N818
"""Typed socket errors and the error catalog.

Everything sockkit raises for an OS-level failure is a [`SocketError`][sockkit.errors.SocketError]
or one of its subclasses. There is one subclass per row of [`CATALOG`][sockkit.errors.CATALOG],
the single data table that relates a symbol (``EADDRINUSE``), its errno value on this OS, its
Winsock code and name (``10048`` / ``WSAEADDRINUSE``), a one-line description and the exception
class. Each class also subclasses the builtin that Python's own ``OSError`` picks for that errno
(PEP 3151), so code written against the standard ``socket`` module keeps working:

    >>> import errno
    >>> exc = from_errno(errno.ECONNREFUSED, "connect", ("127.0.0.1", 9))
    >>> type(exc).__name__, isinstance(exc, ConnectionRefusedError)
    ('ConnectionRefused', True)
    >>> str(exc)
    'connect(127.0.0.1:9) failed: [Errno 111] Connection refused'

Conversion happens only in ``except`` blocks (``raise from_oserror(e, "recv") from e``); nothing
in this module runs on the success path.
"""

from __future__ import annotations

import errno as _errno
import os
import socket
import sys
from typing import Any, Final

import attrs

from sockkit import _error_classes
from sockkit._error_base import SocketError, override
from sockkit._error_classes import *  # noqa: F403 (the catalog classes, listed in their __all__)
from sockkit._error_classes import TimedOut

__all__ = [
    "CATALOG",
    "EAI_MESSAGES",
    "ErrorEntry",
    "LookupFailed",
    "BusyError",
    "SocketClosedError",
    "SocketError",
    "SocketWarning",
    "by_errno",
    "by_symbol",
    "by_winsock",
    "eai_message",
    "from_errno",
    "from_oserror",
    "lookup_failed",
]
# The catalog classes, in catalog order (generated from the catalog table).
__all__ += _error_classes.__all__


# --------------------------------------------------------------------------------------------
# The catalog
# --------------------------------------------------------------------------------------------


@attrs.frozen
class ErrorEntry:
    """One row of the error catalog.

    Attributes:
        symbol: The errno symbol, e.g. ``"EADDRINUSE"``; for Winsock-only codes the Winsock name,
            e.g. ``"WSAEDISCON"``.
        errno: The value of ``symbol`` in Python's ``errno`` module on this OS, or ``None`` when
            this OS does not define it.
        winsock: The Winsock error code, e.g. ``10048``, or ``None`` when Winsock has none.
        winsock_name: The Winsock name, e.g. ``"WSAEADDRINUSE"``, or ``None``.
        description: A one-line description of the error.
        exception: The [`SocketError`][sockkit.errors.SocketError] subclass raised for it.

    Example:
        >>> by_symbol("EADDRINUSE").winsock_name
        'WSAEADDRINUSE'
    """

    symbol: str
    errno: int | None
    winsock: int | None
    winsock_name: str | None
    description: str
    exception: type[SocketError]


def _build_catalog() -> tuple[ErrorEntry, ...]:
    entries = []
    for symbol, winsock, exception, description in _error_classes.ROWS:
        winsock_only = symbol.startswith("WSA")
        entries.append(
            ErrorEntry(
                symbol=symbol,
                errno=getattr(_errno, symbol, None),
                winsock=winsock,
                winsock_name=(
                    None if winsock is None else symbol if winsock_only else "WSA" + symbol
                ),
                description=description,
                exception=exception,
            )
        )
    return tuple(entries)


CATALOG: Final[tuple[ErrorEntry, ...]] = _build_catalog()
"""The error catalog: one [`ErrorEntry`][sockkit.errors.ErrorEntry] per known error.

Covers every ``SOCKET_E*`` constant of PHP's sockets extension and every code of the Winsock
error list (``WSAEINTR`` 10004 ... ``WSAEREFUSED`` 10112, ``WSAHOST_NOT_FOUND`` ... ``WSANO_DATA``
11001-11004). ``EAGAIN`` and ``EWOULDBLOCK`` have a row each; both raise
[`WouldBlock`][sockkit.errors.WouldBlock].
"""


def _index_by_code() -> dict[int, ErrorEntry]:
    """Errno value on this OS (and, on Windows, Winsock code) -> entry; first row wins."""
    index: dict[int, ErrorEntry] = {}
    for entry in CATALOG:
        if entry.errno is not None:
            index.setdefault(entry.errno, entry)
    if sys.platform == "win32":
        for entry in CATALOG:
            if entry.winsock is not None:
                index.setdefault(entry.winsock, entry)
    return index


_BY_CODE: Final[dict[int, ErrorEntry]] = _index_by_code()
_BY_SYMBOL: Final[dict[str, ErrorEntry]] = {entry.symbol: entry for entry in CATALOG}
_BY_WINSOCK: Final[dict[int, ErrorEntry]] = {
    entry.winsock: entry for entry in reversed(CATALOG) if entry.winsock is not None
}


def by_symbol(symbol: str) -> ErrorEntry:
    """Return the catalog entry for an errno or Winsock-only symbol.

    Args:
        symbol: ``"EADDRINUSE"``, ``"EWOULDBLOCK"``, ``"WSAEDISCON"``, ... A ``SOCKET_`` prefix
            (PHP's spelling) is accepted and ignored.

    Returns:
        The matching [`ErrorEntry`][sockkit.errors.ErrorEntry].

    Raises:
        KeyError: No catalog row has that symbol.

    Example:
        >>> by_symbol("SOCKET_ECONNREFUSED").exception.__name__
        'ConnectionRefused'
    """
    return _BY_SYMBOL[symbol.removeprefix("SOCKET_")]


def by_errno(errno: int) -> ErrorEntry | None:
    """Return the catalog entry for an error number on this OS, or ``None``.

    On Windows, Winsock codes are accepted too. Where two symbols share a value
    (``EAGAIN``/``EWOULDBLOCK``) the first catalog row is returned.

    Args:
        errno: The error number, as in ``OSError.errno``.

    Returns:
        The entry, or ``None`` when the number is not in the catalog.
    """
    return _BY_CODE.get(errno)


def by_winsock(code: int) -> ErrorEntry | None:
    """Return the catalog entry for a Winsock error code (on any OS), or ``None``.

    Args:
        code: A Winsock code such as ``10048``.

    Returns:
        The entry, or ``None`` when the code is not in the catalog.

    Example:
        >>> by_winsock(10048).symbol
        'EADDRINUSE'
    """
    return _BY_WINSOCK.get(code)


def _strerror(code: int) -> str:
    """The OS message for ``code``, falling back to the catalog description."""
    try:
        message = os.strerror(code)
    except (ValueError, OverflowError):
        message = ""
    if not message or message.startswith("Unknown error"):
        entry = _BY_CODE.get(code)
        if entry is not None:
            return entry.description
        return message or f"Unknown error {code}"
    return message


def _make(
    code: int, strerror: str | None, operation: str | None, address: object | None
) -> SocketError:
    entry = _BY_CODE.get(code)
    cls = SocketError if entry is None else entry.exception
    return cls(code, _strerror(code) if strerror is None else strerror, operation, address)


def from_errno(
    errno: int, operation: str | None = None, address: object | None = None
) -> SocketError:
    """Build the typed exception for an error number.

    The class comes from [`CATALOG`][sockkit.errors.CATALOG] by this OS's errno value (on Windows
    also by Winsock code); the message from ``os.strerror``. This returns the exception, it
    does not raise it.

    Args:
        errno: The error number, e.g. ``errno.EADDRINUSE``.
        operation: The operation that failed (``"bind"``, ``"recv"``, ...), if known.
        address: The address involved, if any.

    Returns:
        An instance of the catalog class, or of [`SocketError`][sockkit.errors.SocketError]
        itself when the number is not in the catalog.

    Example:
        >>> import errno
        >>> exc = from_errno(errno.EADDRINUSE, "bind", ("::1", 80))
        >>> type(exc).__name__, str(exc)
        ('AddressInUse', 'bind([::1]:80) failed: [Errno 98] Address already in use')
    """
    return _make(errno, None, operation, address)


def from_oserror(
    exc: OSError, operation: str | None = None, address: object | None = None
) -> SocketError:
    """Convert an ``OSError`` raised by Python's ``socket`` module into a typed error.

    - an existing [`SocketError`][sockkit.errors.SocketError] is returned unchanged;
    - ``socket.gaierror`` becomes [`LookupFailed`][sockkit.errors.LookupFailed] (``address``, if a
      ``(host, service)`` tuple or a host string, fills ``host``/``service``);
    - Python's own socket timeout (``TimeoutError`` without an errno) becomes
      [`TimedOut`][sockkit.errors.TimedOut] with errno ``ETIMEDOUT`` and message ``"timed out"``;
    - anything else goes through the catalog by ``exc.errno``, keeping the OS message.

    The result is returned, not raised; chain it yourself: ``raise from_oserror(e, "recv") from e``.

    Args:
        exc: The exception caught.
        operation: The operation that failed (``"connect"``, ``"recv"``, ...), if known.
        address: The address involved, if any.

    Returns:
        The typed exception.
    """
    if isinstance(exc, SocketError):
        return exc
    if isinstance(exc, socket.gaierror):
        host: object | None = None
        service: object | None = None
        if isinstance(address, tuple) and len(address) == 2:
            host, service = address
        elif address is not None:
            host = address
        code = exc.errno if exc.errno is not None else socket.EAI_FAIL
        return LookupFailed(code, exc.strerror, host, service, operation or "getaddrinfo")
    if exc.errno is None:
        if isinstance(exc, TimeoutError):
            return TimedOut(_errno.ETIMEDOUT, "timed out", operation, address)
        return SocketError(None, exc.strerror or str(exc) or None, operation, address)
    return _make(exc.errno, exc.strerror, operation, address)


# --------------------------------------------------------------------------------------------
# Errors outside the catalog
# --------------------------------------------------------------------------------------------


class SocketClosedError(SocketError):
    """Raised for any operation on a ``Socket`` that has already been closed.

    sockkit raises this itself instead of passing a stale descriptor number to the OS (which may
    already have reused it). ``errno`` is ``EBADF`` so errno-based code still works, but the
    message says what happened rather than echoing an OS message the OS never produced.

    Args:
        operation: The operation attempted (``"recv"``, ...), if known.
        message: Replaces the whole ``str()`` of the exception (``compat`` uses it for PHP's
            exact wording).

    Example:
        >>> str(SocketClosedError("recv"))
        'recv() failed: socket is closed'
        >>> msg = "socket_write(): Argument #1 ($socket) has already been closed"
        >>> str(SocketClosedError("socket_write", message=msg)) == msg
        True
    """

    message: str | None

    def __init__(self, operation: str | None = None, *, message: str | None = None) -> None:
        super().__init__(_errno.EBADF, "socket is closed", operation)
        self.message = message

    @override
    def _reason(self) -> str:
        return "socket is closed"

    @override
    def __str__(self) -> str:
        if self.message is not None:
            return self.message
        return super().__str__()

    @override
    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.operation,), dict(self.__dict__))


class BusyError(RuntimeError):
    """Another call already holds the resource this call needs.

    Raised in the second task that starts to receive on an `AsyncSocket` (or an
    `AsyncTLSSocket`) while another task waits to receive on it (likewise for two
    senders), and by ``Socket.detach()`` while a call is in flight on the socket in
    another thread.  One receiver and one sender at a time is the normal full-duplex
    case.

    Example:
        >>> raise BusyError("recv() while another task receives")
        Traceback (most recent call last):
        ...
        sockkit.errors.BusyError: recv() while another task receives
    """

    @classmethod
    def another_task(cls, operation: str, activity: str) -> BusyError:
        """The error of a task that starts ``operation`` while another is ``activity``.

        Example:
            >>> BusyError.another_task("recv", "receiving")
            BusyError('recv(): another task is already receiving on this socket')
        """
        return cls(f"{operation}(): another task is already {activity} on this socket")


_EAI_ROWS: Final[tuple[tuple[str, str], ...]] = (
    ("EAI_BADFLAGS", "Bad value for ai_flags"),
    ("EAI_NONAME", "Name or service not known"),
    ("EAI_AGAIN", "Temporary failure in name resolution"),
    ("EAI_FAIL", "Non-recoverable failure in name resolution"),
    ("EAI_NODATA", "No address associated with hostname"),
    ("EAI_FAMILY", "ai_family not supported"),
    ("EAI_SOCKTYPE", "ai_socktype not supported"),
    ("EAI_SERVICE", "Servname not supported for ai_socktype"),
    ("EAI_ADDRFAMILY", "Address family for hostname not supported"),
    ("EAI_MEMORY", "Memory allocation failure"),
    ("EAI_SYSTEM", "System error"),
    ("EAI_OVERFLOW", "Argument buffer overflow"),
    ("EAI_BADHINTS", "Invalid value for hints"),
    ("EAI_PROTOCOL", "Resolved protocol is unknown"),
)


def _eai_messages() -> dict[int, str]:
    messages: dict[int, str] = {}
    for name, message in _EAI_ROWS:
        code = getattr(socket, name, None)
        if isinstance(code, int):
            messages.setdefault(code, message)
    return messages


EAI_MESSAGES: Final[dict[int, str]] = _eai_messages()
"""Resolver messages keyed by this OS's ``socket.EAI_*`` values (e.g. ``-2`` on Linux)."""


def eai_message(code: int) -> str:
    """Return the resolver message for a ``getaddrinfo`` error code.

    Args:
        code: A ``socket.EAI_*`` value.

    Returns:
        The message, or ``"Unknown resolver error N"`` for a code this OS does not define.

    Example:
        >>> import socket
        >>> eai_message(socket.EAI_NONAME)
        'Name or service not known'
    """
    return EAI_MESSAGES.get(code, f"Unknown resolver error {code}")


class LookupFailed(SocketError, socket.gaierror):
    """Name resolution (``getaddrinfo``/``getnameinfo``) failed.

    Also a ``socket.gaierror``, so ``except socket.gaierror:`` keeps working.

    Args:
        eai_code: The resolver error code as Python's ``socket.EAI_*`` gives it.
        strerror: The resolver message; looked up in
            [`EAI_MESSAGES`][sockkit.errors.EAI_MESSAGES] when ``None``.
        host: The host that was looked up, if any.
        service: The service (port) that was looked up, if any.
        operation: The resolver call, ``"getaddrinfo"`` by default.

    Attributes:
        eai_code: The resolver error code (the same as ``errno``).
        host: The host that was looked up, or ``None``.
        service: The service that was looked up, or ``None``.

    Example:
        >>> import socket
        >>> str(LookupFailed(socket.EAI_NONAME, host="example", service=80))
        'getaddrinfo(example, 80) failed: [Errno -2] Name or service not known'
    """

    host: object | None
    service: object | None

    def __init__(
        self,
        eai_code: int,
        strerror: str | None = None,
        host: object | None = None,
        service: object | None = None,
        operation: str | None = "getaddrinfo",
    ) -> None:
        super().__init__(
            eai_code, eai_message(eai_code) if strerror is None else strerror, operation
        )
        self.host = host
        self.service = service

    @property
    def eai_code(self) -> int:
        """The resolver error code (``socket.EAI_*``), the same as ``errno``."""
        return self.errno if self.errno is not None else socket.EAI_FAIL

    @override
    def _subject(self) -> str:
        return ", ".join(str(part) for part in (self.host, self.service) if part is not None)


def lookup_failed(
    code: int,
    host: object | None = None,
    service: object | None = None,
    message: str | None = None,
) -> LookupFailed:
    """Build a [`LookupFailed`][sockkit.errors.LookupFailed] for ``getaddrinfo``.

    Args:
        code: The ``socket.EAI_*`` error code.
        host: The host that was looked up.
        service: The service that was looked up.
        message: The resolver message; defaults to
            [`eai_message(code)`][sockkit.errors.eai_message].

    Returns:
        The exception (not raised).
    """
    return LookupFailed(code, message, host, service)


class SocketWarning(UserWarning):
    """Warning category that ``sockkit.compat`` emits where PHP emits an ``E_WARNING``.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", SocketWarning)
        ...     warnings.warn("socket_bind(): unable to bind address", SocketWarning)
    """
