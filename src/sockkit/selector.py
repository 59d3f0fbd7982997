"""[`Selector`][sockkit.selector.Selector]: wait until sockets are ready, for any number of them.

Two faces of one class:

* ``Selector.wait(read, write, exceptional, timeout)`` — PHP's ``socket_select``
  as a static method over sets of sockets.  It is built on the registration face:
  each thread keeps one registration (an epoll instance on Linux, kept between
  calls and updated by difference, keyed on the objects, never on descriptor
  numbers), so it has no ``FD_SETSIZE`` ceiling (any number of sockets, any
  descriptor number), and a loop that waits on the same sets again and again pays
  only for the wait itself and for the sockets that are ready.  When a thread
  keeps waiting on the very same `Socket` objects (and none is closed meanwhile),
  it skips even asking them for their descriptors.  (The registration keeps
  references to the objects of a thread's last wait until its next one.)
* ``Selector()`` — a registration API in the shape of Python's ``selectors``,
  over epoll on Linux (``selectors.DefaultSelector`` elsewhere).  The cost of a
  ``select()`` grows with the number of ready sockets, not the number
  registered.  A forked child's selector is its own (see `Selector`).

Example:
    >>> from sockkit import Socket, Selector, Event
    >>> with Socket.pair() as (left, right), Selector() as sel:
    ...     key = sel.register(right, Event.READ, data="right end")
    ...     left.send(b"x")
    ...     [(k.data, events) for k, events in sel.select(timeout=1)]
    1
    [('right end', <Event.READ: 1>)]
"""

from __future__ import annotations

import contextlib
import operator
import os
import select
import selectors
import sys
import threading
import time
import weakref
from collections.abc import Container, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final, Generic, NamedTuple, Protocol, TypeAlias, TypeVar

import sockkit.socket as _sockets
from sockkit._checks import check_timeout, type_name
from sockkit.enums import Event
from sockkit.errors import SocketClosedError, from_oserror

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["FileLike", "HasFileno", "Ready", "Selector", "SelectorKey"]


class HasFileno(Protocol):
    """Anything with a ``fileno()`` method: a `Socket`, a Python socket, a pipe's file, …"""

    def fileno(self) -> int: ...


FileLike: TypeAlias = "HasFileno | int"
"""What a `Selector` accepts: an object with ``fileno()``, or a descriptor number."""

_T = TypeVar("_T", bound=FileLike)

# ---------------------------------------------------------------------- poll bits

_POLLIN: Final[int] = getattr(select, "POLLIN", 1)
_POLLPRI: Final[int] = getattr(select, "POLLPRI", 2)
_POLLOUT: Final[int] = getattr(select, "POLLOUT", 4)
_POLLERR: Final[int] = getattr(select, "POLLERR", 8)
_POLLHUP: Final[int] = getattr(select, "POLLHUP", 16)
_POLLNVAL: Final[int] = getattr(select, "POLLNVAL", 32)
_ERRHUP: Final = _POLLERR | _POLLHUP
_READABLE: Final = _POLLIN | _ERRHUP
_WRITABLE: Final = _POLLOUT | _ERRHUP
# poll() takes milliseconds as a C int.
_MAX_POLL_MS: Final = 2**31 - 1
_MAX_PLANS: Final = 16

_READ: Final = int(Event.READ)
_WRITE: Final = int(Event.WRITE)
_EXCEPTIONAL: Final = int(Event.EXCEPTIONAL)
_ALL_EVENTS: Final = _READ | _WRITE | _EXCEPTIONAL
# Event members by value, bound once: evaluating Event(...) per result costs more than the wait.
_EVENTS: Final[tuple[Event, ...]] = tuple(Event(value) for value in range(_ALL_EVENTS + 1))


def _check_timeout(timeout: object) -> float:
    """A timeout in seconds that is not ``None``, checked (finite, 0 or more)."""
    seconds = check_timeout(timeout)
    assert seconds is not None
    return seconds


def _fd_of(obj: object, operation: str) -> int:
    """The descriptor of ``obj``, with the errors a caller should see."""
    if isinstance(obj, bool):
        raise TypeError("expected a socket, an object with fileno() or a descriptor, got bool")
    if isinstance(obj, int):
        if obj < 0:
            raise ValueError(f"a descriptor must be >= 0, got {obj}")
        return int(obj)
    fileno = getattr(obj, "fileno", None)
    if fileno is None:
        raise TypeError(
            f"expected a socket, an object with fileno() or a descriptor, got {type_name(obj)}"
        )
    fd = fileno()
    if isinstance(fd, bool) or not isinstance(fd, int):
        raise TypeError(f"{type_name(obj)}.fileno() returned {type_name(fd)}, not an int")
    if fd < 0:
        raise SocketClosedError(operation)
    return int(fd)


# ---------------------------------------------------------------------- the static face


class Ready(tuple[list[_T], list[_T], list[_T]], Generic[_T]):
    """What [`Selector.wait`][sockkit.selector.Selector.wait] found ready.

    Each list holds the caller's own objects, in the caller's order.  A `Ready` is
    a 3-tuple, so it unpacks as ``read, write, exceptional``.

    Attributes:
        read: the sockets ready to read (or at end of stream, or in error).
        write: the sockets ready to write (or in error).
        exceptional: the sockets with out-of-band data pending.

    Example:
        >>> ready = Ready([1], [], [])
        >>> read, write, exceptional = ready
        >>> read, ready.write
        ([1], [])
    """

    __slots__ = ()

    def __new__(cls, read: list[_T], write: list[_T], exceptional: list[_T]) -> Ready[_T]:
        ready: Ready[_T] = _tuple_new(cls, (read, write, exceptional))
        return ready

    if TYPE_CHECKING:

        @property
        def read(self) -> list[_T]: ...
        @property
        def write(self) -> list[_T]: ...
        @property
        def exceptional(self) -> list[_T]: ...

    else:
        read = property(operator.itemgetter(0), doc="The sockets ready to read.")
        write = property(operator.itemgetter(1), doc="The sockets ready to write.")
        exceptional = property(operator.itemgetter(2), doc="The sockets with out-of-band data.")

    def __getnewargs__(self) -> tuple[list[_T], list[_T], list[_T]]:
        return (self[0], self[1], self[2])

    def __repr__(self) -> str:
        return f"Ready(read={self[0]!r}, write={self[1]!r}, exceptional={self[2]!r})"


