"""socket_addrinfo_*: PHP 8.2's lookup functions over AddrInfo."""

from __future__ import annotations

import errno
import inspect
import socket

import pytest

import sockkit.compat as compat
from conftest import needs_ipv6
from sockkit import AddressFamily, AddrInfo, SocketType
from sockkit.address import InetAddress, UnixAddress
from sockkit.compat import (
    AF_INET,
    AF_INET6,
    AI_CANONNAME,
    AI_NUMERICHOST,
    AI_PASSIVE,
    SO_REUSEADDR,
    SOCK_DGRAM,
    SOCK_STREAM,
    SOL_SOCKET,
    Socket,
    socket_addrinfo_bind,
    socket_addrinfo_connect,
    socket_addrinfo_explain,
    socket_addrinfo_lookup,
    socket_get_option,
    socket_last_error,
    socket_listen,
)
from sockkit.compat._state import set_global_last_error

from .helpers import exact, no_warning, php_warning

TCP4 = {"ai_family": AF_INET, "ai_socktype": SOCK_STREAM}

PHP_SIGNATURES = {
    "socket_addrinfo_lookup": ["host", "service=None", "hints=()"],
    "socket_addrinfo_bind": ["address"],
    "socket_addrinfo_connect": ["address"],
    "socket_addrinfo_explain": ["address"],
}


@pytest.mark.parametrize("name", sorted(PHP_SIGNATURES))
def test_signatures(name: str) -> None:
    function = getattr(compat, name)
    parameters = inspect.signature(function).parameters.values()
    shown = [
        p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
        for p in parameters
    ]
    assert shown == PHP_SIGNATURES[name]
    assert f"PHP: ``{name}(" in (function.__doc__ or "")
    assert name in compat.__all__


def _one(host: str, service: str | None, hints: dict[str, object]) -> AddrInfo:
    found = socket_addrinfo_lookup(host, service, hints)
    assert isinstance(found, list) and found
    return found[0]


def test_lookup_gives_addrinfo_records() -> None:
    found = socket_addrinfo_lookup("127.0.0.1", "80", TCP4)
    assert isinstance(found, list) and len(found) == 1
    assert isinstance(found[0], AddrInfo)
    assert socket_addrinfo_explain(found[0]) == {
        "ai_flags": 0,
        "ai_family": AF_INET,
        "ai_socktype": SOCK_STREAM,
        "ai_protocol": socket.IPPROTO_TCP,
        "ai_addr": {"sin_port": 80, "sin_addr": "127.0.0.1"},
    }


def test_no_hints_gives_every_socket_type() -> None:
    found = socket_addrinfo_lookup("127.0.0.1")
    assert isinstance(found, list)
    assert {int(info.type) for info in found} >= {SOCK_STREAM, SOCK_DGRAM}


def test_hint_values_are_converted_as_php_does() -> None:
    info = _one("localhost", "53", {"ai_family": "2", "ai_socktype": 2.0, "ai_flags": AI_CANONNAME})
    explained = socket_addrinfo_explain(info)
    assert explained["ai_family"] == AF_INET and explained["ai_socktype"] == SOCK_DGRAM
    assert explained["ai_flags"] == AI_CANONNAME
    assert explained["ai_canonname"] == "localhost"
    assert list(explained) == [
        "ai_flags",
        "ai_family",
        "ai_socktype",
        "ai_protocol",
        "ai_canonname",
        "ai_addr",
    ]


@pytest.mark.parametrize("hints", [[5, 6], (SOCK_STREAM,), {7: SOCK_STREAM, "3": 1}])
def test_packed_arrays_and_integer_keys_are_ignored(hints: object) -> None:
    found = socket_addrinfo_lookup("127.0.0.1", None, hints)  # type: ignore[arg-type]
    assert isinstance(found, list) and len(found) == len(socket_addrinfo_lookup("127.0.0.1") or [])


def test_an_unknown_hint_key_is_phps_value_error() -> None:
    text = (
        "socket_addrinfo_lookup(): Argument #3 ($hints) must only contain array keys"
        ' "ai_flags", "ai_socktype", "ai_protocol", or "ai_family"'
    )
    with pytest.raises(ValueError, match=exact(text)):
        socket_addrinfo_lookup("127.0.0.1", None, {"ai_flags": 0, "ai_addr": 1})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([],), "Argument #1 ($host) must be of type string, array given"),
        (("127.0.0.1", []), "Argument #2 ($service) must be of type ?string, array given"),
        (("127.0.0.1", "80", 5), "Argument #3 ($hints) must be of type array, int given"),
        (("127.0.0.1", "80", None), "Argument #3 ($hints) must be of type array, null given"),
    ],
)
def test_type_errors(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(TypeError, match=exact("socket_addrinfo_lookup(): " + message)):
        socket_addrinfo_lookup(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("127.0.0.1\0evil",), "Argument #1 ($host) must not contain any null bytes"),
        (("127.0.0.1", "80\0"), "Argument #2 ($service) must not contain any null bytes"),
        (("127.0.0.1", "70000"), "Argument #2 ($service) must be between 0 and 65535"),
        (
            ("127.0.0.1", None, {"ai_family": 2**32 + 2}),
            'Argument #3 ($hints) "ai_family" must be between -2147483648 and 2147483647',
        ),
    ],
)
def test_deviations_refuse_what_php_truncates(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=exact("socket_addrinfo_lookup(): " + message)):
        socket_addrinfo_lookup(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("host", "service", "hints"),
    [
        ("localhost", "80", {"ai_flags": AI_NUMERICHOST}),  # EAI_NONAME, no query sent
        ("", "80", {}),
        ("", None, {"ai_flags": AI_PASSIVE}),
        ("127.0.0.1", "no-such-service-name", {}),
        ("127.0.0.1", "80", {"ai_socktype": -5}),
        ("127.0.0.1", "80", {"ai_flags": 0x7FFF0000}),
        ("127.0.0.1", "80", {"ai_family": 12345}),
    ],
)
def test_a_failed_lookup_is_false_without_warning_or_error_code(
    host: str, service: str | None, hints: dict[str, int]
) -> None:
    set_global_last_error(1234)
    with no_warning():
        assert socket_addrinfo_lookup(host, service, hints) is False
    assert socket_last_error() == 1234


