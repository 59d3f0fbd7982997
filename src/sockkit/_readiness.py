"""Waiting for a socket's readiness on an asyncio event loop, with a kept registration.

`sockkit.aio` tries every call first and waits only when it would block.  A wait
registers the descriptor with the loop (``add_reader``/``add_writer``) and the
registration is kept after the wait: a socket that waits again in the same
direction (every round trip of a request-response protocol) costs no
``epoll_ctl`` and no new loop handle.  When the loop reports the socket ready
twice while no task waits (once can be an event collected before the woken task
took what was ready), the registration ends, so an idle readable socket does not
keep waking the loop.

A loop other than asyncio's selector loops may drop a registration by itself when
the socket has an error pending (``POLLERR``): uvloop (libuv's ``uv_poll``) runs
the callbacks once and closes its handle, and a kept registration would never
report again.  On such a loop each report asks the socket for ``POLLERR`` (one
``poll(2)`` on a poll object kept with the registration), and a registration
reported with it is made anew by the next wait.

Ownership: a registration holds the descriptor with ``Socket.retain(interrupt=
False)``, so the number the loop watches names this socket until the
registration ends; the ``Socket``'s close callback ends it (and fails the
waiters) in the loop's thread, which then releases the descriptor.  Nothing but
the loop's thread touches a registration, except while the loop is not running.
"""

from __future__ import annotations

import asyncio
import select
from typing import Any, Final

from sockkit.errors import SocketClosedError
from sockkit.socket import Socket

__all__ = ["Readiness"]

_NO_READERS: Final = (
    "AsyncSocket needs an event loop with add_reader()/add_writer(); {name} has none"
    " (Windows' ProactorEventLoop). Run on a selector loop: asyncio.run(main(),"
    " loop_factory=asyncio.SelectorEventLoop) on Python 3.12+, or"
    " asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy()) before"
    " asyncio.run()"
)


_POLL: Final = getattr(select, "poll", None)
_POLLERR: Final = getattr(select, "POLLERR", 0)


def _error_poller(fd: int, loop: asyncio.AbstractEventLoop) -> Any:
    """A ``poll`` object watching ``fd`` for ``POLLERR`` alone, for a loop that may
    drop a registration reported with an error; ``None`` for a loop that keeps it
    (or where the OS has no ``poll``)."""
    if _POLL is None or _keeps_errored_registrations(loop):
        return None
    poller = _POLL()
    poller.register(fd, 0)  # POLLERR is reported unasked
    return poller


