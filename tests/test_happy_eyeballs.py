"""Socket.create_connection (RFC 8305 racing) and Socket.create_server, on loopback."""

from __future__ import annotations

import errno
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from conftest import free_port, needs_ipv6, open_fds
from sockkit import _happy_eyeballs
from sockkit.address import Inet6Address, InetAddress, UnixAddress
from sockkit.enums import AddressFamily
from sockkit.errors import (
    AddressInUse,
    ConnectionRefused,
    InProgress,
    LookupFailed,
    SocketError,
    TimedOut,
    from_errno,
    lookup_failed,
)
from sockkit.socket import Socket

AF_INET = socket.AF_INET
AF_INET6 = socket.AF_INET6
STREAM = socket.SOCK_STREAM


@pytest.fixture
def fd_check() -> Iterator[None]:
    before = open_fds()
    yield
    assert open_fds() == before, "descriptor leak"


def resolver_for(*entries: tuple[str, int]) -> Any:
    """A resolver returning ``entries`` (host, port) in order, whatever it is asked."""
    calls: list[tuple[Any, ...]] = []

    def resolve(
        host: str | None, port: int | str, family: int, kind: int, proto: int, flags: int
    ) -> Sequence[tuple[int, int, int, str, Any]]:
        calls.append((host, port, family, kind, proto, flags))
        result = []
        for address, number in entries:
            if ":" in address:
                result.append((AF_INET6, STREAM, 6, "", (address, number, 0, 0)))
            else:
                result.append((AF_INET, STREAM, 6, "", (address, number)))
        return result

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