def test_bind_sets_no_reuseaddr_and_connect_connects(fd_guard: None) -> None:
    info = _one("127.0.0.1", "0", TCP4)
    server = socket_addrinfo_bind(info)
    assert isinstance(server, Socket)
    with server:
        assert socket_get_option(server, SOL_SOCKET, SO_REUSEADDR) == 0
        assert socket_listen(server, 5)
        port = server.local_address.port  # type: ignore[union-attr]
        target = _one("127.0.0.1", str(port), TCP4)
        client = socket_addrinfo_connect(target)
        assert isinstance(client, Socket)
        with client:
            conn, _peer = server.accept()
            with conn:
                client.send(b"hi")
                assert conn.recv(2) == b"hi"


def test_bind_failure_warns_closes_and_records(fd_guard: None) -> None:
    info = _one("127.0.0.1", "0", TCP4)
    server = socket_addrinfo_bind(info)
    assert isinstance(server, Socket)
    with server:
        server.listen()
        port = server.local_address.port  # type: ignore[union-attr]
        busy = _one("127.0.0.1", str(port), TCP4)
        text = "socket_addrinfo_bind(): Unable to bind address [98]: Address already in use"
        with php_warning(text):
            assert socket_addrinfo_bind(busy) is False
        assert socket_last_error() == errno.EADDRINUSE


def test_connect_failure_warns_closes_and_records(fd_guard: None) -> None:
    probe = socket_addrinfo_bind(_one("127.0.0.1", "0", TCP4))
    assert isinstance(probe, Socket)
    port = probe.local_address.port  # type: ignore[union-attr]
    probe.close()  # nothing listens there now
    target = _one("127.0.0.1", str(port), TCP4)
    text = "socket_addrinfo_connect(): Unable to connect address [111]: Connection refused"
    with php_warning(text):
        assert socket_addrinfo_connect(target) is False
    assert socket_last_error() == errno.ECONNREFUSED


@needs_ipv6
def test_ipv6_records() -> None:
    info = _one("::1", "443", {"ai_family": AF_INET6, "ai_socktype": SOCK_STREAM})
    assert socket_addrinfo_explain(info)["ai_addr"] == {"sin6_port": 443, "sin6_addr": "::1"}
    bound = socket_addrinfo_bind(
        _one("::1", "0", {"ai_family": AF_INET6, "ai_socktype": SOCK_DGRAM})
    )
    assert isinstance(bound, Socket)
    assert bound.family == AF_INET6
    bound.close()


def test_unix_records_give_false_silently(fd_guard: None) -> None:
    # getaddrinfo never makes one; PHP closes the socket it made and returns false.
    unix = AddrInfo(AddressFamily.UNIX, SocketType.STREAM, 0, "", UnixAddress("/nowhere"))  # type: ignore[arg-type]
    with no_warning():
        assert socket_addrinfo_bind(unix) is False
        assert socket_addrinfo_connect(unix) is False


def test_other_families_are_value_errors(fd_guard: None) -> None:
    netlink = AddrInfo(16, SOCK_DGRAM, 0, "", InetAddress("127.0.0.1", 0))  # AF_NETLINK
    with pytest.raises(
        ValueError,
        match=exact(
            "socket_addrinfo_bind(): Argument #1 ($address) must be one of AF_UNIX, AF_INET,"
            " or AF_INET6"
        ),
    ):
        socket_addrinfo_bind(netlink)
    with pytest.raises(
        ValueError,
        match=exact(
            "socket_addrinfo_connect(): Argument #1 ($address) socket type must be one of AF_UNIX,"
            " AF_INET, or AF_INET6"
        ),
    ):
        socket_addrinfo_connect(netlink)


def test_socket_creation_failure_warns() -> None:
    bogus = AddrInfo(
        AF_INET, SOCK_STREAM, 17, "", InetAddress("127.0.0.1", 1)
    )  # TCP type, UDP proto
    text = "socket_addrinfo_connect(): Unable to create socket [93]: Protocol not supported"
    with php_warning(text):
        assert socket_addrinfo_connect(bogus) is False
    with php_warning(text.replace("connect", "bind")):
        assert socket_addrinfo_bind(bogus) is False
    assert socket_last_error() == errno.EPROTONOSUPPORT


@pytest.mark.parametrize("function", ["bind", "connect", "explain"])
def test_non_addrinfo_is_phps_type_error(function: str) -> None:
    call = getattr(compat, f"socket_addrinfo_{function}")
    text = (
        f"socket_addrinfo_{function}(): Argument #1 ($address) must be of type AddressInfo,"
        " int given"
    )
    with pytest.raises(TypeError, match=exact(text)):
        call(5)
