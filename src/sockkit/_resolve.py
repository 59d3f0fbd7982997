"""Name resolution: a checked ``getaddrinfo`` that raises typed errors.

This is the one place sockkit calls the system resolver.  Arguments are checked
before the call (a wrong type is a ``TypeError``, a value out of range a
``ValueError``), and a resolver failure becomes
[`LookupFailed`][sockkit.errors.LookupFailed] with the ``EAI_*`` code and the
resolver's message.

It sits below ``socket.py``: [`Socket.create_connection`][sockkit.socket.Socket.create_connection],
[`Socket.create_server`][sockkit.socket.Socket.create_server] and
[`AddrInfo.lookup`][sockkit.addrinfo.AddrInfo.lookup] all resolve through it.

Example:
    >>> import socket
    >>> getaddrinfo("127.0.0.1", 80, socket.AF_INET, socket.SOCK_STREAM)[0][4]
    ('127.0.0.1', 80)
"""

from __future__ import annotations

import socket as _s
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeAlias

from sockkit._checks import MAX_PORT, check_flags, check_int, check_port, type_name
from sockkit.enums import AIFlag
from sockkit.errors import from_oserror

__all__ = ["AI_KNOWN_FLAGS", "AddrInfoTuple", "Resolver", "getaddrinfo", "set_resolver"]

AddrInfoTuple: TypeAlias = (
    "tuple[int, int, int, str, tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]]"
)
"""One result as Python's ``socket.getaddrinfo`` returns it:
``(family, type, proto, canonname, sockaddr)``."""

Resolver: TypeAlias = Callable[
    [str | None, "int | str | None", int, int, int, int],
    Sequence[tuple[int, int, int, str, Any]],
]
"""``resolver(host, service, family, type, proto, flags)`` returning ``getaddrinfo``-shaped
tuples ``(family, type, proto, canonname, sockaddr)``, in the order to try them. It is
called with checked arguments (``host`` ``None`` for none, ``service`` an ``int`` port,
a service name or ``None``) and reports a failure by raising ``socket.gaierror`` (or any
``OSError``), which sockkit turns into [`LookupFailed`][sockkit.errors.LookupFailed]."""

_custom: Resolver | None = None


def set_resolver(resolver: Resolver | None) -> Resolver | None:
    """Put ``resolver`` in place of the system's ``getaddrinfo`` for every lookup sockkit makes.

    [`AddrInfo.lookup`][sockkit.addrinfo.AddrInfo.lookup],
    [`Socket.create_connection`][sockkit.socket.Socket.create_connection],
    [`Socket.create_server`][sockkit.socket.Socket.create_server] and ``sockkit.compat``'s
    host lookups all go through it, after their arguments are checked. ``None`` puts the
    system resolver back. Like trio's ``set_custom_hostname_resolver``, it is process-wide:
    meant for tests (a failing or scripted resolver, no DNS traffic) and for programs that
    resolve names their own way.

    Args:
        resolver: a [`Resolver`][sockkit.addrinfo.Resolver], or ``None`` for the system's.

    Returns:
        The resolver that was in place (``None``: the system's), to restore it afterwards.

    Raises:
        TypeError: ``resolver`` is neither callable nor ``None``.

    Example:
        >>> import socket
        >>> def scripted(host, service, family, type, proto, flags):
        ...     return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", service))]
        >>> previous = set_resolver(scripted)
        >>> try:
        ...     getaddrinfo("db.internal", 5432)[0][4]
        ... finally:
        ...     _ = set_resolver(previous)
        ('127.0.0.1', 5432)
    """
    global _custom
    if resolver is not None and not callable(resolver):
        raise TypeError(f"resolver must be callable or None, got {type_name(resolver)}")
    previous, _custom = _custom, resolver
    return previous


AI_KNOWN_FLAGS: Final[int] = sum(int(member) for member in AIFlag)
"""Every ``AI_*`` bit this OS defines (the union of [`AIFlag`][sockkit.enums.AIFlag])."""


