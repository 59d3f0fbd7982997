"""Connection racing (RFC 8305 "Happy Eyeballs") and listening-socket creation.

This module holds the logic behind
[`Socket.create_connection`][sockkit.socket.Socket.create_connection] and
[`Socket.create_server`][sockkit.socket.Socket.create_server].  It sits below
``socket.py`` and never imports it: both functions receive the socket class (or
any callable ``factory(family, type, protocol)``) and build sockets with it.

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
import os
import selectors
import socket as _s
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol, TypeVar

from sockkit import _resolve
from sockkit.address import Inet6Address, InetAddress, UnixAddress
from sockkit.errors import SocketError, from_errno, from_oserror, lookup_failed

__all__ = ["Resolver", "create_connection", "create_server"]

_AF_INET: Final = int(_s.AF_INET)
_AF_INET6: Final = int(_s.AF_INET6)
_AF_UNIX: Final = int(getattr(_s, "AF_UNIX", -1))
_SOCK_STREAM: Final = int(_s.SOCK_STREAM)
_SOL_SOCKET: Final = _s.SOL_SOCKET
_SO_ERROR: Final = _s.SO_ERROR
_SO_REUSEADDR: Final = _s.SO_REUSEADDR
_SO_REUSEPORT: Final[int | None] = getattr(_s, "SO_REUSEPORT", None)
_IPPROTO_IPV6: Final[int | None] = getattr(_s, "IPPROTO_IPV6", None)
_IPV6_V6ONLY: Final[int | None] = getattr(_s, "IPV6_V6ONLY", None)
_AI_PASSIVE: Final = int(_s.AI_PASSIVE)
_MAX_PORT: Final = 65535
# SO_REUSEADDR lets a restarted server bind at once on POSIX.  On Windows it
# means "steal the port", so it is never set there (and not on Cygwin, which
# follows Windows' semantics).
_REUSEADDR: Final = os.name == "posix" and sys.platform != "cygwin"
# poll(2) where the OS has it (no descriptor-number ceiling, no descriptor of its
# own); select() elsewhere (Windows, where a failed connect is "exceptional",
# which selectors.SelectSelector reports as writable).
_Poller: Final[type[selectors.BaseSelector]] = getattr(
    selectors, "PollSelector", selectors.SelectSelector
)


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


class _Listening(Protocol):
    """What ``create_server`` needs of a socket."""

    def close(self) -> None: ...
    def bind(self, address: object) -> None: ...
    def listen(self, backlog: int = ...) -> None: ...
    def set_option_raw(self, level: int, name: int, value: int) -> None: ...


_C = TypeVar("_C", bound=_Connecting)
_L = TypeVar("_L", bound=_Listening)

Resolver = Callable[
    [str | None, int | str, int, int, int, int], Sequence[tuple[int, int, int, str, Any]]
]
"""``resolver(host, port, family, type, proto, flags)`` returning ``getaddrinfo``-shaped
tuples ``(family, type, proto, canonname, sockaddr)``; the default is
``sockkit._resolve.getaddrinfo``.  Tests inject their own."""


def _type_name(value: object) -> str:
    return value.__class__.__name__


def _check_seconds(name: str, value: object, *, allow_none: bool) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        allowed = "seconds (int or float) or None" if allow_none else "seconds (int or float)"
        raise TypeError(f"{name} must be {allowed}, got {_type_name(value)}")
    if not value >= 0:  # also rejects NaN
        raise ValueError(f"{name} must be >= 0, got {value}")
    return float(value)


def _check_port(port: object) -> int:
    if isinstance(port, bool) or not isinstance(port, int):
        raise TypeError(f"port must be an int, got {_type_name(port)}")
    if not 0 <= port <= _MAX_PORT:
        raise ValueError(f"port must be 0-{_MAX_PORT}, got {port}")
    return int(port)


def _is_literal(family: int, host: str) -> bool:
    try:
        _s.inet_pton(family, host.partition("%")[0])
    except (OSError, ValueError):
        return False
    return True


def _literal_family(host: str) -> int | None:
    """``AF_INET6``/``AF_INET`` for a numeric address, ``None`` for a name or ``""``."""
    if ":" in host:
        return _AF_INET6
    if host and _is_literal(_AF_INET, host):
        return _AF_INET
    return None


# ---------------------------------------------------------------------- create_connection


class _Target:
    """The parsed ``address`` argument of ``create_connection``."""

    __slots__ = ("family", "flowinfo", "host", "port", "scope_id")

    def __init__(self, host: str, port: int, family: int, flowinfo: int, scope_id: int) -> None:
        self.host = host
        self.port = port
        self.family = family
        self.flowinfo = flowinfo
        self.scope_id = scope_id


def _parse_target(address: object, what: str = "address") -> _Target:
    """Check an IP address argument; ``family`` is 0 where a plain tuple leaves it open."""
    if isinstance(address, InetAddress):
        return _Target(address.host, address.port, _AF_INET, 0, 0)
    if isinstance(address, Inet6Address):
        return _Target(address.host, address.port, _AF_INET6, address.flowinfo, address.scope_id)
    if isinstance(address, UnixAddress):
        raise ValueError(
            f"create_connection() makes TCP connections; {what} cannot be a Unix address"
            " (connect a Unix socket with Socket(AddressFamily.UNIX).connect(path))"
        )
    if not isinstance(address, tuple):
        raise TypeError(
            f"{what} must be a (host, port) tuple or an InetAddress/Inet6Address,"
            f" got {_type_name(address)}"
        )
    if len(address) not in (2, 4):
        raise ValueError(
            f"{what} must be (host, port) or (host, port, flowinfo, scope_id),"
            f" got a tuple of {len(address)} items"
        )
    host = address[0]
    if not isinstance(host, str):
        raise TypeError(f"{what} host must be a str, got {_type_name(host)}")
    port = _check_port(address[1])
    if len(address) == 4:
        parsed = Inet6Address(host, port, address[2], address[3])
        return _Target(host, port, _AF_INET6, parsed.flowinfo, parsed.scope_id)
    return _Target(host, port, 0, 0, 0)


def _source_family(source: object) -> int | None:
    """The family a ``source_address`` forces, or ``None`` when it fits any."""
    parsed = _parse_target(source, "source_address")
    return parsed.family or _literal_family(parsed.host)


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
            ``InetAddress`` or an ``Inet6Address``.  The host may be a name.  An
            empty host means this machine (the loopback addresses).
        timeout: seconds for the whole operation (``None``: no limit), also left
            set on the returned socket.  Name resolution is not interruptible,
            but its time counts.
        source_address: bind each attempt's socket here first.  A numeric host
            limits the attempts to its family.
        delay: seconds before the next attempt starts while earlier ones are
            still pending (RFC 8305's "Connection Attempt Delay").
        resolver: replaces ``getaddrinfo`` (for tests).
        socket_factory: replaces ``cls`` (for tests).

    Returns:
        The connected socket, blocking or with ``timeout`` set.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: a bad address or port, a negative ``timeout`` or ``delay``, or a
            ``source_address`` of a family the host has no address of.
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
    timeout = _check_seconds("timeout", timeout, allow_none=True)
    delay_s = _check_seconds("delay", delay, allow_none=False)
    assert delay_s is not None
    target = _parse_target(address)
    source_family = None if source_address is None else _source_family(source_address)
    deadline = None if timeout is None else time.monotonic() + timeout

    if target.family == _AF_INET6 and (target.flowinfo or target.scope_id):
        if not _is_literal(_AF_INET6, target.host):
            raise ValueError(f"flowinfo and scope_id need a numeric IPv6 host, got {target.host!r}")
        sockaddr = (target.host.partition("%")[0], target.port, target.flowinfo, target.scope_id)
        infos: Sequence[tuple[int, int, int, str, Any]] = [
            (_AF_INET6, _SOCK_STREAM, 0, "", sockaddr)
        ]
    else:
        resolve: Resolver = _resolve.getaddrinfo if resolver is None else resolver
        infos = resolve(target.host or None, target.port, target.family, _SOCK_STREAM, 0, 0)
    candidates = _order(infos)
    if not candidates:
        raise lookup_failed(_s.EAI_NONAME, target.host, target.port)
    if source_family is not None:
        candidates = [entry for entry in candidates if entry[0] == source_family]
        if not candidates:
            kind = "IPv6" if source_family == _AF_INET6 else "IPv4"
            raise ValueError(
                f"source_address {source_address!r} is {kind}, but {target.host!r}"
                f" has no {kind} address"
            )
    factory = cls if socket_factory is None else socket_factory
    shown = (
        f"[{target.host}]:{target.port}" if ":" in target.host else f"{target.host}:{target.port}"
    )
    return _race(
        factory,
        candidates=candidates,
        deadline=deadline,
        delay=delay_s,
        timeout=timeout,
        source=source_address,
        shown=shown,
    )


def _race(
    factory: Callable[[int, int, int], _C],
    *,
    candidates: list[tuple[int, int, int, Any]],
    deadline: float | None,
    delay: float,
    timeout: float | None,
    source: object,
    shown: str,
) -> _C:
    """Run the attempts; every socket made here is closed here unless returned."""
    owned: list[_C] = []  # every socket created, in one owner's hands
    errors: list[SocketError | None] = []  # one slot per started attempt, in start order
    pending: dict[int, tuple[_C, int, Any]] = {}  # fd -> (socket, attempt index, sockaddr)
    winner: _C | None = None
    handed_over = False  # set only on the line before the winner is returned
    poller = _Poller()
    try:
        next_index = 0
        next_start = 0.0
        monotonic = time.monotonic
        while True:
            now = monotonic()
            may_start = next_index == 0 or deadline is None or now < deadline
            if next_index < len(candidates) and may_start and (not pending or now >= next_start):
                family, kind, proto, sockaddr = candidates[next_index]
                index = next_index
                next_index += 1
                next_start = now + delay
                errors.append(None)
                sock, error = _start(
                    factory,
                    family=family,
                    kind=kind,
                    proto=proto,
                    sockaddr=sockaddr,
                    source=source,
                    owned=owned,
                )
                if error is not None:
                    errors[index] = error
                    if sock is not None:
                        _close_quietly(sock)
                elif sock is not None:
                    fd = sock.fileno()
                    if fd in pending:  # pragma: no cover - a factory reusing descriptors
                        raise RuntimeError(f"socket factory returned descriptor {fd} twice")
                    pending[fd] = (sock, index, sockaddr)
                    poller.register(fd, selectors.EVENT_WRITE)
                else:
                    # connect() completed at once
                    winner = owned[-1]
                    break
                continue
            if not pending:
                break  # every started attempt failed and no more may start
            if deadline is not None and now >= deadline:
                for _sock, index, sockaddr in pending.values():
                    errors[index] = from_errno(_errno.ETIMEDOUT, "connect", sockaddr)
                break
            wait: float | None = None if deadline is None else deadline - now
            if next_index < len(candidates):
                until_next = max(next_start - now, 0.0)
                wait = until_next if wait is None else min(wait, until_next)
            for key, _events in poller.select(wait):
                fd = key.fd
                sock, index, sockaddr = pending.pop(fd)
                poller.unregister(fd)
                try:
                    code = sock.get_option_raw(_SOL_SOCKET, _SO_ERROR)
                except OSError as exc:
                    code = exc.errno or _errno.EIO
                if code == 0:
                    winner = sock
                    break
                errors[index] = from_errno(int(code), "connect", sockaddr)
                _close_quietly(sock)
                next_start = now  # a failure starts the next attempt at once
            if winner is not None:
                break
        if winner is not None:
            winner.timeout = timeout
            winner.clear_error()
            handed_over = True
            return winner
        attempts = [error for error in errors if error is not None]
        last = attempts[-1]
        _attach_attempts(last, attempts, shown)
        raise last
    finally:
        poller.close()
        for sock in owned:
            if not (handed_over and sock is winner):
                _close_quietly(sock)


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


# ---------------------------------------------------------------------- create_server


def _server_target(address: object, family: int | None, dualstack: bool) -> tuple[int, object]:
    """Pick the family (when not given) and resolve a host name if there is one."""
    if family is not None:
        if isinstance(family, bool) or not isinstance(family, int):
            raise TypeError(
                f"family must be an int (AddressFamily) or None, got {_type_name(family)}"
            )
        family = int(family)
    if isinstance(address, (UnixAddress, str, bytes, os.PathLike)):
        return (_AF_UNIX if family is None else family), address
    if isinstance(address, InetAddress):
        return (_AF_INET if family is None else family), address
    if isinstance(address, Inet6Address):
        return (_AF_INET6 if family is None else family), address
    if not isinstance(address, tuple):
        raise TypeError(
            "address must be a (host, port) tuple, a typed address or a Unix path,"
            f" got {_type_name(address)}"
        )
    target = _parse_target(address)
    host, port = target.host, target.port
    if family is not None and family not in (_AF_INET, _AF_INET6):
        return family, address
    literal = target.family or _literal_family(host)
    if literal is not None or host in ("", "<broadcast>"):
        if family is not None:
            return family, address
        if literal is not None:
            return literal, address
        return (_AF_INET6 if dualstack and host == "" else _AF_INET), address
    # A host name: resolve it for a listener and take the first address.
    hint = family if family is not None else (_AF_INET6 if dualstack else 0)
    infos = _resolve.getaddrinfo(host, port, hint, _SOCK_STREAM, 0, _AI_PASSIVE)
    first_family, _kind, _proto, _canon, sockaddr = infos[0]
    return int(first_family), sockaddr


def create_server(
    cls: Callable[[int, int, int], _L],
    address: object,
    *,
    backlog: int = 128,
    family: int | None = None,
    reuse_port: bool = False,
    dualstack: bool = False,
) -> _L:
    """Create a listening stream socket bound to ``address``.

    The family, when not given, comes from ``address``: a Unix path (``str``,
    ``bytes``, ``os.PathLike``, ``UnixAddress``) is ``AF_UNIX``; an IPv6 literal,
    a 4-tuple or an ``Inet6Address`` is ``AF_INET6``; an IPv4 literal or an
    ``InetAddress`` is ``AF_INET``; the empty host is ``AF_INET`` (``AF_INET6``
    with ``dualstack=True``); a host name is looked up with ``AI_PASSIVE`` and
    the first result is used.

    On POSIX ``SO_REUSEADDR`` is set (not for ``AF_UNIX``).  An ``AF_INET6``
    listener gets ``IPV6_V6ONLY`` on, or off with ``dualstack=True``.  The socket
    is closed if any step fails.

    Args:
        cls: the socket class; called as ``cls(family, SOCK_STREAM, 0)``.
        address: where to listen.
        backlog: the ``listen()`` backlog.
        family: the address family, or ``None`` to guess it.
        reuse_port: set ``SO_REUSEPORT``.
        dualstack: accept IPv4 too on an IPv6 listener (``IPV6_V6ONLY`` off).

    Returns:
        The listening socket.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: a negative backlog; ``reuse_port`` where the OS has no
            ``SO_REUSEPORT``; ``dualstack`` with a family other than
            ``AF_INET6`` or where the OS cannot turn ``IPV6_V6ONLY`` off.
        LookupFailed: a host name could not be resolved.
        SocketError: ``socket``/``bind``/``listen`` failed, e.g. ``AddressInUse``.

    Example:
        >>> from sockkit import Socket
        >>> with create_server(Socket, ("127.0.0.1", 0), backlog=5) as server:
        ...     server.local_address.host
        '127.0.0.1'
    """
    if isinstance(backlog, bool) or not isinstance(backlog, int):
        raise TypeError(f"backlog must be an int, got {_type_name(backlog)}")
    if backlog < 0:
        raise ValueError(f"backlog must be >= 0, got {backlog}")
    for name, flag in (("reuse_port", reuse_port), ("dualstack", dualstack)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, got {_type_name(flag)}")
    if reuse_port and _SO_REUSEPORT is None:
        raise ValueError("reuse_port=True: this OS has no SO_REUSEPORT")
    chosen, bind_address = _server_target(address, family, dualstack)
    if dualstack:
        if chosen != _AF_INET6:
            raise ValueError(
                "dualstack=True needs an IPv6 (AF_INET6) listener, e.g. address ('::', port)"
                f" or ('', port); got family {chosen} for {address!r}"
            )
        if _IPV6_V6ONLY is None or _IPPROTO_IPV6 is None:
            raise ValueError("dualstack=True: this OS has no IPV6_V6ONLY option")
    sock = cls(chosen, _SOCK_STREAM, 0)
    try:
        if _REUSEADDR and chosen != _AF_UNIX:
            sock.set_option_raw(_SOL_SOCKET, _SO_REUSEADDR, 1)
        if reuse_port:
            assert _SO_REUSEPORT is not None
            sock.set_option_raw(_SOL_SOCKET, _SO_REUSEPORT, 1)
        if chosen == _AF_INET6 and _IPV6_V6ONLY is not None and _IPPROTO_IPV6 is not None:
            try:
                sock.set_option_raw(_IPPROTO_IPV6, _IPV6_V6ONLY, 0 if dualstack else 1)
            except OSError as exc:
                if dualstack:
                    raise ValueError(
                        f"dualstack=True: this OS cannot turn IPV6_V6ONLY off ({exc})"
                    ) from exc
        sock.bind(bind_address)
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock
