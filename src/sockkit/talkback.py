"""The talkback server of PHP's socket manual, in sockkit's idiomatic API.

A client connects, gets a welcome text, and every line it sends is answered with
``You said '…'.``; ``quit`` ends that connection and ``shutdown`` stops the server.
``sockkit demo`` and ``sockkit serve`` run it.

Example:
    >>> with Socket.create_server(("127.0.0.1", 0)) as listener:
    ...     port = listener.local_address.port
    ...     # serve(listener) would now answer clients on that port
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sockkit.enums import ReadMode
from sockkit.errors import SocketError
from sockkit.socket import Socket

__all__ = ["WELCOME", "LineConnection", "handle_client", "serve"]

WELCOME = (
    b"\nWelcome to the sockkit talkback server.\n"
    b"To quit, type 'quit'. To shut down the server type 'shutdown'.\n"
)
"""What a client reads first."""

_MAX_LINE = 2048


class LineConnection(Protocol):
    """What the talkback server talks over: a `Socket` or a `TLSSocket`."""

    def write_all(self, data: bytes) -> None: ...

    def read(self, length: int, mode: int = ...) -> bytes: ...


def handle_client(conn: LineConnection, log: Callable[[str], None] | None = None) -> bool:
    """Talk to one client until it says ``quit`` or ``shutdown`` or hangs up.

    Args:
        conn: the accepted connection; it is not closed here.
        log: called with each line the client sends (for ``sockkit demo``).

    Returns:
        ``True`` if the client asked the server to shut down.

    Raises:
        SocketError: the connection failed in a way other than the client leaving.
    """
    conn.write_all(WELCOME)
    while True:
        line = conn.read(_MAX_LINE, ReadMode.NORMAL)
        if not line:
            return False
        text = line.decode("utf-8", "replace").strip()
        if not text:
            continue
        if log is not None:
            log(text)
        if text == "quit":
            return False
        if text == "shutdown":
            return True
        conn.write_all(f"You said '{text}'.\n".encode())


def serve(
    listener: Socket,
    log: Callable[[str], None] | None = None,
    on_error: Callable[[SocketError], None] | None = None,
) -> None:
    """Accept clients one at a time on ``listener`` until one says ``shutdown``.

    A client whose connection fails is dropped (reported to ``on_error``) and the
    server goes on with the next one.

    Raises:
        SocketError: ``accept`` itself failed.
    """
    while True:
        conn, _peer = listener.accept()
        with conn:
            try:
                if handle_client(conn, log):
                    return
            except SocketError as exc:
                if on_error is not None:
                    on_error(exc)
