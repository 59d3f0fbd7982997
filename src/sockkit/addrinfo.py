"""[`AddrInfo`][sockkit.addrinfo.AddrInfo]: one ``getaddrinfo`` result, and what to do with it.

``AddrInfo.lookup`` resolves a host and a service into records; a record can
make the socket it describes, connected (`connect`) or bound (`bind`), and
describe itself in the shape of PHP's ``socket_addrinfo_explain`` (`explain`).

Example:
    >>> from sockkit import AddrInfo, AddressFamily, SocketType
    >>> info = AddrInfo.lookup("127.0.0.1", "80", family=AddressFamily.INET,
    ...                        type=SocketType.STREAM)[0]
    >>> explained = info.explain()
    >>> list(explained)
    ['ai_flags', 'ai_family', 'ai_socktype', 'ai_protocol', 'ai_addr']
    >>> explained["ai_addr"]
    {'sin_port': 80, 'sin_addr': '127.0.0.1'}
"""

from __future__ import annotations

import os
import socket as _s
import sys
from typing import Any, Final, TypeAlias

import attrs

from sockkit import _resolve
from sockkit._checks import check_timeout
from sockkit._resolve import Resolver, set_resolver
from sockkit.address import Inet6Address, InetAddress, from_sockaddr
from sockkit.enums import AddressFamily, AIFlag, Protocol, SocketType
from sockkit.socket import Socket

# The resolver hook lives with the lookups it serves (sockkit._resolve, below socket.py).
__all__ = ["AddrInfo", "Explained", "Resolver", "set_resolver"]

_AF_INET: Final = int(_s.AF_INET)
_AF_INET6: Final = int(_s.AF_INET6)
_SOCK_STREAM: Final = int(_s.SOCK_STREAM)
_SOL_SOCKET: Final = _s.SOL_SOCKET
_SO_REUSEADDR: Final = _s.SO_REUSEADDR
# As in Socket.create_server: SO_REUSEADDR only where it means "rebind at once".
_REUSEADDR: Final = os.name == "posix" and sys.platform != "cygwin"

Explained: TypeAlias = "dict[str, int | str | dict[str, int | str]]"
"""What [`AddrInfo.explain`][sockkit.addrinfo.AddrInfo.explain] returns."""


def _enum_or_int(enum_type: Any, value: int) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        return int(value)


