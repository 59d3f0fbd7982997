"""Listening sockets: the logic behind ``Socket.create_server``.

It sits below ``socket.py`` and never imports it: ``create_server`` receives the
socket class (any callable ``factory(family, type, protocol)``) and builds the
socket with it.
"""

from __future__ import annotations

import os
import socket as _s
import sys
from collections.abc import Callable
from typing import Final, Protocol, TypeVar

from sockkit import _resolve
from sockkit._checks import check_backlog, check_int, type_name
from sockkit._target import literal_family, parse_target
from sockkit.address import Inet6Address, InetAddress, UnixAddress

__all__ = ["create_server"]

_AF_INET: Final = int(_s.AF_INET)
_AF_INET6: Final = int(_s.AF_INET6)
_AF_UNIX: Final = int(getattr(_s, "AF_UNIX", -1))
_SOCK_STREAM: Final = int(_s.SOCK_STREAM)
_SOL_SOCKET: Final = _s.SOL_SOCKET
_SO_REUSEADDR: Final = _s.SO_REUSEADDR
_SO_REUSEPORT: Final[int | None] = getattr(_s, "SO_REUSEPORT", None)
_IPPROTO_IPV6: Final[int | None] = getattr(_s, "IPPROTO_IPV6", None)
_IPV6_V6ONLY: Final[int | None] = getattr(_s, "IPV6_V6ONLY", None)
_AI_PASSIVE: Final = int(_s.AI_PASSIVE)
# SO_REUSEADDR lets a restarted server bind at once on POSIX.  On Windows it
# means "steal the port", so it is never set there (and not on Cygwin, which
# follows Windows' semantics).
_REUSEADDR: Final = os.name == "posix" and sys.platform != "cygwin"


class _Listening(Protocol):
    """What ``create_server`` needs of a socket."""

    def close(self) -> None: ...
    def bind(self, address: object) -> None: ...
    def listen(self, backlog: int = ...) -> None: ...
    def set_option_raw(self, level: int, name: int, value: int) -> None: ...


_L = TypeVar("_L", bound=_Listening)


def _typed_family(address: object, family: int | None) -> int | None:
    """The family a Unix path or a typed IP address implies (``family`` wins if given)."""
    if isinstance(address, (UnixAddress, str, bytes, os.PathLike)):
        return _AF_UNIX if family is None else family
    if isinstance(address, InetAddress):
        return _AF_INET if family is None else family
    if isinstance(address, Inet6Address):
        return _AF_INET6 if family is None else family
    return None


def _server_target(address: object, family: int | None, dualstack: bool) -> tuple[int, object]:
    """Pick the family (when not given) and resolve a host name if there is one."""
    if family is not None:
        family = int(check_int(family, "family", 0))
    typed = _typed_family(address, family)
    if typed is not None:
        return typed, address
    if not isinstance(address, tuple):
        raise TypeError(
            "address must be a (host, port) tuple, a typed address or a Unix path,"
            f" got {type_name(address)}"
        )
    target = parse_target(address)
    host, port = target.host, target.port
    if isinstance(port, int) and len(address) == 2:
        address = (host, port)  # a port given as digits binds as a number
    if family is not None and family not in (_AF_INET, _AF_INET6):
        return family, address
    literal = target.family or literal_family(host)
    if isinstance(port, int) and (literal is not None or host in ("", "<broadcast>")):
        if family is not None:
            return family, address
        if literal is not None:
            return literal, address
        return (_AF_INET6 if dualstack and host == "" else _AF_INET), address
    # A host name or a service name: resolve it for a listener and take the first address.
    hint = family if family is not None else (literal or (_AF_INET6 if dualstack else 0))
    infos = _resolve.getaddrinfo(host or None, port, hint, _SOCK_STREAM, 0, _AI_PASSIVE)
    first_family, _kind, _proto, _canon, sockaddr = infos[0]
    return int(first_family), sockaddr


def _check_switches(reuse_port: object, dualstack: object) -> None:
    for name, flag in (("reuse_port", reuse_port), ("dualstack", dualstack)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, got {type_name(flag)}")
    if reuse_port and _SO_REUSEPORT is None:
        raise ValueError("reuse_port=True: this OS has no SO_REUSEPORT")


def _check_dualstack(chosen: int, address: object) -> None:
    if chosen != _AF_INET6:
        raise ValueError(
            "dualstack=True needs an IPv6 (AF_INET6) listener, e.g. address ('::', port)"
            f" or ('', port); got family {chosen} for {address!r}"
        )
    if _IPV6_V6ONLY is None or _IPPROTO_IPV6 is None:
        raise ValueError("dualstack=True: this OS has no IPV6_V6ONLY option")


def _configure(sock: _Listening, chosen: int, reuse_port: bool, dualstack: bool) -> None:
    """Set the options a listener needs before ``bind``."""
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
        ValueError: a backlog outside 0-2147483647; ``reuse_port`` where the OS has no
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
    backlog = check_backlog(backlog)
    _check_switches(reuse_port, dualstack)
    chosen, bind_address = _server_target(address, family, dualstack)
    if dualstack:
        _check_dualstack(chosen, address)
    sock = cls(chosen, _SOCK_STREAM, 0)
    try:
        _configure(sock, chosen, reuse_port, dualstack)
        sock.bind(bind_address)
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock
