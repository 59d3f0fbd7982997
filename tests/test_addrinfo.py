"""AddrInfo: lookup, explain (PHP's exact shape), connect and bind; _resolve checks."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from conftest import free_port, needs_ipv6, open_fds
from sockkit import _resolve
from sockkit.address import Inet6Address, InetAddress
from sockkit.addrinfo import AddrInfo
from sockkit.enums import AddressFamily, AIFlag, Protocol, SocketType
from sockkit.errors import AddressInUse, ConnectionRefused, LookupFailed
from sockkit.socket import Socket

PHP = shutil.which("php")


@pytest.fixture
def fd_check() -> Iterator[None]:
    before = open_fds()
    yield
    assert open_fds() == before, "descriptor leak"


# ====================================================================== explain


def test_explain_ipv4_matches_php() -> None:
    # php -r 'var_dump(socket_addrinfo_explain(socket_addrinfo_lookup("127.0.0.1", "80",
    #          ["ai_family"=>AF_INET])[0]));'
    [first, *_rest] = AddrInfo.lookup("127.0.0.1", "80", family=AddressFamily.INET)
    explained = first.explain()
    assert explained == {
        "ai_flags": 0,
        "ai_family": socket.AF_INET,
        "ai_socktype": socket.SOCK_STREAM,
        "ai_protocol": socket.IPPROTO_TCP,
        "ai_addr": {"sin_port": 80, "sin_addr": "127.0.0.1"},
    }
    assert list(explained) == ["ai_flags", "ai_family", "ai_socktype", "ai_protocol", "ai_addr"]
    assert all(type(explained[key]) is int for key in list(explained)[:4])


def test_explain_canonname_only_when_present() -> None:
    results = AddrInfo.lookup("localhost", "80", flags=AIFlag.CANONNAME)
    first = results[0].explain()
    assert list(first) == [
        "ai_flags",
        "ai_family",
        "ai_socktype",
        "ai_protocol",
        "ai_canonname",
        "ai_addr",
    ]
    assert first["ai_canonname"] == "localhost"
    assert first["ai_flags"] == socket.AI_CANONNAME
    for other in results[1:]:
        assert "ai_canonname" not in other.explain()
        assert other.explain()["ai_flags"] == socket.AI_CANONNAME


@needs_ipv6
def test_explain_ipv6() -> None:
    [info] = AddrInfo.lookup("::1", 443, type=SocketType.STREAM)
    assert info.explain() == {
        "ai_flags": 0,
        "ai_family": socket.AF_INET6,
        "ai_socktype": socket.SOCK_STREAM,
        "ai_protocol": socket.IPPROTO_TCP,
        "ai_addr": {"sin6_port": 443, "sin6_addr": "::1"},
    }


def _php_explain(host: str, service: str | None, hints: str) -> list[list[Any]]:
    assert PHP is not None
    service_php = "null" if service is None else json.dumps(service)
    script = (
        f"$r = socket_addrinfo_lookup({json.dumps(host)}, {service_php}, {hints});"
        "echo json_encode(array_map('socket_addrinfo_explain', $r));"
    )
    out = subprocess.run(
        [PHP, "-r", script], capture_output=True, text=True, timeout=30, check=True
    )
    parsed: list[list[Any]] = json.loads(out.stdout, object_pairs_hook=list)
    return parsed


def _ours(results: list[AddrInfo]) -> list[list[Any]]:
    parsed: list[list[Any]] = json.loads(
        json.dumps([info.explain() for info in results]), object_pairs_hook=list
    )
    return parsed


@pytest.mark.php
@pytest.mark.skipif(PHP is None, reason="php-cli is not installed")
@pytest.mark.parametrize(
    ("host", "service", "hints", "kwargs"),
    [
        ("127.0.0.1", "80", '["ai_family" => AF_INET]', {"family": socket.AF_INET}),
        ("localhost", "80", '["ai_flags" => AI_CANONNAME]', {"flags": socket.AI_CANONNAME}),
        (
            "localhost",
            None,
            '["ai_flags" => AI_PASSIVE | AI_CANONNAME, "ai_socktype" => SOCK_STREAM]',
            {"flags": socket.AI_PASSIVE | socket.AI_CANONNAME, "type": socket.SOCK_STREAM},
        ),
        (
            "127.0.0.1",
            "8080",
            '["ai_flags" => AI_NUMERICHOST, "ai_socktype" => SOCK_DGRAM]',
            {"flags": socket.AI_NUMERICHOST, "type": socket.SOCK_DGRAM},
        ),
        ("::1", "443", "[]", {}),
        ("127.0.0.1", None, "[]", {}),
    ],
)
def test_explain_is_exactly_what_php_prints(
    host: str, service: str | None, hints: str, kwargs: dict[str, int]
) -> None:
    if ":" in host and not socket.has_ipv6:
        pytest.skip("no IPv6")
    assert _ours(AddrInfo.lookup(host, service, **kwargs)) == _php_explain(host, service, hints)


# ====================================================================== lookup


def test_lookup_record_fields() -> None:
    [info] = AddrInfo.lookup(
        "127.0.0.1", 8080, family=AddressFamily.INET, type=SocketType.DGRAM, flags=AIFlag.PASSIVE
    )
    assert info.family is AddressFamily.INET
    assert info.type is SocketType.DGRAM
    assert info.protocol is Protocol.UDP
    assert info.canonname == ""
    assert info.address == InetAddress("127.0.0.1", 8080)
    assert info.flags == AIFlag.PASSIVE
    assert isinstance(info.flags, AIFlag)


def test_lookup_every_type_when_none_asked() -> None:
    kinds = {info.type for info in AddrInfo.lookup("127.0.0.1", "80")}
    assert {SocketType.STREAM, SocketType.DGRAM} <= kinds


def test_lookup_service_forms() -> None:
    for service in (80, "80", "http"):
        [info] = AddrInfo.lookup("127.0.0.1", service, type=SocketType.STREAM)
        assert info.address == InetAddress("127.0.0.1", 80)
    [info] = AddrInfo.lookup("127.0.0.1", type=SocketType.STREAM)
    assert info.address.port == 0
    [info] = AddrInfo.lookup(None, 8080, type=SocketType.STREAM, family=AddressFamily.INET)
    assert info.address == InetAddress("127.0.0.1", 8080)
    [info] = AddrInfo.lookup(
        "", 8080, type=SocketType.STREAM, family=AddressFamily.INET, flags=AIFlag.PASSIVE
    )
    assert info.address == InetAddress("0.0.0.0", 8080)


@needs_ipv6
def test_lookup_family_filter() -> None:
    [info] = AddrInfo.lookup("::1", 80, family=AddressFamily.INET6, type=SocketType.STREAM)
    assert info.address == Inet6Address("::1", 80)
    with pytest.raises(LookupFailed):
        AddrInfo.lookup("::1", 80, family=AddressFamily.INET, flags=AIFlag.NUMERICHOST)


def test_lookup_failure_is_lookup_failed() -> None:
    with pytest.raises(LookupFailed) as info:
        AddrInfo.lookup("not-numeric", "80", flags=AIFlag.NUMERICHOST)
    error = info.value
    assert isinstance(error, socket.gaierror)
    assert error.eai_code == socket.EAI_NONAME
    assert error.errno == socket.EAI_NONAME
    assert error.host == "not-numeric"
    assert "not-numeric" in str(error)
    assert error.strerror


def test_lookup_argument_errors() -> None:
    with pytest.raises(ValueError, match="both be empty"):
        AddrInfo.lookup(None)
    with pytest.raises(ValueError, match="both be empty"):
        AddrInfo.lookup("", "")
    with pytest.raises(ValueError, match="port"):
        AddrInfo.lookup("127.0.0.1", 65536)
    with pytest.raises(ValueError, match="port"):
        AddrInfo.lookup("127.0.0.1", "70000")
    with pytest.raises(ValueError, match="port"):
        AddrInfo.lookup("127.0.0.1", -1)
    with pytest.raises(ValueError, match="flags"):
        AddrInfo.lookup("127.0.0.1", 80, flags=1 << 20)
    with pytest.raises(ValueError, match="flags"):
        AddrInfo.lookup("127.0.0.1", 80, flags=-1)
    with pytest.raises(ValueError, match="NUL"):
        AddrInfo.lookup("127.0.0.1\0", 80)
    with pytest.raises(TypeError, match="host"):
        AddrInfo.lookup(127, 80)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="service"):
        AddrInfo.lookup("127.0.0.1", 80.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="service"):
        AddrInfo.lookup("127.0.0.1", True)
    with pytest.raises(TypeError, match="family"):
        AddrInfo.lookup("127.0.0.1", 80, family="2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="flags"):
        AddrInfo.lookup("127.0.0.1", 80, flags=None)  # type: ignore[arg-type]


def test_resolve_accepts_bytes_and_enums() -> None:
    results = _resolve.getaddrinfo(b"127.0.0.1", b"80", AddressFamily.INET, SocketType.STREAM)
    assert [entry[4] for entry in results] == [("127.0.0.1", 80)]
    assert _resolve.AI_KNOWN_FLAGS & socket.AI_CANONNAME


def test_records_are_frozen_and_hashable() -> None:
    [info] = AddrInfo.lookup("127.0.0.1", 80, type=SocketType.STREAM)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        info.canonname = "x"  # type: ignore[misc]
    [again] = AddrInfo.lookup("127.0.0.1", 80, type=SocketType.STREAM)
    assert info == again
    assert len({info, again}) == 1
    assert not hasattr(info, "__dict__")


# ====================================================================== connect and bind


@pytest.fixture
def server() -> Iterator[Socket]:
    with Socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener


def test_connect(server: Socket, fd_check: None) -> None:
    assert server.local_address is not None
    port = server.local_address.port
    [info] = AddrInfo.lookup("127.0.0.1", port, type=SocketType.STREAM)
    with info.connect(timeout=2.0) as client:
        assert client.peer_address == InetAddress("127.0.0.1", port)
        assert client.timeout == 2.0
    with info.connect() as client:
        assert client.timeout is None


def test_connect_refused_closes_the_socket(fd_check: None) -> None:
    [info] = AddrInfo.lookup("127.0.0.1", free_port(), type=SocketType.STREAM)
    before = open_fds()
    with pytest.raises(ConnectionRefused):
        info.connect(timeout=5)
    assert open_fds() == before


def test_connect_bad_timeout_makes_no_socket(fd_check: None) -> None:
    [info] = AddrInfo.lookup("127.0.0.1", 80, type=SocketType.STREAM)
    with pytest.raises(ValueError, match="timeout"):
        info.connect(timeout=-1)
    with pytest.raises(TypeError, match="timeout"):
        info.connect(timeout="1")  # type: ignore[arg-type]


def test_bind_stream_can_listen(fd_check: None) -> None:
    [info] = AddrInfo.lookup("127.0.0.1", 0, type=SocketType.STREAM, flags=AIFlag.PASSIVE)
    with info.bind() as sock:
        assert sock.get_option_raw(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0
        sock.listen()
        assert sock.local_address is not None
        port = sock.local_address.port
        with Socket.create_connection(("127.0.0.1", port), timeout=5):
            conn, _peer = sock.accept()
            conn.close()


def test_bind_datagram(fd_check: None) -> None:
    [info] = AddrInfo.lookup("127.0.0.1", 0, type=SocketType.DGRAM, flags=AIFlag.PASSIVE)
    with info.bind() as sock:
        assert sock.type == SocketType.DGRAM
        assert sock.get_option_raw(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 0


def test_bind_failure_closes_the_socket(server: Socket, fd_check: None) -> None:
    assert server.local_address is not None
    [info] = AddrInfo.lookup("127.0.0.1", server.local_address.port, type=SocketType.STREAM)
    before = open_fds()
    with pytest.raises(AddressInUse):
        info.bind()
    assert open_fds() == before
