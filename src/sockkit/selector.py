"""[`Selector`][sockkit.selector.Selector]: wait until sockets are ready, for any number of them.

Two faces of one class:

* ``Selector.wait(read, write, exceptional, timeout)`` — PHP's ``socket_select``
  as a static method over sets of sockets.  It uses ``poll(2)``, never
  ``select(2)``, so it has no ``FD_SETSIZE`` ceiling: any number of sockets, any
  descriptor number.  The poll object and its registrations are cached (per
  thread) between calls with the same descriptors, so a loop that waits on the
  same sets again and again pays only for ``poll`` itself and for the sockets
  that are ready.  When a thread keeps waiting on the very same `Socket`
  objects (and none is closed meanwhile), it skips even asking them for their
  descriptors, and after a few such waits on a set of 32 or more descriptors it
  moves them to an epoll instance of its own (Linux), so each wait then costs
  O(ready sockets), not O(sockets); that instance is closed as soon as the
  thread waits on anything else.  (Until then the thread also keeps references to
  those `Socket` objects.)
* ``Selector()`` — a registration API in the shape of Python's ``selectors``,
  over epoll on Linux (``selectors.DefaultSelector`` elsewhere).  The cost of a
  ``select()`` grows with the number of ready sockets, not the number
  registered.

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
import errno as _errno
import operator
import select
import selectors
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final, Generic, NamedTuple, Protocol, TypeAlias, TypeVar

import sockkit.socket as _sockets
from sockkit.enums import Event
from sockkit.errors import SocketClosedError, SocketError, from_errno, from_oserror

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


def _type_name(value: object) -> str:
    return value.__class__.__name__


def _check_timeout(timeout: object) -> float:
    """Validate a timeout in seconds (not ``None``) and return it as a float."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(
            f"timeout must be seconds (int or float) or None, got {_type_name(timeout)}"
        )
    if not timeout >= 0:  # negative or NaN
        raise ValueError(f"timeout must be >= 0 or None, got {timeout}")
    return float(timeout)


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
            f"expected a socket, an object with fileno() or a descriptor, got {_type_name(obj)}"
        )
    fd = fileno()
    if isinstance(fd, bool) or not isinstance(fd, int):
        raise TypeError(f"{_type_name(obj)}.fileno() returned {_type_name(fd)}, not an int")
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


class _SelectPoll:
    """A ``select.poll`` look-alike over ``select.select``, for OSes without ``poll``.

    Only used where Python has no ``select.poll`` (Windows, whose ``select`` has no
    descriptor-number ceiling, only a count limit).
    """

    __slots__ = ("_masks",)

    def __init__(self) -> None:
        self._masks: dict[int, int] = {}

    def register(self, fd: int, mask: int) -> None:
        self._masks[fd] = mask

    def poll(self, timeout_ms: float | None = None) -> list[tuple[int, int]]:
        masks = self._masks
        readers = [fd for fd, mask in masks.items() if mask & _POLLIN]
        writers = [fd for fd, mask in masks.items() if mask & _POLLOUT]
        others = [fd for fd, mask in masks.items() if mask & _POLLPRI]
        seconds = None if timeout_ms is None or timeout_ms < 0 else timeout_ms / 1000.0
        try:
            r, w, x = select.select(readers, writers, others, seconds)
        except OSError as exc:
            if exc.errno != _errno.EBADF and getattr(exc, "winerror", None) != 10038:
                raise
            # Report the first descriptor that is not open, as poll's POLLNVAL would.
            bad = [fd for fd in masks if not _fd_is_open(fd)] or list(masks)
            return [(bad[0], _POLLNVAL)]
        found: dict[int, int] = {}
        for fd in r:
            found[fd] = found.get(fd, 0) | _POLLIN
        for fd in w:
            found[fd] = found.get(fd, 0) | _POLLOUT
        for fd in x:
            found[fd] = found.get(fd, 0) | _POLLPRI
        return list(found.items())


def _fd_is_open(fd: int) -> bool:
    try:
        select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return False
    return True


# The one platform branch of the static face: poll(2) where Python has it.
_new_poll: Final[Any] = select.poll if hasattr(select, "poll") else _SelectPoll

# Per-thread cache of poll objects: descriptor tuple -> (poll method, index).
# (A poll object may not be used by two threads at once, hence per thread.)
_local = threading.local()

