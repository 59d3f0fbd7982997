"""``socket_get_option`` / ``socket_set_option``: PHP's value shapes <-> sockkit's option enums.

PHP 8.2 treats an option by its ``(level, option)`` pair.  Most options are a C
``int``: ``$value`` goes through PHP's int conversion (``"1"`` and ``true`` are 1,
``"a"`` is 0) and reaches the OS as it is, so compat passes it through
``Socket.set_option_raw`` / ``get_option_raw`` (the option enums' codecs check ranges
that PHP leaves to the OS).  The options PHP gives a shape of their own map onto the
typed option enums:

* ``SO_LINGER``: ``["l_onoff" => int, "l_linger" => int]`` <-> ``SocketOption.LINGER``
  with a ``Linger``;
* ``SO_RCVTIMEO``/``SO_SNDTIMEO``: ``["sec" => int, "usec" => int]`` <-> the option in
  seconds;
* ``SO_BINDTODEVICE``, ``TCP_CONGESTION``: a name (PHP reads ``TCP_CONGESTION`` back as
  ``["name" => ...]``);
* ``SO_MEMINFO`` (read only): its 9 counters, from a ``MemoryInfo``;
* ``IP_MULTICAST_IF``/``IPV6_MULTICAST_IF``: an interface index or name;
  ``IP(V6)_MULTICAST_LOOP``: a bool; ``IP_MULTICAST_TTL``: 0-255;
  ``IPV6_MULTICAST_HOPS``: -1..255;
* ``MCAST_*`` (at either IP level): ``["group" =>, "source" =>, "interface" =>]`` ->
  ``GroupRequest`` / ``SourceGroupRequest``;
* ``IPV6_PKTINFO``: ``["addr" => "::1", "ifindex" => 1]`` <-> ``PacketInfo``.
"""

from __future__ import annotations

import errno as _errno
import socket as _s
import sys
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import attrs

from sockkit._checks import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN
from sockkit._layouts import TIMEVAL
from sockkit.compat import _messages as M
from sockkit.compat._hosts import resolve
from sockkit.compat._state import (
    arg_error,
    closed_error,
    fail,
    php_bool,
    php_int,
    php_string,
    warn,
)
from sockkit.errors import SocketClosedError, SocketError
from sockkit.options import (
    GroupRequest,
    IPOption,
    IPv6Option,
    Linger,
    MemoryInfo,
    Option,
    PacketInfo,
    SocketOption,
    SourceGroupRequest,
    TCPOption,
)
from sockkit.socket import Socket

__all__ = ["get_option", "set_option"]

_IPPROTO_IP: Final = int(_s.IPPROTO_IP)
_IPPROTO_IPV6: Final = int(_s.IPPROTO_IPV6)
_AF_INET: Final = int(_s.AF_INET)
_AF_INET6: Final = int(_s.AF_INET6)
_UINT_MAX: Final = 2**32 - 1
_USHORT_MAX: Final = 65535
_NAME_BUFFER: Final = 16  # IFNAMSIZ and TCP_CA_NAME_MAX, with the NUL

_FAILED: Final = object()
"""Returned by the typed getters when the OS refused (the warning is already out)."""


def _member(enum_type: Any, name: str) -> Option | None:
    member: Option | None = getattr(enum_type, name, None)
    return member


def _key(member: Option | None, level: int) -> tuple[int, int] | None:
    return None if member is None else (level, int(member))


def _php_array(value: object) -> Mapping[Any, Any] | None:
    """A PHP array as compat receives it: a dict, or a list/tuple keyed 0..n-1."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, (list, tuple)):
        return dict(enumerate(value))
    return None


def _as_array(value: object) -> Mapping[Any, Any]:
    """PHP's ``convert_to_array``: a scalar becomes ``[0 => scalar]``, null ``[]``."""
    array = _php_array(value)
    if array is not None:
        return array
    return {} if value is None else {0: value}


def _require_keys(function: str, array: Mapping[Any, Any], *keys: str) -> None:
    for key in keys:
        if key not in array:
            raise ValueError(arg_error(function, 4, "value", M.MUST_HAVE_KEY.format(key=key)))


def _key_in_range(function: str, key: str, number: int, low: int, high: int) -> int:
    if not low <= number <= high:
        text = M.KEY_BETWEEN.format(key=key, low=low, high=high)
        raise ValueError(arg_error(function, 4, "value", text))
    return number


def _value_in_range(function: str, number: int, low: int, high: int) -> int:
    if not low <= number <= high:
        raise ValueError(arg_error(function, 4, "value", M.BETWEEN.format(low=low, high=high)))
    return number


