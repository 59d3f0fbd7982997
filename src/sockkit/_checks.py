"""Argument checks shared by the object layer and ``compat``: one place per rule.

Every check runs before any system call and raises ``TypeError`` (wrong type) or
``ValueError`` (out of range) with a message that names the argument and says what
is allowed, so a caller never sees ``OverflowError`` or ``AttributeError`` from
deep inside Python's socket module. Each returns the value normalised (a plain
``int`` for ``int`` subclasses other than enum members, which are kept).

Example:
    >>> check_int(5, "backlog", 0)
    5
    >>> check_int(2**70, "protocol")
    Traceback (most recent call last):
    ...
    ValueError: protocol must be -2147483648-2147483647, got 1180591620717411303424
"""

from __future__ import annotations

import math
import operator
import socket
import sys
import threading
from typing import Final, Protocol

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "LONG_MAX",
    "LONG_MIN",
    "MAX_PORT",
    "MAX_TIMEOUT",
    "SIZE_MAX",
    "UINT_MAX",
    "HasFileno",
    "check_backlog",
    "check_fd",
    "check_file",
    "check_flags",
    "check_int",
    "check_port",
    "check_size",
    "check_timeout",
    "format_host_port",
    "is_numeric_host",
    "type_name",
]

INT_MIN: Final = -(2**31)
"""The smallest C ``int``."""
INT_MAX: Final = 2**31 - 1
"""The largest C ``int`` (family, type, protocol, flags, backlog, option values, descriptors)."""
UINT_MAX: Final = 2**32 - 1
"""The largest C ``unsigned int`` (interface indexes, scope ids)."""
LONG_MIN: Final = -(2**63)
"""The smallest C ``long`` on the 64-bit systems sockkit runs on (and PHP's ``int``)."""
LONG_MAX: Final = 2**63 - 1
"""The largest C ``long`` (``struct timeval``'s fields, PHP's ``PHP_INT_MAX``)."""
SIZE_MAX: Final = sys.maxsize
"""The largest ``Py_ssize_t``: the limit of a byte count Python's socket module accepts."""
MAX_PORT: Final = 65535
"""The largest TCP/UDP port."""
MAX_TIMEOUT: Final[float] = threading.TIMEOUT_MAX
"""The longest timeout in seconds that the OS's time types hold (about 292 years on Linux)."""

_inet_pton: Final = socket.inet_pton


class HasFileno(Protocol):
    """Anything with a ``fileno()`` method: sockets, files, selectors' keys."""

    def fileno(self) -> int: ...  # pragma: no cover - a protocol


def type_name(value: object) -> str:
    """The name of ``value``'s type, as messages show it."""
    return type(value).__name__


def format_host_port(host: object, port: object) -> str:
    """``host:port``, with an IPv6 host in brackets (``[::1]:80``).

    Example:
        >>> format_host_port("::1", 80), format_host_port("127.0.0.1", 80)
        ('[::1]:80', '127.0.0.1:80')
    """
    if isinstance(host, str) and ":" in host:
        return f"[{host}]:{port}"
    return f"{host}:{port}"