# fd -> (positions in read, in write, in exceptional, "in exceptional only")
_Index: TypeAlias = dict[int, tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], bool]]
_Key: TypeAlias = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
_SEQUENCES: Final = frozenset({list, tuple})
# This thread's last wait over Sockets only:
# [close counter, read, write, exceptional, plan, waits on it so far].
_NO_RECENT: Final[list[Any]] = [-1, None, None, None, None, 0]
# After this many waits on the same Sockets, a set of at least _EPOLL_MIN descriptors moves
# to epoll (below that, poll(2) is as fast and needs no descriptor of its own).
_EPOLL_AFTER: Final = 8
_EPOLL_MIN: Final = 32


class _EpollWait:
    """``poll(ms)`` over an epoll registered like a plan's poll object: O(ready) per wait.

    epoll's readiness bits are poll's on Linux, so the plan's index reads them as is.
    """

    __slots__ = ("_epoll", "_most", "_poll")

    def __init__(self, epoll: Any, most: int) -> None:
        self._epoll = epoll
        self._poll = epoll.poll
        self._most = most  # every descriptor may be ready at once: report them all

    def __call__(self, ms: float) -> list[tuple[int, int]]:
        result: list[tuple[int, int]] = self._poll(ms / 1000.0 if ms >= 0 else -1.0, self._most)
        return result

    def close(self) -> None:
        self._epoll.close()


def _epoll_plan(plan: tuple[Any, _Index]) -> tuple[Any, _Index]:
    """The plan with its poll object swapped for an epoll instance (if the OS has one)."""
    index = plan[1]
    try:
        epoll = select.epoll()
    except (AttributeError, OSError):
        return plan
    try:
        for fd, (rpos, wpos, xpos, _x_only) in index.items():
            mask = (_POLLIN if rpos else 0) | (_POLLOUT if wpos else 0)
            epoll.register(fd, mask | (_POLLPRI if xpos else 0))
    except OSError:
        epoll.close()
        return plan
    return _EpollWait(epoll, len(index)), index


def _known_sockets(
    read: Sequence[object], write: Sequence[object], exceptional: Sequence[object]
) -> bool:
    """Whether this thread's last wait was on these very objects, every one an open `Socket`.

    True only if they are the objects of the plan remembered by `Selector.wait` (all
    plain, unshared `Socket`s then) and no `Socket` has been closed since: so they are
    all still open Sockets.  Lets ``sockkit.compat.socket_select`` skip checking each
    element again on every call.
    """
    recent = getattr(_local, "recent", _NO_RECENT)
    return bool(
        recent[0] == _sockets._closes
        and read == recent[1]
        and write == recent[2]
        and exceptional == recent[3]
    )


def _drop(recent: list[Any]) -> None:
    """Close the epoll instance of a remembered plan that is being replaced."""
    plan = recent[4]
    if plan is not None and type(plan[0]) is _EpollWait:
        plan[0].close()


def _only_sockets(*sets: Sequence[object]) -> bool:
    """Whether every object is a plain `Socket` not shared with ``to_stdlib()``."""
    socket_type = _sockets.Socket
    for objects in sets:
        for obj in objects:
            if type(obj) is not socket_type or obj._shared:
                return False
    return True


def _remember(key: _Key) -> tuple[Any, _Index]:
    """Build the plan for ``key`` and cache it for this thread (the oldest goes first)."""
    try:
        plans: dict[_Key, tuple[Any, _Index]] = _local.plans
    except AttributeError:
        plans = _local.plans = {}
    if len(plans) >= _MAX_PLANS:
        del plans[next(iter(plans))]
    plan = plans[key] = _make_plan(*key)
    return plan


def _make_plan(
    rfds: tuple[int, ...], wfds: tuple[int, ...], xfds: tuple[int, ...]
) -> tuple[Any, _Index]:
    """A poll object registered for the three sets, and where each fd sits in them."""
    masks: dict[int, int] = {}
    positions: dict[int, tuple[list[int], list[int], list[int]]] = {}
    for which, (fds, bit) in enumerate(((rfds, _POLLIN), (wfds, _POLLOUT), (xfds, _POLLPRI))):
        for position, fd in enumerate(fds):
            masks[fd] = masks.get(fd, 0) | bit
            slots = positions.get(fd)
            if slots is None:
                slots = positions[fd] = ([], [], [])
            slots[which].append(position)
    poller = _new_poll()
    for fd, mask in masks.items():
        poller.register(fd, mask)
    index: _Index = {
        fd: (tuple(r), tuple(w), tuple(x), not r and not w) for fd, (r, w, x) in positions.items()
    }
    return poller.poll, index


def _pick(objects: Sequence[_T], hits: list[int]) -> list[_T]:
    """The caller's objects at the positions ``hits``, in the caller's order."""
    if not hits:
        return []
    if len(hits) == 1:
        return [objects[hits[0]]]
    hits.sort()
    return [objects[i] for i in hits]


