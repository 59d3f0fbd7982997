"""Connection racing (RFC 8305 "Happy Eyeballs").

This module holds the logic behind
[`Socket.create_connection`][sockkit.socket.Socket.create_connection].  It sits below
``socket.py`` and never imports it: it receives the socket class (or any callable
``factory(family, type, protocol)``) and builds sockets with it.  ``create_server``
lives in ``sockkit._server``.

How ``create_connection`` races:

1. resolve the host (``getaddrinfo``, ``SOCK_STREAM``), drop duplicates, and
   order the addresses IPv6 first, then alternating IPv4 / IPv6 (RFC 8305 §4);
2. start attempt 1 as a non-blocking ``connect``; start the next attempt after
   ``delay`` seconds, or at once when every started attempt has failed;
3. wait for the attempts with ``poll`` in the calling thread (no threads); the
   first connection that completes wins;
4. one owner closes every other socket, pending or failed, on every path —
   success, failure, timeout, or an exception such as ``KeyboardInterrupt``.

When every attempt fails, the last attempt's typed error is raised with:

* ``.attempts`` — every attempt's error, in the order the attempts started (the
  raised one is last);
* ``.group`` — on Python 3.11+ an ``ExceptionGroup`` of those same errors, on
  3.10 ``None``.  It is an attribute, not the ``__cause__``: the raised error is
  itself a member of the group.

Example:
    >>> import socket
    >>> from sockkit import Socket
    >>> with Socket.create_server(("127.0.0.1", 0)) as server:
    ...     port = server.local_address.port
    ...     with create_connection(Socket, ("127.0.0.1", port), timeout=5) as client:
    ...         client.timeout
    5.0
"""

from __future__ import annotations

import contextlib
import errno as _errno
import selectors
import socket as _s
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, Final, Generic, Protocol, TypeVar

from sockkit import _resolve
from sockkit._checks import check_timeout, is_numeric_host
from sockkit._resolve import Resolver
from sockkit._target import Target, literal_family, parse_target
from sockkit.errors import SocketError, from_errno, from_oserror, lookup_failed

__all__ = ["Resolver", "create_connection"]

_AF_INET: Final = int(_s.AF_INET)
_AF_INET6: Final = int(_s.AF_INET6)
_SOCK_STREAM: Final = int(_s.SOCK_STREAM)
_SOL_SOCKET: Final = _s.SOL_SOCKET
_SO_ERROR: Final = _s.SO_ERROR
# poll(2) where the OS has it (no descriptor-number ceiling, no descriptor of its
# own); select() elsewhere (Windows, where a failed connect is "exceptional",
# which selectors.SelectSelector reports as writable).
_Poller: Final[type[selectors.BaseSelector]] = getattr(
    selectors, "PollSelector", selectors.SelectSelector
)
# poll() takes its timeout in milliseconds as a C int (about 24.8 days): longer
# waits are made of slices of at most a day.
_WAIT_SLICE: Final = 86400.0

Candidate = tuple[int, int, int, Any]  # family, type, protocol, sockaddr


class _Connecting(Protocol):
    """What ``create_connection`` needs of a socket (``sockkit.Socket`` has all of it)."""

    def fileno(self) -> int: ...
    def close(self) -> None: ...
    def bind(self, address: object) -> None: ...
    def connect(self, address: object) -> None: ...
    def get_option_raw(self, level: int, name: int, buflen: int | None = None) -> int | bytes: ...
    def clear_error(self) -> None: ...
    @property
    def timeout(self) -> float | None: ...
    @timeout.setter
    def timeout(self, value: float | None) -> None: ...


_C = TypeVar("_C", bound=_Connecting)


def _source_family(source: object) -> int | None:
    """The family a ``source_address`` forces, or ``None`` when it fits any."""
    parsed = parse_target(source, "source_address")
    return parsed.family or literal_family(parsed.host)


def _order(infos: Sequence[tuple[int, int, int, str, Any]]) -> list[tuple[int, int, int, Any]]:
    """Drop duplicates and interleave families, IPv6 first (RFC 8305 §4)."""
    seen: set[tuple[int, Any]] = set()
    six: list[tuple[int, int, int, Any]] = []
    four: list[tuple[int, int, int, Any]] = []
    other: list[tuple[int, int, int, Any]] = []
    for family, kind, proto, _canonname, sockaddr in infos:
        marker = (int(family), sockaddr)
        if marker in seen:
            continue
        seen.add(marker)
        entry = (int(family), int(kind), int(proto), sockaddr)
        if family == _AF_INET6:
            six.append(entry)
        elif family == _AF_INET:
            four.append(entry)
        else:
            other.append(entry)
    ordered: list[tuple[int, int, int, Any]] = []
    for index in range(max(len(six), len(four))):
        ordered.extend(six[index : index + 1])
        ordered.extend(four[index : index + 1])
    return ordered + other