# --------------------------------------------------------------------- calling the OO layer


def _get_typed(function: str, sock: Socket, member: Option, text: str) -> Any:
    try:
        return sock.get_option(member)
    except SocketClosedError:
        raise closed_error(function) from None
    except SocketError as exc:
        fail(function, text, exc.errno, sock)
        return _FAILED


def _set_typed(function: str, sock: Socket, member: Option, value: object) -> bool:
    try:
        sock.set_option(member, value)
    except SocketClosedError:
        raise closed_error(function) from None
    except SocketError as exc:
        fail(function, M.SET_OPTION_FAILED, exc.errno, sock)
        return False
    return True


def _set_raw(function: str, sock: Socket, level: int, option: int, value: int | bytes) -> bool:
    try:
        sock.set_option_raw(level, option, value)
    except SocketClosedError:
        raise closed_error(function) from None
    except SocketError as exc:
        fail(function, M.SET_OPTION_FAILED, exc.errno, sock)
        return False
    return True


# --------------------------------------------------------------------- getters


def _get_linger(function: str, sock: Socket, member: Option) -> Any:
    value = _get_typed(function, sock, member, M.GET_OPTION_FAILED)
    if value is _FAILED:
        return False
    assert isinstance(value, Linger)
    return {"l_onoff": 1 if value.enabled else 0, "l_linger": value.seconds}


def _get_timeout(function: str, sock: Socket, member: Option) -> Any:
    value = _get_typed(function, sock, member, M.GET_OPTION_FAILED)
    if value is _FAILED:
        return False
    seconds = int(value)
    micros = round((value - seconds) * 1_000_000)
    if micros >= 1_000_000:
        seconds, micros = seconds + 1, micros - 1_000_000
    return {"sec": seconds, "usec": micros}


def _get_meminfo(function: str, sock: Socket, member: Option) -> Any:
    value = _get_typed(function, sock, member, M.GET_OPTION_FAILED)
    if value is _FAILED:
        return False
    assert isinstance(value, MemoryInfo)
    return attrs.asdict(value)


def _get_congestion(function: str, sock: Socket, member: Option) -> Any:
    value = _get_typed(function, sock, member, M.GET_OPTION_FAILED)
    return False if value is _FAILED else {"name": value}


def _get_plain(function: str, sock: Socket, member: Option) -> Any:
    # IP_MULTICAST_IF (PHP maps the interface's address back to its index, as the codec
    # does) and SO_BINDTODEVICE (the interface name: a deviation, see the porting page).
    value = _get_typed(function, sock, member, M.GET_OPTION_FAILED)
    return False if value is _FAILED else value


def _get_pktinfo(function: str, sock: Socket, member: Option) -> Any:
    value = _get_typed(function, sock, member, M.GET_PKTINFO_FAILED)
    if value is _FAILED:
        return False
    assert isinstance(value, PacketInfo)
    return {"addr": value.address, "ifindex": value.interface}


_Handler = TypeVar("_Handler")


def _add(
    table: dict[tuple[int, int], tuple[_Handler, Option]], member: Option | None, handler: _Handler
) -> None:
    """File ``handler`` for ``member`` (absent on this OS: nothing to file)."""
    # Keyed by (level, number): option numbers collide across levels.
    if member is not None:
        table[(int(member.level), int(member))] = (handler, member)


_Getter = Callable[[str, Socket, Option], Any]
_GETTERS: Final[dict[tuple[int, int], tuple[_Getter, Option]]] = {}


def _add_getter(member: Option | None, getter: _Getter) -> None:
    _add(_GETTERS, member, getter)


_add_getter(SocketOption.LINGER, _get_linger)
_add_getter(SocketOption.RCVTIMEO, _get_timeout)
_add_getter(SocketOption.SNDTIMEO, _get_timeout)
_add_getter(_member(SocketOption, "MEMINFO"), _get_meminfo)
_add_getter(_member(SocketOption, "BINDTODEVICE"), _get_plain)
_add_getter(_member(TCPOption, "CONGESTION"), _get_congestion)
_add_getter(IPOption.MULTICAST_IF, _get_plain)
_add_getter(_member(IPv6Option, "PKTINFO"), _get_pktinfo)


def get_option(function: str, sock: Socket, level: int, option: int) -> Any:
    """``socket_get_option``: an ``int``, a PHP-shaped dict, or ``False`` (warned)."""
    entry = _GETTERS.get((level, option))
    if entry is not None:
        getter, member = entry
        return getter(function, sock, member)
    try:
        return sock.get_option_raw(level, option)
    except SocketClosedError:
        raise closed_error(function) from None
    except SocketError as exc:
        fail(function, M.GET_OPTION_FAILED, exc.errno, sock)
        return False


