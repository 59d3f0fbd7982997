"""compat's plumbing: the per-thread last error, ``Ref``, ``silenced()``, warnings, PHP's types.

Nothing here touches a socket.  It is the Python side of PHP's calling conventions:

* ``PHP_SOCKET_ERROR``: a failure records the errno on the socket and as the thread's
  last error, and warns ``"<function>(): <text> [<errno>]: <strerror>"`` unless the
  errno only means "try again" (``EAGAIN``/``EWOULDBLOCK``/``EINPROGRESS``);
* PHP's ``E_DEPRECATED`` notices, as `PHPDeprecationWarning`;
* PHP 8's argument errors, with PHP's texts and PHP's type names;
* PHP's conversions of a ``mixed`` value to ``int``, ``string`` and ``bool`` (used where
  PHP takes ``mixed``, such as ``socket_set_option``'s ``$value``).

Typed parameters are checked by ``_coerce``, from one table of PHP's signatures.
"""

from __future__ import annotations

import contextlib
import errno as _errno
import math
import os
import re
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final, NoReturn, TypeVar, overload

from sockkit._checks import INT_MAX, INT_MIN
from sockkit.compat import _messages as M
from sockkit.errors import SocketClosedError, SocketWarning
from sockkit.socket import Socket

__all__ = [
    "PHPDeprecationWarning",
    "Ref",
    "arg_error",
    "closed_error",
    "check_ref",
    "check_socket",
    "clear_socket_error",
    "deprecated",
    "engine_deprecated",
    "engine_warn",
    "fail",
    "global_last_error",
    "php_bool",
    "php_float_string",
    "php_int",
    "php_string",
    "php_type",
    "record",
    "socket_error",
    "set_global_last_error",
    "silenced",
    "strerror",
    "warn",
]

# Errnos PHP records but does not warn about: "try again", not a failure.
_SILENT: Final = frozenset(
    code
    for code in (
        _errno.EAGAIN,
        getattr(_errno, "EWOULDBLOCK", _errno.EAGAIN),
        _errno.EINPROGRESS,
        getattr(_errno, "WSAEWOULDBLOCK", None),
        getattr(_errno, "WSAEINPROGRESS", None),
    )
    if code is not None
)

_T = TypeVar("_T")


class PHPDeprecationWarning(DeprecationWarning):
    """PHP's ``E_DEPRECATED``, with PHP's text.

    Python's default filters hide it except for code run as ``__main__``, as Debian's
    PHP hides ``E_DEPRECATED`` by default.  Show it everywhere with
    ``python -W always::DeprecationWarning`` (PHP's ``error_reporting=E_ALL``).
    """


class _ThreadState(threading.local):
    """PHP's per-request globals, kept per thread."""

    last_error: int = 0
    silenced: int = 0


_STATE: Final = _ThreadState()

# PHP's per-socket last error (``php_socket->error``), kept here beside each Socket.
# It is not Socket.last_error, which every failure of the object API sets: PHP records
# some failures on the thread only (accept, recvmsg) and some nowhere (an unknown
# multicast interface), and the object API's own calls are no PHP function's.
_SOCKET_ERRORS: Final[weakref.WeakKeyDictionary[Socket, int]] = weakref.WeakKeyDictionary()


# --------------------------------------------------------------------- Ref


class Ref:
    """A by-reference argument: PHP's ``&$var`` for a scalar.

    The called function stores its result in ``.value``, which starts as ``None``.
    Any object with a writable ``value`` attribute may be passed instead.

    Example:
        >>> from sockkit.compat import AF_UNIX, SOCK_STREAM
        >>> from sockkit.compat import socket_create_pair, socket_recv, socket_write
        >>> pair = []
        >>> socket_create_pair(AF_UNIX, SOCK_STREAM, 0, pair)
        True
        >>> socket_write(pair[0], "hi")
        2
        >>> buf = Ref()
        >>> socket_recv(pair[1], buf, 10, 0), buf.value
        (2, b'hi')
        >>> for sock in pair: sock.close()
    """

    __slots__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Ref({self.value!r})"


# --------------------------------------------------------------------- last error


def global_last_error() -> int:
    """The calling thread's last socket error (PHP's ``SOCKETS_G(last_error)``)."""
    return _STATE.last_error


def set_global_last_error(code: int) -> None:
    """Set the calling thread's last socket error."""
    _STATE.last_error = code


def socket_error(sock: Socket) -> int:
    """The last error compat recorded on ``sock`` (PHP's ``$socket->error``), 0 if none."""
    return _SOCKET_ERRORS.get(sock, 0)


def clear_socket_error(sock: Socket) -> None:
    """Forget the last error compat recorded on ``sock``."""
    _SOCKET_ERRORS.pop(sock, None)


# --------------------------------------------------------------------- warnings


@contextmanager
def _silenced() -> Iterator[None]:
    _STATE.silenced += 1
    try:
        yield
    finally:
        _STATE.silenced -= 1