def check_int(value: object, name: str, low: int = INT_MIN, high: int = INT_MAX) -> int:
    """Check that ``value`` is an ``int`` (not ``bool``) in ``low..high`` (a C ``int`` by default).

    Raises:
        TypeError: ``value`` is not an ``int``.
        ValueError: ``value`` is outside ``low..high``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type_name(value)}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be {low}-{high}, got {value}")
    return value if type(value) is int else int(value)


def check_flags(value: object, name: str = "flags") -> int:
    """Check a bit mask passed to the OS as a C ``int`` (``MSG_*``, ``AI_*``).

    Any integer is taken, as the socket module takes it: an ``int`` (a `MsgFlag`)
    or an object with ``__index__`` (a NumPy integer, say); returns a plain ``int``.

    Raises:
        TypeError: ``value`` is not an integer (or is a ``bool``).
        ValueError: ``value`` does not fit a C ``int``.

    Example:
        >>> check_flags(MsgFlag.PEEK | MsgFlag.DONTWAIT)
        66
    """
    if type(value) is int and INT_MIN <= value <= INT_MAX:  # the usual case, at once
        return value
    if not isinstance(value, int) and hasattr(type(value), "__index__"):
        value = operator.index(value)  # type: ignore[arg-type]
    return int(check_int(value, name))


def check_size(value: object, name: str = "length", low: int = 0) -> int:
    """Check a byte count or buffer size: an ``int`` in ``low..SIZE_MAX``."""
    return check_int(value, name, low, SIZE_MAX)


def check_port(value: object, name: str = "port") -> int:
    """Check a port number: an ``int`` in 0-65535."""
    return int(check_int(value, name, 0, MAX_PORT))


def check_backlog(value: object, name: str = "backlog") -> int:
    """Check ``listen``'s backlog: an ``int`` in 0..INT_MAX (the kernel caps it at SOMAXCONN)."""
    return int(check_int(value, name, 0, INT_MAX))


def check_fd(value: object, name: str = "fd") -> int:
    """Check a descriptor number: an ``int`` in 0..INT_MAX."""
    return int(check_int(value, name, 0, INT_MAX))


def check_file(value: object, name: str = "file") -> int:
    """The descriptor of a file argument: an ``int`` or an object with ``fileno()``.

    Raises:
        TypeError: ``value`` is ``None`` or has no ``fileno()``.
        ValueError: the descriptor is negative or outside the C ``int`` range (a closed file).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return check_fd(value, name)
    fileno = getattr(value, "fileno", None)
    if not callable(fileno):
        raise TypeError(
            f"{name} must be a file object, a socket or a descriptor number, got {type_name(value)}"
        )
    return check_fd(fileno(), f"{name}.fileno()")


def check_timeout(value: object, name: str = "timeout", *, allow_none: bool = True) -> float | None:
    """Check a timeout in seconds: a finite number in 0..MAX_TIMEOUT, or ``None`` if allowed.

    Raises:
        TypeError: not an ``int``/``float`` (``bool`` is refused), or ``None`` when not allowed.
        ValueError: negative, NaN, infinite or longer than
            [`MAX_TIMEOUT`][sockkit._checks.MAX_TIMEOUT] (use ``None`` to wait forever).

    Example:
        >>> check_timeout(float("inf"))
        Traceback (most recent call last):
        ...
        ValueError: timeout must be finite seconds (use None to wait forever), got inf
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        allowed = "seconds (int or float) or None" if allow_none else "seconds (int or float)"
        raise TypeError(f"{name} must be {allowed}, got {type_name(value)}")
    seconds = float(value) if isinstance(value, float) else _int_seconds(value, name)
    if math.isnan(seconds) or math.isinf(seconds):
        forever = " (use None to wait forever)" if allow_none else ""
        raise ValueError(f"{name} must be finite seconds{forever}, got {value}")
    if not 0 <= seconds <= MAX_TIMEOUT:
        raise ValueError(f"{name} must be 0-{MAX_TIMEOUT:.0f} seconds, got {value}")
    return seconds


def _int_seconds(value: int, name: str) -> float:
    """An ``int`` timeout as a float; one too large for a float is out of range anyway."""
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name} must be 0-{MAX_TIMEOUT:.0f} seconds, got {value}") from None


def is_numeric_host(family: int, text: str) -> bool:
    """Tell whether ``text`` is a numeric address of ``family`` (no lookup, no ``%scope``).

    Example:
        >>> import socket
        >>> is_numeric_host(socket.AF_INET, "127.0.0.1"), is_numeric_host(socket.AF_INET, "::1")
        (True, False)
    """
    try:
        _inet_pton(family, text)
    except (OSError, ValueError):  # ValueError: embedded NUL, unencodable text
        return False
    return True
