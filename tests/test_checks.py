"""Argument checks (sockkit._checks) and the argument holes they close, each with its caller."""

from __future__ import annotations

import contextlib
import math
import socket
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import open_fds
from sockkit import AddrInfo, LookupFailed, Socket, SocketType, _platform, set_resolver
from sockkit import _checks as checks
from sockkit.address import UNIX_PATH_MAX
from sockkit.compat import Ref, socket_create, socket_create_pair, socket_recvfrom, socket_sendto

HUGE = 2**70


@pytest.fixture
def fd_check() -> Iterator[None]:
    before = open_fds()
    yield
    assert open_fds() == before, "descriptor leak"


@contextlib.contextmanager
def scripted(resolver: Any) -> Iterator[None]:
    previous = set_resolver(resolver)
    try:
        yield
    finally:
        set_resolver(previous)


# --------------------------------------------------------------------- the checks themselves


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        (lambda: checks.check_int(True, "family"), TypeError, "family must be an int, got bool"),
        (lambda: checks.check_int(HUGE, "protocol"), ValueError, "protocol must be -2147483648-"),
        (lambda: checks.check_flags(-(2**40)), ValueError, "flags must be"),
        (lambda: checks.check_size(-1, "length"), ValueError, "length must be 0-"),
        (lambda: checks.check_port(65536), ValueError, "port must be 0-65535, got 65536"),
        (lambda: checks.check_backlog(2**31), ValueError, "backlog must be 0-2147483647"),
        (lambda: checks.check_fd(HUGE), ValueError, "fd must be 0-2147483647"),
        (lambda: checks.check_file(None), TypeError, "file must be a file object"),
        (lambda: checks.check_timeout(math.inf), ValueError, "timeout must be finite seconds"),
        (lambda: checks.check_timeout(math.nan), ValueError, "timeout must be finite seconds"),
        (lambda: checks.check_timeout(1e300), ValueError, "timeout must be 0-"),
        (lambda: checks.check_timeout(10**400), ValueError, "timeout must be 0-"),
        (lambda: checks.check_timeout(-1), ValueError, "timeout must be 0-"),
        (lambda: checks.check_timeout("1"), TypeError, "timeout must be seconds"),
        (lambda: checks.check_timeout(None, "delay", allow_none=False), TypeError, "delay must"),
    ],
)
def test_checks_name_the_argument(call: Any, error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text.replace("(", r"\(")):
        call()


def test_checks_accept_what_is_allowed() -> None:
    assert checks.check_timeout(30 * 86400) == 30 * 86400.0
    assert checks.check_timeout(None) is None
    assert checks.check_timeout(checks.MAX_TIMEOUT) == checks.MAX_TIMEOUT
    assert checks.check_int(socket.AF_INET, "family") == socket.AF_INET
    assert type(checks.check_int(socket.AF_INET, "family")) is int
    with socket.socket() as sock:
        assert checks.check_file(sock) == sock.fileno()
        assert checks.check_file(sock.fileno()) == sock.fileno()
    assert checks.format_host_port("::1", 80) == "[::1]:80"
    assert checks.is_numeric_host(socket.AF_INET6, "::1")
    assert not checks.is_numeric_host(socket.AF_INET, "localhost")


def test_the_timeout_limit_is_one_python_sockets_accept() -> None:
    with socket.socket() as sock:
        sock.settimeout(checks.MAX_TIMEOUT)
        assert sock.gettimeout() == checks.MAX_TIMEOUT


# --------------------------------------------------------------------- platform numbers


@pytest.mark.skipif(sys.platform != "linux", reason="Linux's header values")
def test_platform_numbers_live_in_the_platform_table() -> None:
    assert _platform.SUN_PATH_SIZE == UNIX_PATH_MAX == 108
    assert _platform.SIOCATMARK == 0x8905


# --------------------------------------------------------------------- create_connection


def test_create_connection_refuses_infinite_nan_and_huge_timeouts(fd_check: None) -> None:
    for bad in (math.inf, math.nan, 1e300, HUGE):
        with pytest.raises(ValueError, match="timeout"):
            Socket.create_connection(("127.0.0.1", 9), timeout=bad)
        with pytest.raises(ValueError, match="delay"):
            Socket.create_connection(("127.0.0.1", 9), happy_eyeballs_delay=bad)


def test_create_connection_waits_30_days_in_slices(fd_check: None) -> None:
    # poll() takes milliseconds as a C int (24.8 days): a 30-day timeout must still work.
    with Socket.create_server(("127.0.0.1", 0)) as server:
        port = server.local_address.port
        with Socket.create_connection(("127.0.0.1", port), timeout=30 * 86400) as client:
            assert client.timeout == 30 * 86400.0
            assert client.peer_address.port == port