def _check_host(host: object) -> str | None:
    if host is None:
        return None
    if isinstance(host, bytes):
        try:
            host = host.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError(f"host must be ASCII when given as bytes, got {host!r}") from None
    if not isinstance(host, str):
        raise TypeError(f"host must be a str or None, got {type_name(host)}")
    if "\0" in host:
        raise ValueError(f"host must not contain a NUL character, got {host!r}")
    return host or None


def check_service(service: object) -> str | int | None:
    """A service argument: a port (``int`` or digits) as an ``int``, a name as ``str``, or ``None``.

    Raises:
        TypeError: not a ``str``, ``bytes``, ``int`` or ``None`` (``bool`` is not a port).
        ValueError: a port outside 0-65535, a NUL, non-ASCII bytes.
    """
    if service is None:
        return None
    if isinstance(service, bool):
        raise TypeError("service must be a str, an int port or None, got bool")
    if isinstance(service, int):
        return check_port(service)
    if isinstance(service, bytes):
        try:
            service = service.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError(
                f"service must be ASCII when given as bytes, got {service!r}"
            ) from None
    if not isinstance(service, str):
        raise TypeError(f"service must be a str, an int port or None, got {type_name(service)}")
    if "\0" in service:
        raise ValueError(f"service must not contain a NUL character, got {service!r}")
    if not service:
        return None
    if service.isascii() and service.isdigit():
        port = int(service)
        if port > MAX_PORT:
            raise ValueError(f"port must be 0-{MAX_PORT}, got {service!r}")
        return port
    return service


def getaddrinfo(  # noqa: PLR0917 - positional like socket.getaddrinfo
    host: str | bytes | None,
    service: str | bytes | int | None,
    family: int = 0,
    type: int = 0,
    proto: int = 0,
    flags: int = 0,
) -> list[AddrInfoTuple]:
    """Resolve ``host`` and ``service`` with the system's ``getaddrinfo``.

    ``host`` ``None`` or ``""`` means no host: the wildcard address with
    ``AI_PASSIVE``, the loopback address otherwise.  ``service`` is a port (an int
    or a string of digits), a service name such as ``"http"``, or ``None``/``""``
    for none.

    Args:
        host: a host name or a numeric address.
        service: a port or a service name.
        family: ``AF_INET``, ``AF_INET6`` or 0 for any.
        type: ``SOCK_STREAM``, ``SOCK_DGRAM``, … or 0 for any.
        proto: a protocol number or 0 for any.
        flags: ``AI_*`` bits (an [`AIFlag`][sockkit.enums.AIFlag] or an int).

    Returns:
        ``(family, type, proto, canonname, sockaddr)`` tuples, in the resolver's order.

    Raises:
        TypeError: an argument of the wrong type (``bool`` is not a port).
        ValueError: no host and no service, a port outside 0-65535, a NUL in a
            name, or flag bits this OS does not define.
        LookupFailed: the resolver failed (``.eai_code`` is the ``EAI_*`` code).

    Example:
        >>> import socket
        >>> [info[4] for info in getaddrinfo("::1", "80", type=socket.SOCK_STREAM)]
        [('::1', 80, 0, 0)]
    """
    checked_host = _check_host(host)
    checked_service = check_service(service)
    family = int(check_int(family, "family", 0))
    type = int(check_int(type, "type", 0))
    proto = int(check_int(proto, "protocol", 0))
    flags = check_flags(flags)
    if checked_host is None and checked_service is None:
        raise ValueError("host and service cannot both be empty")
    if flags < 0 or flags & ~AI_KNOWN_FLAGS:
        raise ValueError(
            f"flags has bits that are not AI_* flags of this OS: {flags:#x}"
            f" (known: {AI_KNOWN_FLAGS:#x})"
        )
    results: Sequence[tuple[int, int, int, str, Any]]
    try:
        if _custom is None:
            results = _s.getaddrinfo(checked_host, checked_service, family, type, proto, flags)
        else:
            results = _custom(checked_host, checked_service, family, type, proto, flags)
    except OSError as exc:
        raise from_oserror(exc, "getaddrinfo", (checked_host, checked_service)) from None
    return list(results)