_tuple_new: Final[Any] = tuple.__new__
_SEQUENCES: Final = frozenset({list, tuple})


class SelectorKey(NamedTuple):
    """A registration in a [`Selector`][sockkit.selector.Selector] (like ``selectors.SelectorKey``).

    Attributes:
        socket: the registered object, as given to ``register``.
        fd: its descriptor number at registration.
        events: the `Event` bits it is registered for.
        data: the caller's data, as given to ``register``/``modify``.

    Example:
        >>> from sockkit import Socket, Selector, Event
        >>> with Socket.pair() as (left, right), Selector() as sel:
        ...     key = sel.register(left, Event.READ | Event.WRITE, data=42)
        ...     key.events, key.data, key.fd == left.fileno()
        (<Event.READ|WRITE: 3>, 42, True)
    """

    socket: FileLike
    fd: int
    events: Event
    data: Any


# Row tables: for a key registered for ``mask``, ``rows[mask][native]`` is the
# Event to report for the backend's native readiness bits, or None.
_Row: TypeAlias = tuple["Event | None", ...]


def _rows(translate: dict[int, int], native_mask: int) -> tuple[_Row, ...]:
    """Build the per-mask rows from ``translate`` (native bit -> Event bits, 8 = error)."""
    rows: list[_Row] = []
    for mask in range(_ALL_EVENTS + 1):
        row: list[Event | None] = []
        for native in range(native_mask + 1):
            bits = 0
            for native_bit, event_bits in translate.items():
                if native & native_bit:
                    bits |= event_bits
            found = bits & mask
            if not found and bits & 8 and mask & _EXCEPTIONAL:
                found = _EXCEPTIONAL  # an error on an EXCEPTIONAL-only registration
            row.append(_EVENTS[found] if found else None)
        rows.append(tuple(row))
    return tuple(rows)


class _EpollBackend:
    """epoll(7): registrations live in the kernel; a wait costs O(ready)."""

    __slots__ = ("_epoll", "poll")

    supported: Final = _ALL_EVENTS
    native_mask: Final = 31
    _TO_NATIVE: Final = tuple(
        (_POLLIN if m & _READ else 0)
        | (_POLLOUT if m & _WRITE else 0)
        | (_POLLPRI if m & _EXCEPTIONAL else 0)
        for m in range(_ALL_EVENTS + 1)
    )
    rows: Final = _rows(
        {
            getattr(select, "EPOLLIN", 1): _READ,
            getattr(select, "EPOLLOUT", 4): _WRITE,
            getattr(select, "EPOLLPRI", 2): _EXCEPTIONAL,
            getattr(select, "EPOLLERR", 8): _READ | _WRITE | 8,
            getattr(select, "EPOLLHUP", 16): _READ | _WRITE | 8,
        },
        31,
    )

    def __init__(self) -> None:
        self._epoll = select.epoll()
        # The bound C method itself: Selector.select calls it with no Python layer between.
        self.poll = self._epoll.poll

    def register(self, fd: int, mask: int) -> None:
        self._epoll.register(fd, self._TO_NATIVE[mask])

    def modify(self, fd: int, mask: int) -> None:
        self._epoll.modify(fd, self._TO_NATIVE[mask])

    def unregister(self, fd: int) -> None:
        self._epoll.unregister(fd)

    def close(self) -> None:
        self._epoll.close()


class _SelectorsBackend:
    """``selectors.DefaultSelector`` for OSes without epoll (kqueue, poll or select).

    ``Event.EXCEPTIONAL`` cannot be registered here: ``selectors`` has no such event.
    """

    __slots__ = ("_selector",)

    supported: Final = _READ | _WRITE
    native_mask: Final = 3
    rows: Final = _rows({selectors.EVENT_READ: _READ, selectors.EVENT_WRITE: _WRITE}, 3)

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()

    @staticmethod
    def _native(mask: int) -> int:
        return (selectors.EVENT_READ if mask & _READ else 0) | (
            selectors.EVENT_WRITE if mask & _WRITE else 0
        )

    def register(self, fd: int, mask: int) -> None:
        self._selector.register(fd, self._native(mask))

    def modify(self, fd: int, mask: int) -> None:
        self._selector.modify(fd, self._native(mask))

    def unregister(self, fd: int) -> None:
        with contextlib.suppress(KeyError):
            self._selector.unregister(fd)

    def poll(self, timeout: float, maxevents: int) -> list[tuple[int, int]]:
        ready = self._selector.select(None if timeout < 0 else timeout)
        return [(key.fd, events) for key, events in ready]

    def close(self) -> None:
        self._selector.close()


_Backend: TypeAlias = "_EpollBackend | _SelectorsBackend"
# The one platform branch of the registration face.
_DEFAULT_BACKEND: Final[type[_EpollBackend] | type[_SelectorsBackend]] = (
    _EpollBackend if hasattr(select, "epoll") else _SelectorsBackend
)
# A larger ready list is handed out over several select() calls (epoll rotates
# level-triggered events, so none starves); the cap bounds the per-call buffer.
_MAX_EVENTS: Final = 1024