class Stalled:
    """A socket whose connect never completes: its descriptor is a socketpair end
    with a full send buffer, so it never becomes writable."""

    def __init__(self, family: int, kind: int, proto: int) -> None:
        self.args = (family, kind, proto)
        self._pair = socket.socketpair()
        self._pair[0].setblocking(False)
        try:
            for _ in range(10_000):
                self._pair[0].send(b"\0" * 65536)
        except BlockingIOError:
            pass
        self.closed = False
        self.timeout: float | None = None

    def fileno(self) -> int:
        return -1 if self.closed else self._pair[0].fileno()

    def bind(self, address: object) -> None:
        pass

    def connect(self, address: object) -> None:
        raise from_errno(errno.EINPROGRESS, "connect", address)

    def get_option_raw(self, level: int, name: int, buflen: int | None = None) -> int | bytes:
        return 0

    def clear_error(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True
        self._pair[0].close()
        self._pair[1].close()


class Factory:
    """Hands out sockets from a script: a class per call, then ``Socket``."""

    def __init__(self, *script: Any) -> None:
        self.script = list(script)
        self.made: list[Any] = []

    def __call__(self, family: int, kind: int, proto: int) -> Any:
        maker = self.script.pop(0) if self.script else Socket
        if isinstance(maker, BaseException):
            raise maker
        sock = maker(family, kind, proto)
        self.made.append(sock)
        return sock


@pytest.fixture
def v4_server() -> Iterator[tuple[Socket, int]]:
    with Socket.create_server(("127.0.0.1", 0)) as server:
        assert server.local_address is not None
        yield server, server.local_address.port


# ====================================================================== racing


@needs_ipv6
def test_ipv6_refused_ipv4_listening_connects_at_once(
    v4_server: tuple[Socket, int], fd_check: None
) -> None:
    _server, port = v4_server
    resolve = resolver_for(("::1", port), ("127.0.0.1", port))
    factory = Factory()
    start = time.monotonic()
    with _happy_eyeballs.create_connection(
        Socket, ("dual.test", port), delay=10.0, resolver=resolve, socket_factory=factory
    ) as sock:
        # The IPv6 attempt was refused, so IPv4 started at once, not after 10 s.
        assert time.monotonic() - start < 5
        assert sock.peer_address == InetAddress("127.0.0.1", port)
        assert sock.timeout is None
        assert sock.blocking
        assert sock.last_error == 0
    assert [made.family for made in factory.made] == [AddressFamily.INET6, AddressFamily.INET]
    assert all(made.closed for made in factory.made)
    assert resolve.calls == [("dual.test", port, 0, STREAM, 0, 0)]


@needs_ipv6
def test_ipv6_listening_wins_and_ipv4_never_starts(fd_check: None) -> None:
    with Socket.create_server(("::1", 0)) as server:
        assert server.local_address is not None
        port = server.local_address.port
        factory = Factory()
        resolve = resolver_for(("::1", port), ("127.0.0.1", port))
        with _happy_eyeballs.create_connection(
            Socket, ("dual.test", port), delay=10.0, resolver=resolve, socket_factory=factory
        ) as sock:
            assert isinstance(sock.peer_address, Inet6Address)
            assert sock.peer_address.host == "::1"
        assert len(factory.made) == 1


@needs_ipv6
def test_both_refused_raises_last_error_with_every_attempt(fd_check: None) -> None:
    port = free_port()
    resolve = resolver_for(("127.0.0.1", port), ("::1", port))
    with pytest.raises(ConnectionRefused) as info:
        _happy_eyeballs.create_connection(Socket, ("dual.test", port), resolver=resolve)
    error = info.value
    assert isinstance(error, ConnectionRefusedError)
    attempts = error.attempts  # type: ignore[attr-defined]
    assert len(attempts) == 2
    assert attempts[-1] is error
    # IPv6 is tried first even though the resolver listed IPv4 first.
    assert attempts[0].address == ("::1", port, 0, 0)
    assert attempts[1].address == ("127.0.0.1", port)
    assert all(isinstance(attempt, ConnectionRefused) for attempt in attempts)
    if sys.version_info >= (3, 11):
        group = error.group  # type: ignore[attr-defined]
        assert isinstance(group, ExceptionGroup)  # noqa: F821
        assert list(group.exceptions) == attempts
        assert "2 attempts failed" in str(group)
    else:  # pragma: no cover - 3.10
        assert error.group is None  # type: ignore[attr-defined]


def test_socket_create_connection_refused_numeric(fd_check: None) -> None:
    port = free_port()
    with pytest.raises(ConnectionRefused) as info:
        Socket.create_connection(("127.0.0.1", port), timeout=5)
    assert info.value.attempts == [info.value]  # type: ignore[attr-defined]


def test_slow_first_attempt_next_starts_after_the_delay(
    v4_server: tuple[Socket, int], fd_check: None
) -> None:
    _server, port = v4_server
    delay = 0.3
    factory = Factory(Stalled)
    resolve = resolver_for(("::1", port), ("127.0.0.1", port))
    start = time.monotonic()
    with _happy_eyeballs.create_connection(
        Socket, ("dual.test", port), delay=delay, resolver=resolve, socket_factory=factory
    ) as sock:
        elapsed = time.monotonic() - start
        assert sock.peer_address == InetAddress("127.0.0.1", port)
    assert delay - 0.01 <= elapsed < delay + 2.0
    stalled = factory.made[0]
    assert isinstance(stalled, Stalled)
    assert stalled.closed, "the losing attempt was not closed"
    assert stalled.args == (AF_INET6, STREAM, 6)


def test_overall_timeout_covers_every_attempt(fd_check: None) -> None:
    factory = Factory(Stalled, Stalled, Stalled)
    resolve = resolver_for(("::1", 1), ("127.0.0.1", 1), ("::2", 1))
    start = time.monotonic()
    with pytest.raises(TimedOut) as info:
        _happy_eyeballs.create_connection(
            Socket,
            ("dual.test", 1),
            timeout=0.4,
            delay=0.1,
            resolver=resolve,
            socket_factory=factory,
        )
    elapsed = time.monotonic() - start
    assert 0.39 <= elapsed < 3
    assert isinstance(info.value, TimeoutError)
    attempts = info.value.attempts  # type: ignore[attr-defined]
    assert len(attempts) == 3
    assert all(isinstance(attempt, TimedOut) for attempt in attempts)
    assert [attempt.address[0] for attempt in attempts] == ["::1", "127.0.0.1", "::2"]
    assert all(made.closed for made in factory.made)


def test_timeout_is_left_on_the_socket(v4_server: tuple[Socket, int], fd_check: None) -> None:
    _server, port = v4_server
    with Socket.create_connection(("127.0.0.1", port), timeout=2.5) as sock:
        assert sock.timeout == 2.5
    with Socket.create_connection(("localhost", port)) as sock:
        assert sock.timeout is None
        assert sock.blocking


def test_localhost_resolves_and_connects(v4_server: tuple[Socket, int], fd_check: None) -> None:
    _server, port = v4_server
    with Socket.create_connection(("localhost", port), timeout=5) as sock:
        assert sock.peer_address is not None
        assert sock.peer_address.port == port


def test_typed_addresses(v4_server: tuple[Socket, int], fd_check: None) -> None:
    _server, port = v4_server
    with Socket.create_connection(InetAddress("127.0.0.1", port), timeout=5) as sock:
        assert sock.peer_address == InetAddress("127.0.0.1", port)


@needs_ipv6
def test_ipv6_typed_address_with_scope_skips_the_resolver(fd_check: None) -> None:
    with Socket.create_server(("::1", 0)) as server:
        assert server.local_address is not None
        port = server.local_address.port
        with Socket.create_connection(Inet6Address("::1", port), timeout=5) as sock:
            assert isinstance(sock.peer_address, Inet6Address)
        with Socket.create_connection(("::1", port, 0, 0), timeout=5) as sock:
            assert isinstance(sock.peer_address, Inet6Address)


def test_immediate_connect_success(v4_server: tuple[Socket, int], fd_check: None) -> None:
    class Instant(Socket):
        __slots__ = ()

        def connect(self, address: object) -> None:
            self.timeout = None
            super().connect(address)

    _server, port = v4_server
    with _happy_eyeballs.create_connection(
        Instant, ("127.0.0.1", port), timeout=3.0, resolver=resolver_for(("127.0.0.1", port))
    ) as sock:
        assert isinstance(sock, Instant)
        assert sock.timeout == 3.0


def test_source_address_binds_each_attempt(v4_server: tuple[Socket, int], fd_check: None) -> None:
    _server, port = v4_server
    with Socket.create_connection(
        ("127.0.0.1", port), timeout=5, source_address=("127.0.0.1", 0)
    ) as sock:
        assert sock.local_address is not None
        assert sock.local_address.host == "127.0.0.1"


def test_failed_source_bind_closes_the_socket(
    v4_server: tuple[Socket, int], fd_check: None
) -> None:
    _server, port = v4_server
    factory = Factory()
    with pytest.raises(AddressInUse) as info:
        _happy_eyeballs.create_connection(
            Socket,
            ("127.0.0.1", port),
            source_address=("127.0.0.1", port),  # the listener holds it
            socket_factory=factory,
        )
    assert info.value.operation == "bind"
    assert info.value.attempts == [info.value]  # type: ignore[attr-defined]
    assert [made.closed for made in factory.made] == [True]


def test_source_address_of_the_wrong_family(fd_check: None) -> None:
    resolve = resolver_for(("127.0.0.1", 9))
    with pytest.raises(ValueError, match="IPv6"):
        _happy_eyeballs.create_connection(
            Socket, ("v4.test", 9), source_address=("::1", 0), resolver=resolve
        )


def test_socket_creation_failure_is_an_attempt(
    v4_server: tuple[Socket, int], fd_check: None
) -> None:
    _server, port = v4_server
    failing = from_errno(errno.EAFNOSUPPORT, "socket")
    factory = Factory(failing)
    resolve = resolver_for(("::1", port), ("127.0.0.1", port))
    with _happy_eyeballs.create_connection(
        Socket, ("dual.test", port), resolver=resolve, socket_factory=factory
    ) as sock:
        assert sock.family == AddressFamily.INET


def test_interrupt_closes_every_socket(fd_check: None) -> None:
    factory = Factory(Stalled, KeyboardInterrupt())
    resolve = resolver_for(("::1", 1), ("127.0.0.1", 1))
    with pytest.raises(KeyboardInterrupt):
        _happy_eyeballs.create_connection(
            Socket, ("dual.test", 1), delay=0.05, resolver=resolve, socket_factory=factory
        )
    assert factory.made[0].closed


def test_lookup_failure_propagates(fd_check: None) -> None:
    def failing(*args: Any) -> Any:
        raise lookup_failed(socket.EAI_NONAME, "nowhere.test", 80)

    with pytest.raises(LookupFailed) as info:
        _happy_eyeballs.create_connection(Socket, ("nowhere.test", 80), resolver=failing)
    assert info.value.eai_code == socket.EAI_NONAME
    with pytest.raises(LookupFailed):
        _happy_eyeballs.create_connection(Socket, ("empty.test", 80), resolver=resolver_for())


def test_argument_errors(fd_check: None) -> None:
    create = Socket.create_connection
    with pytest.raises(ValueError, match="timeout"):
        create(("127.0.0.1", 80), timeout=-1)
    with pytest.raises(TypeError, match="timeout"):
        create(("127.0.0.1", 80), timeout="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="delay"):
        create(("127.0.0.1", 80), happy_eyeballs_delay=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="delay"):
        create(("127.0.0.1", 80), happy_eyeballs_delay=-0.1)
    with pytest.raises(TypeError, match="address"):
        create("127.0.0.1:80")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="port"):
        create(("127.0.0.1", 70000))
    with pytest.raises(TypeError, match="port"):
        create(("127.0.0.1", 80.0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="port"):
        create(("127.0.0.1", "70000"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Unix"):
        create(UnixAddress("/tmp/x.sock"))
    with pytest.raises(ValueError, match="items"):
        create(("127.0.0.1", 80, 0))  # type: ignore[arg-type]


def test_order_interleaves_ipv6_first_and_drops_duplicates() -> None:
    def info(family: int, host: str) -> tuple[int, int, int, str, Any]:
        address = (host, 1, 0, 0) if family == AF_INET6 else (host, 1)
        return (family, STREAM, 6, "", address)

    infos = [
        info(AF_INET, "127.0.0.1"),
        info(AF_INET, "127.0.0.2"),
        info(AF_INET, "127.0.0.3"),
        info(AF_INET6, "fd00::1"),
        info(AF_INET, "127.0.0.1"),
        info(AF_INET6, "fd00::2"),
    ]
    ordered = [entry[3][0] for entry in _happy_eyeballs._order(infos)]
    assert ordered == ["fd00::1", "127.0.0.1", "fd00::2", "127.0.0.2", "127.0.0.3"]


# ====================================================================== create_server


def test_server_ipv4(fd_check: None) -> None:
    with Socket.create_server(("127.0.0.1", 0), backlog=5) as server:
        assert server.family == AddressFamily.INET
        assert server.get_option_raw(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
        assert server.get_option_raw(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0
        assert server.get_option_raw(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 0


@needs_ipv6
def test_server_ipv6_is_v6only(fd_check: None) -> None:
    with Socket.create_server(("::1", 0)) as server:
        assert server.family == AddressFamily.INET6
        assert server.get_option_raw(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 1
    with Socket.create_server(Inet6Address("::1", 0)) as server:
        assert server.family == AddressFamily.INET6


def test_server_localhost_is_resolved(fd_check: None) -> None:
    with Socket.create_server(("localhost", 0)) as server:
        assert server.local_address is not None
        assert server.local_address.host in ("127.0.0.1", "::1")


def test_server_unix(tmp_path: Path, fd_check: None) -> None:
    for address in (str(tmp_path / "a.sock"), UnixAddress(str(tmp_path / "b.sock"))):
        with Socket.create_server(address) as server:
            assert server.family == AddressFamily.UNIX
            assert server.get_option_raw(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 0
            with Socket(AddressFamily.UNIX) as client:
                client.connect(address)


@needs_ipv6
def test_server_dualstack_accepts_ipv4(fd_check: None) -> None:
    with Socket.create_server(("", 0), dualstack=True) as server:
        assert server.family == AddressFamily.INET6
        assert server.get_option_raw(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 0
        assert server.local_address is not None
        port = server.local_address.port
        with Socket.create_connection(("127.0.0.1", port), timeout=5):
            conn, peer = server.accept()
            with conn:
                assert isinstance(peer, Inet6Address)
                assert peer.host == "::ffff:127.0.0.1"


def test_server_dualstack_needs_ipv6(fd_check: None) -> None:
    with pytest.raises(ValueError, match="dualstack"):
        Socket.create_server(("127.0.0.1", 0), dualstack=True)
    with pytest.raises(ValueError, match="dualstack"):
        Socket.create_server(("", 0), family=AF_INET, dualstack=True)


def test_server_reuse_port(fd_check: None) -> None:
    with Socket.create_server(("127.0.0.1", 0), reuse_port=True) as first:
        assert first.get_option_raw(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        assert first.local_address is not None
        port = first.local_address.port
        with Socket.create_server(("127.0.0.1", port), reuse_port=True) as second:
            assert second.local_address == first.local_address


def test_server_address_in_use_closes_the_socket(fd_check: None) -> None:
    with Socket.create_server(("127.0.0.1", 0)) as first:
        assert first.local_address is not None
        before = open_fds()
        with pytest.raises(AddressInUse):
            Socket.create_server(("127.0.0.1", first.local_address.port))
        assert open_fds() == before


def test_server_argument_errors(fd_check: None) -> None:
    with pytest.raises(ValueError, match="backlog"):
        Socket.create_server(("127.0.0.1", 0), backlog=-1)
    with pytest.raises(TypeError, match="backlog"):
        Socket.create_server(("127.0.0.1", 0), backlog="5")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="reuse_port"):
        Socket.create_server(("127.0.0.1", 0), reuse_port=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="address"):
        Socket.create_server(80)
    with pytest.raises(ValueError, match="port"):
        Socket.create_server(("127.0.0.1", 65536))
    with pytest.raises(LookupFailed):
        # numeric-only lookups never leave the machine; a bad literal fails to parse
        _happy_eyeballs._resolve.getaddrinfo("not-numeric", 0, 0, STREAM, 0, socket.AI_NUMERICHOST)


def test_server_family_given(fd_check: None) -> None:
    with Socket.create_server(("127.0.0.1", 0), family=AF_INET) as server:
        assert server.family == AddressFamily.INET
    with pytest.raises(ValueError):
        Socket.create_server(("127.0.0.1", 0), family=AF_INET6)


def test_in_progress_is_blocking_io_error() -> None:
    # create_connection relies on a non-blocking connect raising a BlockingIOError.
    assert issubclass(InProgress, BlockingIOError)
    assert issubclass(SocketError, OSError)
