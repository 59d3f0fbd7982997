"""File objects over a `Socket`: what ``Socket.makefile()`` returns.

The raw layer calls the `Socket`'s own methods (``recv_into``, ``send``), so a
read blocked in a file is a call in flight on the socket like any other: closing
the socket wakes it with `SocketClosedError`, and a NORMAL-mode look-ahead is
dropped before the file consumes anything.
"""

from __future__ import annotations

import io
from typing import IO, TYPE_CHECKING, Any

from sockkit.errors import TimedOut, WouldBlock

if TYPE_CHECKING:
    from typing_extensions import Buffer

    from sockkit.socket import Socket

__all__: list[str] = []


class SocketIO(io.RawIOBase):
    """Raw binary I/O over a `Socket`'s methods; closing it leaves the socket open."""

    def __init__(self, sock: Socket, mode: str) -> None:
        super().__init__()
        self._socket = sock
        self._reading = "r" in mode
        self._writing = "w" in mode

    def readable(self) -> bool:
        return self._reading

    def writable(self) -> bool:
        return self._writing

    def readinto(self, buffer: Buffer) -> int | None:
        try:
            return self._socket.recv_into(buffer)
        except WouldBlock:
            return None  # non-blocking and nothing there: io's convention
        except TimedOut:
            raise

    def write(self, data: Buffer) -> int | None:
        try:
            return self._socket.send(data)
        except WouldBlock:
            return None

    def fileno(self) -> int:
        return self._socket.fileno()

    @property
    def name(self) -> int:
        return self._socket.fileno()


def socket_file(
    sock: Socket,
    mode: str,
    buffering: int | None,
    *,
    encoding: str | None,
    errors: str | None,
    newline: str | None,
) -> IO[Any]:
    """The file object of ``sock.makefile(mode, buffering, ...)``."""
    if not set(mode) <= {"r", "w", "b"} or not mode.strip("b"):
        raise ValueError(f"mode must be made of 'r', 'w' and 'b', got {mode!r}")
    reading, writing, binary = "r" in mode, "w" in mode, "b" in mode
    raw = SocketIO(sock, ("r" if reading else "") + ("w" if writing else ""))
    if buffering is None or buffering < 0:
        buffering = io.DEFAULT_BUFFER_SIZE
    if buffering == 0:
        if not binary:
            raise ValueError("unbuffered streams must be binary")
        return raw  # type: ignore[return-value]
    buffer: Any
    if reading and writing:
        buffer = io.BufferedRWPair(raw, raw, buffering)
    elif reading:
        buffer = io.BufferedReader(raw, buffering)
    else:
        buffer = io.BufferedWriter(raw, buffering)
    if binary:
        return buffer  # type: ignore[no-any-return]
    text = io.TextIOWrapper(buffer, encoding, errors, newline)
    text.mode = mode  # type: ignore[misc]
    return text