def _closed_error() -> ValueError:
    return ValueError("select() on a closed Selector")


def _closed_poll(timeout: float, maxevents: int) -> list[tuple[int, int]]:
    raise _closed_error()


class _Waker:
    """A descriptor in a selector that another thread makes readable to wake a select.

    An eventfd where the OS has one (one descriptor), else a pipe.  Plain
    descriptors, not socket objects: a thread's `Selector.wait` registration keeps
    one for the thread's life, and it must not warn when the interpreter exits.
    """

    __slots__ = ("_write_fd", "fd")

    def __init__(self) -> None:
        eventfd = getattr(os, "eventfd", None)
        if eventfd is not None:
            self.fd = self._write_fd = eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        else:
            self.fd, self._write_fd = os.pipe()
            os.set_blocking(self.fd, False)
            os.set_blocking(self._write_fd, False)

    def wake(self) -> None:
        with contextlib.suppress(OSError):  # full already: a wake-up is pending anyway
            os.write(self._write_fd, _ONE)

    def drain(self) -> None:
        with contextlib.suppress(OSError):
            os.read(self.fd, 4096)

    def close(self) -> None:
        if self.fd < 0:
            return
        os.close(self.fd)
        if self._write_fd != self.fd:
            os.close(self._write_fd)
        self.fd = self._write_fd = -1

    def __del__(self) -> None:
        self.close()


_ONE: Final = (1).to_bytes(8, sys.byteorder)  # an eventfd counts in 8-byte words; a pipe takes any


