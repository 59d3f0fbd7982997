"""[`AsyncSocket`][sockkit.aio.AsyncSocket]: the same sockets, awaited on asyncio (and uvloop).

An `AsyncSocket` wraps one non-blocking [`Socket`][sockkit.socket.Socket].  Every
awaitable call first tries the operation; only when the socket answers
`WouldBlock` does the task wait for readiness with the running loop's
``add_reader``/``add_writer``, then it tries again.  Errors are the typed
exceptions of the synchronous layer.  A call given ``MsgFlag.DONTWAIT`` never
waits: it raises `WouldBlock` as the synchronous call does.  A receive on a
socket shut down for reading returns what a blocking receive returns there, the
end of data (``b""``, ``[]``, an empty message), where a datagram socket would
otherwise look readable to the loop for ever while each try says `WouldBlock`.
A socket whose error queue holds something (``IP_RECVERR`` reports,
``MSG_ZEROCOPY`` completions) looks readable and writable to the loop until the
queue is read with ``MsgFlag.ERRQUEUE``, and a socket sending datagrams to an
unconnected Unix socket whose queue is full looks writable while each try says
`WouldBlock`; a task that finds nothing to do there twice in a row pauses between
tries (50 µs, growing to 10 ms) instead of spinning, so data, room or a close that
comes meanwhile is seen at the end of the pause.

Closing the socket (the `AsyncSocket` or its wrapped `Socket`, from any task or
any thread) wakes every task waiting on it with `SocketClosedError`.  A wait
registers the descriptor with the loop and the registration is kept for the next
wait (no ``epoll_ctl`` per round trip); while registered, it holds the descriptor
with ``Socket.retain(interrupt=False)``, so the number the loop watches names this
socket until the registration ends.

One task may receive and another send at the same time; a second receiver (or a
second sender) raises [`BusyError`][sockkit.errors.BusyError] at once.

Cancellation (``task.cancel()``, ``asyncio.timeout``, ``asyncio.wait_for``) leaves
the socket usable: nothing is half-done when a wait is cancelled, except a
``ReadMode.NORMAL`` read that had part of a line, whose bytes are kept and
returned first by the next receive.

Example:
    >>> import asyncio
    >>> async def main():
    ...     left, right = AsyncSocket.pair()
    ...     async with left, right:
    ...         await left.write_all(b"PING\\r\\n")
    ...         return await right.read(100, ReadMode.NORMAL)
    >>> asyncio.run(main())
    b'PING\\r'
"""

from __future__ import annotations

import asyncio
import errno as _errno
import functools
import io
import os
import select
import signal
import socket as _s
import stat
from collections.abc import Callable, Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any, Final, TypeVar

from typing_extensions import Buffer

from sockkit import _happy_eyeballs as _he
from sockkit import _resolve
from sockkit._checks import check_flags, check_int, check_timeout, is_numeric_host
from sockkit._readiness import Interest, Readiness
from sockkit._readiness import check_loop as _check_loop
from sockkit._readiness import running_loop as _running_loop
from sockkit._target import literal_family, parse_target
from sockkit.address import Address
from sockkit.enums import AddressFamily, MsgFlag, ReadMode, Shutdown, SocketType
from sockkit.errors import (
    BusyError,
    InProgress,
    Interrupted,
    SocketClosedError,
    SocketError,
    WouldBlock,
    from_errno,
    from_oserror,
    lookup_failed,
)
from sockkit.message import Message
from sockkit.options import Option
from sockkit.socket import (
    Socket,
    _false_ready,
    _false_ready_pause,
    _load_batch,
    _poll_now,
    _recv_into_nowait,
    _recv_nowait,
    _send_nowait,
)

if TYPE_CHECKING:
    import ssl

    from typing_extensions import Self

    from sockkit.tls import AsyncTLSSocket

__all__ = ["AsyncSocket", "BusyError"]

_NORMAL: Final = ReadMode.NORMAL
_LINE_ENDS: Final = (b"\n", b"\r")
_AF_UNIX: Final = getattr(_s, "AF_UNIX", -1)
_IP_FAMILIES: Final = (int(_s.AF_INET), int(_s.AF_INET6))
_SOCK_STREAM: Final = int(_s.SOCK_STREAM)
_SOMAXCONN: Final = _s.SOMAXCONN
# Bytes per os.sendfile() call and per read of the send() fallback.
_SENDFILE_CHUNK: Final = 1 << 30
_FALLBACK_CHUNK: Final = 1 << 16
# A Unix connect() refused with EAGAIN (the listener's backlog is full) gives no
# readiness event to wait for: it is retried after these pauses (seconds).
_UNIX_RETRY_FIRST: Final = 0.001
_UNIX_RETRY_MAX: Final = 0.05
_SIGPIPE: Final = getattr(signal, "SIGPIPE", None)
_DONTWAIT: Final = int(getattr(MsgFlag, "DONTWAIT", 0))  # none on Windows: nothing asks for it
_RDHUP: Final = getattr(select, "POLLRDHUP", 0)  # Linux's "shut down for reading"
_POLLIN: Final = getattr(select, "POLLIN", 1)
_POLLOUT: Final = getattr(select, "POLLOUT", 4)

_A = TypeVar("_A", bound="AsyncSocket")
_T = TypeVar("_T")


async def _after_empty(sock: Socket, reading: Interest, empty: int) -> bool:
    """What an awaited receive does after its ``empty``-th wake-up in a row that found
    nothing: whether it has reached the end of data.

    One empty wake-up in a row is common (an event the loop collected before the
    woken task took what was ready); from the second on the socket is asked, for:

    - the end of data: a datagram socket shut down for reading (Linux's
      ``POLLRDHUP``) stays readable to the loop while its receive says "would
      block" for ever, where a blocking receive gets the end of data (an empty
      one) - which the awaited receive then returns, after one more try for what
      came with the shutdown (a stream socket's receive returns the end itself);
    - an error queue with nothing else to read (see `_pause_if_falsely_ready`).

    Every such wake-up is told to ``reading`` (`Interest.found_nothing`).
    """
    reading.found_nothing()
    if empty < 2:
        return False
    events = _poll_now(sock, _POLLIN | _RDHUP)
    if events & _RDHUP and sock._type != _SOCK_STREAM:
        return True
    await _pause_if_falsely_ready(events, _POLLIN, empty)
    return False


