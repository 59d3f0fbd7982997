"""Host strings as PHP's sockets extension reads them (``sockaddr_conv.c``).

PHP takes a numeric address as it is and looks anything else up: ``gethostbyname``
for an ``AF_INET`` socket, ``getaddrinfo`` with ``AI_V4MAPPED | AI_ADDRCONFIG`` for
an ``AF_INET6`` socket (so an IPv4 address or name reaches an IPv6 socket as
``::ffff:a.b.c.d``).  A failed lookup is recorded as ``-10000 - h_errno`` and warned
as ``Host lookup failed [-10001]: Unknown host``.

sockkit looks names up through its one resolver (``sockkit._resolve``, which
``sockkit.addrinfo.set_resolver`` can replace) and derives
``h_errno`` from the resolver's answer.  (PHP 8.2's ``AF_INET`` path calls
``gethostbyname_r``, which does not set the thread's ``h_errno``; PHP then records
whatever an earlier lookup left there, often ``-10000``.  sockkit records the code of
this lookup instead.)
"""

from __future__ import annotations

import socket as _s
from typing import Final

from sockkit import _resolve
from sockkit._checks import is_numeric_host
from sockkit.compat import _messages as M
from sockkit.compat._state import fail, warn
from sockkit.errors import LookupFailed
from sockkit.socket import Socket

__all__ = ["H_ERRNO", "resolve", "scope_index"]

_AF_INET: Final = int(_s.AF_INET)
_AF_INET6: Final = int(_s.AF_INET6)
_MAXFQDNLEN: Final = 255
_HOST_NOT_FOUND: Final = 1
_TRY_AGAIN: Final = 2
_NO_RECOVERY: Final = 3
_NO_DATA: Final = 4

H_ERRNO: Final[dict[int, int]] = {
    code: h_errno
    for name, h_errno in (
        ("EAI_NONAME", _HOST_NOT_FOUND),
        ("EAI_AGAIN", _TRY_AGAIN),
        ("EAI_FAIL", _NO_RECOVERY),
        ("EAI_NODATA", _NO_DATA),
        ("EAI_ADDRFAMILY", _NO_DATA),
    )
    if (code := getattr(_s, name, None)) is not None
}
"""``getaddrinfo`` error codes of this OS -> the ``h_errno`` value ``gethostbyname`` reports."""


def _lookup(host: str, family: int) -> tuple[str | None, int]:
    """Resolve a name: ``(address, 0)`` or ``(None, h_errno)``.  No exception escapes."""
    if not host or len(host) > _MAXFQDNLEN or "\0" in host:
        # glibc refuses these without a query; the empty name reads as NO_RECOVERY.
        return None, _NO_RECOVERY if not host else _HOST_NOT_FOUND
    flags = 0
    if family == _AF_INET6:
        flags = getattr(_s, "AI_V4MAPPED", 0) | getattr(_s, "AI_ADDRCONFIG", 0)
    try:
        results = _resolve.getaddrinfo(host, None, family, _s.SOCK_STREAM, 0, flags)
    except LookupFailed as exc:
        return None, H_ERRNO.get(exc.eai_code, _NO_RECOVERY)
    except (UnicodeError, ValueError):
        # A name the IDNA codec cannot encode (an empty label, a label over 63
        # characters) is no name at all.
        return None, _HOST_NOT_FOUND
    for result in results:
        if result[0] == family:
            return str(result[4][0]).partition("%")[0], 0
    return None, _NO_DATA


def scope_index(function: str, scope: str) -> int:
    """An IPv6 ``%scope``: a number, or an interface name (0, with PHP's warning, if none)."""
    if scope.isascii() and scope.isdigit():
        number = int(scope)
        return number if 0 < number <= 0xFFFFFFFF else 0
    try:
        return _s.if_nametoindex(scope)
    except (OSError, ValueError):
        warn(function, M.NO_SUCH_INTERFACE.format(name=scope))
        return 0


def resolve(function: str, sock: Socket | None, host: str, family: int) -> tuple[str, int] | None:
    """Turn ``host`` into a numeric address of ``family``, as PHP does.

    Returns ``(address, scope_id)``; on failure records ``-10000 - h_errno`` (on
    ``sock`` and the thread), warns ``Host lookup failed [...]`` and returns ``None``.
    """
    if family == _AF_INET:
        if is_numeric_host(_AF_INET, host):
            return host, 0
        address, h_errno = _lookup(host, _AF_INET)
        if address is None:
            fail(function, M.HOST_LOOKUP_FAILED, -10000 - h_errno, sock)
            return None
        return address, 0
    literal, percent, scope = host.partition("%")
    scope_id = scope_index(function, scope) if percent else 0
    if is_numeric_host(_AF_INET6, literal):
        return literal, scope_id
    address, h_errno = _lookup(literal, _AF_INET6)
    if address is None:
        fail(function, M.HOST_LOOKUP_FAILED, -10000 - h_errno, sock)
        return None
    return address, scope_id