class Selector:
    """Wait for sockets to become ready: PHP's ``socket_select``, and a registration API.

    **Static face** — [`Selector.wait`][sockkit.selector.Selector.wait] over sets,
    no object needed.

    **Registration face** — ``Selector()`` keeps registrations between waits, over
    epoll on Linux (``selectors.DefaultSelector`` elsewhere, where
    ``Event.EXCEPTIONAL`` cannot be registered).  Use it as a context manager or
    call `close`.

    A `Socket` knows the selectors it is registered in: closing it (from any
    thread) unregisters it from each before its descriptor is released and wakes a
    `select` waiting meanwhile, so no select reports a closed `Socket`, nor another
    file through its old descriptor number.  Other objects (Python sockets, files,
    descriptor numbers) cannot tell the selector they closed: unregister them
    before closing them, as with ``selectors``.  One thread at a time may call
    `select`; closes may come from any thread.

    After ``os.fork()`` the child's selector is its own: at the child's first
    `select`, `register` or `modify`, an epoll instance of the child's takes the
    same registrations (one ``epoll_ctl`` each; a fork costs nothing for a
    selector the child never uses), and until then what the child unregisters or
    closes leaves the parent's instance alone: what one process does never
    reaches the other's registrations.  Where the child has no descriptor for its
    own instance, that first use raises `TooManyOpenFiles` and the next tries again.

    Raises:
        TooManyOpenFiles: ``Selector()`` could not get an epoll descriptor.

    Example:
        >>> from sockkit import Socket, Event
        >>> with Socket.pair() as (left, right), Selector() as sel:
        ...     _ = sel.register(left, Event.WRITE)
        ...     [events for key, events in sel.select(0)]
        [<Event.WRITE: 2>]
    """

    __slots__ = (
        "__weakref__",
        "_backend",
        "_changes",
        "_closed",
        "_dirty",
        "_fds",
        "_holders",
        "_inherited",
        "_lock",
        "_max_events",
        "_poll",
        "_polling",
        "_released",
        "_removals",
        "_rows",
        "_sockets",
        "_waker",
    )

    def __init__(self, backend: str | None = None) -> None:
        """Make a selector.

        Args:
            backend: ``None`` for the OS's best mechanism; ``"epoll"`` or
                ``"selectors"`` (``selectors.DefaultSelector``) to choose one, e.g.
                to test the portable path on Linux.

        Raises:
            ValueError: an unknown ``backend``, or one this OS lacks.
            TooManyOpenFiles: no descriptor for the selector.
        """
        kind = _BACKENDS.get(backend) if backend is not None else _DEFAULT_BACKEND
        if kind is None or (kind is _EpollBackend and not hasattr(select, "epoll")):
            raise ValueError(f"backend must be None, 'epoll' or 'selectors', got {backend!r}")
        try:
            self._backend = kind()
        except OSError as exc:
            raise from_oserror(exc, "selector") from None
        try:
            self._waker = _Waker()
            self._backend.register(self._waker.fd, _READ)
        except OSError as exc:
            self._backend.close()
            raise from_oserror(exc, "selector") from None
        self._poll: Any = self._backend.poll
        self._rows = self._backend.rows
        self._fds: dict[int, tuple[SelectorKey, _Row]] = {}
        # Registered Sockets -> their descriptor: found by identity when they close.
        self._sockets: dict[_sockets.Socket, int] = {}
        # Registered objects that may hold readable bytes above their descriptor (a
        # TLSSocket's decrypted data): reported readable while their `pending` > 0.
        self._holders: dict[int, SelectorKey] = {}
        self._lock = threading.RLock()  # a finaliser closing a socket may re-enter
        self._dirty: set[int] = set()  # unregistered by a close during the select under way
        self._polling = False
        self._released = False  # the epoll descriptor and the waker closed (see _release)
        self._removals = 0  # every unregistration, counted (see _ready)
        self._changes = 0  # registrations dropped by closes (Selector.wait re-checks then)
        self._max_events = 2
        self._closed = False
        self._inherited = False  # made before a fork, in the child: see _renew
        _selectors.add(self)

    # ------------------------------------------------------------------ static face

    @staticmethod
    def wait(
        read: Iterable[_T] = (),
        write: Iterable[_T] = (),
        exceptional: Iterable[_T] = (),
        timeout: float | None = None,
    ) -> Ready[_T]:
        """Wait until some of the given sockets are ready (PHP's ``socket_select``).

        Works for any number of sockets and any descriptor number.  Built on the
        registration face: each thread keeps one `Selector` whose registrations
        are updated by difference from one wait to the next, so a loop that waits
        on the same sets pays only for the sockets that are ready.  A socket at
        end of stream or in error counts as readable, and as writable if it is in
        ``write``; ``exceptional`` reports out-of-band data, and also an error on
        a socket that is in ``exceptional`` only.  Closing a `Socket` that a wait
        in another thread includes wakes that wait: it raises `SocketClosedError`.

        Args:
            read: sockets to wait for reading (`Socket`, Python sockets, any
                object with ``fileno()``, or descriptor numbers).
            write: sockets to wait for writing.
            exceptional: sockets to wait for out-of-band data.
            timeout: seconds; ``None`` waits for ever, ``0`` only polls.

        Returns:
            A `Ready` whose lists hold the caller's objects in the caller's order.

        Raises:
            TypeError: ``timeout`` is not a number (``bool`` included), or an item
                is neither a descriptor nor has ``fileno()``.
            ValueError: a negative ``timeout`` or descriptor, or every set empty
                with ``timeout=None`` (it would wait for ever).
            SocketClosedError: a socket in a set is closed, before or during the wait.
            BadFileDescriptor: a descriptor number is not open.

        Example:
            >>> from sockkit import Socket
            >>> with Socket.pair() as (left, right):
            ...     left.send(b"ping")
            ...     ready = Selector.wait(read=[left, right], write=[left], timeout=1)
            ...     ready.read == [right], ready.write == [left]
            4
            (True, True)
        """
        if timeout is not None and not (
            (timeout.__class__ is int or timeout.__class__ is float) and 0 <= timeout < _FOREVER
        ):
            timeout = _check_timeout(timeout)
        rs: Sequence[_T] = read if read.__class__ in _SEQUENCES else list(read)
        ws: Sequence[_T] = write if write.__class__ in _SEQUENCES else list(write)
        xs: Sequence[_T] = exceptional if exceptional.__class__ in _SEQUENCES else list(exceptional)
        try:
            state: _WaitState = _local.state
        except AttributeError:  # this thread's first wait
            state = _local.state = _WaitState()
        return state.wait(rs, ws, xs, timeout)

    # ------------------------------------------------------------------ registration face

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("operation on a closed Selector")

    @staticmethod
    def _check_events(events: object) -> int:
        if isinstance(events, bool) or not isinstance(events, int):
            raise TypeError(f"events must be Event flags (an int), got {type_name(events)}")
        if events <= 0 or events & ~_ALL_EVENTS:
            raise ValueError(
                "events must be a non-empty combination of Event.READ, Event.WRITE and"
                f" Event.EXCEPTIONAL, got {events!r}"
            )
        return int(events)

    def _check_mask(self, events: object) -> int:
        mask = self._check_events(events)
        missing = mask & ~self._backend.supported
        if missing:
            raise ValueError(f"this platform's selector cannot wait for {Event(missing)!r}")
        return mask

    def _lookup(self, sock: object) -> tuple[int, tuple[SelectorKey, _Row]]:
        """Find the registration of ``sock``; ``KeyError`` if there is none."""
        owner = _owning_socket(sock)
        if owner is not None:
            fd = self._sockets.get(owner, -1)
        elif isinstance(sock, int) and not isinstance(sock, bool):
            fd = sock
        else:
            fileno = getattr(sock, "fileno", None)
            if fileno is None:
                raise TypeError(
                    "expected a socket, an object with fileno() or a descriptor,"
                    f" got {type_name(sock)}"
                )
            fd = fileno()
        entry = self._fds.get(fd) if isinstance(fd, int) else None
        if entry is not None and (entry[0].socket is sock or isinstance(sock, int)):
            return fd, entry
        if not isinstance(sock, int):
            # Not a Socket, and closed (or given another descriptor) since it was
            # registered: find it by identity.
            for old_fd, candidate in self._fds.items():
                if candidate[0].socket is sock:
                    return old_fd, candidate
        raise KeyError(f"{sock!r} is not registered")

    def register(self, sock: FileLike, events: int, data: Any = None) -> SelectorKey:
        """Start watching ``sock`` for ``events``.

        A `Socket` is unregistered by its own ``close()``; anything else must be
        unregistered before it is closed.

        Args:
            sock: a `Socket`, a Python socket, any object with ``fileno()``, or a
                descriptor number.
            events: `Event` flags: ``READ``, ``WRITE``, ``EXCEPTIONAL`` (out-of-band
                data; not available on the ``selectors`` fallback).
            data: anything; it is handed back in the key.

        Returns:
            The new `SelectorKey`.

        Raises:
            TypeError: ``events`` is not an int, or ``sock`` has no ``fileno()``.
            ValueError: ``events`` is 0 or has unknown bits; a negative or too
                large descriptor; the selector is closed.
            KeyError: ``sock`` (or its descriptor) is already registered — as
                ``selectors`` does.
            SocketClosedError: ``sock`` is closed.
            SocketError: the OS refused (e.g. ``OperationNotPermitted`` for a
                regular file with epoll).

        Example:
            >>> from sockkit import Socket, Event
            >>> with Socket.pair() as (left, right), Selector() as sel:
            ...     key = sel.register(left, Event.READ, data="left")
            ...     sel.get_key(left) == key, len(sel)
            (True, 1)
        """
        self._check_open()
        if self._inherited:
            self._renew()
        mask = self._check_mask(events)
        owner = _owning_socket(sock)
        if owner is None:
            fd = _fd_of(sock, "register")
            with self._lock:
                return self._add(sock, fd, mask, data)
        # Held while registering: a close meanwhile waits for the lock, then undoes it.
        # Not interrupting: registering never blocks, and a close meanwhile must not
        # shut down a connection that another process may share.
        fd = owner.retain(interrupt=False)
        try:
            with self._lock:
                key = self._add(sock, fd, mask, data)
                try:
                    owner.add_close_callback(self._socket_closed)
                except BaseException:
                    self._remove(fd)
                    raise
                self._sockets[owner] = fd
                return key
        finally:
            owner.release(interrupt=False)

    def _add(self, sock: FileLike, fd: int, mask: int, data: Any) -> SelectorKey:
        """Register ``fd`` in the backend and the table (the lock held)."""
        if fd in self._fds or fd == self._waker.fd:
            raise KeyError(f"{sock!r} (descriptor {fd}) is already registered")
        try:
            self._backend.register(fd, mask)
        except OSError as exc:
            raise from_oserror(exc, "register") from None
        except OverflowError:
            raise ValueError(f"descriptor {fd} is out of range") from None
        key = SelectorKey(sock, fd, _EVENTS[mask], data)
        self._fds[fd] = (key, self._rows[mask])
        self._max_events = min(len(self._fds) + 1, _MAX_EVENTS)
        if isinstance(getattr(type(sock), "pending", None), property):
            self._holders[fd] = key  # may hold readable bytes above its descriptor
        return key

    def _remove(self, fd: int) -> SelectorKey:
        """Drop ``fd``'s registration (the lock held); return its key."""
        key = self._fds.pop(fd)[0]
        self._removals += 1
        self._holders.pop(fd, None)
        self._max_events = min(len(self._fds) + 1, _MAX_EVENTS)
        if not self._inherited:  # (the parent's epoll instance is not this process's to change)
            with contextlib.suppress(OSError, ValueError):
                self._backend.unregister(fd)
        if self._polling:
            self._dirty.add(fd)  # what the select under way saw for it is void
        return key

    def _socket_closed(self, sock: _sockets.Socket) -> None:
        """A registered `Socket` is closing (any thread), its descriptor not yet released."""
        with self._lock:
            fd = self._sockets.pop(sock, None)
            if fd is None or self._closed:
                return
            self._remove(fd)
            self._changes += 1
            if self._polling:
                self._waker.wake()

    def modify(self, sock: FileLike, events: int, data: Any = None) -> SelectorKey:
        """Change the events (and the data) a registered socket is watched for.

        ``data`` replaces the key's data, as in ``selectors`` (default ``None``).

        Returns:
            The new `SelectorKey`.

        Raises:
            SocketClosedError: ``sock`` is a closed `Socket`.
            KeyError: ``sock`` is not registered.
            TypeError, ValueError: bad ``events``, as for `register`.
            SocketError: the OS refused.

        Example:
            >>> from sockkit import Socket, Event
            >>> with Socket.pair() as (left, right), Selector() as sel:
            ...     _ = sel.register(left, Event.READ)
            ...     sel.modify(left, Event.WRITE, data="w").events
            <Event.WRITE: 2>
        """
        self._check_open()
        if self._inherited:
            self._renew()
        mask = self._check_mask(events)
        if isinstance(sock, _sockets.Socket) and sock.closed:
            raise SocketClosedError("modify")
        with self._lock:
            fd, (old, _row) = self._lookup(sock)
            if mask != int(old.events):
                try:
                    self._backend.modify(fd, mask)
                except OSError as exc:
                    raise from_oserror(exc, "modify") from None
            key = SelectorKey(old.socket, fd, _EVENTS[mask], data)
            self._fds[fd] = (key, self._rows[mask])
            return key

    def unregister(self, sock: FileLike) -> SelectorKey:
        """Stop watching ``sock``; return its key.

        Raises:
            KeyError: ``sock`` is not registered (a closed `Socket` no longer is).

        Example:
            >>> from sockkit import Socket, Event
            >>> with Socket.pair() as (left, right), Selector() as sel:
            ...     _ = sel.register(left, Event.READ)
            ...     sel.unregister(left).socket is left, len(sel)
            (True, 0)
        """
        self._check_open()
        with self._lock:
            fd, _entry = self._lookup(sock)
            key = self._remove(fd)
            owner = _owning_socket(sock)
            if owner is not None and self._sockets.pop(owner, None) is not None:
                owner.remove_close_callback(self._socket_closed)
            return key

    def get_key(self, sock: FileLike) -> SelectorKey:
        """Return the key of a registered socket.

        Raises:
            KeyError: ``sock`` is not registered.
        """
        self._check_open()
        return self._lookup(sock)[1][0]

    def select(self, timeout: float | None = None) -> list[tuple[SelectorKey, Event]]:
        """Wait until registered sockets are ready; return ``(key, events)`` pairs.

        ``events`` is the subset of the key's events that is ready.  End of stream
        or an error counts as ``READ`` and ``WRITE`` (as far as registered; for an
        ``EXCEPTIONAL``-only registration it is reported as ``EXCEPTIONAL``).  The
        cost grows with the number of ready sockets, not the number registered;
        at most 1024 are returned per call (the rest come with the next call).
        A registered `Socket` closed during the wait (in another thread) wakes it
        and is not reported.

        Args:
            timeout: seconds; ``None`` waits for ever, ``0`` only polls.

        Returns:
            The ready registrations; empty when the time ran out (or a socket's
            close woke it).

        Raises:
            TypeError: ``timeout`` is not a number (``bool`` included).
            ValueError: ``timeout`` is negative, or the selector is closed (also
                when `close` is called by another thread during the wait, which
                wakes it at once).

        Example:
            >>> from sockkit import Socket, Event
            >>> with Socket.pair() as (left, right), Selector() as sel:
            ...     _ = sel.register(right, Event.READ)
            ...     sel.select(0)
            []
        """
        if timeout is None:
            wait: float = -1
        elif (type(timeout) is float or type(timeout) is int) and 0 <= timeout < _FOREVER:
            wait = timeout
        else:
            wait = _check_timeout(timeout)
        return self._ready(wait, self._max_events)

    def _ready(self, wait: float, most: int) -> list[tuple[SelectorKey, Event]]:
        """`select` with the timeout checked (-1: for ever), at most ``most`` results.

        No lock on the usual path: ``_removals`` counts every unregistration, so
        when it is unchanged from before the wait to after the results are mapped,
        every event belongs to the key it was mapped to.  Otherwise the mapping is
        done again under the lock, leaving out every descriptor unregistered since
        the wait began (``_dirty``): its events were for a file it may no longer name.
        """
        if self._inherited:
            self._renew()
        held = self._held() if self._holders else None
        if held:
            wait = 0  # some are readable already: only look at the others
        removals = self._removals
        self._polling = True
        try:
            raw = self._poll(wait, most) if wait < _MAX_WAIT else self._long(wait, most)
            ready = self._mapped(raw, ()) if raw else []
            if self._removals != removals:
                with self._lock:
                    ready = self._mapped(raw, self._dirty)
        finally:  # whatever raises (a signal handler waiting for the lock too)
            self._end_poll()
        if self._closed:  # closed by another thread meanwhile: what was seen is void
            raise _closed_error()
        return _merged(ready, held) if held else ready

    def _mapped(
        self, raw: list[tuple[int, int]], skip: Container[int]
    ) -> list[tuple[SelectorKey, Event]]:
        """The keys and events of the backend's results, leaving out ``skip``."""
        fds = self._fds
        native_mask = self._backend.native_mask
        ready: list[tuple[SelectorKey, Event]] = []
        for fd, native in raw:
            entry = fds.get(fd)
            if entry is not None and fd not in skip:
                event = entry[1][native & native_mask]
                if event is not None:
                    ready.append((entry[0], event))
            elif fd == self._waker.fd:
                self._waker.drain()
        return ready

    def _end_poll(self) -> None:
        self._polling = False
        if self._dirty:
            with self._lock:
                self._dirty.clear()
        if self._closed:
            self._release()  # close() found this select waiting: its descriptors go now

    def _held(self) -> list[tuple[SelectorKey, Event]]:
        """Registrations for READ whose object holds readable bytes itself (``pending``)."""
        return [
            (key, _EVENTS[_READ])
            for key in list(self._holders.values())
            if key.events & _READ and getattr(key.socket, "pending", 0) > 0
        ]

    def _long(self, seconds: float, most: int) -> list[tuple[int, int]]:
        """Wait longer than the OS's timeout type allows, in pieces."""
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            raw: list[tuple[int, int]] = self._poll(min(max(remaining, 0.0), _MAX_WAIT), most)
            if raw or remaining <= _MAX_WAIT:
                return raw

    def __len__(self) -> int:
        return len(self._fds)

    def __iter__(self) -> Iterator[SelectorKey]:
        return iter([entry[0] for entry in self._fds.values()])

    def close(self) -> None:
        """Close the selector (its epoll descriptor) and forget every registration.

        Closing twice is harmless; the registered sockets are not closed.  A
        `select` waiting in another thread meanwhile is woken and raises
        ``ValueError``; the selector's descriptors are closed as it leaves, never
        under it (their numbers cannot pass to another file while it uses them).
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._poll = _closed_poll
            self._fds.clear()
            self._holders.clear()
            sockets, self._sockets = self._sockets, {}
            waiting = self._polling  # (set before the select reads _poll: see _release)
            if waiting:
                self._waker.wake()
        for sock in sockets:
            sock.remove_close_callback(self._socket_closed)
        if not waiting:
            self._release()

    def _release(self) -> None:
        """Close the epoll descriptor and the waker, once: by `close`, or by the select
        that `close` found waiting, as that select leaves (`_end_poll`).

        A select sets ``_polling`` before it reads ``_poll``, and `close` replaces
        ``_poll`` before it reads ``_polling``: so either `close` sees the select
        (and leaves this to it), or the select finds ``_closed_poll`` and never
        waits on the descriptors; when both see each other, the flag makes it once.
        """
        with self._lock:
            if self._released:
                return
            self._released = True
        self._backend.close()
        self._waker.close()

    def _forked(self) -> None:
        """In a forked child, at the fork (no system call but for a closed selector's
        leftovers): mark the selector as the parent's until the child first uses it
        (`_renew`)."""
        self._lock = threading.RLock()  # a thread of the parent may have held it at fork
        self._polling = False  # (no select of this process is under way)
        self._dirty.clear()
        if not self._closed:
            self._inherited = True
        elif not self._released:  # the parent's select that was to release them is not here
            self._release()

    def _renew(self) -> None:
        """In a forked child, before its first use of the epoll instance: the same
        registrations on an instance (and a waker) of the child's own; the inherited
        descriptors are let go without a change the parent could see.

        An epoll instance is shared across fork like any open file: a `Socket` closed
        in one process (which unregisters it) would silently leave the other's
        selector too.  Until this runs, a registration dropped in the child (a
        `Socket` closed) leaves the instance alone.  A registration whose descriptor
        was closed without being unregistered is dropped here.

        Raises:
            SocketError: no descriptor for the child's own (`TooManyOpenFiles`); the
                selector stays as it was, the parent's instance untouched, and the
                next use tries again.
        """
        unhooked: list[_sockets.Socket] = []
        with self._lock:
            if not self._inherited:
                return  # renewed by another thread meanwhile
            made: list[_Backend | _Waker] = []
            try:
                backend = type(self._backend)()
                made.append(backend)
                waker = _Waker()
                made.append(waker)
                backend.register(waker.fd, _READ)
            except OSError as exc:
                for item in made:
                    item.close()
                raise from_oserror(exc, "selector") from None
            for fd, (key, _row) in list(self._fds.items()):
                try:
                    backend.register(fd, int(key.events))
                except (OSError, ValueError, KeyError):  # closed, not unregistered: stale
                    unhooked += self._drop(fd)
            with contextlib.suppress(OSError):
                self._backend.close()  # this process's descriptor only
            self._waker.close()
            self._backend, self._waker, self._poll = backend, waker, backend.poll
            self._inherited = False
        for sock in unhooked:  # (outside the lock, as in close)
            sock.remove_close_callback(self._socket_closed)

    def _drop(self, fd: int) -> list[_sockets.Socket]:
        """Forget the registration of ``fd`` without a backend change (the lock held);
        the sockets whose close callback to remove (after the lock)."""
        self._fds.pop(fd)
        self._holders.pop(fd, None)
        self._max_events = min(len(self._fds) + 1, _MAX_EVENTS)
        owners = [sock for sock, number in self._sockets.items() if number == fd]
        for sock in owners:
            del self._sockets[sock]
        return owners

    def _abandon(self) -> None:
        """`close` for a forked child, where the epoll instance is also the parent's.

        No epoll change and no unregistration from the sockets (their close
        callbacks find nothing to do once the selector is closed); a fresh lock, as
        a thread of the parent may have held this one at the fork.
        """
        self._lock = threading.RLock()
        self._closed = True
        self._released = True  # no select of this process is under way: none leaves
        self._polling = False
        self._poll = _closed_poll
        self._fds.clear()
        self._holders.clear()
        self._sockets = {}
        with contextlib.suppress(OSError):
            self._backend.close()  # this process's descriptor only
        self._waker.close()

    @property
    def closed(self) -> bool:
        """Whether `close` has been called."""
        return self._closed

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self._fds)} registered"
        return f"<Selector {type(self._backend).__name__.strip('_')} {state}>"


# Timeouts: epoll and poll take milliseconds as a C int (about 24.8 days); longer
# waits go in pieces.  Beyond _FOREVER seconds a timeout is refused as absurd.
_MAX_WAIT: Final = (2**31 - 1) // 1000 - 1
_FOREVER: Final = 1e15
_BACKENDS: Final[dict[str, type[_EpollBackend] | type[_SelectorsBackend]]] = {
    "epoll": _EpollBackend,
    "selectors": _SelectorsBackend,
}
_local = threading.local()
# Every Selector, for a forked child to renew (`Selector._renew`).
_selectors: Final[weakref.WeakSet[Selector]] = weakref.WeakSet()
# The selector of every thread's `Selector.wait` registration, for a forked child to
# let go of (`_forget_wait_registrations`).
_wait_selectors: Final[weakref.WeakSet[Selector]] = weakref.WeakSet()


class _Positions(NamedTuple):
    """Where one registered object sits in the caller's three sets."""

    read: tuple[int, ...]
    write: tuple[int, ...]
    exceptional: tuple[int, ...]
    exceptional_only: bool


