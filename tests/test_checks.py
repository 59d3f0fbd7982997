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


# --------------------------------------------------------------------- Socket's own arguments


def _socket_holes(a: Socket) -> list[tuple[Any, type[Exception], str]]:
    def set_timeout(value: object) -> None:
        a.timeout = value  # type: ignore[assignment]

    return [
        (lambda: Socket(protocol=HUGE), ValueError, "protocol must be"),
        (lambda: Socket(type=2**40), ValueError, "type must be"),
        (lambda: Socket(-1), ValueError, "family must be"),
        (lambda: Socket.pair(family=HUGE), ValueError, "family must be"),
        (lambda: Socket.from_fd(HUGE), ValueError, "fd must be"),
        (lambda: a.listen(2**31), ValueError, "backlog must be"),
        (lambda: a.recv(2**63), ValueError, "length must be"),
        (lambda: a.recv(1, flags=HUGE), ValueError, "flags must be"),
        (lambda: a.recv("1"), TypeError, "length must be an int"),  # type: ignore[arg-type]
        (lambda: a.recv_into(bytearray(1), -1), ValueError, "nbytes must be"),
        (lambda: a.read(HUGE, 1), ValueError, "length must be"),
        (lambda: a.read(HUGE), ValueError, "length must be"),
        (lambda: a.read(10, 99), ValueError, "mode must be"),
        (lambda: a.recvfrom(HUGE), ValueError, "length must be"),
        (lambda: a.recvmsg(16, ancbufsize=HUGE), ValueError, "ancbufsize must be"),
        (lambda: a.recvmsg(-1), ValueError, "bufsize must be"),
        (lambda: a.send(b"x", flags=HUGE), ValueError, "flags must be"),
        (lambda: a.send(None), TypeError, "data must be bytes-like"),  # type: ignore[arg-type]
        (lambda: a.write(123), TypeError, "data must be bytes-like"),  # type: ignore[arg-type]
        (lambda: a.write(b"x", -1), ValueError, "length must be"),
        (lambda: a.write_all("text"), TypeError, "data must be bytes-like"),  # type: ignore[arg-type]
        (lambda: a.sendfile(None), TypeError, "file must be"),  # type: ignore[arg-type]
        (lambda: set_timeout(math.inf), ValueError, "timeout must be finite"),
        (lambda: set_timeout(1e300), ValueError, "timeout must be 0-"),
        (lambda: set_timeout(math.nan), ValueError, "timeout must be finite"),
        (lambda: a.get_option_raw(HUGE, 1), ValueError, "level must be"),
        (lambda: a.get_option_raw(1, 1, 4096), ValueError, "buflen must be 1-1024"),
        (lambda: a.set_option_raw(1, HUGE, 1), ValueError, "name must be"),
        (lambda: a.shutdown("both"), TypeError, "how must be an int"),  # type: ignore[arg-type]
    ]


def test_socket_arguments_are_checked_before_any_system_call() -> None:
    with Socket.pair() as (a, b):
        before = open_fds()
        for call, error, text in _socket_holes(a):
            with pytest.raises(error, match=text):
                call()
        assert open_fds() == before, "a refused argument left a descriptor behind"
        # The socket is untouched by all of that.
        a.send(b"ok")
        assert b.recv(2) == b"ok"


def test_write_length_counts_bytes_whatever_the_item_size() -> None:
    import array  # noqa: PLC0415

    with Socket.pair() as (a, b):
        assert a.write(array.array("i", range(10)), 5) == 5
        assert len(b.recv(100)) == 5
        two_d = memoryview(bytes(range(12))).cast("B", (3, 4))
        assert a.write(two_d, 6) == 6
        assert b.recv(100) == bytes(range(6))


def test_recvfrom_on_a_family_without_typed_addresses_keeps_the_datagram() -> None:
    netlink = getattr(socket, "AF_NETLINK", None)
    if netlink is None:
        pytest.skip("no AF_NETLINK on this OS")
    with Socket(netlink, SocketType.DGRAM, 0) as sock:  # NETLINK_ROUTE
        # RTM_GETLINK dump request, sent to the kernel (an unconnected netlink socket's
        # default peer): it answers on this very socket.
        header = (20).to_bytes(4, sys.byteorder) + (18).to_bytes(2, sys.byteorder)
        header += (0x301).to_bytes(2, sys.byteorder) + bytes(8)
        request = header + bytes(4)  # struct ifinfomsg's family byte and padding
        sock.send(request)
        sock.timeout = 5.0
        data, address = sock.recvfrom(65536)
        assert data  # the datagram is returned, not lost to an address error
        assert address == (0, 0)  # the kernel, as the socket module gives it