async def _pause_if_falsely_ready(events: int, ready: int, failed: int) -> None:
    """Pause a task whose socket the loop goes on calling ready while its try finds
    nothing to do.

    ``events`` are the socket's ``poll(2)`` events now; ``ready`` the one the task
    needs (``POLLIN``, ``POLLOUT``); ``failed`` how many wake-ups in a row its try
    found nothing to do.  Where those events are such a readiness (`_false_ready`:
    an error queue alone, ``POLLERR``, which the loop reports as readable and
    writable at once and which cannot be left out of a wait; or writable with no
    room, as a datagram to an unconnected Unix socket whose queue is full), the task
    pauses (50 µs, growing to 10 ms) before it waits again, rather than spin.  What
    comes meanwhile (data, room, a close) is seen when the pause ends.
    """
    if _false_ready(events, ready):
        await asyncio.sleep(_false_ready_pause(failed - 1))


def _would_block(sock: Socket, operation: str) -> SocketError:
    """The `WouldBlock` a receive with ``MsgFlag.DONTWAIT`` raises instead of waiting."""
    return sock._note(from_errno(_errno.EAGAIN, operation))


def _no_datagram() -> tuple[bytes, Address | None]:
    """What a blocking ``recvfrom`` returns at the end of data."""
    return b"", None


def _no_message() -> Message:
    """What a blocking ``recvmsg`` returns at the end of data."""
    return Message([b""], nbytes=0)