def _attach_attempts(error: SocketError, attempts: list[SocketError], target: str) -> None:
    """Attach ``.attempts`` (and ``.group``) to the error about to be raised."""
    error.attempts = attempts
    group: BaseException | None = None
    if sys.version_info >= (3, 11):
        count = len(attempts)
        noun = "attempt" if count == 1 else "attempts"
        group = ExceptionGroup(  # noqa: F821 - a builtin since 3.11
            f"connect({target}): {count} {noun} failed", attempts
        )
    error.group = group


def _close_quietly(sock: _Connecting) -> None:
    with contextlib.suppress(OSError):
        sock.close()


def _candidates(target: Target, resolver: Resolver | None) -> list[Candidate]:
    """The addresses to try, in RFC 8305 order; a scoped IPv6 literal is its own answer."""
    if target.family == _AF_INET6 and (target.flowinfo or target.scope_id):
        if not is_numeric_host(_AF_INET6, target.host.partition("%")[0]):
            raise ValueError(f"flowinfo and scope_id need a numeric IPv6 host, got {target.host!r}")
        sockaddr = (target.host.partition("%")[0], target.port, target.flowinfo, target.scope_id)
        return [(_AF_INET6, _SOCK_STREAM, 0, sockaddr)]
    resolve = _resolve.getaddrinfo if resolver is None else resolver
    infos = resolve(target.host or None, target.port, target.family, _SOCK_STREAM, 0, 0)
    candidates = _order(infos)
    if not candidates:
        raise lookup_failed(_s.EAI_NONAME, target.host, target.port)
    return candidates


def _of_source_family(
    candidates: list[Candidate], source_family: int, source_address: object, target: Target
) -> list[Candidate]:
    """Keep the candidates a numeric ``source_address`` of ``source_family`` can reach."""
    kept = [entry for entry in candidates if entry[0] == source_family]
    if not kept:
        kind = "IPv6" if source_family == _AF_INET6 else "IPv4"
        raise ValueError(
            f"source_address {source_address!r} is {kind},"
            f" but {target.host!r} has no {kind} address"
        )
    return kept


def create_connection(
    cls: Callable[[int, int, int], _C],
    address: object,
    *,
    timeout: float | None = None,
    source_address: object = None,
    delay: float = 0.25,
    resolver: Resolver | None = None,
    socket_factory: Callable[[int, int, int], _C] | None = None,
) -> _C:
    """Connect a TCP socket to ``address``, racing its addresses per RFC 8305.

    Args:
        cls: the socket class; called as ``cls(family, type, protocol)``.
        address: ``(host, port)``, ``(host, port, flowinfo, scope_id)``, an
            ``InetAddress`` or an ``Inet6Address``.  The host may be a name, the
            port a service name (``"http"``) or a string of digits.  An empty host
            means this machine (the loopback addresses).
        timeout: seconds for the whole operation (``None``: no limit), also left
            set on the returned socket.  Name resolution is not interruptible,
            but its time counts.
        source_address: bind each attempt's socket here first.  A numeric host
            limits the attempts to its family.
        delay: seconds before the next attempt starts while earlier ones are
            still pending (RFC 8305's "Connection Attempt Delay").
        resolver: replaces the resolver for this call (see
            [`set_resolver`][sockkit.addrinfo.set_resolver] for every call).
        socket_factory: replaces ``cls`` (for tests).

    Returns:
        The connected socket, blocking or with ``timeout`` set.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: a bad address or port, a negative, infinite, NaN or too long
            ``timeout`` or ``delay``, or a ``source_address`` of a family the host
            has no address of.
        LookupFailed: the host could not be resolved.
        SocketError: every attempt failed (``TimedOut`` when the time ran out);
            the last attempt's error is raised, with ``.attempts`` and ``.group``
            as the module documentation describes.

    Example:
        >>> from sockkit import Socket
        >>> with Socket.create_server(("::1", 0)) as server:
        ...     port = server.local_address.port
        ...     with create_connection(Socket, ("::1", port)) as client:
        ...         client.peer_address.host
        '::1'
    """
    timeout = check_timeout(timeout, "timeout")
    delay_s = check_timeout(delay, "delay", allow_none=False)
    assert delay_s is not None
    target = parse_target(address)
    source_family = None if source_address is None else _source_family(source_address)
    deadline = None if timeout is None else time.monotonic() + timeout
    candidates = _candidates(target, resolver)
    if source_family is not None:
        candidates = _of_source_family(candidates, source_family, source_address, target)
    race = _Race(
        cls if socket_factory is None else socket_factory,
        candidates,
        deadline=deadline,
        delay=delay_s,
        source=source_address,
    )
    return race.run(timeout, str(target))


