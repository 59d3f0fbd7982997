"""The base of every sockkit error; ``sockkit.errors`` documents and re-exports it.

It lives apart from ``sockkit.errors`` so the generated catalog classes
(``sockkit._error_classes``) can subclass it without an import cycle.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, TypeVar

__all__ = ["SocketError"]

_F = TypeVar("_F")

if TYPE_CHECKING:
    from typing_extensions import override as override  # noqa: PLC0414 - re-exported
else:

    def override(method: _F) -> _F:
        """Mark ``method`` as overriding its base's, as ``typing_extensions.override`` does.

        Type checkers read the mark from typing_extensions; at run time this sets the same
        ``__override__`` flag without importing typing_extensions (~2 ms of every import).
        """
        with contextlib.suppress(AttributeError, TypeError):
            method.__override__ = True  # type: ignore[attr-defined]
        return method


def _format_address(address: object) -> str:
    """Render an address for an error message.

    Typed address objects format themselves (``str(address)``); a plain ``(host, port, ...)``
    tuple becomes ``host:port``, with IPv6 hosts in brackets (``[::1]:80``).
    """
    if (
        isinstance(address, tuple)
        and len(address) >= 2
        and isinstance(address[0], str)
        and isinstance(address[1], int)
    ):
        host, port = address[0], address[1]
        if ":" in host:
            return f"[{host}]:{port}"
        return f"{host}:{port}"
    return str(address)


class SocketError(OSError):
    """Base class of every error sockkit raises for an OS-level socket failure.

    Its ``args`` are ``(errno, strerror)`` like a plain ``OSError``, so pickling and the usual
    ``OSError`` attributes behave as expected. The subclasses in [`CATALOG`][sockkit.errors.CATALOG]
    name what happened; an errno outside the catalog is raised as ``SocketError`` itself.

    Args:
        errno: The OS error number, or ``None`` when there is none.
        strerror: The OS message for ``errno``.
        operation: The operation that failed (``"bind"``, ``"recv"``, ...), if known.
        address: The address involved, if any (a typed address or a ``(host, port)`` tuple).

    Attributes:
        errno: The OS error number (``None`` when there is none).
        strerror: The OS message.
        operation: The operation that failed, or ``None``.
        address: The address involved, or ``None``.

    Example:
        >>> str(SocketError(13, "Permission denied", "bind", ("127.0.0.1", 80)))
        'bind(127.0.0.1:80) failed: [Errno 13] Permission denied'
        >>> str(SocketError(104, "Connection reset by peer", "recv"))
        'recv() failed: [Errno 104] Connection reset by peer'
    """

    __module__ = "sockkit.errors"

    operation: str | None
    address: object | None
    # Set by Socket.create_connection when every attempt failed: each attempt's error in
    # the order the attempts started (the raised one last), and the same as an
    # ExceptionGroup on Python 3.11+.
    attempts: list[SocketError]
    group: BaseException | None
    # Set by Socket._note: the socket's last_error before this error was recorded.
    _replaced: int

    def __init__(
        self,
        errno: int | None,
        strerror: str | None,
        operation: str | None = None,
        address: object | None = None,
    ) -> None:
        super().__init__(errno, strerror)
        self.operation = operation
        self.address = address

    def _reason(self) -> str:
        """The ``[Errno N] message`` part of the message."""
        if self.errno is None:
            return self.strerror or "unknown error"
        return f"[Errno {self.errno}] {self.strerror}"

    def _subject(self) -> str:
        """What goes between the parentheses after the operation name."""
        return "" if self.address is None else _format_address(self.address)

    @override
    def __str__(self) -> str:
        if self.operation is None:
            if self.address is None:
                return self._reason()
            return f"{_format_address(self.address)}: {self._reason()}"
        if self.address is None and self.operation.endswith(")"):
            # The operation already names its argument, e.g. "setsockopt(TCP_NODELAY)".
            return f"{self.operation} failed: {self._reason()}"
        return f"{self.operation}({self._subject()}) failed: {self._reason()}"
