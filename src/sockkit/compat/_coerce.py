"""PHP's parameter types for compat: one signature table and PHP 8.2's coercions.

Every compat function checks its arguments against its PHP signature here, in PHP's
default (coercive) mode unless the program declared `strict_types`:

* ``int``: ``bool`` becomes 0/1; an integral ``float`` its value, a fractional one its
  truncation with PHP's deprecation; a numeric string (surrounding whitespace allowed)
  its number, as a float string would be; anything else is PHP's ``TypeError``;
* ``string``: ``int``, ``float`` (as PHP prints it) and ``bool`` (``"1"``/``""``)
  become strings;
* ``null`` for a scalar PHP does not declare nullable: PHP 8.1's deprecation, then
  ``0``/``""``;
* missing or extra arguments: PHP's ``ArgumentCountError`` texts.

Strict mode (``declare(strict_types=1)``) accepts only the declared type: an ``int``
(or an ``IntEnum`` member, not ``bool``) for ``int``, a ``str`` or bytes-like object for
``string``, ``None`` only where PHP's type is nullable.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar

from sockkit._checks import INT_MAX, INT_MIN, LONG_MIN
from sockkit.compat import _messages as M
from sockkit.compat._state import (
    arg_error,
    check_ref,
    check_socket,
    deprecated,
    engine_deprecated,
    php_float_string,
    php_type,
)
from sockkit.socket import Socket

if TYPE_CHECKING:
    from typing_extensions import Buffer

__all__ = [
    "REQUIRED",
    "ArgumentCountError",
    "arguments",
    "check_buffer",
    "check_c_int",
    "check_int",
    "check_optional_int",
    "check_string",
    "php_signature",
    "strict_types",
    "to_int",
]


class ArgumentCountError(TypeError):
    """PHP's ``ArgumentCountError``: a compat function got too few or too many arguments.

    A subclass of ``TypeError``, as in PHP.  Its text is PHP's, e.g.
    ``socket_connect() expects at least 2 arguments, 1 given``.
    """


class _Required:
    """The default of a parameter PHP requires: its absence is PHP's ArgumentCountError."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<required>"


REQUIRED: Final[Any] = _Required()
"""Default of every parameter PHP requires (typed ``Any`` so signatures keep their types)."""


_F = TypeVar("_F", bound=Callable[..., Any])


def php_signature(function: _F) -> _F:
    """Show ``function``'s signature as PHP declares it: no `REQUIRED`, no ``*extra``.

    The function itself is returned, unwrapped (nothing is added to its calls).
    """
    import inspect  # noqa: PLC0415 - attrs has imported it already

    shown = inspect.signature(function)
    parameters = [
        parameter.replace(default=inspect.Parameter.empty)
        if parameter.default is REQUIRED
        else parameter
        for parameter in shown.parameters.values()
        if parameter.kind is not inspect.Parameter.VAR_POSITIONAL
    ]
    function.__signature__ = shown.replace(parameters=parameters)  # type: ignore[attr-defined]
    return function


class _Mode:
    strict = False


_MODE: Final = _Mode()


class strict_types:
    """PHP's ``declare(strict_types=1)`` for compat, process-wide.

    ``strict_types(True)`` switches compat to strict typing for the whole program, as a
    PHP file declaring it does; ``strict_types(False)`` back to PHP's default coercive
    mode.  Used in a ``with`` statement it restores the previous mode on exit.

    Example:
        >>> from sockkit.compat import socket_strerror, strict_types
        >>> socket_strerror("2")
        'No such file or directory'
        >>> with strict_types(True):
        ...     socket_strerror("2")
        Traceback (most recent call last):
        TypeError: socket_strerror(): Argument #1 ($error_code) must be of type int, string given
    """

    __slots__ = ("_previous",)

    def __init__(self, enabled: bool = True) -> None:
        self._previous = _MODE.strict
        _MODE.strict = bool(enabled)

    def __enter__(self) -> strict_types:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        _MODE.strict = self._previous


def is_strict() -> bool:
    """Whether compat checks types as PHP's ``strict_types=1`` does."""
    return _MODE.strict


# --------------------------------------------------------------------- scalars

_WHITESPACE: Final = " \t\n\r\v\f"
# PHP 8's numeric string: whitespace, a decimal integer or float, whitespace.
_NUMERIC: Final = re.compile(
    r"[ \t\n\r\v\f]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\v\f]*\Z"
)
_INTEGER: Final = re.compile(r"[+-]?[0-9]+\Z")
_LONG_LIMIT: Final = -float(LONG_MIN)  # 2**63: one past PHP_INT_MAX, as a float