def test_create_connection_takes_a_service_string(fd_check: None) -> None:
    with Socket.create_server(("127.0.0.1", 0)) as server:
        port = server.local_address.port
        with Socket.create_connection(("127.0.0.1", str(port)), timeout=10) as client:
            assert client.peer_address.port == port


def test_create_connection_passes_service_names_to_the_resolver(fd_check: None) -> None:
    asked: list[tuple[object, object]] = []
    with Socket.create_server(("127.0.0.1", 0)) as server:
        port = server.local_address.port

        def resolve(host: Any, service: Any, *rest: Any) -> list[Any]:
            asked.append((host, service))
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

        with (
            scripted(resolve),
            Socket.create_connection(("db.test", "postgresql"), timeout=10) as client,
        ):
            assert client.peer_address.port == port
    assert asked == [("db.test", "postgresql")]


# --------------------------------------------------------------------- create_server, lookups


def test_create_server_refuses_a_backlog_beyond_a_c_int(fd_check: None) -> None:
    for bad in (HUGE, 2**31, -1):
        with pytest.raises(ValueError, match="backlog"):
            Socket.create_server(("127.0.0.1", 0), backlog=bad)
    with pytest.raises(ValueError, match="family"):
        Socket.create_server(("127.0.0.1", 0), family=HUGE)


def test_create_server_binds_a_port_given_as_digits(fd_check: None) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Socket.create_server(("127.0.0.1", str(port))) as server:  # type: ignore[arg-type]
        assert server.local_address.port == port


def test_lookup_refuses_ints_beyond_a_c_int() -> None:
    for name in ("family", "type", "protocol", "flags"):
        with pytest.raises(ValueError, match=name):
            AddrInfo.lookup("127.0.0.1", 80, **{name: HUGE})


def test_addrinfo_connect_refuses_an_infinite_timeout(fd_check: None) -> None:
    info = AddrInfo.lookup("127.0.0.1", 9, type=SocketType.STREAM)[0]
    for bad in (math.inf, math.nan, 1e300):
        with pytest.raises(ValueError, match="timeout"):
            info.connect(timeout=bad)


# --------------------------------------------------------------------- the resolver hook


def test_set_resolver_serves_every_lookup_and_restores() -> None:
    asked: list[object] = []

    def resolve(host: Any, service: Any, family: int, *rest: Any) -> list[Any]:
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", service))]

    with scripted(resolve):
        infos = AddrInfo.lookup("db.test", 5432, type=SocketType.STREAM)
        assert [str(info.address) for info in infos] == ["127.0.0.1:5432"]
    assert asked == ["db.test"]
    assert set_resolver(None) is None  # restored: the system resolver is in place


def test_a_failing_resolver_raises_lookup_failed(fd_check: None) -> None:
    def resolve(*args: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "scripted failure")

    with scripted(resolve):
        with pytest.raises(LookupFailed) as caught:
            Socket.create_connection(("db.test", 80), timeout=5)
        assert caught.value.eai_code == socket.EAI_NONAME
        with pytest.raises(LookupFailed):
            AddrInfo.lookup("db.test", 80)


def test_set_resolver_refuses_what_cannot_be_called() -> None:
    with pytest.raises(TypeError, match="resolver"):
        set_resolver(42)  # type: ignore[arg-type]


# --------------------------------------------------------------------- compat


def test_compat_socket_create_refuses_c_int_overflow(fd_check: None) -> None:
    af_inet, stream = int(socket.AF_INET), int(socket.SOCK_STREAM)
    with pytest.raises(ValueError, match=r"Argument #3 \(\$protocol\) must be between"):
        socket_create(af_inet, stream, HUGE)
    with pytest.raises(ValueError, match=r"Argument #2 \(\$type\) must be between"):
        socket_create(af_inet, -HUGE, 0)
    with pytest.raises(ValueError, match=r"Argument #3 \(\$protocol\) must be between"):
        socket_create_pair(int(socket.AF_UNIX), stream, HUGE, [])


def test_compat_datagram_flags_refuse_c_int_overflow(fd_check: None) -> None:
    udp = socket_create(int(socket.AF_INET), int(socket.SOCK_DGRAM), 0)
    assert isinstance(udp, Socket)
    with contextlib.closing(udp):
        with pytest.raises(ValueError, match=r"Argument #4 \(\$flags\) must be between"):
            socket_sendto(udp, "x", 1, HUGE, "127.0.0.1", 9)
        with pytest.raises(ValueError, match=r"Argument #4 \(\$flags\) must be between"):
            socket_recvfrom(udp, Ref(), 1, HUGE, Ref(), Ref())


def test_unix_path_limit_comes_from_the_platform_table() -> None:
    assert UNIX_PATH_MAX == _platform.SUN_PATH_SIZE
