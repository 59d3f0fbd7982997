"""``socket_addrinfo_*``: PHP's lookup functions over [`AddrInfo`][sockkit.addrinfo.AddrInfo].

PHP's ``AddressInfo`` objects are `AddrInfo` records.  As in PHP 8.2, a failed lookup
returns ``False`` without a warning and without recording an error code.
"""

from __future__ import annotations

import re
import socket as _s
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from sockkit._checks import INT_MAX, INT_MIN, MAX_PORT
from sockkit.addrinfo import AddrInfo, Explained
from sockkit.compat import _messages as M
from sockkit.compat._coerce import REQUIRED, arguments, php_signature
from sockkit.compat._state import arg_error, fail, php_int, php_type
from sockkit.errors import LookupFailed, SocketError
from sockkit.socket import Socket

__all__ = [
    "socket_addrinfo_bind",
    "socket_addrinfo_connect",
    "socket_addrinfo_explain",
    "socket_addrinfo_lookup",
]

_AF_UNIX: Final = int(getattr(_s, "AF_UNIX", 1))
_AF_INET: Final = int(_s.AF_INET)
_AF_INET6: Final = int(_s.AF_INET6)
_HINT_KEYS: Final = ("ai_flags", "ai_socktype", "ai_protocol", "ai_family")
# A string key PHP stores as an integer key ("5" is the key 5), which the hints ignore.
_INT_KEY: Final = re.compile(r"-?[1-9][0-9]*|0")


def _text(function: str, position: int, name: str, text: str) -> str:
    if "\0" in text:
        # getaddrinfo() would stop at the NUL: a silent truncation.
        raise ValueError(arg_error(function, position, name, M.NO_NULL_BYTES))
    return text


def _hints(function: str, hints: object) -> dict[str, int]:
    """The four hints PHP reads (string keys only; integer keys are ignored)."""
    if isinstance(hints, (list, tuple)):
        return {}  # a packed array: PHP 8.2 ignores it
    if not isinstance(hints, Mapping):
        text = M.MUST_BE_TYPE.format(expected="array", given=php_type(hints))
        raise TypeError(arg_error(function, 3, "hints", text))
    found: dict[str, int] = {}
    for key, value in hints.items():
        if not isinstance(key, str) or _INT_KEY.fullmatch(key):
            continue
        if key not in _HINT_KEYS:
            raise ValueError(arg_error(function, 3, "hints", M.HINTS_KEYS))
        number = php_int(value)
        if not INT_MIN <= number <= INT_MAX:
            # struct addrinfo holds C ints: PHP 8.2 would keep the low 32 bits.
            text = M.KEY_BETWEEN.format(key=key, low=INT_MIN, high=INT_MAX)
            raise ValueError(arg_error(function, 3, "hints", text))
        found[key] = number
    return found


@php_signature
def socket_addrinfo_lookup(
    host: str = REQUIRED,
    service: str | None = None,
    hints: Mapping[str, Any] | Sequence[Any] = (),
    *extra: object,
) -> list[AddrInfo] | Literal[False]:
    """Look ``host`` (and ``service``) up; return the results as `AddrInfo` records.

    PHP: ``socket_addrinfo_lookup(string $host, ?string $service = null,
    array $hints = []): array|false``

    ``hints`` takes the keys ``"ai_flags"``, ``"ai_socktype"``, ``"ai_protocol"`` and
    ``"ai_family"`` (values converted as PHP converts them); a list is ignored, as PHP
    8.2 ignores a packed array.  A failed lookup returns ``False`` without a warning
    and leaves ``socket_last_error()`` alone, as PHP 8.2 does.

    DEVIATIONS:
        A NUL in ``host`` or ``service``, a numeric ``service`` above 65535 and a
        hint outside the C ``int`` range raise ``ValueError``; PHP 8.2 would cut the
        name at the NUL, keep the low 16 bits of the port, or the low 32 bits of the
        hint.

    Raises:
        ValueError: a key other than the four above (PHP's text), or one of the
            deviations above.
        TypeError: an argument of the wrong type.

    Example:
        >>> from sockkit.compat import AF_INET, SOCK_STREAM
        >>> [info] = socket_addrinfo_lookup(
        ...     "127.0.0.1", "80", {"ai_family": AF_INET, "ai_socktype": SOCK_STREAM})
        >>> socket_addrinfo_explain(info)["ai_addr"]
        {'sin_port': 80, 'sin_addr': '127.0.0.1'}
    """
    function = "socket_addrinfo_lookup"
    host, service, hints = arguments(function, (host, service, hints), extra)
    name = _text(function, 1, "host", host)
    port: str | None = None
    if service is not None:
        port = _text(function, 2, "service", service)
        if port.isascii() and port.isdigit() and int(port) > MAX_PORT:
            raise ValueError(arg_error(function, 2, "service", M.PORT_RANGE))
    given = _hints(function, hints)
    if not name:
        return False  # getaddrinfo("") fails (EAI_NONAME), whatever the service
    try:
        return AddrInfo.lookup(
            name,
            port or None,
            family=given.get("ai_family", 0),
            type=given.get("ai_socktype", 0),
            protocol=given.get("ai_protocol", 0),
            flags=given.get("ai_flags", 0),
        )
    except (LookupFailed, ValueError, UnicodeError):
        # The resolver's failure, or flags it would refuse (EAI_BADFLAGS): PHP 8.2
        # returns false without a warning and without an error code.
        return False