def _ready(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _byte_view(data: Buffer, name: str = "data") -> memoryview:
    try:
        view = memoryview(data)
    except TypeError:
        raise TypeError(f"{name} must be bytes-like, got {data.__class__.__name__}") from None
    return view if view.format == "B" and view.ndim == 1 else view.cast("B")


def _needs_lookup(address: object) -> bool:
    """Whether ``address`` is a ``(host, port, ...)`` tuple whose host is a name."""
    if not isinstance(address, tuple) or not address or not isinstance(address[0], str):
        return False
    host = address[0]
    return host not in ("", "<broadcast>") and literal_family(host) is None


async def _in_thread(loop: asyncio.AbstractEventLoop, make: Callable[[], Socket]) -> Socket:
    """Run ``make`` (which may block on name lookup) in the default executor.

    If the awaiting task is cancelled, the socket ``make`` returns later is closed.
    """
    future = loop.run_in_executor(None, make)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        future.add_done_callback(_close_result)
        raise


def _close_result(future: asyncio.Future[Socket]) -> None:
    if not future.cancelled() and future.exception() is None:
        future.result().close()


class AsyncSocket:
    """A socket whose blocking calls are awaited on the running asyncio event loop.

    Args:
        family: the address family (default ``AddressFamily.INET``).
        type: the socket type (default ``SocketType.STREAM``).
        protocol: the protocol number (default 0).

    Raises:
        RuntimeError: the running event loop has no ``add_reader`` (Windows'
            proactor loop); the message names the fix.
        SocketError: ``socket(2)`` failed, typed by its errno.

    The socket is bound to the first event loop it waits on (the running one when
    it is created inside a coroutine) and used from that loop's thread; only
    `close` may also be called from other threads.

    Example:
        >>> async def main():
        ...     async with AsyncSocket(AddressFamily.INET, SocketType.DGRAM) as sock:
        ...         sock.bind(("127.0.0.1", 0))
        ...         return sock.local_address.host
        >>> asyncio.run(main())
        '127.0.0.1'
    """

    __slots__ = (
        "__weakref__",
        "_held",
        "_readiness",
        "_receiving",
        "_sending",
        "_sock",
    )

    _sock: Socket
    # The loop this socket is bound to and its kept registrations with it (one per
    # direction), which hold the descriptor while registered.
    _readiness: Readiness
    # A task is receiving (sending): a second receiver (sender) raises BusyError
    # before it could wait.
    _receiving: bool
    _sending: bool
    # Bytes of a partial line taken off the socket by a NORMAL read that was then
    # cancelled or failed: the next receive returns them first.
    _held: bytes

    def __init__(
        self,
        family: int = AddressFamily.INET,
        type: int = SocketType.STREAM,
        protocol: int = 0,
    ) -> None:
        loop = _running_loop()
        if loop is not None:
            _check_loop(loop)
        sock = Socket(family, type, protocol)
        try:
            self._adopt(sock, loop)
        except BaseException:
            sock.close()
            raise

    def _adopt(self, sock: Socket, loop: asyncio.AbstractEventLoop | None) -> None:
        self._sock = sock
        self._receiving = False
        self._sending = False
        self._held = b""
        sock.blocking = False
        self._readiness = Readiness(sock, loop)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_socket(cls, sock: Socket) -> Self:
        """Wrap a `Socket`, which is set non-blocking and owned by the result from now on.

        Raises:
            TypeError: ``sock`` is not a `Socket`.
            SocketClosedError: ``sock`` is closed.
            RuntimeError: the running loop has no ``add_reader``.
        """
        if not isinstance(sock, Socket):
            raise TypeError(f"sock must be a sockkit Socket, got {sock.__class__.__name__}")
        if sock.closed:
            raise SocketClosedError("from_socket")
        loop = _running_loop()
        if loop is not None:
            _check_loop(loop)
        self = cls.__new__(cls)
        self._adopt(sock, loop)
        return self

    @classmethod
    def pair(
        cls,
        family: int = _AF_UNIX,
        type: int = SocketType.STREAM,
        protocol: int = 0,
    ) -> tuple[Self, Self]:
        """Create a pair of connected sockets (``socketpair(2)``).

        Raises:
            SocketError: typed by errno, e.g. ``OperationNotSupported`` for TCP.
            RuntimeError: the running loop has no ``add_reader``.

        Example:
            >>> import asyncio
            >>> async def main():
            ...     left, right = AsyncSocket.pair()
            ...     async with left, right:
            ...         await left.send(b"x")
            ...         return await right.recv(1)
            >>> asyncio.run(main())
            b'x'
        """
        loop = _running_loop()
        if loop is not None:
            _check_loop(loop)
        left, right = Socket.pair(family, type, protocol)
        try:
            return cls.from_socket(left), cls.from_socket(right)
        except BaseException:
            left.close()
            right.close()
            raise

    @classmethod
    async def create_connection(
        cls,
        address: tuple[str, int] | Address,
        *,
        timeout: float | None = None,
        source_address: tuple[str, int] | Address | None = None,
        happy_eyeballs_delay: float = 0.25,
    ) -> Self:
        """Connect to ``(host, port)``, racing its addresses on the loop per RFC 8305.

        The next attempt starts when the previous one fails or after
        ``happy_eyeballs_delay`` seconds; the first connection wins and every other
        socket is closed (on cancellation too).  A host name is looked up in the
        loop's default executor.

        Args:
            address: ``(host, port)``, ``(host, port, flowinfo, scope_id)``, an
                ``InetAddress`` or an ``Inet6Address``.
            timeout: seconds for the whole operation (``None``: no limit).
            source_address: bind each attempt's socket here first.
            happy_eyeballs_delay: seconds before the next attempt starts.

        Raises:
            TypeError, ValueError: a bad argument (before any system call).
            LookupFailed: the host could not be resolved.
            SocketError: every attempt failed (``TimedOut`` when the time ran out):
                the last attempt's error, with ``.attempts`` listing every
                attempt's error in the order they started.
        """
        return await _create_connection(
            cls,
            address,
            timeout=timeout,
            source_address=source_address,
            delay=happy_eyeballs_delay,
        )

    @classmethod
    async def create_server(
        cls,
        address: object,
        *,
        backlog: int = 128,
        family: int | None = None,
        reuse_port: bool = False,
        dualstack: bool = False,
    ) -> Self:
        """Create a listening socket, as `Socket.create_server` does.

        ``address`` is ``(host, port)``, a typed address or a Unix path (``str``,
        ``bytes``, ``os.PathLike``, ``UnixAddress``).  A host name is looked up in
        the loop's default executor.

        Raises:
            TypeError, ValueError: a bad argument.
            AddressInUse: another socket has the address.
            LookupFailed: a host name could not be resolved.
            RuntimeError: the running loop has no ``add_reader``.
        """
        loop = asyncio.get_running_loop()
        _check_loop(loop)
        make = functools.partial(
            Socket.create_server,
            address,
            backlog=backlog,
            family=family,
            reuse_port=reuse_port,
            dualstack=dualstack,
        )
        sock = await _in_thread(loop, make) if _needs_lookup(address) else make()
        try:
            return cls.from_socket(sock)
        except BaseException:
            sock.close()
            raise

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the socket; every task waiting on it raises `SocketClosedError`.

        Idempotent, and safe to call from any thread.
        """
        self._sock.close()

    @property
    def closed(self) -> bool:
        """Whether the socket is closed (also when closed through `socket`)."""
        return self._sock.closed

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def _watch(self, interest: Interest, operation: str) -> asyncio.Future[None]:
        """Start a wait in one direction; the caller awaits the future, then clears
        ``interest.waiter`` (on every path, cancellation included)."""
        loop = asyncio.get_running_loop()
        readiness = self._readiness
        if loop is not readiness.loop:
            readiness.bind(loop)
        return interest.wait(loop, operation)

    async def _wait(
        self, writable: bool, operation: str, tried: SocketError | None = None, failed: int = 0
    ) -> None:
        """Wait until the socket is readable (writable).

        ``tried`` is the failure of the try that sends the task here (`WouldBlock`,
        `InProgress`): the awaited call goes on, so it is taken back from the
        socket's `last_error`, as a blocking call's internal waits leave none.
        ``failed`` counts the earlier waits of the call whose next try still found
        nothing to do (each told to the interest: `Interest.found_nothing`); from
        two on, a readiness that the tries find false (an error queue alone, room
        that is not there) pauses the task (`_pause_if_falsely_ready`).
        """
        if tried is not None:
            self._sock._unnote(tried)
        readiness = self._readiness
        interest = readiness.writing if writable else readiness.reading
        if failed:
            interest.found_nothing()
            if failed >= 2:
                ready = _POLLOUT if writable else _POLLIN
                await _pause_if_falsely_ready(_poll_now(self._sock, ready), ready, failed)
        future = self._watch(interest, operation)
        try:
            await future
        finally:
            interest.waiter = None

    async def _receive(
        self, operation: str, attempt: Callable[[], _T], end: Callable[[], _T]
    ) -> _T:
        """Wait for readability and try ``attempt`` (a receive on the non-blocking
        socket) again, until it does not raise `WouldBlock`.

        For a receive whose first try, made by the caller with no await before it
        (so no other task could be receiving), would block without
        ``MsgFlag.DONTWAIT``.  No await comes between a try that received and the
        return: a cancellation cannot strand what arrived (descriptors included).
        ``end()`` is returned for a socket shut down for reading (see `_after_empty`).
        """
        self._receiving = True
        try:
            empty = 0
            while True:
                await self._wait(False, operation)
                try:
                    return attempt()
                except WouldBlock as exc:
                    self._sock._unnote(exc)
                    empty += 1
                    if not await _after_empty(self._sock, self._readiness.reading, empty):
                        continue
                try:
                    return attempt()
                except WouldBlock as exc:
                    self._sock._unnote(exc)
                    return end()
        finally:
            self._receiving = False

    async def _send(self, operation: str, attempt: Callable[[], _T], tried: SocketError) -> _T:
        """Wait for room and try ``attempt`` (a send on the non-blocking socket) again,
        until it does not raise `WouldBlock`.

        For a send whose first try, made by the caller with no await before it (so
        no other task could be sending), would block without ``MsgFlag.DONTWAIT``;
        ``tried`` is that try's `WouldBlock` (see `_wait`).
        """
        self._sending = True
        try:
            failed = 0  # wake-ups in a row after which the try would still block
            while True:
                await self._wait(True, operation, tried, failed)
                failed += 1
                try:
                    return attempt()
                except WouldBlock as exc:
                    tried = exc
        finally:
            self._sending = False

    # ------------------------------------------------------------------ state

    @property
    def socket(self) -> Socket:
        """The wrapped (non-blocking) `Socket`, for options, addresses and state."""
        return self._sock

    def fileno(self) -> int:
        """Return the descriptor, or -1 once closed."""
        return self._sock.fileno()

    @property
    def family(self) -> AddressFamily | int:
        """The address family."""
        return self._sock.family

    @property
    def type(self) -> SocketType | int:
        """The socket type."""
        return self._sock.type

    @property
    def local_address(self) -> Address | None:
        """The address the socket is bound to (``None`` where it has none)."""
        return self._sock.local_address

    @property
    def peer_address(self) -> Address | None:
        """The connected peer's address (``None`` where it has none)."""
        return self._sock.peer_address

    def __repr__(self) -> str:
        return f"<AsyncSocket {self._sock!r}>"

    # ------------------------------------------------------------------ plain calls

    def bind(self, address: object) -> None:
        """Bind the socket (`Socket.bind`)."""
        self._sock.bind(address)

    def listen(self, backlog: int = _SOMAXCONN) -> None:
        """Accept connections (`Socket.listen`)."""
        self._sock.listen(backlog)

    def shutdown(self, how: int = Shutdown.BOTH) -> None:
        """Shut down reading, writing or both (`Socket.shutdown`)."""
        self._sock.shutdown(how)

    def get_option(self, option: Option) -> Any:
        """Read a socket option (`Socket.get_option`)."""
        return self._sock.get_option(option)

    def set_option(self, option: Option, value: Any) -> None:
        """Set a socket option (`Socket.set_option`)."""
        self._sock.set_option(option, value)

    # ------------------------------------------------------------------ connection

    async def accept(self) -> tuple[AsyncSocket, Address | None]:
        """Accept a connection: a new `AsyncSocket` and the peer's address.

        Raises:
            BusyError: another task is receiving (or accepting) on this socket.
            InvalidArgument: the socket is not listening.
            SocketClosedError: the socket was closed meanwhile.
        """
        if self._receiving:
            raise BusyError.another_task("accept", "receiving")
        self._receiving = True
        try:
            while True:
                try:
                    conn, address = self._sock.accept()
                    break
                except WouldBlock as exc:
                    await self._wait(False, "accept", exc)
        finally:
            self._receiving = False
        try:
            return type(self).from_socket(conn), address
        except BaseException:
            conn.close()
            raise

    async def connect(self, address: object) -> None:
        """Connect to ``address``; a host name is looked up in the default executor.

        Raises:
            BusyError: another task is sending on this socket.
            ValueError: a malformed address.
            ConnectionRefused, TimedOut, …: the typed error of the failed connect.
            LookupFailed: the host name could not be resolved.
        """
        if self._sending:
            raise BusyError.another_task("connect", "sending")
        self._sending = True
        try:
            if int(self._sock.family) in _IP_FAMILIES and _needs_lookup(address):
                address = await self._resolve(address)
            await self._connect(address)
        finally:
            self._sending = False

    async def _resolve(self, address: Any) -> Any:
        loop = asyncio.get_running_loop()
        sock = self._sock
        lookup = functools.partial(
            _resolve.getaddrinfo, address[0], address[1], int(sock.family), int(sock.type)
        )
        infos = await loop.run_in_executor(None, lookup)
        if not infos:
            raise lookup_failed(_s.EAI_NONAME, address[0], address[1])
        return infos[0][4]

    async def _connect(self, address: object) -> None:
        sock = self._sock
        pause = _UNIX_RETRY_FIRST
        while True:
            try:
                sock.connect(address)
                return
            except (InProgress, Interrupted) as exc:
                under_way = exc  # writable when it is done
                break
            except WouldBlock as exc:
                # A Unix listener's full backlog: no event announces room; try again.
                sock._unnote(exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, _UNIX_RETRY_MAX)
        await self._wait(True, "connect", under_way)
        code = sock.get_option_raw(_s.SOL_SOCKET, _s.SO_ERROR)
        if code:
            raise sock._note(from_errno(int(code), "connect", address))

    # ------------------------------------------------------------------ receiving

    def _take_held(self, length: int, operation: str, peek: bool = False) -> bytes:
        self._check_held(operation)
        if length < 0:
            raise ValueError(f"length must be >= 0, got {length}")
        held = self._held
        if not peek:
            self._held = held[length:]
        return held[:length]

    def _check_held(self, operation: str) -> None:
        """Held bytes go with the socket's close, as the sync `Socket`'s kept line bytes do
        (the close may have come through the wrapped `Socket`, which cannot drop them)."""
        if self._sock.closed:
            self._held = b""
            raise SocketClosedError(operation)

    async def recv(self, length: int, flags: int = 0) -> bytes:
        """Receive up to ``length`` bytes; ``b""`` means end of stream.

        Raises:
            BusyError: another task is receiving on this socket.
            ValueError: ``length`` is negative.
            ConnectionReset: the peer reset the connection.
            SocketClosedError: the socket was closed meanwhile.
        """
        flags = check_flags(flags)  # any integer, as the sync layer takes (checked first)
        if self._receiving:
            raise BusyError.another_task("recv", "receiving")
        if self._held:
            return self._take_held(length, "recv", bool(flags & _s.MSG_PEEK))
        sock = self._sock
        # No await before the first try: no other task can start receiving meanwhile.
        data = _recv_nowait(sock, length, flags)
        if data is not None:
            return data
        if flags & _DONTWAIT:
            raise _would_block(sock, "recv")
        self._receiving = True
        try:
            reading = self._readiness.reading
            empty = 0
            while True:
                future = self._watch(reading, "recv")
                try:
                    await future
                finally:
                    reading.waiter = None
                data = _recv_nowait(sock, length, flags)
                if data is not None:
                    return data
                empty += 1
                if await _after_empty(sock, reading, empty):
                    return _recv_nowait(sock, length, flags) or b""
        finally:
            self._receiving = False

    async def recv_into(self, buffer: Buffer, nbytes: int = 0, flags: int = 0) -> int:
        """Receive into ``buffer`` (up to ``nbytes``, or its size when 0); return the count.

        Raises:
            BusyError: another task is receiving on this socket.
            ValueError: ``nbytes`` is negative or larger than the buffer.
        """
        flags = check_flags(flags)  # any integer, as the sync layer takes (checked first)
        if self._receiving:
            raise BusyError.another_task("recv_into", "receiving")
        if self._held:
            view = _byte_view(buffer, "buffer")
            if nbytes < 0 or nbytes > view.nbytes:
                raise ValueError(f"nbytes must be 0-{view.nbytes}, got {nbytes}")
            data = self._take_held(nbytes or view.nbytes, "recv_into", bool(flags & _s.MSG_PEEK))
            view[: len(data)] = data
            return len(data)
        sock = self._sock
        count = _recv_into_nowait(sock, buffer, nbytes, flags)
        if count is not None:
            return count
        if flags & _DONTWAIT:
            raise _would_block(sock, "recv_into")
        self._receiving = True
        try:
            reading = self._readiness.reading
            empty = 0
            while True:
                future = self._watch(reading, "recv_into")
                try:
                    await future
                finally:
                    reading.waiter = None
                count = _recv_into_nowait(sock, buffer, nbytes, flags)
                if count is not None:
                    return count
                empty += 1
                if await _after_empty(sock, reading, empty):
                    return _recv_into_nowait(sock, buffer, nbytes, flags) or 0
        finally:
            self._receiving = False

    async def recvfrom(self, length: int, flags: int = 0) -> tuple[bytes, Address | None]:
        """Receive a datagram and its sender's address.

        Raises:
            BusyError: another task is receiving on this socket.
            ValueError: ``length`` is negative.
        """
        flags = check_flags(flags)  # any integer, as the sync layer takes (checked first)
        if self._receiving:
            raise BusyError.another_task("recvfrom", "receiving")
        if self._held:
            return self._take_held(length, "recvfrom", bool(flags & _s.MSG_PEEK)), None
        sock = self._sock
        try:
            return sock.recvfrom(length, flags)
        except WouldBlock as exc:
            if flags & _DONTWAIT:
                raise
            sock._unnote(exc)
        receive = functools.partial(sock.recvfrom, length, flags)
        return await self._receive("recvfrom", receive, _no_datagram)

    async def recvmsg(self, bufsize: int, ancbufsize: int = 0, flags: int = 0) -> Message:
        """Receive one message with its control data (`Socket.recvmsg`).

        Received descriptors arrive in an owning `Rights`, as in the sync layer.
        A cancelled ``recvmsg`` has received nothing: the message stays queued.

        Raises:
            BusyError: another task is receiving on this socket.
            ValueError: ``bufsize`` or ``ancbufsize`` is negative.
        """
        flags = check_flags(flags)  # any integer, as the sync layer takes (checked first)
        if self._receiving:
            raise BusyError.another_task("recvmsg", "receiving")
        if self._held:
            check_int(ancbufsize, "ancbufsize", 0)  # checked as it is without held bytes
            data = self._take_held(bufsize, "recvmsg", bool(flags & _s.MSG_PEEK))
            return Message([data], nbytes=len(data))
        sock = self._sock
        try:
            return sock.recvmsg(bufsize, ancbufsize, flags)  # (no await before the return)
        except WouldBlock as exc:
            if flags & _DONTWAIT:
                raise
            sock._unnote(exc)
        receive = functools.partial(sock.recvmsg, bufsize, ancbufsize, flags)
        return await self._receive("recvmsg", receive, _no_message)

    async def read(self, length: int, mode: int = ReadMode.BINARY) -> bytes:
        """Read like a blocking `Socket.read`.

        ``ReadMode.BINARY`` returns what one receive gives.  ``ReadMode.NORMAL``
        waits for a whole line: it returns up to and including the first ``\\n`` or
        ``\\r``, at most ``length`` bytes, never consuming a byte past the
        terminator; a partial line is returned only at end of stream.

        Raises:
            BusyError: another task is receiving on this socket.
            ValueError: ``length`` is negative.
            ConnectionReset: the peer reset the connection (bytes of a partial
                line read before it are returned by the next receive).
        """
        if self._receiving:
            raise BusyError.another_task("read", "receiving")
        if mode != _NORMAL:
            if self._held:
                return self._take_held(length, "read")
            sock = self._sock
            try:
                return sock.read(length, mode)
            except WouldBlock as exc:
                sock._unnote(exc)
            return await self._receive("read", functools.partial(sock.read, length, mode), bytes)
        self._receiving = True
        try:
            return await self._read_line(length)
        finally:
            self._receiving = False

    async def _read_line(self, length: int) -> bytes:
        if length <= 0:
            if length < 0:
                raise ValueError(f"length must be >= 0, got {length}")
            return b""
        parts: list[bytes] = []
        have = 0
        if self._held:  # a partial line: never a terminator in it
            self._check_held("read")
            if len(self._held) >= length:
                return self._take_held(length, "read")
            parts.append(self._held)
            have = len(self._held)
            self._held = b""
        read = self._sock.read
        empty = 0  # tries in a row that found nothing after a wake-up
        woken = ending = False
        try:
            while True:
                try:
                    # On a non-blocking socket this returns the part of the line that
                    # has arrived, and never a byte past its terminator.
                    chunk = read(length - have, _NORMAL)
                except WouldBlock as exc:
                    self._sock._unnote(exc)
                    if ending:
                        break  # the end of data (see _after_empty)
                    if woken:
                        empty += 1
                        ending = await _after_empty(self._sock, self._readiness.reading, empty)
                        if ending:
                            continue  # one more try: what came with the shutdown
                    await self._wait(False, "read")
                    woken = True
                    continue
                woken, empty = False, 0
                if not chunk:
                    break
                parts.append(chunk)
                have += len(chunk)
                if have >= length or chunk.endswith(_LINE_ENDS):
                    break
        except BaseException:
            if parts:
                self._held = b"".join(parts)  # taken off the socket: the next receive's
            raise
        return parts[0] if len(parts) == 1 else b"".join(parts)

    # ------------------------------------------------------------------ sending

    async def send(self, data: Buffer, flags: int = 0) -> int:
        """Send bytes; returns how many were sent (at least one, maybe fewer than all).

        Raises:
            BusyError: another task is sending on this socket.
            BrokenPipe, ConnectionReset: the peer went away.
        """
        flags = check_flags(flags)  # any integer, as the sync layer takes (checked first)
        if self._sending:
            raise BusyError.another_task("send", "sending")
        sock = self._sock
        try:
            return sock.send(data, flags)  # (no await before: no other task sends meanwhile)
        except WouldBlock as exc:
            if flags & _DONTWAIT:
                raise
            tried = exc
        return await self._send("send", functools.partial(sock.send, data, flags), tried)

    async def sendto(self, data: Buffer, address: object, flags: int = 0) -> int:
        """Send a datagram to ``address``.

        Raises:
            BusyError: another task is sending on this socket.
            ValueError: a malformed address.
            MessageTooLong: the datagram is too large.
        """
        flags = check_flags(flags)  # any integer, as the sync layer takes (checked first)
        if self._sending:
            raise BusyError.another_task("sendto", "sending")
        sock = self._sock
        try:
            return sock.sendto(data, address, flags)
        except WouldBlock as exc:
            if flags & _DONTWAIT:
                raise
            tried = exc
        return await self._send(
            "sendto", functools.partial(sock.sendto, data, address, flags), tried
        )

    async def write(self, data: Buffer, length: int | None = None) -> int:
        """Write once, like `Socket.write`: at most ``length`` bytes, maybe fewer.

        Raises:
            BusyError: another task is sending on this socket.
            ValueError: ``length`` is negative.
        """
        if self._sending:
            raise BusyError.another_task("write", "sending")
        sock = self._sock
        try:
            return sock.write(data, length)
        except WouldBlock as exc:
            tried = exc
        return await self._send("write", functools.partial(sock.write, data, length), tried)

    async def write_all(self, data: Buffer) -> None:
        """Write all of ``data``, waiting as needed.

        If the task is cancelled, an unknown part of ``data`` has been sent.

        Raises:
            BusyError: another task is sending on this socket.
            TypeError: ``data`` is not bytes-like.
            BrokenPipe, ConnectionReset: the peer went away.
        """
        if self._sending:
            raise BusyError.another_task("write_all", "sending")
        # The usual case, all sent at once, needs no await and no sending state (and
        # for bytes, no view: its length is its size).
        if data.__class__ is bytes:
            sent = _send_nowait(self._sock, data, "write_all")
            if sent == len(data):
                return
            view = memoryview(data)
        else:
            view = _byte_view(data)
            sent = _send_nowait(self._sock, view, "write_all")
            if sent == view.nbytes:
                return
        self._sending = True
        try:
            await self._send_view(view, "write_all", sent or 0)
        finally:
            self._sending = False

    async def _send_view(self, view: memoryview, operation: str, sent: int = 0) -> None:
        sock = self._sock
        total = view.nbytes
        failed = 0
        while sent < total:
            done = _send_nowait(sock, view[sent:] if sent else view, operation)
            if done is None:
                await self._wait(True, operation, None, failed)
                failed += 1
            else:
                sent += done
                failed = 0

    async def sendmsg(self, message: Message, flags: int = 0) -> int:
        """Send one message with its control data (`Socket.sendmsg`).

        Returns:
            The number of bytes sent; a stream socket may send fewer than all.

        Raises:
            BusyError: another task is sending on this socket.
            TypeError, ValueError: a malformed message (before any system call).
            SocketClosedError: a `Rights` holds a socket that has closed.
        """
        flags = check_flags(flags)  # any integer, as the sync layer takes (checked first)
        if self._sending:
            raise BusyError.another_task("sendmsg", "sending")
        sock = self._sock
        try:
            return sock.sendmsg(message, flags)
        except WouldBlock as exc:
            if flags & _DONTWAIT:
                raise
            tried = exc
        return await self._send("sendmsg", functools.partial(sock.sendmsg, message, flags), tried)

    async def send_batch(self, messages: Iterable[Message | Buffer], flags: int = 0) -> int:
        """Send several datagrams with one system call per batch (`Socket.send_batch`).

        Waits until the socket can take at least the first message, then returns how
        many were sent (an error after the first is raised by the next call).

        Raises:
            BusyError: another task is sending on this socket.
            TypeError, ValueError: a malformed message (before any system call).
            SocketError: the first message failed, typed by errno.
        """
        flags = _load_batch().check_batch_flags(flags)  # first, as the sync layer checks it
        if self._sending:
            raise BusyError.another_task("send_batch", "sending")
        items = _load_batch().message_list(messages)  # read once, whatever the waits
        sock = self._sock
        try:
            return sock.send_batch(items, flags)
        except WouldBlock as exc:
            if flags & _DONTWAIT:
                raise
            tried = exc
        return await self._send(
            "send_batch", functools.partial(sock.send_batch, items, flags), tried
        )

    async def recv_batch(
        self, count: int, bufsize: int, ancbufsize: int = 0, flags: int = 0
    ) -> list[Message]:
        """Receive up to ``count`` datagrams at once (`Socket.recv_batch`).

        Waits until at least one is queued, then returns what is there without
        waiting to fill the batch.  Received descriptors are owned as in `recvmsg`;
        there is no await between their receipt and the return.

        Raises:
            BusyError: another task is receiving on this socket.
            TypeError, ValueError: a bad ``count``, size or flags (``WAITALL`` on a
                stream), before any system call.
        """
        flags = _load_batch().check_batch_flags(flags)  # first, as the sync layer checks it
        if self._receiving:
            raise BusyError.another_task("recv_batch", "receiving")
        if self._held:
            stream = self._sock.type == SocketType.STREAM  # checked as without held bytes
            _load_batch().check_receive(count, bufsize, ancbufsize, flags, stream=stream)
            data = self._take_held(bufsize, "recv_batch", bool(flags & _s.MSG_PEEK))
            return [Message([data], nbytes=len(data))]
        sock = self._sock
        try:
            return sock.recv_batch(count, bufsize, ancbufsize, flags)  # (no await before)
        except WouldBlock as exc:
            if flags & _DONTWAIT:
                raise
            sock._unnote(exc)
        receive = functools.partial(sock.recv_batch, count, bufsize, ancbufsize, flags)
        return await self._receive("recv_batch", receive, list)

    async def start_tls(
        self,
        context: ssl.SSLContext,
        *,
        server_hostname: str | None = None,
        server_side: bool = False,
        suppress_ragged_eofs: bool = False,
        do_handshake: bool = True,
    ) -> AsyncTLSSocket:
        """Run TLS over this connected socket: the awaited twin of `Socket.start_tls`.

        The returned `AsyncTLSSocket` owns this socket: a failed handshake closes it
        before raising, and closing the TLS socket closes it.

        Raises:
            TypeError, ValueError: a bad argument (before any I/O).
            TLSHandshakeError, CertificateVerifyError: the handshake failed.
        """
        from sockkit.tls import AsyncTLSSocket  # noqa: PLC0415 - tls imports ssl: on first use

        return await AsyncTLSSocket.start(
            self,
            context,
            server_hostname=server_hostname,
            server_side=server_side,
            suppress_ragged_eofs=suppress_ragged_eofs,
            do_handshake=do_handshake,
        )

    async def sendfile(self, file: IO[bytes], offset: int = 0, count: int | None = None) -> int:
        """Send a file's contents: ``sendfile(2)`` for a regular file, else reads and sends.

        The file's position is left after the last byte sent.

        Args:
            file: a file opened in binary mode.
            offset: where to start in the file.
            count: how many bytes (``None``: to the end).

        Returns:
            The number of bytes sent.

        Raises:
            BusyError: another task is sending on this socket.
            ValueError: negative ``offset`` or ``count``, or a text-mode file.
            BrokenPipe, ConnectionReset: the peer went away.
        """
        if offset < 0 or (count is not None and count < 0):
            raise ValueError("offset and count must be >= 0")
        if isinstance(file, io.TextIOBase):
            raise ValueError("file must be opened in binary mode")
        if self._sending:
            raise BusyError.another_task("sendfile", "sending")
        self._sending = True
        try:
            sent = None
            fileno = _regular_fileno(file)
            if fileno is not None:
                sent = await self._sendfile_zero_copy(fileno, offset, count)
            if sent is None:
                sent = await self._sendfile_by_send(file, offset, count)
        finally:
            self._sending = False
        if file.seekable():
            file.seek(offset + sent)
        return sent

    async def _sendfile_zero_copy(self, fileno: int, offset: int, count: int | None) -> int | None:
        """``os.sendfile`` on the retained descriptor; ``None`` if the OS refuses at once."""
        sock = self._sock
        sent = failed = 0
        while count is None or sent < count:
            chunk = _SENDFILE_CHUNK if count is None else min(count - sent, _SENDFILE_CHUNK)
            fd = sock.retain(interrupt=False)  # non-blocking: nothing to wake
            try:
                done = os.sendfile(fd, fileno, offset + sent, chunk)
            except BlockingIOError:
                done = -1
            except OSError as exc:
                if not sent and exc.errno in _NO_SENDFILE:
                    return None
                raise sock._note(from_oserror(exc, "sendfile")) from None
            finally:
                sock.release(interrupt=False)
            if done < 0:
                await self._wait(True, "sendfile", None, failed)
                failed += 1
            elif done == 0:
                break
            else:
                sent += done
                failed = 0
        return sent

    async def _sendfile_by_send(self, file: IO[bytes], offset: int, count: int | None) -> int:
        if offset or file.seekable():
            file.seek(offset)
        sent = 0
        while count is None or sent < count:
            size = _FALLBACK_CHUNK if count is None else min(count - sent, _FALLBACK_CHUNK)
            block = file.read(size)
            if not block:
                break
            await self._send_view(memoryview(block), "sendfile")
            sent += len(block)
        return sent


_NO_SENDFILE: Final = frozenset(
    code
    for code in (
        _errno.EINVAL,
        _errno.ENOSYS,
        _errno.ENOTSOCK,
        getattr(_errno, "EOPNOTSUPP", None),
        getattr(_errno, "ENOTSUP", None),
    )
    if code is not None
)


def _regular_fileno(file: IO[bytes]) -> int | None:
    """The descriptor for ``os.sendfile``, or ``None`` where plain reads must do.

    ``os.sendfile`` cannot take ``MSG_NOSIGNAL``: it is used only while ``SIGPIPE``
    is ignored (Python's default), so a vanished peer is ``BrokenPipe``, never a
    signal.
    """
    if not hasattr(os, "sendfile"):
        return None
    if _SIGPIPE is not None and signal.getsignal(_SIGPIPE) is not signal.SIG_IGN:
        return None
    try:
        fileno = file.fileno()
        mode = os.fstat(fileno).st_mode
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return None
    return fileno if stat.S_ISREG(mode) else None


# ---------------------------------------------------------------------- create_connection


async def _create_connection(
    cls: type[_A],
    address: object,
    *,
    timeout: float | None = None,
    source_address: object = None,
    delay: float = 0.25,
    resolver: _he.Resolver | None = None,
    socket_factory: Callable[[int, int, int], Socket] | None = None,
) -> _A:
    """``AsyncSocket.create_connection`` with the resolver and socket factory replaceable.

    ``resolver`` and ``socket_factory`` are as for the sync version (tests inject
    them); the resolver runs in the default executor when the host is a name.
    """
    timeout = check_timeout(timeout, "timeout")
    delay_s = check_timeout(delay, "happy_eyeballs_delay", allow_none=False)
    assert delay_s is not None
    target = parse_target(address)
    source_family = None if source_address is None else _he._source_family(source_address)
    loop = asyncio.get_running_loop()
    _check_loop(loop)
    deadline = None if timeout is None else loop.time() + timeout
    shown = str(target)
    infos = await _lookup(loop, target, resolver, deadline, shown)
    candidates = _he._order(infos)
    if not candidates:
        raise lookup_failed(_s.EAI_NONAME, target.host, target.port)
    if source_family is not None:
        candidates = _he._of_source_family(candidates, source_family, source_address, target)
    race = _Race(loop, Socket if socket_factory is None else socket_factory, source_address)
    winner = await race.run(candidates, deadline, delay_s, shown)
    try:
        return cls.from_socket(winner)
    except BaseException:
        winner.close()
        raise


async def _lookup(
    loop: asyncio.AbstractEventLoop,
    target: Any,
    resolver: _he.Resolver | None,
    deadline: float | None,
    shown: str,
) -> Sequence[tuple[int, int, int, str, Any]]:
    """Resolve the target: inline for a numeric host, in the executor for a name."""
    if target.family == _s.AF_INET6 and (target.flowinfo or target.scope_id):
        if not is_numeric_host(_s.AF_INET6, target.host.partition("%")[0]):
            raise ValueError(f"flowinfo and scope_id need a numeric IPv6 host, got {target.host!r}")
        sockaddr = (target.host.partition("%")[0], target.port, target.flowinfo, target.scope_id)
        return [(_s.AF_INET6, _SOCK_STREAM, 0, "", sockaddr)]
    resolve: _he.Resolver = _resolve.getaddrinfo if resolver is None else resolver
    call = functools.partial(
        resolve, target.host or None, target.port, target.family, _SOCK_STREAM, 0, 0
    )
    if target.host == "" or literal_family(target.host) is not None:
        return call()
    remaining = None if deadline is None else max(deadline - loop.time(), 0.0)
    try:
        return await asyncio.wait_for(loop.run_in_executor(None, call), remaining)
    except asyncio.TimeoutError:
        raise from_errno(_errno.ETIMEDOUT, "getaddrinfo", shown) from None


class _Race:
    """The attempts of one ``create_connection``; every socket made here is closed here
    unless it is returned."""

    __slots__ = ("errors", "factory", "loop", "owned", "pending", "source")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        factory: Callable[[int, int, int], Socket],
        source: object,
    ) -> None:
        self.loop = loop
        self.factory = factory
        self.source = source
        self.owned: list[Socket] = []  # every socket created, in one owner's hands
        self.errors: list[SocketError | None] = []  # one slot per attempt, in start order
        # A connect under way: its future, socket, attempt index, address and descriptor.
        # The sockets are this object's alone until one is returned, so their numbers
        # stay theirs while registered (no retain() needed).
        self.pending: dict[asyncio.Future[None], tuple[Socket, int, Any, int]] = {}

    async def run(
        self,
        candidates: list[tuple[int, int, int, Any]],
        deadline: float | None,
        delay: float,
        shown: str,
    ) -> Socket:
        winner: Socket | None = None
        try:
            winner = await self._race(candidates, deadline, delay)
            if winner is not None:
                winner.clear_error()
                return winner
            attempts = [error for error in self.errors if error is not None]
            last = attempts[-1]
            _he._attach_attempts(last, attempts, shown)
            raise last
        finally:
            for future, (_sock, _index, _sockaddr, fd) in self.pending.items():
                self.loop.remove_writer(fd)
                future.cancel()
            for sock in self.owned:
                if sock is not winner:
                    _he._close_quietly(sock)

    async def _race(
        self, candidates: list[tuple[int, int, int, Any]], deadline: float | None, delay: float
    ) -> Socket | None:
        loop = self.loop
        pending = self.pending
        next_index = 0
        next_start = 0.0
        while True:
            now = loop.time()
            if next_index < len(candidates) and (now >= next_start or not pending):
                winner = self._start(next_index, candidates[next_index])
                if winner is not None:
                    return winner
                next_index += 1
                next_start = now + delay
                continue
            if not pending:
                return None  # every started attempt failed and no more may start
            if deadline is not None and now >= deadline:
                for _sock, index, sockaddr, _fd in pending.values():
                    self.errors[index] = from_errno(_errno.ETIMEDOUT, "connect", sockaddr)
                return None
            wait = None if deadline is None else deadline - now
            if next_index < len(candidates):
                until_next = max(next_start - now, 0.0)
                wait = until_next if wait is None else min(wait, until_next)
            done, _ = await asyncio.wait(
                list(pending), timeout=wait, return_when=asyncio.FIRST_COMPLETED
            )
            for future in done:
                sock, index, sockaddr, fd = pending.pop(future)
                loop.remove_writer(fd)
                try:
                    code = int(sock.get_option_raw(_s.SOL_SOCKET, _s.SO_ERROR))
                except OSError as exc:
                    code = exc.errno or _errno.EIO
                if code == 0:
                    return sock
                self.errors[index] = from_errno(code, "connect", sockaddr)
                _he._close_quietly(sock)
                next_start = now  # a failure starts the next attempt at once

    def _start(self, index: int, candidate: tuple[int, int, int, Any]) -> Socket | None:
        """Start attempt ``index``; returns the socket if it connected at once."""
        family, kind, proto, sockaddr = candidate
        self.errors.append(None)
        sock, error = _he._start(
            self.factory,
            family=family,
            kind=kind,
            proto=proto,
            sockaddr=sockaddr,
            source=self.source,
            owned=self.owned,
        )
        if error is not None:
            self.errors[index] = error
            if sock is not None:
                _he._close_quietly(sock)
            return None
        if sock is None:
            return self.owned[-1]  # connect() completed at once
        future: asyncio.Future[None] = self.loop.create_future()
        fd = sock.fileno()
        self.loop.add_writer(fd, _ready, future)
        self.pending[future] = (sock, index, sockaddr, fd)
        return None