class _Race(Generic[_C]):
    """The attempts of one ``create_connection``: every socket made here is closed here
    unless it is the one returned."""

    __slots__ = (
        "candidates",
        "deadline",
        "delay",
        "errors",
        "factory",
        "next_index",
        "next_start",
        "owned",
        "pending",
        "poller",
        "source",
    )

    def __init__(
        self,
        factory: Callable[[int, int, int], _C],
        candidates: list[Candidate],
        *,
        deadline: float | None,
        delay: float,
        source: object,
    ) -> None:
        self.factory = factory
        self.candidates = candidates
        self.deadline = deadline
        self.delay = delay
        self.source = source
        self.owned: list[_C] = []  # every socket created, in one owner's hands
        self.errors: list[SocketError | None] = []  # one slot per started attempt, in order
        self.pending: dict[int, tuple[_C, int, Any]] = {}  # fd -> (socket, index, sockaddr)
        self.next_index = 0
        self.next_start = 0.0
        self.poller: selectors.BaseSelector | None = None

    def run(self, timeout: float | None, shown: str) -> _C:
        """Race to the first connection; raise the last error with every attempt's."""
        winner: _C | None = None
        handed_over = False  # set only on the line before the winner is returned
        self.poller = _Poller()
        try:
            winner = self._first_connected()
            if winner is not None:
                winner.timeout = timeout
                winner.clear_error()
                handed_over = True
                return winner
            attempts = [error for error in self.errors if error is not None]
            last = attempts[-1]
            _attach_attempts(last, attempts, shown)
            raise last
        finally:
            self.poller.close()
            for sock in self.owned:
                if not (handed_over and sock is winner):
                    _close_quietly(sock)

    def _first_connected(self) -> _C | None:
        """The winning socket, or ``None`` when every attempt failed or the time ran out."""
        monotonic = time.monotonic
        while True:
            now = monotonic()
            if self._may_start(now):
                done, winner = self._start_next(now)
                if done:
                    return winner
                continue
            if not self.pending:
                return None  # every started attempt failed and no more may start
            if self.deadline is not None and now >= self.deadline:
                for _sock, index, sockaddr in self.pending.values():
                    self.errors[index] = from_errno(_errno.ETIMEDOUT, "connect", sockaddr)
                return None
            winner = self._wait(now)
            if winner is not None:
                return winner

    def _may_start(self, now: float) -> bool:
        if self.next_index >= len(self.candidates):
            return False
        in_time = self.next_index == 0 or self.deadline is None or now < self.deadline
        return in_time and (not self.pending or now >= self.next_start)

    def _start_next(self, now: float) -> tuple[bool, _C | None]:
        """Start the next attempt; ``(True, sock)`` when its connect completed at once."""
        family, kind, proto, sockaddr = self.candidates[self.next_index]
        index = self.next_index
        self.next_index += 1
        self.next_start = now + self.delay
        self.errors.append(None)
        sock, error = _start(
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
                _close_quietly(sock)
            return False, None
        if sock is None:  # connect() completed at once
            return True, self.owned[-1]
        fd = sock.fileno()
        if fd in self.pending:  # pragma: no cover - a factory reusing descriptors
            raise RuntimeError(f"socket factory returned descriptor {fd} twice")
        self.pending[fd] = (sock, index, sockaddr)
        assert self.poller is not None
        self.poller.register(fd, selectors.EVENT_WRITE)
        return False, None

    def _wait_time(self, now: float) -> float:
        """How long the next ``poll`` may wait: to the deadline or the next start, in slices."""
        wait = _WAIT_SLICE if self.deadline is None else min(self.deadline - now, _WAIT_SLICE)
        if self.next_index < len(self.candidates):
            wait = min(wait, max(self.next_start - now, 0.0))
        return max(wait, 0.0)

    def _wait(self, now: float) -> _C | None:
        """Wait for pending attempts; return a connected one, record the failed ones."""
        assert self.poller is not None
        for key, _events in self.poller.select(self._wait_time(now)):
            sock, index, sockaddr = self.pending.pop(key.fd)
            self.poller.unregister(key.fd)
            try:
                code = sock.get_option_raw(_SOL_SOCKET, _SO_ERROR)
            except OSError as exc:
                code = exc.errno or _errno.EIO
            if code == 0:
                return sock
            self.errors[index] = from_errno(int(code), "connect", sockaddr)
            _close_quietly(sock)
            self.next_start = now  # a failure starts the next attempt at once
        return None


def _start(
    factory: Callable[[int, int, int], _C],
    *,
    family: int,
    kind: int,
    proto: int,
    sockaddr: Any,
    source: object,
    owned: list[_C],
) -> tuple[_C | None, SocketError | None]:
    """Start one attempt.

    Returns ``(sock, None)`` while the connect is in progress, ``(None, None)``
    when it completed at once (the socket is ``owned[-1]``), or ``(sock_or_None,
    error)`` when it failed.
    """
    try:
        sock = factory(family, kind, proto)
    except OSError as exc:
        return None, from_oserror(exc, "socket")
    owned.append(sock)
    try:
        sock.timeout = 0.0
        if source is not None:
            try:
                sock.bind(source)
            except OSError as exc:
                return sock, from_oserror(exc, "bind", source)
        sock.connect(sockaddr)
    except BlockingIOError:  # EINPROGRESS, or EWOULDBLOCK on Windows
        return sock, None
    except InterruptedError:  # the connect goes on asynchronously
        return sock, None
    except OSError as exc:
        return sock, from_oserror(exc, "connect", sockaddr)
    return None, None