# --------------------------------------------------------------------- setters


def _set_linger(function: str, sock: Socket, member: Option, value: object) -> bool:
    array = _as_array(value)
    _require_keys(function, array, "l_onoff", "l_linger")
    # PHP 8.2 casts both to unsigned short (70000 -> 4464); refuse what it would truncate.
    onoff = _key_in_range(function, "l_onoff", php_int(array["l_onoff"]), 0, _USHORT_MAX)
    seconds = _key_in_range(function, "l_linger", php_int(array["l_linger"]), 0, _USHORT_MAX)
    return _set_typed(function, sock, member, Linger(bool(onoff), seconds))


def _set_timeout(function: str, sock: Socket, member: Option, value: object) -> bool:
    array = _as_array(value)
    _require_keys(function, array, "sec", "usec")
    seconds = php_int(array["sec"])
    micros = php_int(array["usec"])
    if (0 <= seconds <= INT_MAX and 0 <= micros <= 999_999) or sys.platform == "win32":
        seconds = _key_in_range(function, "sec", seconds, 0, INT_MAX)
        micros = _key_in_range(function, "usec", micros, 0, 999_999)
        return _set_typed(function, sock, member, seconds + micros / 1_000_000)
    # PHP hands any timeval to the kernel, which refuses usec outside 0-999999 with
    # EDOM and reads a negative time as zero: so does compat.
    seconds = _key_in_range(function, "sec", seconds, LONG_MIN, LONG_MAX)
    micros = _key_in_range(function, "usec", micros, LONG_MIN, LONG_MAX)
    level, option = int(member.level), int(member.value)
    return _set_raw(function, sock, level, option, TIMEVAL.pack(seconds, micros))


def _set_name(function: str, sock: Socket, member: Option, value: object) -> bool:
    # PHP passes a string as it is and anything else as "".
    name = php_string(value) if isinstance(value, (str, bytes, bytearray)) else ""
    if "\0" in name:
        raise ValueError(arg_error(function, 4, "value", M.NO_NULL_BYTES))
    if len(name.encode()) >= _NAME_BUFFER:
        text = M.STRING_TOO_LONG.format(limit=_NAME_BUFFER)
        raise ValueError(arg_error(function, 4, "value", text))
    return _set_typed(function, sock, member, name)


def interface_index(function: str, value: object) -> int | None:
    """PHP's ``php_get_if_index_from_zval``: an index, or a name looked up (warns if none)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= _UINT_MAX:
            raise ValueError(M.INDEX_RANGE)
        return int(value)
    name = php_string(value)
    try:
        return _s.if_nametoindex(name)
    except (OSError, ValueError):
        warn(function, M.NO_SUCH_INTERFACE.format(name=name))
        return None


def _set_ip_multicast_if(function: str, sock: Socket, member: Option, value: object) -> bool:
    index = interface_index(function, value)
    if index is None:
        return False
    try:
        sock.set_option(member, index)
    except SocketClosedError:
        raise closed_error(function) from None
    except SocketError as exc:
        if index and exc.errno in (_errno.ENODEV, _errno.EADDRNOTAVAIL):
            # No interface has that index.  PHP looks the index up first (ENODEV) and
            # reports the lookup, recording nothing.
            warn(function, M.INTERFACE_ADDRESS_FAILED.format(index=index, errno=_errno.ENODEV))
        else:
            fail(function, M.SET_OPTION_FAILED, exc.errno, sock)
        return False
    return True


def _set_ipv6_multicast_if(function: str, sock: Socket, member: Option, value: object) -> bool:
    index = interface_index(function, value)
    if index is None:
        return False
    return _set_typed(function, sock, member, index)


def _set_loop(function: str, sock: Socket, member: Option, value: object) -> bool:
    return _set_typed(function, sock, member, php_bool(value))


def _set_ttl(function: str, sock: Socket, member: Option, value: object) -> bool:
    return _set_typed(function, sock, member, _value_in_range(function, php_int(value), 0, 255))


def _set_hops(function: str, sock: Socket, member: Option, value: object) -> bool:
    return _set_typed(function, sock, member, _value_in_range(function, php_int(value), -1, 255))


def _group_address(function: str, sock: Socket, array: Mapping[Any, Any], key: str) -> str | None:
    """PHP's ``php_get_address_from_array``: the key is required, its value is resolved."""
    if key not in array:
        raise ValueError(M.NO_KEY_IN_OPTVAL.format(key=key))
    text = php_string(array[key])
    family = int(sock.family)
    if family not in (_AF_INET, _AF_INET6):
        warn(function, M.UNEXPECTED_SOCKET_TYPE)
        return None
    resolved = resolve(function, sock, text, family)
    return None if resolved is None else resolved[0]