def _type_error(function: str, position: int, name: str, expected: str, value: object) -> NoReturn:
    text = M.MUST_BE_TYPE.format(expected=expected, given=php_type(value))
    raise TypeError(arg_error(function, position, name, text))


def _null(function: str, position: int, name: str, expected: str) -> None:
    deprecated(function, M.NULL_TO_SCALAR.format(position=position, name=name, type=expected))


def _float_to_int(value: float, shown: str | None) -> int | None:
    """PHP's ``zend_parse_arg_long_weak`` for a float; ``None`` when it cannot be an int."""
    if not math.isfinite(value) or not -_LONG_LIMIT <= value < _LONG_LIMIT:
        return None
    number = int(value)
    if number != value:
        if shown is None:
            engine_deprecated(M.FLOAT_LOSES_PRECISION.format(value=php_float_string(value)))
        else:
            engine_deprecated(M.FLOAT_STRING_LOSES_PRECISION.format(value=shown))
    return number


def _string_to_int(value: str) -> int | None:
    if _NUMERIC.match(value) is None:
        return None
    text = value.strip(_WHITESPACE)
    if _INTEGER.match(text):
        number = int(text)
        if LONG_MIN <= number < _LONG_LIMIT:
            return number
    return _float_to_int(float(text), value)


def to_int(function: str, position: int, name: str, value: object, expected: str = "int") -> int:
    """A value for PHP type ``int`` (``expected`` names the type in messages)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if not _MODE.strict:
        number: int | None = None
        if isinstance(value, bool):
            number = int(value)
        elif isinstance(value, float):
            number = _float_to_int(value, None)
        elif isinstance(value, str):
            number = _string_to_int(value)
        elif isinstance(value, (bytes, bytearray)):
            number = _string_to_int(bytes(value).decode("latin-1"))
        elif value is None and expected[0] != "?":
            _null(function, position, name, expected)
            return 0
        if number is not None:
            return number
    _type_error(function, position, name, expected, value)


def to_string(
    function: str, position: int, name: str, value: object, expected: str = "string"
) -> str | Buffer:
    """A value for PHP type ``string``: ``str`` or bytes-like, as given or converted."""
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        return value
    if not _MODE.strict:
        if isinstance(value, bool):
            return "1" if value else ""
        if isinstance(value, int):
            return str(int(value))
        if isinstance(value, float):
            return php_float_string(value, 14)
        if value is None and expected[0] != "?":
            _null(function, position, name, expected)
            return ""
    _type_error(function, position, name, expected, value)


def check_int(function: str, position: int, name: str, value: object) -> int:
    """An ``int`` parameter."""
    if type(value) is int:
        return value
    return to_int(function, position, name, value)


def check_c_int(function: str, position: int, name: str, value: object) -> int:
    """An ``int`` parameter the OS takes as a C ``int``: a value PHP 8.2 would truncate is a
    ``ValueError`` (``must be between -2147483648 and 2147483647``)."""
    number = check_int(function, position, name, value)
    if not INT_MIN <= number <= INT_MAX:
        text = M.BETWEEN.format(low=INT_MIN, high=INT_MAX)
        raise ValueError(arg_error(function, position, name, text))
    return number


def check_optional_int(function: str, position: int, name: str, value: object) -> int | None:
    """A ``?int`` parameter."""
    if value is None:
        return None
    return to_int(function, position, name, value, "?int")


def check_buffer(function: str, position: int, name: str, value: object) -> Buffer:
    """A ``string`` parameter that carries data: bytes-like as is, ``str`` as UTF-8."""
    text = to_string(function, position, name, value)
    return text.encode() if isinstance(text, str) else text


def check_string(function: str, position: int, name: str, value: object) -> str:
    """A ``string`` parameter that names something (an address): ``str``, bytes decoded."""
    text = to_string(function, position, name, value)
    return text if isinstance(text, str) else os.fsdecode(bytes(text))


def _check_optional_string(function: str, position: int, name: str, value: object) -> str | None:
    if value is None:
        return None
    text = to_string(function, position, name, value, "?string")
    return text if isinstance(text, str) else os.fsdecode(bytes(text))


def _check_optional_socket(function: str, position: int, name: str, value: object) -> Any:
    if value is None:
        return None
    if not isinstance(value, Socket):
        _type_error(function, position, name, "?Socket", value)
    return value


def _check_socket(function: str, position: int, name: str, value: object) -> Socket:
    # Only the type here: PHP tests "closed" after every argument has its type.
    if not isinstance(value, Socket):
        _type_error(function, position, name, "Socket", value)
    return value


def _check_array(function: str, position: int, name: str, value: object) -> Any:
    if not isinstance(value, (list, tuple, Mapping)):
        _type_error(function, position, name, "array", value)
    return value


def _check_array_reference(function: str, position: int, name: str, value: object) -> Any:
    if isinstance(value, (list, dict)):
        return value
    if isinstance(value, tuple):
        raise TypeError(arg_error(function, position, name, M.NOT_BY_REFERENCE))
    if value is None or not hasattr(value, "value"):
        _type_error(function, position, name, "array", value)
    return value


def _check_optional_array_reference(function: str, position: int, name: str, value: object) -> Any:
    # socket_select's sets: filtered in place, so a list or a dict (a tuple is PHP's
    # literal array, which cannot be passed by reference).
    if value is None or isinstance(value, (list, dict)):
        return value
    if isinstance(value, tuple):
        raise TypeError(arg_error(function, position, name, M.NOT_BY_REFERENCE))
    _type_error(function, position, name, "?array", value)


def _check_addrinfo(function: str, position: int, name: str, value: object) -> Any:
    from sockkit.addrinfo import AddrInfo  # noqa: PLC0415 - only for the addrinfo functions

    if not isinstance(value, AddrInfo):
        _type_error(function, position, name, "AddressInfo", value)
    return value


def _check_reference(function: str, position: int, name: str, value: object) -> Any:
    return check_ref(function, position, name, value)


def _check_optional_reference(function: str, position: int, name: str, value: object) -> Any:
    return None if value is None else check_ref(function, position, name, value)


def _as_is(function: str, position: int, name: str, value: object) -> Any:
    return value


# --------------------------------------------------------------------- the table

# How each PHP parameter type is checked.  ``string`` parameters called "data" or
# "new_val" carry bytes; the others name something and become ``str``.
_CHECKS: Final = {
    "int": check_int,
    "?int": check_optional_int,
    "string": check_string,
    "?string": _check_optional_string,
    "Socket": _check_socket,
    "?Socket": _check_optional_socket,
    "AddressInfo": _check_addrinfo,
    "array": _check_array,
    "array&": _check_array_reference,
    "?array&": _check_optional_array_reference,
    "&": _check_reference,
    "&?": _check_optional_reference,
}
_DATA_PARAMETERS: Final = frozenset({"data", "new_val"})

# PHP's signatures (``Reflection`` prints them so), and the legacy and Windows-only
# functions compat adds.  Types compat leaves to the function (arrays, ``mixed``,
# resources, IOVec handles) are checked by the function itself.
SIGNATURES: Final = {
    "socket_select": "?array &$read, ?array &$write, ?array &$except, ?int $seconds, "
    "int $microseconds = 0",
    "socket_create_listen": "int $port, int $backlog = 128",
    "socket_accept": "Socket $socket",
    "socket_set_nonblock": "Socket $socket",
    "socket_set_block": "Socket $socket",
    "socket_listen": "Socket $socket, int $backlog = 0",
    "socket_close": "Socket $socket",
    "socket_write": "Socket $socket, string $data, ?int $length = null",
    "socket_read": "Socket $socket, int $length, int $mode = 2",
    "socket_getsockname": "Socket $socket, &$address, &$port = null",
    "socket_getpeername": "Socket $socket, &$address, &$port = null",
    "socket_create": "int $domain, int $type, int $protocol",
    "socket_connect": "Socket $socket, string $address, ?int $port = null",
    "socket_strerror": "int $error_code",
    "socket_bind": "Socket $socket, string $address, int $port = 0",
    "socket_recv": "Socket $socket, &$data, int $length, int $flags",
    "socket_send": "Socket $socket, string $data, int $length, int $flags",
    "socket_recvfrom": "Socket $socket, &$data, int $length, int $flags, &$address, &$port = null",
    "socket_sendto": "Socket $socket, string $data, int $length, int $flags, string $address, "
    "?int $port = null",
    "socket_get_option": "Socket $socket, int $level, int $option",
    "socket_getopt": "Socket $socket, int $level, int $option",
    "socket_set_option": "Socket $socket, int $level, int $option, $value",
    "socket_setopt": "Socket $socket, int $level, int $option, $value",
    "socket_create_pair": "int $domain, int $type, int $protocol, array &$pair",
    "socket_shutdown": "Socket $socket, int $mode = 2",
    "socket_atmark": "Socket $socket",
    "socket_last_error": "?Socket $socket = null",
    "socket_clear_error": "?Socket $socket = null",
    "socket_import_stream": "$stream",
    "socket_export_stream": "Socket $socket",
    "socket_sendmsg": "Socket $socket, array $message, int $flags = 0",
    "socket_recvmsg": "Socket $socket, array &$message, int $flags = 0",
    "socket_cmsg_space": "int $level, int $type, int $num = 0",
    "socket_addrinfo_lookup": "string $host, ?string $service = null, array $hints = []",
    "socket_addrinfo_connect": "AddressInfo $address",
    "socket_addrinfo_bind": "AddressInfo $address",
    "socket_addrinfo_explain": "AddressInfo $address",
    "socket_wsaprotocol_info_export": "Socket $socket, int $target_pid",
    "socket_wsaprotocol_info_import": "string $info_id",
    "socket_wsaprotocol_info_release": "string $info_id",
}

_PARAMETER: Final = re.compile(r"(?:(\??\w+) )?(&?)\$(\w+)( = .*)?\Z")


class _Parameter:
    __slots__ = ("check", "name", "optional", "socket", "type")

    def __init__(self, text: str) -> None:
        match = _PARAMETER.match(text.strip())
        if match is None:  # pragma: no cover - the table above is fixed
            raise AssertionError(f"bad PHP parameter: {text!r}")
        declared, reference, self.name, default = match.groups()
        self.type = declared or ""
        self.optional = default is not None
        key = self.type + reference
        if reference and not declared:
            key = "&?" if self.optional else "&"
        self.socket = self.type in {"Socket", "?Socket"}
        check = _CHECKS.get(key, _as_is)
        if check is check_string and self.name in _DATA_PARAMETERS:
            check = check_buffer
        self.check = check


_PARSED: dict[str, tuple[_Parameter, ...]] = {}


def signature(function: str) -> tuple[_Parameter, ...]:
    """The parsed parameters of ``function`` (parsed once, on first use)."""
    parameters = _PARSED.get(function)
    if parameters is None:
        parameters = tuple(_Parameter(text) for text in SIGNATURES[function].split(", "))
        _PARSED[function] = parameters
    return parameters


def _plural(count: int) -> str:
    return M.ARGUMENT if count == 1 else M.ARGUMENTS


def _count_error(function: str, parameters: tuple[_Parameter, ...], given: int) -> NoReturn:
    low = sum(1 for parameter in parameters if not parameter.optional)
    high = len(parameters)
    if low == high:
        text = M.EXPECTS_EXACTLY
        count = low
    elif given < low:
        text, count = M.EXPECTS_AT_LEAST, low
    else:
        text, count = M.EXPECTS_AT_MOST, high
    raise ArgumentCountError(
        text.format(function=function, count=count, arguments=_plural(count), given=given)
    )


def _check_count(
    function: str, parameters: tuple[_Parameter, ...], values: tuple[Any, ...], extra: int
) -> None:
    if extra:
        _count_error(function, parameters, len(values) + extra)
    # An optional parameter holds its default whether given or not: count it as not given.
    passed = [
        value is not REQUIRED and not parameter.optional
        for parameter, value in zip(parameters, values, strict=True)
    ]
    last = max((index for index, flag in enumerate(passed) if flag), default=-1)
    for index in range(last):
        if not passed[index]:
            name = parameters[index].name
            raise ArgumentCountError(arg_error(function, index + 1, name, M.NOT_PASSED))
    _count_error(function, parameters, last + 1)


def arguments(function: str, values: tuple[Any, ...], extra: tuple[Any, ...] = ()) -> list[Any]:
    """Check and coerce ``values`` against ``function``'s PHP signature.

    Args:
        function: the PHP function name, a key of `SIGNATURES`.
        values: the arguments, in PHP's order (`REQUIRED` where none was given).
        extra: arguments beyond PHP's last parameter.

    Returns:
        The values as the function uses them: an open `Socket`, ``int``, ``str`` for
        names, bytes-like for data; types the function checks itself unchanged.

    Raises:
        ArgumentCountError: too few or too many arguments (PHP's texts).
        TypeError: a value PHP would refuse in the current mode.
        sockkit.SocketClosedError: a closed socket.
    """
    parameters = signature(function)
    if extra or any(value is REQUIRED for value in values):
        _check_count(function, parameters, values, len(extra))
    checked = [
        parameter.check(function, position, parameter.name, value)
        for position, (parameter, value) in enumerate(zip(parameters, values, strict=True), 1)
    ]
    for position, (parameter, value) in enumerate(zip(parameters, checked, strict=True), 1):
        if parameter.socket and value is not None:
            check_socket(function, value, position, parameter.name)
    return checked
