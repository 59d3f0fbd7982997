"""The ``(host, port)`` argument of ``create_connection`` and ``create_server``, checked once."""

from __future__ import annotations

import socket as _s
from typing import Final

from sockkit import _resolve
from sockkit._checks import format_host_port, is_numeric_host, type_name
from sockkit.address import Inet6Address, InetAddress, UnixAddress

__all__ = ["Target", "literal_family", "parse_target"]

_AF_INET: Final = int(_s.AF_INET)
_AF_INET6: Final = int(_s.AF_INET6)


class Target:
    """A checked IP address argument; ``family`` is 0 where a plain tuple leaves it open.

    ``port`` is an ``int``, or a service name (``"http"``) that the resolver turns into one.
    """

    __slots__ = ("family", "flowinfo", "host", "port", "scope_id")

    def __init__(
        self, host: str, port: int | str, family: int, flowinfo: int = 0, scope_id: int = 0
    ) -> None:
        self.host = host
        self.port = port
        self.family = family
        self.flowinfo = flowinfo
        self.scope_id = scope_id

    def __str__(self) -> str:
        return format_host_port(self.host, self.port)


def _check_tuple(address: object, what: str) -> tuple[object, ...]:
    if isinstance(address, UnixAddress):
        raise ValueError(
            f"create_connection() makes TCP connections; {what} cannot be a Unix address"
            " (connect a Unix socket with Socket(AddressFamily.UNIX).connect(path))"
        )
    if not isinstance(address, tuple):
        raise TypeError(
            f"{what} must be a (host, port) tuple or an InetAddress/Inet6Address,"
            f" got {type_name(address)}"
        )
    if len(address) not in (2, 4):
        raise ValueError(
            f"{what} must be (host, port) or (host, port, flowinfo, scope_id),"
            f" got a tuple of {len(address)} items"
        )
    if not isinstance(address[0], str):
        raise TypeError(f"{what} host must be a str, got {type_name(address[0])}")
    return address


def _check_port(port: object, what: str) -> int | str:
    """A port: an ``int`` 0-65535, a string of digits, or a service name (as the stdlib takes)."""
    if not isinstance(port, (str, bytes, int)):
        raise TypeError(f"{what} port must be an int or a service name, got {type_name(port)}")
    checked = _resolve.check_service(port)
    if checked is None:
        raise ValueError(f"{what} port must not be empty")
    return checked


def parse_target(address: object, what: str = "address") -> Target:
    """Check an IP address argument: a typed address, ``(host, port)`` or a 4-tuple.

    Raises:
        TypeError: not one of those forms, or parts of the wrong type.
        ValueError: a Unix address, a tuple of the wrong length, a port out of range.
    """
    if isinstance(address, InetAddress):
        return Target(address.host, address.port, _AF_INET)
    if isinstance(address, Inet6Address):
        return Target(address.host, address.port, _AF_INET6, address.flowinfo, address.scope_id)
    parts = _check_tuple(address, what)
    host = str(parts[0])
    port = _check_port(parts[1], what)
    if len(parts) == 4:
        if isinstance(port, str):
            raise ValueError(
                f"{what} with flowinfo and scope_id needs a numeric port, got {port!r}"
            )
        parsed = Inet6Address(host, port, parts[2], parts[3])  # type: ignore[arg-type]
        return Target(host, port, _AF_INET6, parsed.flowinfo, parsed.scope_id)
    return Target(host, port, 0)


def literal_family(host: str) -> int | None:
    """``AF_INET6``/``AF_INET`` for a numeric address, ``None`` for a name or ``""``."""
    if ":" in host:
        return _AF_INET6
    if host and is_numeric_host(_AF_INET, host):
        return _AF_INET
    return None
