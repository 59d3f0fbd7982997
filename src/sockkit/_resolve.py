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
from typing import Final, TypeAlias

from sockkit.enums import AIFlag
from sockkit.errors import from_oserror

__all__ = ["AI_KNOWN_FLAGS", "AddrInfoTuple", "getaddrinfo"]

AddrInfoTuple: TypeAlias = (
    "tuple[int, int, int, str, tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]]"
)
"""One result as Python's ``socket.getaddrinfo`` returns it:
``(family, type, proto, canonname, sockaddr)``."""

AI_KNOWN_FLAGS: Final[int] = sum(int(member) for member in AIFlag)
"""Every ``AI_*`` bit this OS defines (the union of [`AIFlag`][sockkit.enums.AIFlag])."""

_MAX_PORT: Final = 65535


def _type_name(value: object) -> str:
    return value.__class__.__name__


def _check_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {_type_name(value)}")
    return int(value)


def _check_host(host: object) -> str | None:
    if host is None:
        return None
    if isinstance(host, bytes):
        try:
            host = host.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError(f"host must be ASCII when given as bytes, got {host!r}") from None
    if not isinstance(host, str):
        raise TypeError(f"host must be a str or None, got {_type_name(host)}")
    if "\0" in host:
        raise ValueError(f"host must not contain a NUL character, got {host!r}")
    return host or None


def _check_service(service: object) -> str | int | None:
    if service is None:
        return None
    if isinstance(service, bool):
        raise TypeError("service must be a str, an int port or None, got bool")
    if isinstance(service, int):
        if not 0 <= service <= _MAX_PORT:
            raise ValueError(f"port must be 0-{_MAX_PORT}, got {service}")
        return int(service)
    if isinstance(service, bytes):
        try:
            service = service.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError(
                f"service must be ASCII when given as bytes, got {service!r}"
            ) from None
    if not isinstance(service, str):
        raise TypeError(f"service must be a str, an int port or None, got {_type_name(service)}")
    if "\0" in service:
        raise ValueError(f"service must not contain a NUL character, got {service!r}")
    if not service:
        return None
    if service.isascii() and service.isdigit():
        port = int(service)
        if port > _MAX_PORT:
            raise ValueError(f"port must be 0-{_MAX_PORT}, got {service!r}")
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
    checked_service = _check_service(service)
    family = _check_int("family", family)
    type = _check_int("type", type)
    proto = _check_int("proto", proto)
    flags = _check_int("flags", flags)
    if checked_host is None and checked_service is None:
        raise ValueError("host and service cannot both be empty")
    if flags < 0 or flags & ~AI_KNOWN_FLAGS:
        raise ValueError(
            f"flags has bits that are not AI_* flags of this OS: {flags:#x}"
            f" (known: {AI_KNOWN_FLAGS:#x})"
        )
    try:
        results = _s.getaddrinfo(checked_host, checked_service, family, type, proto, flags)
    except OSError as exc:
        raise from_oserror(exc, "getaddrinfo", (checked_host, checked_service)) from None
    return list(results)