class _WaitState:
    """One thread's registration for `Selector.wait`, updated by difference between waits.

    The registrations are keyed on the objects themselves (never on descriptor
    numbers); each key's data is where the object sits in the caller's sets.  When
    a wait comes with the very same objects as the last one, and no registered
    `Socket` has closed since (the selector counts those), nothing is re-checked.
    """

    __slots__ = ("changes", "exceptional", "only_sockets", "read", "selector", "write")

    def __init__(self) -> None:
        self.selector = Selector()
        _wait_selectors.add(self.selector)
        self.read: Sequence[Any] = ()
        self.write: Sequence[Any] = ()
        self.exceptional: Sequence[Any] = ()
        self.changes = -1
        self.only_sockets = False

    def wait(
        self, rs: Sequence[_T], ws: Sequence[_T], xs: Sequence[_T], timeout: float | None
    ) -> Ready[_T]:
        selector = self.selector
        if not (
            self.only_sockets
            and self.changes == selector._changes
            and rs == self.read
            and ws == self.write
            and xs == self.exceptional
        ):
            self._update(rs, ws, xs)
        if not selector._fds:
            if timeout is None:
                raise ValueError("wait() with no sockets and no timeout would wait for ever")
            time.sleep(timeout)
            return _tuple_new(Ready, ([], [], []))  # type: ignore[no-any-return]
        changes = selector._changes
        # Every ready socket at once (the registration face hands out 1024 per call).
        found = selector._ready(-1 if timeout is None else timeout, len(selector._fds) + 1)
        if selector._changes != changes:
            _raise_if_closed(rs, ws, xs)
        if not found:
            return _tuple_new(Ready, ([], [], []))  # type: ignore[no-any-return]
        rhits: list[int] = []
        whits: list[int] = []
        xhits: list[int] = []
        for key, events in found:
            where: _Positions = key.data
            if events & _READ:
                rhits += where.read
            if events & _WRITE:
                whits += where.write
            if events & _EXCEPTIONAL:
                xhits += where.exceptional
        return _tuple_new(  # type: ignore[no-any-return]
            Ready, (_pick(rs, rhits), _pick(ws, whits), _pick(xs, xhits))
        )

    def _update(self, rs: Sequence[Any], ws: Sequence[Any], xs: Sequence[Any]) -> None:
        """Bring the registration in line with the sets: unregister, register, modify."""
        wanted = _wanted(rs, ws, xs)
        selector = self.selector
        self.read = self.write = self.exceptional = ()
        self.changes = -1
        for key in list(selector):
            obj = key.socket
            if _identity(obj) not in wanted or _moved(key):
                selector.unregister(obj)
        for ident, (obj, where) in wanted.items():
            mask = (
                (_READ if where.read else 0)
                | (_WRITE if where.write else 0)
                | (_EXCEPTIONAL if where.exceptional else 0)
            )
            held: SelectorKey | None
            try:
                held = selector.get_key(obj)
            except KeyError:
                held = None
            if held is None or (held.socket is not obj and _identity(held.socket) != ident):
                if held is not None:
                    selector.unregister(held.socket)
                selector.register(obj, mask, where)
            elif int(held.events) != mask or held.data != where:
                selector.modify(obj, mask, where)
        self.only_sockets = all(type(obj) is _sockets.Socket for obj, _where in wanted.values())
        self.read, self.write, self.exceptional = rs[:], ws[:], xs[:]
        self.changes = selector._changes