@overload
def silenced() -> contextlib.AbstractContextManager[None]: ...
@overload
def silenced(function: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T: ...
def silenced(function: Callable[..., Any] | None = None, /, *args: Any, **kwargs: Any) -> Any:
    """PHP's ``@``: suppress compat's warnings and notices in this thread.

    ``silenced(function, *args)`` calls ``function(*args)`` silenced and returns its
    result, so a PHP expression such as ``@socket_read($s, 10)`` stays one line:
    ``silenced(socket_read, s, 10)``.  Without arguments it is a context manager.
    Errors are still recorded (``socket_last_error()`` reports them); only the
    ``SocketWarning`` (or `PHPDeprecationWarning`) is not emitted.  Unlike
    ``warnings.catch_warnings()``, this is thread-safe: other threads keep their warnings.

    Example:
        >>> from sockkit.compat import socket_create, socket_connect, AF_UNIX, SOCK_STREAM
        >>> sock = socket_create(AF_UNIX, SOCK_STREAM, 0)
        >>> silenced(socket_connect, sock, "/nonexistent/socket")
        False
        >>> with silenced():
        ...     socket_connect(sock, "/nonexistent/socket")
        False
        >>> sock.close()
    """
    if function is None:
        return _silenced()
    with _silenced():
        return function(*args, **kwargs)


def _emit(message: str, category: type[Warning] = SocketWarning) -> None:
    if _STATE.silenced:
        return
    # Point the warning at the caller's line: skip every frame inside sockkit.
    level = 1
    frame = sys._getframe(2)
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith("sockkit."):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, category, stacklevel=level + 2)


def warn(function: str, text: str) -> None:
    """Emit PHP's ``E_WARNING`` ``"<function>(): <text>"`` as a `SocketWarning`."""
    _emit(f"{function}(): {text}")


def engine_warn(text: str) -> None:
    """Emit a warning PHP's engine prints without a function prefix."""
    _emit(text)


def deprecated(function: str, text: str) -> None:
    """Emit PHP's ``E_DEPRECATED`` ``"<function>(): <text>"`` as a `PHPDeprecationWarning`."""
    _emit(f"{function}(): {text}", PHPDeprecationWarning)


def engine_deprecated(text: str) -> None:
    """Emit an ``E_DEPRECATED`` PHP's engine prints without a function prefix."""
    _emit(text, PHPDeprecationWarning)


def strerror(code: int) -> str:
    """PHP's ``sockets_strerror``: the message ``socket_strerror`` and warnings show.

    Codes below -10000 are host-lookup failures (``-10000 - h_errno``) and read as
    ``hstrerror(3)`` does; every other code as ``strerror(3)`` does.
    """
    if code < -10000:
        return M.HSTRERROR.get(-code - 10000, M.HSTRERROR_UNKNOWN)
    if sys.platform == "win32":  # pragma: no cover - Windows words its own codes
        import ctypes  # noqa: PLC0415

        return ctypes.FormatError(code).strip()
    if not INT_MIN <= code <= INT_MAX:
        return M.STRERROR_UNKNOWN.format(code=code)
    return os.strerror(code)


def record(code: int, sock: Socket | None = None) -> None:
    """Record ``code`` as the thread's last error and, given one, the socket's."""
    if sock is not None:
        _SOCKET_ERRORS[sock] = code
    _STATE.last_error = code


def fail(function: str, text: str, code: int | None, sock: Socket | None = None) -> None:
    """PHP's ``PHP_SOCKET_ERROR``: record the errno and warn, unless it means "try again".

    Args:
        function: the PHP function name, e.g. ``"socket_bind"``.
        text: the first half of the message, from ``_messages``.
        code: the errno (``None``, from a Python-level timeout, counts as ``EAGAIN``).
        sock: the socket to record the error on (``None``: only the thread's).
    """
    if code is None:
        code = _errno.EAGAIN
    record(code, sock)
    if code not in _SILENT:
        _emit(f"{function}(): {text} [{code}]: {strerror(code)}")


# --------------------------------------------------------------------- PHP type names


def php_type(value: object) -> str:
    """The name PHP gives the type of ``value`` in its TypeError messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        return "string"
    if isinstance(value, (list, tuple, Mapping)):
        return "array"
    if callable(getattr(value, "fileno", None)) and not isinstance(value, Socket):
        return "resource"  # a Python file or socket is a stream to PHP
    name = type(value).__name__
    return {"AddrInfo": "AddressInfo"}.get(name, name)


def arg_error(function: str, position: int, name: str, text: str) -> str:
    """``"<function>(): Argument #<n> ($<name>) <text>"``, PHP 8's argument-error form."""
    return M.ARG_PREFIX.format(function=function, position=position, name=name) + text


def _type_error(function: str, position: int, name: str, expected: str, value: object) -> NoReturn:
    text = M.MUST_BE_TYPE.format(expected=expected, given=php_type(value))
    raise TypeError(arg_error(function, position, name, text))