def _bad_descriptor(fd: int) -> SocketError:
    """``BadFileDescriptor`` for a descriptor number that is not open (POLLNVAL)."""
    return from_errno(_errno.EBADF, "wait", f"fd {fd}")


def _fds_slow(objects: Sequence[object]) -> tuple[int, ...]:
    """Descriptors of ``objects``, with a clear error for the first one that is not usable."""
    return tuple(_fd_of(obj, "wait") for obj in objects) if objects else ()


def _wait_long(poll: Any, ms: float) -> list[tuple[int, int]]:
    """``poll`` for longer than a C int of milliseconds allows (about 24.8 days)."""
    deadline = time.monotonic() + ms / 1000.0
    while True:
        remaining = (deadline - time.monotonic()) * 1000.0
        result: list[tuple[int, int]] = poll(min(max(remaining, 0.0), _MAX_POLL_MS))
        if result or remaining <= _MAX_POLL_MS:
            return result


# ---------------------------------------------------------------------- the registration face


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


def _closed_poll(timeout: float, maxevents: int) -> list[tuple[int, int]]:
    raise ValueError("select() on a closed Selector")


class Selector:
    """Wait for sockets to become ready: PHP's ``socket_select``, and a registration API.

    **Static face** — [`Selector.wait`][sockkit.selector.Selector.wait] over sets,
    no object needed.

    **Registration face** — ``Selector()`` keeps registrations between waits, over
    epoll on Linux (``selectors.DefaultSelector`` elsewhere, where
    ``Event.EXCEPTIONAL`` cannot be registered).  Use it as a context manager or
    call `close`.

    A socket closed while registered (without ``unregister``) is dropped by the
    kernel: it stops appearing in `select` results and never makes `select` fail.
    Its key stays in the selector until ``unregister`` (which then returns the key
    without error), and a new socket that reuses its descriptor number may be
    registered: the stale key is replaced.  (That is epoll's behaviour; on the
    ``selectors`` fallback a closed socket may instead be reported ready, and
    reading it then raises `SocketClosedError`.)  A ``Selector`` is not
    thread-safe; use one per thread.  ``Selector.wait`` is safe from any thread.

    Raises:
        TooManyOpenFiles: ``Selector()`` could not get an epoll descriptor.

    Example:
        >>> from sockkit import Socket, Event
        >>> with Socket.pair() as (left, right), Selector() as sel:
        ...     _ = sel.register(left, Event.WRITE)
        ...     [events for key, events in sel.select(0)]
        [<Event.WRITE: 2>]
    """

    __slots__ = ("__weakref__", "_backend", "_closed", "_fds", "_max_events", "_poll", "_rows")

    def __init__(self) -> None:
        try:
            backend = _DEFAULT_BACKEND()
        except OSError as exc:
            raise from_oserror(exc, "selector") from None
        self._setup(backend)

    @classmethod
    def _with_backend(cls, backend: str) -> Selector:
        """A selector over a named backend, ``"epoll"`` or ``"selectors"`` (tests use it)."""
        self = cls.__new__(cls)
        if backend == "epoll":
            self._setup(_EpollBackend())
        elif backend == "selectors":
            self._setup(_SelectorsBackend())
        else:
            raise ValueError(f"unknown backend {backend!r}")
        return self

    def _setup(self, backend: _EpollBackend | _SelectorsBackend) -> None:
        self._backend = backend
        self._poll: Any = backend.poll
        self._rows = backend.rows
        self._fds: dict[int, tuple[SelectorKey, _Row]] = {}
        self._max_events = 1
        self._closed = False

    # ------------------------------------------------------------------ static face

    @staticmethod
    def wait(
        read: Iterable[_T] = (),
        write: Iterable[_T] = (),
        exceptional: Iterable[_T] = (),
        timeout: float | None = None,
    ) -> Ready[_T]:
        """Wait until some of the given sockets are ready (PHP's ``socket_select``).

        Works for any number of sockets and any descriptor number (``poll``, not
        ``select``).  A socket at end of stream or in error counts as readable,
        and as writable if it is in ``write``; ``exceptional`` reports
        out-of-band data (``POLLPRI``), and also an error on a socket that is in
        ``exceptional`` only.

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
            SocketClosedError: a socket in a set is closed (checked before waiting).
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
        if timeout is None:
            ms: float = -1.0
        elif (timeout.__class__ is int or timeout.__class__ is float) and timeout >= 0:
            ms = timeout * 1000.0
        else:
            ms = _check_timeout(timeout) * 1000.0
        rs: Sequence[_T] = read if read.__class__ in _SEQUENCES else list(read)
        ws: Sequence[_T] = write if write.__class__ in _SEQUENCES else list(write)
        xs: Sequence[_T] = exceptional if exceptional.__class__ in _SEQUENCES else list(exceptional)
        try:
            recent = _local.recent
        except AttributeError:  # this thread's first wait
            recent = _NO_RECENT
        if (
            recent[0] == _sockets._closes
            and rs == recent[1]
            and ws == recent[2]
            and xs == recent[3]
        ):
            # The very Socket objects of this thread's last wait, and no Socket closed
            # since: the same plan, without asking each socket for its descriptor.
            poll, index = recent[4]
            if recent[5] < _EPOLL_AFTER:
                recent[5] += 1
                if recent[5] == _EPOLL_AFTER and len(index) >= _EPOLL_MIN:
                    poll, index = recent[4] = _epoll_plan(recent[4])
        else:
            closes = _sockets._closes  # read first: a close from now on is seen next time
            try:
                # fileno() of each object: the only per-socket work of a wait.
                rfds = tuple([o if o.__class__ is int else o.fileno() for o in rs]) if rs else ()  # type: ignore[union-attr]
                wfds = tuple([o if o.__class__ is int else o.fileno() for o in ws]) if ws else ()  # type: ignore[union-attr]
                xfds = tuple([o if o.__class__ is int else o.fileno() for o in xs]) if xs else ()  # type: ignore[union-attr]
            except AttributeError:
                rfds, wfds, xfds = _fds_slow(rs), _fds_slow(ws), _fds_slow(xs)
            key = (rfds, wfds, xfds)
            try:
                plan = _local.plans.get(key)
            except AttributeError:  # this thread's first wait
                plan = None
            if plan is None:
                # Not seen before: check the descriptors (a closed Socket's fileno() is
                # -1, so a key holding one is never cached), then build and cache a plan.
                if (rfds and min(rfds) < 0) or (wfds and min(wfds) < 0) or (xfds and min(xfds) < 0):
                    _fds_slow(rs), _fds_slow(ws), _fds_slow(xs)  # raises for the first bad one
                if not (rfds or wfds or xfds):
                    if ms < 0:
                        raise ValueError(
                            "wait() with no sockets and no timeout would wait for ever"
                        )
                    time.sleep(ms / 1000.0)
                    return _tuple_new(Ready, ([], [], []))  # type: ignore[no-any-return]
                plan = _remember(key)
            # Remember the objects themselves only when every one is a Socket whose
            # closing bumps the counter; any other object may close unseen.
            _local.recent = (
                [closes, rs[:], ws[:], xs[:], plan, 0] if _only_sockets(rs, ws, xs) else _NO_RECENT
            )
            _drop(recent)
            poll, index = plan
        events: list[tuple[int, int]] = poll(ms) if ms <= _MAX_POLL_MS else _wait_long(poll, ms)
        if not events:
            return _tuple_new(Ready, ([], [], []))  # type: ignore[no-any-return]
        rhits: list[int] = []
        whits: list[int] = []
        xhits: list[int] = []
        for fd, revents in events:
            if revents & _POLLNVAL:
                raise _bad_descriptor(fd)
            rpos, wpos, xpos, x_only = index[fd]
            if rpos and revents & _READABLE:
                rhits += rpos
            if wpos and revents & _WRITABLE:
                whits += wpos
            if xpos and (revents & _POLLPRI or (x_only and revents & _ERRHUP)):
                xhits += xpos
        return _tuple_new(  # type: ignore[no-any-return]
            Ready, (_pick(rs, rhits), _pick(ws, whits), _pick(xs, xhits))
        )

    # ------------------------------------------------------------------ registration face

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("operation on a closed Selector")

    @staticmethod
    def _check_events(events: object) -> int:
        if isinstance(events, bool) or not isinstance(events, int):
            raise TypeError(f"events must be Event flags (an int), got {_type_name(events)}")
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
        if isinstance(sock, int) and not isinstance(sock, bool):
            entry = self._fds.get(sock)
            if entry is not None:
                return sock, entry
        else:
            fileno = getattr(sock, "fileno", None)
            if fileno is None:
                raise TypeError(
                    "expected a socket, an object with fileno() or a descriptor,"
                    f" got {_type_name(sock)}"
                )
            fd = fileno()
            entry = self._fds.get(fd) if isinstance(fd, int) and fd >= 0 else None
            if entry is not None and (entry[0].socket is sock or _still_open(entry[0])):
                return fd, entry
            # Closed since registration: find it by identity.
            for old_fd, candidate in self._fds.items():
                if candidate[0].socket is sock:
                    return old_fd, candidate
        raise KeyError(f"{sock!r} is not registered")

    def register(self, sock: FileLike, events: int, data: Any = None) -> SelectorKey:
        """Start watching ``sock`` for ``events``.

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
            ValueError: ``events`` is 0 or has unknown bits; a negative descriptor;
                the selector is closed.
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
        mask = self._check_mask(events)
        fd = _fd_of(sock, "register")
        fds = self._fds
        existing = fds.get(fd)
        if existing is not None:
            if _still_open(existing[0]):
                raise KeyError(f"{sock!r} (descriptor {fd}) is already registered")
            # The old socket was closed without unregister and its number reused.
            del fds[fd]
            with contextlib.suppress(OSError, ValueError):
                self._backend.unregister(fd)
        try:
            self._backend.register(fd, mask)
        except OSError as exc:
            raise from_oserror(exc, "register") from None
        key = SelectorKey(sock, fd, _EVENTS[mask], data)
        fds[fd] = (key, self._rows[mask])
        self._max_events = min(max(len(fds), 1), _MAX_EVENTS)
        return key

    def modify(self, sock: FileLike, events: int, data: Any = None) -> SelectorKey:
        """Change the events (and the data) a registered socket is watched for.

        ``data`` replaces the key's data, as in ``selectors`` (default ``None``).

        Returns:
            The new `SelectorKey`.

        Raises:
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
        mask = self._check_mask(events)
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

        A socket closed while registered can still be unregistered (the kernel
        has already forgotten it; this drops the key).

        Raises:
            KeyError: ``sock`` is not registered.

        Example:
            >>> from sockkit import Socket, Event
            >>> with Socket.pair() as (left, right), Selector() as sel:
            ...     _ = sel.register(left, Event.READ)
            ...     sel.unregister(left).socket is left, len(sel)
            (True, 0)
        """
        self._check_open()
        fd, (key, _row) = self._lookup(sock)
        del self._fds[fd]
        self._max_events = min(max(len(self._fds), 1), _MAX_EVENTS)
        with contextlib.suppress(OSError, ValueError):
            self._backend.unregister(fd)  # fails if closed: the kernel dropped it already
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

        Args:
            timeout: seconds; ``None`` waits for ever, ``0`` only polls.

        Returns:
            The ready registrations; empty when the time ran out.

        Raises:
            TypeError: ``timeout`` is not a number (``bool`` included).
            ValueError: ``timeout`` is negative, or the selector is closed.

        Example:
            >>> from sockkit import Socket, Event
            >>> with Socket.pair() as (left, right), Selector() as sel:
            ...     _ = sel.register(right, Event.READ)
            ...     sel.select(0)
            []
        """
        if timeout is None:
            wait: float = -1
        elif (type(timeout) is float or type(timeout) is int) and timeout >= 0:
            wait = timeout
        else:
            wait = _check_timeout(timeout)
        try:
            raw = self._poll(wait, self._max_events)
        except OverflowError:
            raw = self._select_long(wait)
        if not raw:
            return []
        fds = self._fds
        native_mask = self._backend.native_mask
        ready: list[tuple[SelectorKey, Event]] = []
        for fd, native in raw:
            entry = fds.get(fd)
            if entry is not None:
                event = entry[1][native & native_mask]
                if event is not None:
                    ready.append((entry[0], event))
        return ready

    def _select_long(self, seconds: float) -> list[tuple[int, int]]:
        """Wait longer than the OS's timeout type allows, in pieces."""
        deadline = time.monotonic() + seconds
        piece = (_MAX_POLL_MS // 1000) - 1
        while True:
            remaining = deadline - time.monotonic()
            raw: list[tuple[int, int]] = self._poll(
                min(max(remaining, 0.0), piece), self._max_events
            )
            if raw or remaining <= piece:
                return raw

    def __len__(self) -> int:
        return len(self._fds)

    def __iter__(self) -> Iterator[SelectorKey]:
        return iter([entry[0] for entry in self._fds.values()])

    def close(self) -> None:
        """Close the selector (its epoll descriptor) and forget every registration.

        Closing twice is harmless; the registered sockets are not closed.
        """
        if self._closed:
            return
        self._closed = True
        self._poll = _closed_poll
        self._fds.clear()
        self._backend.close()

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


def _still_open(key: SelectorKey) -> bool:
    """Whether a key's socket still has the descriptor it was registered with."""
    sock = key.socket
    if isinstance(sock, int):
        return True
    try:
        return bool(sock.fileno() == key.fd)
    except (OSError, ValueError):
        return False