def _forget_wait_registrations() -> None:
    """In a forked child: let go of every thread's `Selector.wait` registration.

    An epoll instance is shared across fork like any open file: a change made in the
    child (a `Socket` closed, another set waited on) would remove the parent's
    registrations.  Each one is abandoned without a change the parent could see, and
    the child's next wait starts a registration of its own.
    """
    for selector in list(_wait_selectors):
        selector._abandon()
    vars(_local).pop("state", None)


def _after_fork_in_child() -> None:
    """Give the child selectors of its own: `Selector.wait`'s registrations let go,
    every other selector marked for renewal at its first use (`Selector._renew`)."""
    _forget_wait_registrations()
    for selector in list(_selectors):
        selector._forked()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _identity(obj: object) -> object:
    """What identifies a wait-set item: the object, or the number for a plain int."""
    return int(obj) if isinstance(obj, int) and not isinstance(obj, bool) else id(obj)


def _moved(key: SelectorKey) -> bool:
    """Whether a registered non-`Socket` object no longer has the descriptor it had.

    A plain number always counts as moved: its file may have been closed and the
    number taken by another since the last wait (the kernel then dropped the old
    registration), and nothing tells, so it is registered afresh every wait.
    """
    obj = key.socket
    if isinstance(obj, _sockets.Socket):
        return False
    if isinstance(obj, int):
        return True
    try:
        return bool(obj.fileno() != key.fd)
    except (OSError, ValueError):
        return True