def _set_group(
    function: str, sock: Socket, target: tuple[int, int], value: object, name: str
) -> bool:
    level, option = target
    array = _as_array(value)
    group = _group_address(function, sock, array, "group")
    if group is None:
        return False
    source = None
    if "SOURCE" in name:
        source = _group_address(function, sock, array, "source")
        if source is None:
            return False
    index = interface_index(function, array["interface"]) if "interface" in array else 0
    if index is None:
        return False
    request: GroupRequest | SourceGroupRequest
    if source is None:
        request = GroupRequest(group, index)
    else:
        request = SourceGroupRequest(group, source, index)
    # The group's family picks the request layout; PHP sends it at the level it was given.
    member: Option = getattr(IPv6Option if ":" in group else IPOption, name)
    if int(member.level) == level:
        return _set_typed(function, sock, member, request)
    return _set_raw(function, sock, level, option, member.codec.encode(request))


def _pktinfo_failed(function: str, path: str, reason: str) -> bool:
    warn(function, M.CONVERSION_FAILED.format(path=path, reason=reason))
    return False


def _set_pktinfo(function: str, sock: Socket, member: Option, value: object) -> bool:
    array = _php_array(value)
    if array is None:
        return _pktinfo_failed(function, "in6_pktinfo", M.EXPECTED_ARRAY)
    if "addr" not in array:
        return _pktinfo_failed(function, "in6_pktinfo", M.KEY_REQUIRED.format(key="addr"))
    text = php_string(array["addr"])
    resolved = resolve(function, sock, text, _AF_INET6)
    if resolved is None:
        reason = M.UNRESOLVABLE_INET6.format(address=text)
        return _pktinfo_failed(function, "in6_pktinfo > addr", reason)
    if "ifindex" not in array:
        return _pktinfo_failed(function, "in6_pktinfo", M.KEY_REQUIRED.format(key="ifindex"))
    index = php_int(array["ifindex"])
    if not 0 <= index <= _UINT_MAX:
        raise ValueError(M.INDEX_RANGE)
    return _set_typed(function, sock, member, PacketInfo(resolved[0], index))


_Setter = Callable[[str, Socket, Option, object], bool]
_SETTERS: Final[dict[tuple[int, int], tuple[_Setter, Option]]] = {}


def _add_setter(member: Option | None, setter: _Setter) -> None:
    _add(_SETTERS, member, setter)


_add_setter(SocketOption.LINGER, _set_linger)
_add_setter(SocketOption.RCVTIMEO, _set_timeout)
_add_setter(SocketOption.SNDTIMEO, _set_timeout)
_add_setter(_member(SocketOption, "BINDTODEVICE"), _set_name)
_add_setter(_member(TCPOption, "CONGESTION"), _set_name)
_add_setter(IPOption.MULTICAST_IF, _set_ip_multicast_if)
_add_setter(IPOption.MULTICAST_LOOP, _set_loop)
_add_setter(IPOption.MULTICAST_TTL, _set_ttl)
_add_setter(IPv6Option.MULTICAST_IF, _set_ipv6_multicast_if)
_add_setter(IPv6Option.MULTICAST_LOOP, _set_loop)
_add_setter(IPv6Option.MULTICAST_HOPS, _set_hops)
_add_setter(_member(IPv6Option, "PKTINFO"), _set_pktinfo)

# MCAST_* have the same numbers at both IP levels; the request's family picks the layout.
_MCAST: Final[dict[int, str]] = {
    int(member): member.name for member in IPOption if member.name.startswith("MCAST_")
}


def set_option(function: str, sock: Socket, level: int, option: int, value: object) -> bool:
    """``socket_set_option``: ``True``, or ``False`` after PHP's warning."""
    if level in (_IPPROTO_IP, _IPPROTO_IPV6) and option in _MCAST:
        return _set_group(function, sock, (level, option), value, _MCAST[option])
    entry = _SETTERS.get((level, option))
    if entry is not None:
        setter, member = entry
        return setter(function, sock, member, value)
    number = php_int(value)
    if not INT_MIN <= number <= INT_MAX:
        # PHP 8.2 keeps the low 32 bits; refuse what it would truncate.
        text = M.BETWEEN.format(low=INT_MIN, high=INT_MAX)
        raise ValueError(arg_error(function, 4, "value", text))
    return _set_raw(function, sock, level, option, number)