# --------------------------------------------------------------------- argument checks


def closed_error(function: str, position: int = 1, name: str = "socket") -> SocketClosedError:
    """PHP's "Argument #1 ($socket) has already been closed" Error, as sockkit raises it."""
    message = arg_error(function, position, name, M.HAS_ALREADY_BEEN_CLOSED)
    return SocketClosedError(function, message=message)


def check_socket(function: str, value: object, position: int = 1, name: str = "socket") -> Socket:
    """An open `Socket`, or PHP's TypeError / "has already been closed" Error."""
    if not isinstance(value, Socket):
        _type_error(function, position, name, "Socket", value)
    if value.closed:
        raise closed_error(function, position, name)
    return value


def check_ref(function: str, position: int, name: str, value: object) -> Any:
    """A by-reference argument: any object with a writable ``value`` attribute."""
    if value is None or not hasattr(value, "value"):
        raise TypeError(arg_error(function, position, name, M.NOT_BY_REFERENCE_HINT))
    return value


# --------------------------------------------------------------------- PHP conversions

# PHP's numeric-string prefix: optional whitespace, then an integer or a float.
_NUMERIC_PREFIX: Final = re.compile(
    r"[ \t\n\r\v\f]*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
)


def _float_to_int(value: float) -> int:
    # PHP 8 (64-bit): a float outside the zend_long range, or not finite, becomes 0.
    if not math.isfinite(value) or not -(2.0**63) <= value < 2.0**63:
        return 0
    return int(value)


def php_int(value: object) -> int:
    """PHP's ``zval_get_long``: how ``mixed`` becomes ``int`` (``"12abc"`` -> 12, ``"a"`` -> 0)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return int(value)
    if value is None:
        return 0
    if isinstance(value, float):
        return _float_to_int(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value).decode("latin-1")
    if isinstance(value, str):
        match = _NUMERIC_PREFIX.match(value)
        if match is None:
            return 0
        number = match.group(1)
        if re.fullmatch(r"[+-]?[0-9]+", number):
            return int(number)
        return _float_to_int(float(number))
    if isinstance(value, (list, tuple, Mapping)):
        return 1 if value else 0
    engine_warn(M.OBJECT_TO_INT.format(cls=php_type(value)))
    return 1


def php_bool(value: object) -> bool:
    """PHP's boolean conversion (``"0"`` and ``""`` are false, ``"a"`` is true)."""
    if isinstance(value, str):
        return value not in ("", "0")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value) not in (b"", b"0")
    if isinstance(value, float):
        return value != 0.0
    if isinstance(value, (list, tuple, Mapping)):
        return bool(value)
    if value is None:
        return False
    if isinstance(value, int):
        return value != 0
    return True


def php_string(value: object) -> str:
    """PHP's string conversion of ``mixed`` (``1.5`` -> ``"1.5"``, ``True`` -> ``"1"``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return os.fsdecode(bytes(value))
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, int):
        return str(int(value))
    if value is None:
        return ""
    if isinstance(value, float):
        return php_float_string(value, 14)
    if isinstance(value, (list, tuple, Mapping)):
        engine_warn(M.ARRAY_TO_STRING)
        return "Array"
    raise TypeError(M.OBJECT_TO_STRING.format(cls=php_type(value)))


def _digits(value: float, precision: int | None) -> tuple[str, int]:
    """The significant digits of ``abs(value)`` and where its decimal point falls.

    ``value`` is ``0.<digits> * 10**<point>``.  ``precision`` ``None`` gives the shortest
    digits that read back as ``value`` (PHP's ``serialize_precision`` -1).
    """
    if precision is None:
        mantissa, _, exponent = repr(abs(value)).partition("e")
        whole, _, fraction = mantissa.partition(".")
        digits = whole + fraction
        stripped = digits.lstrip("0")
        point = len(whole) + int(exponent or 0) - (len(digits) - len(stripped))
        return stripped.rstrip("0") or "0", point
    mantissa, _, exponent = f"{abs(value):.{precision - 1}e}".partition("e")
    return mantissa.replace(".", "").rstrip("0") or "0", int(exponent) + 1


def php_float_string(value: float, precision: int | None = None) -> str:
    """A float as PHP prints it (``zend_gcvt``): ``0.3``, ``1.0E+25``, ``-1.5E-7``.

    ``precision`` 14 is PHP's string conversion (``precision``); ``None`` the shortest
    exact form PHP's messages use (``serialize_precision`` -1, up to 17 digits).
    """
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    digits, point = _digits(value, precision)
    if (point < -3) if point < 0 else (point > (precision or 17)):
        rest = digits[1:] or "0"
        exponent = point - 1
        return f"{sign}{digits[0]}.{rest}E{'+' if exponent >= 0 else '-'}{abs(exponent)}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if len(digits) <= point:
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"