def _wanted(
    rs: Sequence[Any], ws: Sequence[Any], xs: Sequence[Any]
) -> dict[object, tuple[Any, _Positions]]:
    """Each distinct object of the three sets with its positions, checked."""
    slots: dict[object, tuple[Any, list[int], list[int], list[int]]] = {}
    for which, objects in enumerate((rs, ws, xs)):
        for position, obj in enumerate(objects):
            ident = _identity(obj)
            entry = slots.get(ident)
            if entry is None:
                _fd_of(obj, "wait")  # raises for a closed or unusable item
                entry = slots[ident] = (obj, [], [], [])
            entry[1 + which].append(position)
    return {
        ident: (obj, _Positions(tuple(r), tuple(w), tuple(x), not r and not w))
        for ident, (obj, r, w, x) in slots.items()
    }


def _raise_if_closed(*sets: Sequence[Any]) -> None:
    """A registered `Socket` closed during a wait: if it is one of the caller's, say so."""
    for objects in sets:
        for obj in objects:
            if type(obj) is _sockets.Socket and obj.closed:
                raise SocketClosedError("wait")


def _pick(objects: Sequence[_T], hits: list[int]) -> list[_T]:
    """The caller's objects at the positions ``hits``, in the caller's order."""
    if not hits:
        return []
    if len(hits) == 1:
        return [objects[hits[0]]]
    hits.sort()
    return [objects[i] for i in hits]