def _keeps_errored_registrations(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether ``loop`` keeps watching a descriptor after reporting it with an error
    pending: asyncio's selector loops do (a selector reports ``POLLERR`` as ready
    and forgets nothing); another loop is not relied on."""
    return isinstance(loop, asyncio.SelectorEventLoop)


def check_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Refuse a loop whose ``add_reader`` is the abstract one (it raises NotImplementedError)."""
    if getattr(type(loop), "add_reader", None) is asyncio.AbstractEventLoop.add_reader:
        raise RuntimeError(_NO_READERS.format(name=type(loop).__name__))


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The running loop of this thread, or ``None``."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Interest:
    """One direction (reading or writing) of one socket on one loop.

    ``waiter`` is the future of the task waiting in this direction (at most one:
    `sockkit.aio` raises `BusyError` for a second), ``None`` when no task waits;
    the waiting task sets it back to ``None`` when its wait ends, however it ends.
    """

    __slots__ = (
        "_add",
        "_dropped",
        "_idle",
        "_poller",
        "_remove",
        "fd",
        "loop",
        "operation",
        "other",
        "sock",
        "waiter",
    )

    def __init__(self, sock: Socket, writable: bool) -> None:
        self.sock = sock
        self.loop: asyncio.AbstractEventLoop | None = None
        self.fd = -1  # the registered descriptor; -1 while not registered
        self.waiter: asyncio.Future[None] | None = None
        self.operation = ""
        self._idle = False  # reported ready once with nobody waiting
        self._poller: Any = None  # asks each report for POLLERR (see the module's text)
        self._dropped = False  # reported with POLLERR: the loop may have let go
        self.other = self  # the other direction (set by Readiness)
        self._add = "add_writer" if writable else "add_reader"
        self._remove = "remove_writer" if writable else "remove_reader"

    def wait(self, loop: asyncio.AbstractEventLoop, operation: str) -> asyncio.Future[None]:
        """The future a task awaits until the socket is ready in this direction.

        Raises:
            SocketClosedError: the socket is closed.
        """
        # One loop handle may serve both directions: a dropped one is ended first.
        if self._dropped:
            self.unregister()
        if self.other._dropped:
            self.other.unregister()
        if self.fd < 0:
            self._register(loop)
        future = loop.create_future()
        self.waiter = future
        self.operation = operation
        self._idle = False
        return future

    def _register(self, loop: asyncio.AbstractEventLoop) -> None:
        sock = self.sock
        fd = sock.retain(interrupt=False)  # raises SocketClosedError once closed
        try:
            poller = _error_poller(fd, loop)  # fd: held while the poller lives
            getattr(loop, self._add)(fd, self._ready)
        except BaseException:
            sock.release(interrupt=False)
            raise
        self._poller = poller
        self.fd = fd
        self.loop = loop

    def found_nothing(self) -> None:
        """The task this interest woke found nothing to do.

        On a loop that may drop a registration (see the module's text), the
        ``POLLERR`` that made it let go may have been cleared before the report
        asked for it (another callback, another thread): the registration is made
        anew by the next wait.  Such wake-ups are rare; nothing is done on a loop
        that keeps its registrations.
        """
        if self._poller is not None:
            self._dropped = True

    def _ready(self) -> None:
        poller = self._poller
        if poller is not None and (events := poller.poll(0)) and events[0][1] & _POLLERR:
            self._dropped = True
        waiter = self.waiter
        if waiter is not None:
            if not waiter.done():
                waiter.set_result(None)
            # A done waiter: its task has not run yet, and will take what is ready.
        elif self._idle:
            self.unregister()  # ready again and still nobody waits: stop watching
        else:
            # The loop may have collected this event before the woken task took
            # what was ready: a second report with nobody waiting is the sign.
            self._idle = True

    def unregister(self) -> None:
        """End the registration (in the loop's thread, or with the loop not running)."""
        fd = self.fd
        if fd < 0:
            return
        self.fd = -1
        self._poller = None
        self._dropped = False
        loop = self.loop
        try:
            if loop is not None and not loop.is_closed():
                getattr(loop, self._remove)(fd)
        finally:
            self.sock.release(interrupt=False)

    def fail(self) -> None:
        """The socket is closed: its waiter raises `SocketClosedError`; unregister."""
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(SocketClosedError(self.operation))
        self.unregister()


class Readiness:
    """Both directions of one socket, bound to the first loop that waits on it."""

    __slots__ = ("loop", "reading", "writing")

    def __init__(self, sock: Socket, loop: asyncio.AbstractEventLoop | None) -> None:
        self.loop = loop
        self.reading = Interest(sock, writable=False)
        self.writing = Interest(sock, writable=True)
        self.reading.other, self.writing.other = self.writing, self.reading
        sock.add_close_callback(self._closed)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Bind to ``loop`` (the first loop to wait), or refuse another loop.

        Raises:
            RuntimeError: bound to another loop, or the loop has no ``add_reader``.
        """
        if self.loop is None:
            check_loop(loop)
            self.loop = loop
        elif loop is not self.loop:
            raise RuntimeError("this AsyncSocket is used by another event loop")

    def _closed(self, sock: Socket) -> None:
        """The close callback (any thread): fail the waiters and unregister in the loop's thread."""
        loop = self.loop
        if loop is None:
            return  # never waited: nothing is registered and nobody waits
        if loop.is_closed() or not loop.is_running() or running_loop() is loop:
            self._fail()
            return
        try:
            loop.call_soon_threadsafe(self._fail)
        except RuntimeError:  # the loop closed meanwhile: its registrations are gone
            self._fail()

    def _fail(self) -> None:
        try:
            self.reading.fail()
        finally:
            self.writing.fail()
