"""Typed socket addresses: parse, validate, format.

Three immutable address types mirror what Python's :mod:`socket` module uses:

* `InetAddress` -- ``(host, port)`` for ``AF_INET``;
* `Inet6Address` -- ``(host, port, flowinfo, scope_id)`` for ``AF_INET6``;
* `UnixAddress` -- a filesystem path (``str``) or a Linux abstract name
  (``bytes`` starting with ``b"\\0"``) for ``AF_UNIX``. An unnamed Unix peer is
  ``None``.

Every check happens in the constructor, so an address that exists is valid.
The module-level functions translate between these types and the plain values
Python's socket module takes and returns:

* `parse_address` -- anything a user may pass, checked against a family;
* `to_sockaddr` -- the fast path used by ``bind``/``connect``/``sendto``;
* `from_sockaddr` -- the fast path used on ``getsockname``/``recvfrom``/...;
* `format_address` -- display for error messages.

Example:
    >>> import socket
    >>> parse_address(socket.AF_INET, "127.0.0.1:80")
    InetAddress(host='127.0.0.1', port=80)
    >>> str(Inet6Address("fe80::1", 80, scope_id=2))
    '[fe80::1%2]:80'
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar, Final, Literal, TypeAlias, TypeVar, overload

import attrs

from sockkit._checks import MAX_PORT, check_int, is_numeric_host, type_name
from sockkit._platform import SUN_PATH_SIZE

if TYPE_CHECKING:
    from collections.abc import Callable

    from typing_extensions import SupportsIndex

_T = TypeVar("_T")

__all__ = [
    "UNIX_PATH_MAX",
    "Address",
    "Inet6Address",
    "InetAddress",
    "SockAddr",
    "UnixAddress",
    "format_address",
    "from_sockaddr",
    "parse_address",
    "to_sockaddr",
]

# ---------------------------------------------------------------------------
# Platform numbers (the one place they live)
# ---------------------------------------------------------------------------

_PLATFORM: Final = sys.platform.rstrip("0123456789")

#: Size of ``sockaddr_un.sun_path`` on this platform (108 on Linux, 104 on
#: macOS and the BSDs). A filesystem path may use ``UNIX_PATH_MAX - 1`` bytes
#: (room for the terminating NUL); a Linux abstract name may use all of it,
#: counting its leading NUL.
UNIX_PATH_MAX: Final[int] = SUN_PATH_SIZE

# Abstract Unix names (leading NUL) are a Linux feature.
_HAS_ABSTRACT: Final = _PLATFORM == "linux"
_FS_PATH_LIMIT: Final = UNIX_PATH_MAX - 1
_ABSTRACT_LIMIT: Final = UNIX_PATH_MAX

# Hot-path constants: plain ints, so comparisons never touch the enum machinery.
_AF_INET: Final[int] = int(socket.AF_INET)
_AF_INET6: Final[int] = int(socket.AF_INET6)
_AF_UNIX: Final[int] = int(getattr(socket, "AF_UNIX", 1))
_FAMILY_AF_INET: Final = socket.AF_INET
_FAMILY_AF_INET6: Final = socket.AF_INET6
_FAMILY_AF_UNIX: Final = socket.AddressFamily(_AF_UNIX)
_DIGITS: Final = "0123456789"
_MAX_FLOWINFO: Final = 2**20 - 1
_MAX_SCOPE_ID: Final = 2**32 - 1
_inet_pton: Final = socket.inet_pton

# ---------------------------------------------------------------------------
# Converters (type checks + range checks; run by the attrs constructors)
# ---------------------------------------------------------------------------


def _convert_host(value: str) -> str:
    if type(value) is not str:
        if not isinstance(value, str):
            raise TypeError(f"host must be a str, got {type_name(value)}")
        return str(value)
    return value


def _convert_port(value: int) -> int:
    return check_int(value, "port", 0, MAX_PORT)


def _convert_flowinfo(value: int) -> int:
    return check_int(value, "flowinfo", 0, _MAX_FLOWINFO)


def _convert_scope_id(value: int) -> int:
    return check_int(value, "scope_id", 0, _MAX_SCOPE_ID)


def _convert_unix_path(value: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str | bytes:
    path: object = value
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if isinstance(path, str):
        if path.startswith("\0"):
            return os.fsencode(path)
        return str(path)
    if isinstance(path, bytes):
        if path.startswith(b"\0"):
            return bytes(path)
        return os.fsdecode(path)
    raise TypeError(f"Unix socket path must be str, bytes or os.PathLike, got {type_name(path)}")


def _unix_path_problem(path: str | bytes) -> str | None:
    """What is wrong with *path* (already normalised) for a sockaddr_un, or ``None``.

    The one rule for Unix paths: the attrs validator and the fast path of
    `to_sockaddr` both ask it.
    """
    if isinstance(path, bytes):  # abstract: starts with NUL, may contain NULs
        if not _HAS_ABSTRACT:
            return "abstract Unix socket names (leading NUL) are only available on Linux"
        if len(path) > _ABSTRACT_LIMIT:
            return (
                f"abstract Unix socket name is {len(path)} bytes (with the leading NUL); "
                f"the limit is {_ABSTRACT_LIMIT}"
            )
        return None
    if not path:
        return "Unix socket path must not be empty"
    if "\0" in path:
        return f"Unix socket path contains a NUL character: {path!r}"
    size = len(path) if path.isascii() else len(os.fsencode(path))
    if size > _FS_PATH_LIMIT:
        return f"Unix socket path is {size} bytes; the limit is {_FS_PATH_LIMIT}"
    return None


def _check_unix_path(path: str | bytes) -> None:
    """Raise ValueError unless *path* (already normalised) fits in a sockaddr_un."""
    problem = _unix_path_problem(path)
    if problem is not None:
        raise ValueError(problem)


def _validate_unix_path(_instance: object, _attribute: object, value: str | bytes) -> None:
    _check_unix_path(value)


# ---------------------------------------------------------------------------
# Address types
# ---------------------------------------------------------------------------


@attrs.frozen
class InetAddress:
    """An IPv4 socket address, unpackable like Python's ``(host, port)`` tuple.

    The host is not required to be numeric: a host name is allowed in an
    address used for a ``connect`` that looks names up. `parse_address`
    applies the per-family checks.

    Args:
        host: A dotted-quad IPv4 address, ``""`` (``INADDR_ANY``),
            ``"<broadcast>"``, or a host name.
        port: The port, 0-65535.

    Raises:
        TypeError: ``host`` is not a ``str`` or ``port`` is not an ``int``
            (``bool`` is rejected).
        ValueError: ``port`` is outside 0-65535.

    Example:
        >>> addr = InetAddress("127.0.0.1", 80)
        >>> host, port = addr
        >>> str(addr), addr.to_sockaddr()
        ('127.0.0.1:80', ('127.0.0.1', 80))
    """

    #: Always ``socket.AF_INET``.
    family: ClassVar[socket.AddressFamily] = _FAMILY_AF_INET

    host: str = attrs.field(converter=_convert_host)
    port: int = attrs.field(converter=_convert_port)

    def to_sockaddr(self) -> tuple[str, int]:
        """Return the ``(host, port)`` tuple Python's socket module accepts.

        Example:
            >>> InetAddress("127.0.0.1", 80).to_sockaddr()
            ('127.0.0.1', 80)
        """
        return (self.host, self.port)

    def __iter__(self) -> Iterator[str | int]:
        return iter((self.host, self.port))

    def __len__(self) -> int:
        return 2

    @overload
    def __getitem__(self, index: SupportsIndex) -> str | int: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str | int, ...]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> str | int | tuple[str | int, ...]:
        return (self.host, self.port)[index]

    def __str__(self) -> str:
        return f"{self.host or '0.0.0.0'}:{self.port}"


@attrs.frozen
class Inet6Address:
    """An IPv6 socket address, unpackable like Python's 4-tuple.

    ``host, port, flowinfo, scope_id = addr`` works as with the tuples
    Python's socket module returns for ``AF_INET6``.

    Args:
        host: An IPv6 address, ``""`` (``in6addr_any``), or a host name.
        port: The port, 0-65535.
        flowinfo: The flow label, 0 to 2**20-1.
        scope_id: The scope (interface index) of a link-local address,
            0 to 2**32-1.

    Raises:
        TypeError: ``host`` is not a ``str`` or a number is not an ``int``.
        ValueError: A number is out of range.

    Example:
        >>> str(Inet6Address("::1", 80))
        '[::1]:80'
        >>> str(Inet6Address("fe80::1", 80, scope_id=2))
        '[fe80::1%2]:80'
    """

    #: Always ``socket.AF_INET6``.
    family: ClassVar[socket.AddressFamily] = _FAMILY_AF_INET6

    host: str = attrs.field(converter=_convert_host)
    port: int = attrs.field(converter=_convert_port)
    flowinfo: int = attrs.field(default=0, converter=_convert_flowinfo)
    scope_id: int = attrs.field(default=0, converter=_convert_scope_id)

    def to_sockaddr(self) -> tuple[str, int, int, int]:
        """Return the ``(host, port, flowinfo, scope_id)`` tuple for Python's socket module.

        Example:
            >>> Inet6Address("::1", 80).to_sockaddr()
            ('::1', 80, 0, 0)
        """
        return (self.host, self.port, self.flowinfo, self.scope_id)

    def __iter__(self) -> Iterator[str | int]:
        return iter((self.host, self.port, self.flowinfo, self.scope_id))

    def __len__(self) -> int:
        return 4

    @overload
    def __getitem__(self, index: SupportsIndex) -> str | int: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str | int, ...]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> str | int | tuple[str | int, ...]:
        return (self.host, self.port, self.flowinfo, self.scope_id)[index]

    def __str__(self) -> str:
        host = self.host or "::"
        if self.scope_id and "%" not in host:
            host = f"{host}%{self.scope_id}"
        return f"[{host}]:{self.port}"


@attrs.frozen
class UnixAddress:
    """A Unix-domain socket address: a filesystem path or a Linux abstract name.

    The path is normalised as Python's socket module returns it: a filesystem
    path is a ``str`` (``bytes`` and ``os.PathLike`` are decoded with
    ``os.fsdecode``), an abstract name is ``bytes`` starting with
    ``b"\\0"`` (a ``str`` starting with ``"\\0"`` is encoded with
    ``os.fsencode``).

    Args:
        path: A filesystem path (``str``, ``bytes`` or ``os.PathLike``) or an
            abstract name starting with a NUL.

    Raises:
        TypeError: ``path`` is not ``str``, ``bytes`` or ``os.PathLike``.
        ValueError: The path is empty, contains a NUL, or is too long
            (a filesystem path may have ``UNIX_PATH_MAX - 1`` bytes once
            encoded, an abstract name ``UNIX_PATH_MAX`` bytes with its leading
            NUL), or the name is abstract on a platform without abstract names.

    Example:
        >>> UnixAddress(b"/run/app.sock").path
        '/run/app.sock'
        >>> addr = UnixAddress("\\0app")
        >>> addr.path, addr.abstract, str(addr)
        (b'\\x00app', True, '@app')
    """

    #: Always ``socket.AF_UNIX``.
    family: ClassVar[socket.AddressFamily] = _FAMILY_AF_UNIX

    path: str | bytes = attrs.field(converter=_convert_unix_path, validator=_validate_unix_path)

    @property
    def abstract(self) -> bool:
        """Whether this is a Linux abstract name (``path`` is ``bytes`` starting with NUL)."""
        return isinstance(self.path, bytes)

    def to_sockaddr(self) -> str | bytes:
        """Return the path as Python's socket module accepts it.

        Example:
            >>> UnixAddress("/tmp/app.sock").to_sockaddr()
            '/tmp/app.sock'
        """
        return self.path

    def __str__(self) -> str:
        return _format_unix(self.path)


#: Any typed socket address.
Address: TypeAlias = InetAddress | Inet6Address | UnixAddress

#: What Python's socket module accepts and returns as an address.
SockAddr: TypeAlias = tuple[str, int] | tuple[str, int, int, int] | str | bytes

# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------


def _escape_char(char: str) -> str:
    return char if char.isprintable() else char.encode("unicode_escape").decode("ascii")


def _format_unix(path: str | bytes | None) -> str:
    if not path:
        return "<unnamed>"
    if isinstance(path, bytes):
        if path.startswith(b"\0"):
            text = path[1:].decode("utf-8", "backslashreplace")
            return "@" + "".join(map(_escape_char, text))
        return os.fsdecode(path)
    if path.startswith("\0"):  # an abstract name given as str (compat does this)
        return "@" + "".join(map(_escape_char, path[1:]))
    return path


def _format_inet(host: object, port: object, scope_id: object = 0) -> str:
    text = str(host)
    if ":" in text or scope_id:
        if scope_id and "%" not in text:
            text = f"{text}%{scope_id}"
        return f"[{text}]:{port}"
    return f"{text}:{port}"


def format_address(value: object) -> str:
    """Format an address for display, typically in an error message.

    Accepts typed addresses and the plain values Python's socket module uses:
    ``(host, port)`` and ``(host, port, flowinfo, scope_id)`` tuples, Unix
    paths (``str``/``bytes``/``os.PathLike``) and ``None`` (an unnamed Unix
    peer). Never raises: anything else is shown with ``repr``.

    Args:
        value: The address to format.

    Returns:
        ``"127.0.0.1:80"``, ``"[::1]:80"``, ``"[fe80::1%2]:80"``,
        ``"/path"``, ``"@name"`` (abstract) or ``"<unnamed>"``.

    Example:
        >>> format_address(("::1", 80, 0, 0))
        '[::1]:80'
        >>> format_address(None)
        '<unnamed>'
    """
    if isinstance(value, (InetAddress, Inet6Address, UnixAddress)):
        return str(value)
    if value is None:
        return "<unnamed>"
    if type(value) is tuple and 2 <= len(value) <= 4:
        scope = value[3] if len(value) == 4 else 0
        return _format_inet(value[0], value[1], scope)
    if isinstance(value, (str, bytes)):
        return _format_unix(value)
    if isinstance(value, os.PathLike):
        try:
            return _format_unix(os.fspath(value))
        except Exception:
            return repr(value)
    return repr(value)


# ---------------------------------------------------------------------------
# Host checks
# ---------------------------------------------------------------------------


def _resolve_scope(scope: str, text: str) -> int:
    if not scope:
        raise ValueError(f"empty scope after '%' in {text!r}")
    if scope.isascii() and scope.isdigit():
        return check_int(int(scope), "scope_id", 0, _MAX_SCOPE_ID)
    try:
        return socket.if_nametoindex(scope)
    except (OSError, ValueError):
        raise ValueError(f"unknown network interface {scope!r} in {text!r}") from None


def _inet_host_problem(host: str, numeric: bool) -> str | None:
    """What makes *host* unusable on an AF_INET socket, or ``None``.

    The one rule for IPv4 hosts: `parse_address` and the fast path of
    `to_sockaddr` both ask it. Cheapest tests first: a name costs no ``inet_pton``.
    """
    if not host or host == "<broadcast>":
        return None
    if "\0" in host:
        return f"host contains a NUL character: {host!r}"
    if ":" in host:
        if is_numeric_host(_AF_INET6, host.partition("%")[0]):
            return f"AF_INET socket cannot use an IPv6 address: {host!r}; use an AF_INET6 socket"
        return f"host {host!r} is neither an IPv4 address nor a host name"
    ends_in_digit = host[-1] in _DIGITS  # an IPv4 literal always does
    if ends_in_digit and is_numeric_host(_AF_INET, host):
        return None
    if numeric:
        return f"host {host!r} is not a numeric IPv4 address (no lookup is done)"
    if ends_in_digit:
        # RFC 1123 2.1: a host name never ends in an all-numeric label, so this
        # was meant as an address; letting it through would send a DNS query.
        return f"host {host!r} is not a valid IPv4 address"
    return None


def _inet6_host_problem(host: str, numeric: bool) -> str | None:
    """What makes *host* (without ``%scope``) unusable on an AF_INET6 socket, or ``None``.

    The one rule for IPv6 hosts, as `_inet_host_problem` is for IPv4.
    """
    if not host:
        return None
    if "\0" in host:
        return f"host contains a NUL character: {host!r}"
    if ":" in host:  # an IPv6 literal always has one
        if is_numeric_host(_AF_INET6, host):
            return None
        return f"host {host!r} is neither an IPv6 address nor a host name"
    ends_in_digit = host[-1] in _DIGITS
    if ends_in_digit and is_numeric_host(_AF_INET, host):
        return (
            f"AF_INET6 socket cannot use an IPv4 address: {host!r}; "
            f"use the IPv4-mapped '::ffff:{host}' or an AF_INET socket"
        )
    if host == "<broadcast>":
        return "'<broadcast>' is only valid on an AF_INET socket"
    if numeric:
        return f"host {host!r} is not a numeric IPv6 address (no lookup is done)"
    if ends_in_digit:
        return f"host {host!r} is not a valid IPv6 address"
    return None


def _check_inet_host(host: str, numeric: bool) -> None:
    """Raise ValueError unless *host* is usable on an AF_INET socket."""
    problem = _inet_host_problem(host, numeric)
    if problem is not None:
        raise ValueError(problem)


def _check_inet6_host(host: str, scope_id: int, numeric: bool) -> tuple[str, int]:
    """Check *host* for an AF_INET6 socket; return it without ``%scope`` and the scope id."""
    if "%" in host and "\0" not in host:
        literal, _, scope = host.partition("%")
        if not is_numeric_host(_AF_INET6, literal):
            raise ValueError(f"host {host!r}: a %scope needs an IPv6 address before it")
        found = _resolve_scope(scope, host)
        if scope_id and scope_id != found:
            raise ValueError(
                f"host {host!r} names scope {found} but scope_id is {scope_id}; give one"
            )
        return literal, found
    problem = _inet6_host_problem(host, numeric)
    if problem is not None:
        raise ValueError(problem)
    return host, scope_id


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def _family_name(family: int) -> str:
    try:
        return socket.AddressFamily(family).name
    except ValueError:
        return str(family)


def _check_family(family: object) -> int:
    if isinstance(family, bool) or not isinstance(family, int):
        raise TypeError(f"family must be an int (AddressFamily), got {type_name(family)}")
    if family in (_AF_INET, _AF_INET6, _AF_UNIX):
        return int(family)
    raise ValueError(
        f"unsupported address family {family} ({_family_name(family)}); "
        "addresses are supported for AF_INET, AF_INET6 and AF_UNIX"
    )


def _split_host_port(text: str) -> tuple[str, str]:
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"missing ']' in address {text!r}")
        host, rest = text[1:end], text[end + 1 :]
        if not rest.startswith(":"):
            raise ValueError(f"address must be '[host]:port', got {text!r}")
        return host, rest[1:]
    host, sep, port = text.rpartition(":")
    if not sep:
        raise ValueError(f"address must be 'host:port', got {text!r}")
    if ":" in host:
        raise ValueError(f"an IPv6 address with a port must be written '[host]:port', got {text!r}")
    return host, port


def _parse_port_text(port: str, text: str) -> int:
    if not (port.isascii() and port.isdigit()) or len(port) > 5:
        raise ValueError(f"port must be a number 0-{MAX_PORT}, got {port!r} in {text!r}")
    return check_int(int(port), "port", 0, MAX_PORT)


def _mismatch(family: int, value: Address) -> ValueError:
    kind = {
        InetAddress: "an IPv4 address",
        Inet6Address: "an IPv6 address",
        UnixAddress: "a Unix address",
    }[type(value)]
    return ValueError(f"{_family_name(family)} socket cannot use {kind}: {value}")


def _parse_inet(value: object, numeric: bool) -> InetAddress:
    if isinstance(value, InetAddress):
        _check_inet_host(value.host, numeric)
        return value
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ValueError(
                f"AF_INET address must be a (host, port) tuple, got a tuple of {len(value)} items"
            )
        host, port = value
        if not isinstance(host, str):
            raise TypeError(f"host must be a str, got {type_name(host)}")
        port = _convert_port(port)
    elif isinstance(value, str):
        host, port_text = _split_host_port(value)
        port = _parse_port_text(port_text, value)
    else:
        raise TypeError(
            "AF_INET address must be an InetAddress, a (host, port) tuple or a "
            f"'host:port' str, got {type_name(value)}"
        )
    _check_inet_host(host, numeric)
    return InetAddress(host, port)


def _parse_inet6(value: object, numeric: bool) -> Inet6Address:
    if isinstance(value, Inet6Address):
        host, scope_id = _check_inet6_host(value.host, value.scope_id, numeric)
        if host is value.host and scope_id == value.scope_id:
            return value
        return Inet6Address(host, value.port, value.flowinfo, scope_id)
    flowinfo = scope_id = 0
    if isinstance(value, tuple):
        if not 2 <= len(value) <= 4:
            raise ValueError(
                "AF_INET6 address must be a (host, port[, flowinfo[, scope_id]]) tuple, "
                f"got a tuple of {len(value)} items"
            )
        host, port = value[0], value[1]
        if not isinstance(host, str):
            raise TypeError(f"host must be a str, got {type_name(host)}")
        port = _convert_port(port)
        if len(value) > 2:
            flowinfo = _convert_flowinfo(value[2])
        if len(value) > 3:
            scope_id = _convert_scope_id(value[3])
    elif isinstance(value, str):
        host, port_text = _split_host_port(value)
        port = _parse_port_text(port_text, value)
    else:
        raise TypeError(
            "AF_INET6 address must be an Inet6Address, a (host, port[, flowinfo[, scope_id]]) "
            f"tuple or a '[host]:port' str, got {type_name(value)}"
        )
    host, scope_id = _check_inet6_host(host, scope_id, numeric)
    return Inet6Address(host, port, flowinfo, scope_id)


def _parse_unix(value: object) -> UnixAddress:
    if isinstance(value, UnixAddress):
        return value
    if isinstance(value, (str, bytes, os.PathLike)):
        return UnixAddress(value)
    raise TypeError(
        f"AF_UNIX address must be a UnixAddress, str, bytes or os.PathLike, got {type_name(value)}"
    )


@overload
def parse_address(
    family: Literal[socket.AddressFamily.AF_INET], value: object, *, numeric: bool = False
) -> InetAddress: ...
@overload
def parse_address(
    family: Literal[socket.AddressFamily.AF_INET6], value: object, *, numeric: bool = False
) -> Inet6Address: ...
@overload
def parse_address(
    family: Literal[socket.AddressFamily.AF_UNIX], value: object, *, numeric: bool = False
) -> UnixAddress: ...
@overload
def parse_address(family: int, value: object, *, numeric: bool = False) -> Address: ...
def parse_address(family: int, value: object, *, numeric: bool = False) -> Address:
    """Turn anything a user may pass as an address into a typed, checked address.

    Accepted values per family:

    * ``AF_INET``: an `InetAddress`, a ``(host, port)`` tuple, or a
      ``"host:port"`` string.
    * ``AF_INET6``: an `Inet6Address`, a tuple of 2 to 4 items
      ``(host, port[, flowinfo[, scope_id]])``, or a ``"[host]:port"`` string
      (``"name:port"`` for a host name). An IPv6 literal may carry ``%scope``,
      an interface index or name; it is moved to ``scope_id``.
    * ``AF_UNIX``: a `UnixAddress`, ``str``, ``bytes`` or ``os.PathLike``.

    ``host == ""`` means the wildcard address, as in Python's socket module.
    A host name is passed through for the OS to resolve, unless *numeric*.

    Args:
        family: ``AF_INET``, ``AF_INET6`` or ``AF_UNIX`` (an ``int`` or
            ``AddressFamily``).
        value: The address.
        numeric: Require a numeric host (no name lookup will happen).

    Returns:
        An `InetAddress`, `Inet6Address` or `UnixAddress`.

    Raises:
        TypeError: *value* (or one of its items) has the wrong type, or
            *family* is not an int.
        ValueError: An unsupported family; a typed address of another family;
            a port, flowinfo or scope id out of range; a tuple of the wrong
            length; a literal of the other IP family (IPv6 on ``AF_INET``,
            IPv4 on ``AF_INET6`` -- use ``::ffff:a.b.c.d``); a host that is
            not numeric with *numeric*; an unknown scope interface; an
            invalid Unix path.

    Example:
        >>> import socket
        >>> parse_address(socket.AF_INET6, "[fe80::1%1]:80")
        Inet6Address(host='fe80::1', port=80, flowinfo=0, scope_id=1)
        >>> parse_address(socket.AF_INET, ("::1", 80))
        Traceback (most recent call last):
        ...
        ValueError: AF_INET socket cannot use an IPv6 address: '::1'; use an AF_INET6 socket
    """
    fam = _check_family(family)
    if fam == _AF_INET:
        if isinstance(value, (Inet6Address, UnixAddress)):
            raise _mismatch(fam, value)
        return _parse_inet(value, numeric)
    if fam == _AF_INET6:
        if isinstance(value, (InetAddress, UnixAddress)):
            raise _mismatch(fam, value)
        return _parse_inet6(value, numeric)
    if isinstance(value, (InetAddress, Inet6Address)):
        raise _mismatch(fam, value)
    return _parse_unix(value)


# ---------------------------------------------------------------------------
# Fast paths
# ---------------------------------------------------------------------------


# Hosts the fast path has judged, by family: the judgement is a function of the
# string alone, so a sendto loop to one peer asks inet_pton once, not per datagram.
# Bounded: a program that talks to many peers just judges the rest afresh.
_JUDGED: Final[dict[tuple[int, str], bool]] = {}
_JUDGED_MAX: Final = 256


def _judged(family: int, host: str, judge: Callable[[str], bool]) -> bool:
    ok = _JUDGED.get((family, host))
    if ok is None:
        ok = judge(host)
        if len(_JUDGED) < _JUDGED_MAX:
            _JUDGED[family, host] = ok
    return ok


def _inet_host_usable(host: str) -> bool:
    return _inet_host_problem(host, False) is None


def _inet6_host_usable(host: str) -> bool:
    return "%" not in host and _inet6_host_problem(host, False) is None


def _inet_host_ok(host: str) -> bool:
    return _judged(_AF_INET, host, _inet_host_usable)


def _inet6_host_ok(host: str) -> bool:
    return _judged(_AF_INET6, host, _inet6_host_usable)


def _tuple_ok(family: int, value: tuple[object, ...]) -> bool:
    """A plain tuple that is already a valid sockaddr of *family*."""
    size = len(value)
    if family == _AF_INET:
        judge: Callable[[str], bool] = _inet_host_usable
        if size != 2:
            return False
    elif family == _AF_INET6 and size in {2, 4}:
        judge = _inet6_host_usable
        if size == 4 and not _flow_scope_ok(value[2], value[3]):
            return False
    else:
        return False
    host, port = value[0], value[1]
    if type(host) is not str or type(port) is not int or not 0 <= port <= MAX_PORT:
        return False
    # _judged's table read here first: a sendto loop to one peer makes no further call.
    ok = _JUDGED.get((family, host))
    return _judged(family, host, judge) if ok is None else ok


def to_sockaddr(family: int, value: object) -> SockAddr:
    """Return *value* as Python's socket module accepts it, after validating it.

    The fast path for ``bind``/``connect``/``sendto``: a plain tuple or path
    that is already valid is returned as it is, with only type, range and
    cheap literal-family checks. The rules are those of `parse_address`
    (with ``numeric=False``); anything not on the fast path goes through it.

    Args:
        family: ``AF_INET``, ``AF_INET6`` or ``AF_UNIX``.
        value: A typed address, a tuple, a ``"host:port"`` string or a Unix path.

    Returns:
        A ``(host, port)`` or ``(host, port, flowinfo, scope_id)`` tuple, a
        ``str`` filesystem path or a ``bytes`` abstract name.

    Raises:
        TypeError: As `parse_address`.
        ValueError: As `parse_address`.

    Example:
        >>> import socket
        >>> to_sockaddr(socket.AF_INET, ("127.0.0.1", 0))
        ('127.0.0.1', 0)
        >>> to_sockaddr(socket.AF_UNIX, "\\0name")
        b'\\x00name'
    """
    if type(value) is tuple:
        if _tuple_ok(family, value):
            return value
    elif type(value) is str:
        if family == _AF_UNIX and value[:1] not in ("", "\0") and _unix_path_problem(value) is None:
            return value
    elif type(value) is InetAddress and family == _AF_INET and _inet_host_ok(value.host):
        return (value.host, value.port)
    return parse_address(family, value).to_sockaddr()


def _flow_scope_ok(flowinfo: object, scope_id: object) -> bool:
    return (
        type(flowinfo) is int
        and type(scope_id) is int
        and 0 <= flowinfo <= _MAX_FLOWINFO
        and 0 <= scope_id <= _MAX_SCOPE_ID
    )


# Typed addresses of recent senders: one table per family, keyed on the socket
# module's form of the address.  That form and the family determine the typed
# address, and typed addresses are immutable, so a receive loop converts a peer's
# address once, not per datagram.  A Socket holds its family's table, so its
# lookup builds no (family, address) key.  Bounded: a table is emptied when full,
# so it follows the peers of the moment; there is one table per address family.
_SENDERS: Final[dict[int, dict[object, Address]]] = {}
_SENDERS_MAX: Final = 256


def _senders_of(family: int) -> dict[object, Address]:
    """The table of converted sender addresses for ``family`` (made on first use)."""
    return _SENDERS.setdefault(family, {})


def _sender_address(senders: dict[object, Address], family: int, raw: object) -> Address | None:
    """`from_sockaddr` for a received sender's address, remembered for the next datagram.

    Args:
        senders: ``family``'s table, from `_senders_of`.
        family: the receiving socket's family.
        raw: the sender's address as the socket module gives it.

    Raises:
        ValueError, TypeError: as `from_sockaddr`.
    """
    address = senders.get(raw)
    if address is None:
        address = from_sockaddr(family, raw)
        if address is not None:
            if len(senders) >= _SENDERS_MAX:
                senders.clear()
            senders[raw] = address
    return address


# Trusted construction: the kernel's values are valid, so from_sockaddr skips
# the attrs converters/validators and fills the slots directly.
_new: Final[Callable[[type[_T]], _T]] = object.__new__


def _slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    setter: Callable[[object, object], None] = cls.__dict__[name].__set__
    return setter


_set_inet_host: Final = _slot_setter(InetAddress, "host")
_set_inet_port: Final = _slot_setter(InetAddress, "port")
_set_inet6_host: Final = _slot_setter(Inet6Address, "host")
_set_inet6_port: Final = _slot_setter(Inet6Address, "port")
_set_inet6_flowinfo: Final = _slot_setter(Inet6Address, "flowinfo")
_set_inet6_scope_id: Final = _slot_setter(Inet6Address, "scope_id")
_set_unix_path: Final = _slot_setter(UnixAddress, "path")


def from_sockaddr(family: int, raw: object) -> Address | None:
    """Convert an address returned by Python's socket module to a typed address.

    The fast path for ``getsockname``, ``getpeername``, ``accept`` and
    ``recvfrom``: values of the shape the socket module returns are trusted
    and wrapped without running the constructors' checks; anything else is
    checked by `parse_address`.

    Args:
        family: The socket's family: ``AF_INET``, ``AF_INET6`` or ``AF_UNIX``.
        raw: ``(host, port)`` for ``AF_INET``, ``(host, port, flowinfo,
            scope_id)`` for ``AF_INET6``, a ``str`` path or ``bytes`` abstract
            name for ``AF_UNIX``.

    Returns:
        The typed address, or ``None`` for an unnamed Unix socket (``""``,
        ``b""`` or ``None``).

    Raises:
        ValueError: *family* is not ``AF_INET``, ``AF_INET6`` or ``AF_UNIX``
            (e.g. ``AF_PACKET``), or *raw* is not a valid address.
        TypeError: *raw* has the wrong type for *family*.

    Example:
        >>> import socket
        >>> from_sockaddr(socket.AF_INET, ("127.0.0.1", 8080))
        InetAddress(host='127.0.0.1', port=8080)
        >>> from_sockaddr(socket.AF_UNIX, "") is None
        True
    """
    if type(raw) is tuple:
        if family == _AF_INET and len(raw) == 2:
            host, port = raw
            if type(host) is str and type(port) is int:
                addr = _new(InetAddress)
                _set_inet_host(addr, host)
                _set_inet_port(addr, port)
                return addr
        elif family == _AF_INET6 and len(raw) == 4:
            host6, port6, flowinfo, scope_id = raw
            if type(host6) is str and type(port6) is int:
                if scope_id and "%" in host6:  # getaddrinfo style: 'fe80::1%eth0'
                    host6 = host6.partition("%")[0]
                addr6 = _new(Inet6Address)
                _set_inet6_host(addr6, host6)
                _set_inet6_port(addr6, port6)
                _set_inet6_flowinfo(addr6, flowinfo)
                _set_inet6_scope_id(addr6, scope_id)
                return addr6
    elif family == _AF_UNIX:
        if raw is None:
            return None
        if type(raw) is str:
            if not raw:
                return None
            if raw[0] != "\0":
                unix = _new(UnixAddress)
                _set_unix_path(unix, raw)
                return unix
        elif type(raw) is bytes:
            if not raw:
                return None
            if raw[0] == 0:
                unix = _new(UnixAddress)
                _set_unix_path(unix, raw)
                return unix
    return parse_address(family, raw)