def _owning_socket(obj: object) -> _sockets.Socket | None:
    """The `Socket` whose close unregisters ``obj``: itself, the one it wraps (``.socket``),
    or the one a ``to_stdlib()`` view is of (closing either closes both)."""
    if isinstance(obj, _sockets.Socket):
        return obj
    if isinstance(obj, _sockets._StdlibView):
        return _sockets._view_owner(obj)
    inner = getattr(obj, "socket", None)
    return inner if isinstance(inner, _sockets.Socket) else None


def _merged(
    ready: list[tuple[SelectorKey, Event]], held: list[tuple[SelectorKey, Event]]
) -> list[tuple[SelectorKey, Event]]:
    """``ready`` with the ``held`` READ events added (one entry per key)."""
    found = {key.fd: index for index, (key, _events) in enumerate(ready)}
    for key, event in held:
        index = found.get(key.fd)
        if index is None:
            ready.append((key, event))
        else:
            ready[index] = (key, _EVENTS[ready[index][1] | event])
    return ready


def _known_sockets(
    read: Sequence[object], write: Sequence[object], exceptional: Sequence[object]
) -> bool:
    """Whether this thread's last wait was on these very objects, every one an open `Socket`.

    True only if the thread's registration holds exactly these `Socket` objects and
    none of them has closed since (a close unregisters it and is counted): so they
    are all still open Sockets.  Lets ``sockkit.compat.socket_select`` skip checking
    each element again on every call.
    """
    state: _WaitState | None = getattr(_local, "state", None)
    return bool(
        state is not None
        and state.only_sockets
        and state.changes == state.selector._changes
        and read == state.read
        and write == state.write
        and exceptional == state.exceptional
    )