@attrs.frozen
class AddrInfo:
    """One result of a name lookup (``getaddrinfo``): how to reach one address.

    Build records with [`lookup`][sockkit.addrinfo.AddrInfo.lookup]; they are
    immutable and hashable.

    Attributes:
        family: the address family (``AddressFamily.INET`` or ``INET6``).
        type: the socket type (``SocketType.STREAM``, ``DGRAM``, ``RAW``).
        protocol: the protocol (``Protocol.TCP``, ``UDP``, or 0).
        canonname: the canonical host name (non-empty only on the first
            result of a lookup with ``AIFlag.CANONNAME``), else ``""``.
        address: the socket address, an ``InetAddress`` or ``Inet6Address``.
        flags: the ``AI_*`` flags of the lookup that produced the record.
            Python's ``getaddrinfo`` does not return a result's own
            ``ai_flags``; glibc echoes the hints' flags into every result, which
            is what PHP's ``socket_addrinfo_explain`` reports on Linux, so the
            hints' flags are stored here.

    Example:
        >>> info = AddrInfo.lookup("::1", 443, type=SocketType.STREAM)[0]
        >>> info.family, info.address
        (<AddressFamily.INET6: 10>, Inet6Address(host='::1', port=443, flowinfo=0, scope_id=0))
    """

    family: AddressFamily | int
    type: SocketType | int
    protocol: Protocol | int
    canonname: str
    address: InetAddress | Inet6Address
    flags: AIFlag | int = 0

    @classmethod
    def lookup(
        cls,
        host: str | None,
        service: str | int | None = None,
        *,
        family: int = 0,
        type: int = 0,
        protocol: int = 0,
        flags: int = 0,
    ) -> list[AddrInfo]:
        """Resolve ``host`` and ``service`` (``getaddrinfo``) into records.

        Args:
            host: a host name, a numeric address, or ``None``/``""`` for none
                (the wildcard address with ``AIFlag.PASSIVE``, else loopback).
            service: a port (``80`` or ``"80"``), a service name (``"http"``),
                or ``None``.
            family: ``AddressFamily.INET``, ``INET6``, or 0 for both.
            type: ``SocketType.STREAM``, ``DGRAM``, … or 0 for every type.
            protocol: a protocol number or 0.
            flags: ``AIFlag`` bits (``PASSIVE``, ``CANONNAME``, ``NUMERICHOST``, …).

        Returns:
            The records in the resolver's order (results of families other
            than IPv4 and IPv6 are left out, as PHP leaves out ``AF_UNSPEC``).

        Raises:
            TypeError: an argument of the wrong type.
            ValueError: no host and no service, a port outside 0-65535, or
                unknown flag bits — all before the resolver is called.
            LookupFailed: the resolver failed (``.eai_code``, e.g.
                ``socket.EAI_NONAME``, with the resolver's message).

        Example:
            >>> [str(i.address) for i in AddrInfo.lookup("127.0.0.1", 80, type=SocketType.STREAM)]
            ['127.0.0.1:80']
            >>> AddrInfo.lookup("not-numeric", 80, flags=AIFlag.NUMERICHOST)
            Traceback (most recent call last):
            ...
            sockkit.errors.LookupFailed: getaddrinfo(not-numeric, 80) failed: [Errno -2] ...
        """
        raw = _resolve.getaddrinfo(host, service, family, type, protocol, flags)
        stored_flags = _enum_or_int(AIFlag, flags)
        records: list[AddrInfo] = []
        for fam, kind, proto, canonname, sockaddr in raw:
            if fam not in (_AF_INET, _AF_INET6):
                continue
            address = from_sockaddr(fam, sockaddr)
            if not isinstance(address, (InetAddress, Inet6Address)):  # pragma: no cover
                continue
            records.append(
                cls(
                    _enum_or_int(AddressFamily, fam),
                    _enum_or_int(SocketType, kind),
                    _enum_or_int(Protocol, proto),
                    canonname or "",
                    address,
                    stored_flags,
                )
            )
        return records

    def connect(self, timeout: float | None = None) -> Socket:
        """Create the socket this record describes and connect it to ``address``.

        Args:
            timeout: seconds the connect may take (``None``: no limit); left set
                on the returned socket.

        Returns:
            The connected socket.

        Raises:
            TypeError, ValueError: a bad ``timeout`` (no socket is made).
            ConnectionRefused, TimedOut, …: the connect failed; the socket made
                for it has been closed.

        Example:
            >>> from sockkit import Socket
            >>> with Socket.create_server(("127.0.0.1", 0)) as server:
            ...     port = server.local_address.port
            ...     info = AddrInfo.lookup("127.0.0.1", port, type=SocketType.STREAM)[0]
            ...     with info.connect(timeout=5) as client:
            ...         client.peer_address.port == port
            True
        """
        timeout = check_timeout(timeout)
        sock = Socket(int(self.family), int(self.type), int(self.protocol))
        try:
            sock.timeout = timeout
            sock.connect(self.address)
        except BaseException:
            sock.close()
            raise
        return sock

    def bind(self) -> Socket:
        """Create the socket this record describes and bind it to ``address``.

        For a stream socket on POSIX, ``SO_REUSEADDR`` is set first, as a server
        would; the returned socket is ready for ``listen()``.

        Returns:
            The bound socket.

        Raises:
            AddressInUse, PermissionDenied, …: the bind failed; the socket made
                for it has been closed.

        Example:
            >>> info = AddrInfo.lookup("127.0.0.1", 0, type=SocketType.STREAM,
            ...                        flags=AIFlag.PASSIVE)[0]
            >>> with info.bind() as server:
            ...     server.listen()
            ...     server.local_address.host
            '127.0.0.1'
        """
        sock = Socket(int(self.family), int(self.type), int(self.protocol))
        try:
            if _REUSEADDR and self.type == _SOCK_STREAM:
                sock.set_option_raw(_SOL_SOCKET, _SO_REUSEADDR, 1)
            sock.bind(self.address)
        except BaseException:
            sock.close()
            raise
        return sock

    def explain(self) -> Explained:
        """Describe the record exactly as PHP's ``socket_addrinfo_explain`` does.

        Keys, in PHP's order: ``ai_flags``, ``ai_family``, ``ai_socktype``,
        ``ai_protocol``, ``ai_canonname`` (only when non-empty), ``ai_addr``
        (``{"sin_port", "sin_addr"}`` for IPv4, ``{"sin6_port", "sin6_addr"}``
        for IPv6).  All numbers are plain ``int``.

        Example:
            >>> explained = AddrInfo.lookup("::1", 80, type=SocketType.STREAM)[0].explain()
            >>> explained["ai_protocol"], explained["ai_addr"]
            (6, {'sin6_port': 80, 'sin6_addr': '::1'})
        """
        result: Explained = {
            "ai_flags": int(self.flags),
            "ai_family": int(self.family),
            "ai_socktype": int(self.type),
            "ai_protocol": int(self.protocol),
        }
        if self.canonname:
            result["ai_canonname"] = self.canonname
        address = self.address
        if isinstance(address, Inet6Address):
            result["ai_addr"] = {"sin6_port": address.port, "sin6_addr": address.host}
        elif isinstance(address, InetAddress):
            result["ai_addr"] = {"sin_port": address.port, "sin_addr": address.host}
        else:  # pragma: no cover - lookup makes IP records only
            result["ai_addr"] = {}
        return result