def _addrinfo(function: str, address: object, extra: tuple[Any, ...]) -> AddrInfo:
    info: AddrInfo
    (info,) = arguments(function, (address,), extra)
    return info


def _new_socket(function: str, info: AddrInfo) -> Socket | None:
    """The socket ``info`` describes, or ``None`` after PHP's "Unable to create socket"."""
    try:
        return Socket(int(info.family), int(info.type), int(info.protocol))
    except SocketError as exc:
        fail(function, M.CREATE_FAILED, exc.errno, None)
        return None


@php_signature
def socket_addrinfo_bind(address: AddrInfo = REQUIRED, *extra: object) -> Socket | Literal[False]:
    """Create the socket ``address`` describes and bind it to ``address``'s address.

    PHP: ``socket_addrinfo_bind(AddressInfo $address): Socket|false``

    As in PHP, no ``SO_REUSEADDR`` is set (`AddrInfo.bind` sets it for a server).  A
    failed bind warns ``Unable to bind address [errno]: ...``, closes the socket and
    returns ``False``; an ``AF_UNIX`` record gives ``False`` silently.

    DEVIATIONS:
        The socket of a failed bind is closed once (PHP 8.2 closes its descriptor a
        second time when the object is freed).
    """
    function = "socket_addrinfo_bind"
    info = _addrinfo(function, address, extra)
    sock = _new_socket(function, info)
    if sock is None:
        return False
    family = int(info.family)
    if family not in (_AF_INET, _AF_INET6):
        sock.close()
        if family == _AF_UNIX:
            return False
        raise ValueError(arg_error(function, 1, "address", M.SOCKET_FAMILY_CHOICES))
    try:
        sock.bind(info.address)
    except SocketError as exc:
        fail(function, M.BIND_FAILED, exc.errno, sock)
        sock.close()
        return False
    return sock


@php_signature
def socket_addrinfo_connect(
    address: AddrInfo = REQUIRED,
    *extra: object,
) -> Socket | Literal[False]:
    """Create the socket ``address`` describes and connect it to ``address``'s address.

    PHP: ``socket_addrinfo_connect(AddressInfo $address): Socket|false``

    A failed connect warns ``Unable to connect address [errno]: ...`` and returns
    ``False`` (the socket is closed); an ``AF_UNIX`` record gives ``False`` silently.

    DEVIATIONS:
        The socket of a failed connect is closed once (PHP 8.2 closes its descriptor
        a second time when the object is freed).
    """
    function = "socket_addrinfo_connect"
    info = _addrinfo(function, address, extra)
    family = int(info.family)
    if family not in (_AF_INET, _AF_INET6):
        sock = _new_socket(function, info)
        if sock is None:
            return False
        sock.close()
        if family == _AF_UNIX:
            return False
        raise ValueError(arg_error(function, 1, "address", M.ADDRINFO_CONNECT_FAMILY))
    try:
        return info.connect()
    except SocketError as exc:
        if exc.operation == "socket":
            fail(function, M.CREATE_FAILED, exc.errno, None)
        else:
            fail(function, M.ADDRINFO_CONNECT_FAILED, exc.errno, None)
        return False


@php_signature
def socket_addrinfo_explain(address: AddrInfo = REQUIRED, *extra: object) -> Explained:
    """Describe ``address`` as PHP does: ``ai_flags``, ``ai_family``, …, ``ai_addr``.

    PHP: ``socket_addrinfo_explain(AddressInfo $address): array``

    Example:
        >>> [info] = socket_addrinfo_lookup("::1", "443", {"ai_socktype": 1})
        >>> socket_addrinfo_explain(info)["ai_addr"]
        {'sin6_port': 443, 'sin6_addr': '::1'}
    """
    return _addrinfo("socket_addrinfo_explain", address, extra).explain()
