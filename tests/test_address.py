"""Tests for sockkit.address: typed addresses, parsing, validation, fast paths."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import pathlib
import pickle
import socket
import sys
import tempfile
import uuid
from collections.abc import Iterator
from typing import Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sockkit.address import (
    UNIX_PATH_MAX,
    Address,
    Inet6Address,
    InetAddress,
    UnixAddress,
    format_address,
    from_sockaddr,
    parse_address,
    to_sockaddr,
)

AF_INET: Final = socket.AF_INET
AF_INET6: Final = socket.AF_INET6
AF_UNIX: Final = socket.AF_UNIX

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


def _has_ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not _has_ipv6_loopback(), reason="::1 not available")


@pytest.fixture
def short_tmp() -> Iterator[pathlib.Path]:
    """A short temporary directory (pytest's tmp_path can be too long for sun_path)."""
    with tempfile.TemporaryDirectory(prefix="sk") as d:
        yield pathlib.Path(d)


# ---------------------------------------------------------------------------
# Construction, unpacking, equality
# ---------------------------------------------------------------------------


class TestInetAddress:
    def test_fields_and_family(self) -> None:
        a = InetAddress("127.0.0.1", 80)
        assert a.host == "127.0.0.1"
        assert a.port == 80
        assert a.family is socket.AF_INET
        assert isinstance(a.family, socket.AddressFamily)

    def test_unpacking(self) -> None:
        host, port = InetAddress("127.0.0.1", 80)
        assert (host, port) == ("127.0.0.1", 80)
        a = InetAddress("127.0.0.1", 80)
        assert len(a) == 2
        assert a[0] == "127.0.0.1"
        assert a[1] == 80
        assert a[-1] == 80
        assert a[:] == ("127.0.0.1", 80)
        assert tuple(a) == a.to_sockaddr() == ("127.0.0.1", 80)
        with pytest.raises(IndexError):
            a[2]

    def test_str(self) -> None:
        assert str(InetAddress("127.0.0.1", 80)) == "127.0.0.1:80"
        assert str(InetAddress("", 80)) == "0.0.0.0:80"
        assert str(InetAddress("localhost", 8080)) == "localhost:8080"

    def test_equality_and_hash(self) -> None:
        a = InetAddress("127.0.0.1", 80)
        b = InetAddress("127.0.0.1", 80)
        assert a == b
        assert hash(a) == hash(b)
        assert a != InetAddress("127.0.0.1", 81)
        assert len({a, b, InetAddress("127.0.0.2", 80)}) == 2
        # Only the same type compares equal: not the plain tuple.
        assert a != ("127.0.0.1", 80)  # type: ignore[comparison-overlap]
        assert InetAddress("::1", 80) != Inet6Address("::1", 80)  # type: ignore[comparison-overlap]

    def test_frozen(self) -> None:
        a = InetAddress("127.0.0.1", 80)
        with pytest.raises(AttributeError):
            a.port = 81  # type: ignore[misc]

    def test_host_name_allowed(self) -> None:
        assert InetAddress("localhost", 80).host == "localhost"

    def test_repr_and_pickle(self) -> None:
        a = InetAddress("127.0.0.1", 80)
        assert repr(a) == "InetAddress(host='127.0.0.1', port=80)"
        assert pickle.loads(pickle.dumps(a)) == a

    @pytest.mark.parametrize("port", [-1, 65536, 70000, 2**64])
    def test_port_out_of_range(self, port: int) -> None:
        with pytest.raises(ValueError, match=rf"port must be 0-65535, got {port}"):
            InetAddress("127.0.0.1", port)

    @pytest.mark.parametrize("port", [True, False, "80", 80.0, None])
    def test_port_wrong_type(self, port: object) -> None:
        with pytest.raises(TypeError, match="port"):
            InetAddress("127.0.0.1", port)  # type: ignore[arg-type]

    @pytest.mark.parametrize("host", [b"127.0.0.1", 1, None, ipaddress.IPv4Address("1.2.3.4")])
    def test_host_wrong_type(self, host: object) -> None:
        with pytest.raises(TypeError, match="host"):
            InetAddress(host, 80)  # type: ignore[arg-type]

    def test_int_subclass_port_normalised(self) -> None:
        class P(int):
            pass

        a = InetAddress("127.0.0.1", P(80))
        assert type(a.port) is int
        assert a == InetAddress("127.0.0.1", 80)


class TestInet6Address:
    def test_fields(self) -> None:
        a = Inet6Address("::1", 80)
        assert (a.host, a.port, a.flowinfo, a.scope_id) == ("::1", 80, 0, 0)
        assert a.family is socket.AF_INET6

    def test_unpacking(self) -> None:
        host, port, flowinfo, scope_id = Inet6Address("fe80::1", 80, 5, 2)
        assert (host, port, flowinfo, scope_id) == ("fe80::1", 80, 5, 2)
        a = Inet6Address("::1", 80)
        assert len(a) == 4
        assert a[1] == 80
        assert a[:2] == ("::1", 80)
        assert a.to_sockaddr() == ("::1", 80, 0, 0)

    def test_str(self) -> None:
        assert str(Inet6Address("::1", 80)) == "[::1]:80"
        assert str(Inet6Address("fe80::1", 80, scope_id=2)) == "[fe80::1%2]:80"
        assert str(Inet6Address("", 80)) == "[::]:80"
        assert str(Inet6Address("fe80::1%lo", 80, scope_id=1)) == "[fe80::1%lo]:80"

    def test_equality_and_hash(self) -> None:
        assert Inet6Address("::1", 80) == Inet6Address("::1", 80, 0, 0)
        assert hash(Inet6Address("::1", 80)) == hash(Inet6Address("::1", 80, 0, 0))
        assert Inet6Address("::1", 80) != Inet6Address("::1", 80, scope_id=1)

    @pytest.mark.parametrize(
        ("kwargs", "exc", "match"),
        [
            ({"port": -1}, ValueError, "port must be 0-65535, got -1"),
            ({"port": 65536}, ValueError, "port must be 0-65535, got 65536"),
            ({"port": True}, TypeError, "port"),
            ({"flowinfo": 2**20}, ValueError, "flowinfo must be 0-1048575"),
            ({"flowinfo": -1}, ValueError, "flowinfo"),
            ({"flowinfo": "0"}, TypeError, "flowinfo"),
            ({"scope_id": 2**32}, ValueError, "scope_id must be 0-4294967295"),
            ({"scope_id": -1}, ValueError, "scope_id"),
            ({"scope_id": False}, TypeError, "scope_id"),
        ],
    )
    def test_bad_numbers(self, kwargs: dict[str, object], exc: type[Exception], match: str) -> None:
        args: dict[str, object] = {"host": "::1", "port": 80}
        args.update(kwargs)
        with pytest.raises(exc, match=match):
            Inet6Address(**args)  # type: ignore[arg-type]

    def test_limits_accepted(self) -> None:
        a = Inet6Address("::1", 65535, 2**20 - 1, 2**32 - 1)
        assert a.flowinfo == 2**20 - 1
        assert a.scope_id == 2**32 - 1


class TestUnixAddress:
    def test_str_path(self) -> None:
        a = UnixAddress("/tmp/app.sock")
        assert a.path == "/tmp/app.sock"
        assert not a.abstract
        assert a.family is socket.AF_UNIX
        assert str(a) == "/tmp/app.sock"
        assert a.to_sockaddr() == "/tmp/app.sock"

    def test_bytes_path_becomes_str(self) -> None:
        a = UnixAddress(b"/tmp/app.sock")
        assert a.path == "/tmp/app.sock"
        assert type(a.path) is str
        assert a == UnixAddress("/tmp/app.sock")

    def test_undecodable_bytes_roundtrip(self) -> None:
        raw = b"/tmp/\xff.sock"
        a = UnixAddress(raw)
        assert isinstance(a.path, str)
        assert os.fsencode(a.path) == raw

    def test_pathlike(self) -> None:
        a = UnixAddress(pathlib.Path("/tmp/app.sock"))
        assert a.path == "/tmp/app.sock"
        assert a == UnixAddress("/tmp/app.sock")

    @linux_only
    def test_abstract_str_becomes_bytes(self) -> None:
        a = UnixAddress("\0name")
        assert a.path == b"\0name"
        assert a.abstract
        assert a == UnixAddress(b"\0name")
        assert hash(a) == hash(UnixAddress(b"\0name"))
        assert str(a) == "@name"
        assert a.to_sockaddr() == b"\0name"

    @linux_only
    def test_abstract_display_escapes(self) -> None:
        assert str(UnixAddress(b"\0a\0b\n")) == "@a\\x00b\\n"
        assert str(UnixAddress(b"\0\xff")) == "@\\xff"
        assert str(UnixAddress("\0caf\u00e9")) == "@caf\u00e9"
        assert str(UnixAddress(b"\0")) == "@"

    def test_nul_inside_path(self) -> None:
        with pytest.raises(ValueError, match="NUL"):
            UnixAddress("/tmp/a\0b")
        with pytest.raises(ValueError, match="NUL"):
            UnixAddress(b"/tmp/a\0b")

    def test_empty(self) -> None:
        with pytest.raises(ValueError, match="empty"):
            UnixAddress("")
        with pytest.raises(ValueError, match="empty"):
            UnixAddress(b"")

    def test_length_limit(self) -> None:
        limit = UNIX_PATH_MAX - 1
        ok = "/" + "a" * (limit - 1)
        assert UnixAddress(ok).path == ok
        too_long = "/" + "a" * limit
        with pytest.raises(
            ValueError,
            match=rf"Unix socket path is {limit + 1} bytes; the limit is {limit}",
        ):
            UnixAddress(too_long)

    def test_length_counts_encoded_bytes(self) -> None:
        # 54 two-byte characters: 54 characters, 108 bytes once encoded.
        if sys.getfilesystemencoding().lower() not in ("utf-8", "utf8"):
            pytest.skip("needs a UTF-8 filesystem encoding")
        with pytest.raises(ValueError, match="108 bytes"):
            UnixAddress("\u00e9" * 54)

    @linux_only
    def test_108_byte_path_rejected(self) -> None:
        with pytest.raises(ValueError, match="the limit is 107"):
            UnixAddress("/" + "x" * 107)

    @linux_only
    def test_abstract_length_limit(self) -> None:
        assert UnixAddress(b"\0" + b"a" * 107).abstract
        with pytest.raises(ValueError, match=r"109 bytes.*the limit is 108"):
            UnixAddress(b"\0" + b"a" * 108)

    @pytest.mark.parametrize("path", [1, None, ["/tmp/x"], bytearray(b"/tmp/x")])
    def test_wrong_type(self, path: object) -> None:
        with pytest.raises(TypeError, match="Unix socket path"):
            UnixAddress(path)  # type: ignore[arg-type]

    def test_unix_path_max_platform(self) -> None:
        if sys.platform.startswith("linux"):
            assert UNIX_PATH_MAX == 108
        elif sys.platform == "darwin" or "bsd" in sys.platform:
            assert UNIX_PATH_MAX == 104


# ---------------------------------------------------------------------------
# format_address
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (InetAddress("127.0.0.1", 80), "127.0.0.1:80"),
        (("127.0.0.1", 80), "127.0.0.1:80"),
        (("::1", 80), "[::1]:80"),
        (("::1", 80, 0, 0), "[::1]:80"),
        (("fe80::1", 80, 0, 2), "[fe80::1%2]:80"),
        (Inet6Address("fe80::1", 80, scope_id=2), "[fe80::1%2]:80"),
        ("/tmp/x.sock", "/tmp/x.sock"),
        (b"/tmp/x.sock", "/tmp/x.sock"),
        (pathlib.Path("/tmp/x.sock"), "/tmp/x.sock"),
        (b"\0abc", "@abc"),
        ("\0abc", "@abc"),
        (None, "<unnamed>"),
        ("", "<unnamed>"),
        (b"", "<unnamed>"),
        (42, "42"),
        ([1, 2], "[1, 2]"),
    ],
)
def test_format_address(value: object, text: str) -> None:
    assert format_address(value) == text


# ---------------------------------------------------------------------------
# parse_address
# ---------------------------------------------------------------------------


class TestParseInet:
    def test_tuple(self) -> None:
        assert parse_address(AF_INET, ("127.0.0.1", 80)) == InetAddress("127.0.0.1", 80)

    def test_plain_int_family(self) -> None:
        assert parse_address(int(AF_INET), ("127.0.0.1", 80)) == InetAddress("127.0.0.1", 80)

    def test_string(self) -> None:
        assert parse_address(AF_INET, "127.0.0.1:80") == InetAddress("127.0.0.1", 80)
        assert parse_address(AF_INET, "localhost:0") == InetAddress("localhost", 0)
        assert parse_address(AF_INET, ":80") == InetAddress("", 80)

    def test_typed_passthrough(self) -> None:
        a = InetAddress("127.0.0.1", 80)
        assert parse_address(AF_INET, a) is a

    def test_any_and_broadcast(self) -> None:
        assert parse_address(AF_INET, ("", 0)).host == ""
        assert parse_address(AF_INET, ("<broadcast>", 9)).host == "<broadcast>"
        assert parse_address(AF_INET, ("", 0), numeric=True).host == ""

    def test_names_pass_through(self) -> None:
        assert parse_address(AF_INET, ("localhost", 80)).host == "localhost"
        assert parse_address(AF_INET, ("localhost", 80)).host == "localhost"

    def test_numeric_rejects_name(self) -> None:
        with pytest.raises(ValueError, match="not a numeric IPv4 address"):
            parse_address(AF_INET, ("localhost", 80), numeric=True)
        with pytest.raises(ValueError, match="not a numeric"):
            parse_address(AF_INET, InetAddress("localhost", 80), numeric=True)
        assert parse_address(AF_INET, ("127.0.0.1", 80), numeric=True).port == 80

    @pytest.mark.parametrize("host", ["::1", "fe80::1%1", "::ffff:1.2.3.4"])
    def test_ipv6_literal_on_inet(self, host: str) -> None:
        with pytest.raises(ValueError, match="AF_INET socket cannot use an IPv6 address"):
            parse_address(AF_INET, (host, 80))

    def test_ipv6_typed_on_inet(self) -> None:
        with pytest.raises(ValueError, match="AF_INET socket cannot use an IPv6 address"):
            parse_address(AF_INET, Inet6Address("::1", 80))
        with pytest.raises(ValueError, match="AF_INET socket cannot use an IPv6 address"):
            parse_address(AF_INET, InetAddress("::1", 80))

    def test_unix_typed_on_inet(self) -> None:
        with pytest.raises(ValueError, match="AF_INET socket cannot use a Unix address"):
            parse_address(AF_INET, UnixAddress("/tmp/x"))

    @pytest.mark.parametrize("host", ["1.2.3.999", "256.0.0.1", "127.1", "01.2.3.4", "1.2.3.4.5"])
    def test_invalid_dotted(self, host: str) -> None:
        with pytest.raises(ValueError, match="not a valid IPv4 address"):
            parse_address(AF_INET, (host, 80))

    def test_nul_in_host(self) -> None:
        with pytest.raises(ValueError, match="NUL"):
            parse_address(AF_INET, ("local\0host", 80))

    @pytest.mark.parametrize("port", [-1, 65536, 70000])
    def test_port_range(self, port: int) -> None:
        with pytest.raises(ValueError, match=f"port must be 0-65535, got {port}"):
            parse_address(AF_INET, ("127.0.0.1", port))

    @pytest.mark.parametrize("port", [True, "80", 80.0, None])
    def test_port_type(self, port: object) -> None:
        with pytest.raises(TypeError, match="port must be an int"):
            parse_address(AF_INET, ("127.0.0.1", port))

    @pytest.mark.parametrize("value", [(), ("127.0.0.1",), ("127.0.0.1", 80, 0)])
    def test_tuple_length(self, value: tuple[object, ...]) -> None:
        with pytest.raises(ValueError, match=r"\(host, port\) tuple"):
            parse_address(AF_INET, value)

    @pytest.mark.parametrize("value", [["127.0.0.1", 80], b"127.0.0.1:80", 80, None])
    def test_wrong_value_type(self, value: object) -> None:
        with pytest.raises(TypeError, match="AF_INET address must be"):
            parse_address(AF_INET, value)

    def test_host_type(self) -> None:
        with pytest.raises(TypeError, match="host must be a str, got bytes"):
            parse_address(AF_INET, (b"127.0.0.1", 80))

    @pytest.mark.parametrize(
        "text", ["127.0.0.1", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:+80", "127.0.0.1:123456"]
    )
    def test_bad_strings(self, text: str) -> None:
        with pytest.raises(ValueError):
            parse_address(AF_INET, text)

    def test_string_port_range(self) -> None:
        with pytest.raises(ValueError, match="port must be 0-65535, got 70000"):
            parse_address(AF_INET, "127.0.0.1:70000")


class TestParseInet6:
    def test_tuples(self) -> None:
        assert parse_address(AF_INET6, ("::1", 80)) == Inet6Address("::1", 80)
        assert parse_address(AF_INET6, ("::1", 80, 3)) == Inet6Address("::1", 80, 3)
        assert parse_address(AF_INET6, ("::1", 80, 3, 4)) == Inet6Address("::1", 80, 3, 4)

    def test_strings(self) -> None:
        assert parse_address(AF_INET6, "[::1]:80") == Inet6Address("::1", 80)
        assert parse_address(AF_INET6, "[fe80::1%2]:80") == Inet6Address("fe80::1", 80, 0, 2)
        assert parse_address(AF_INET6, "localhost:80") == Inet6Address("localhost", 80)
        assert parse_address(AF_INET6, "[::]:0") == Inet6Address("::", 0)

    def test_str_roundtrip(self) -> None:
        for a in [Inet6Address("::1", 80), Inet6Address("fe80::1", 80, 0, 7)]:
            assert parse_address(AF_INET6, str(a)) == a

    def test_unbracketed_v6_with_port(self) -> None:
        with pytest.raises(ValueError, match=r"\[host\]:port"):
            parse_address(AF_INET6, "::1:80")

    @pytest.mark.parametrize("text", ["[::1]", "[::1:80", "[::1]80", "[::1]:x"])
    def test_bad_strings(self, text: str) -> None:
        with pytest.raises(ValueError):
            parse_address(AF_INET6, text)

    def test_ipv4_literal_rejected(self) -> None:
        with pytest.raises(
            ValueError, match=r"AF_INET6 socket cannot use an IPv4 address.*::ffff:"
        ):
            parse_address(AF_INET6, ("127.0.0.1", 80))
        with pytest.raises(ValueError, match="AF_INET6 socket cannot use an IPv4 address"):
            parse_address(AF_INET6, InetAddress("127.0.0.1", 80))
        with pytest.raises(ValueError, match="AF_INET6 socket cannot use an IPv4 address"):
            parse_address(AF_INET6, Inet6Address("127.0.0.1", 80))

    def test_mapped_ok(self) -> None:
        assert parse_address(AF_INET6, ("::ffff:127.0.0.1", 80)).host == "::ffff:127.0.0.1"

    def test_any(self) -> None:
        assert parse_address(AF_INET6, ("", 0)) == Inet6Address("", 0)
        assert parse_address(AF_INET6, ("", 0), numeric=True) == Inet6Address("", 0)

    def test_broadcast_rejected(self) -> None:
        with pytest.raises(ValueError, match="only valid on an AF_INET socket"):
            parse_address(AF_INET6, ("<broadcast>", 80))

    def test_numeric(self) -> None:
        with pytest.raises(ValueError, match="not a numeric IPv6 address"):
            parse_address(AF_INET6, ("localhost", 80), numeric=True)
        assert parse_address(AF_INET6, ("::1", 80), numeric=True).host == "::1"
        assert parse_address(AF_INET6, ("localhost", 80)).host == "localhost"

    @pytest.mark.parametrize("host", [":::1", "fe80::g", "1::2::3", "1.2.3.999"])
    def test_invalid_literals(self, host: str) -> None:
        with pytest.raises(ValueError, match=r"not a valid IPv6 address|neither"):
            parse_address(AF_INET6, (host, 80))

    def test_scope_numeric(self) -> None:
        a = parse_address(AF_INET6, ("fe80::1%3", 80))
        assert a == Inet6Address("fe80::1", 80, 0, 3)

    def test_scope_interface_name(self) -> None:
        index, name = socket.if_nameindex()[0]
        a = parse_address(AF_INET6, (f"fe80::1%{name}", 80))
        assert a == Inet6Address("fe80::1", 80, 0, index)
        # The same scope given twice is fine.
        assert parse_address(AF_INET6, (f"fe80::1%{name}", 80, 0, index)) == a

    def test_scope_conflict(self) -> None:
        with pytest.raises(ValueError, match="scope"):
            parse_address(AF_INET6, ("fe80::1%3", 80, 0, 4))

    def test_bad_scope_interface(self) -> None:
        name = "nosuch" + uuid.uuid4().hex[:8]
        with pytest.raises(ValueError, match="unknown network interface"):
            parse_address(AF_INET6, (f"fe80::1%{name}", 80))

    @pytest.mark.parametrize("host", ["fe80::1%", "localhost%1", "127.0.0.1%1"])
    def test_bad_scope_forms(self, host: str) -> None:
        with pytest.raises(ValueError):
            parse_address(AF_INET6, (host, 80))

    def test_scope_out_of_range(self) -> None:
        with pytest.raises(ValueError, match="scope_id"):
            parse_address(AF_INET6, (f"fe80::1%{2**32}", 80))

    @pytest.mark.parametrize("value", [(), ("::1",), ("::1", 80, 0, 0, 0)])
    def test_tuple_length(self, value: tuple[object, ...]) -> None:
        with pytest.raises(ValueError, match="tuple"):
            parse_address(AF_INET6, value)

    @pytest.mark.parametrize(
        ("value", "exc"),
        [
            (("::1", -1), ValueError),
            (("::1", 65536), ValueError),
            (("::1", True), TypeError),
            (("::1", 80, 2**20), ValueError),
            (("::1", 80, 0, 2**32), ValueError),
            (("::1", 80, "0"), TypeError),
            ((None, 80), TypeError),
            (["::1", 80], TypeError),
            (b"[::1]:80", TypeError),
        ],
    )
    def test_bad_values(self, value: object, exc: type[Exception]) -> None:
        with pytest.raises(exc):
            parse_address(AF_INET6, value)

    def test_typed_mismatch(self) -> None:
        with pytest.raises(ValueError, match="AF_INET6 socket cannot use a Unix address"):
            parse_address(AF_INET6, UnixAddress("/tmp/x"))

    def test_typed_passthrough(self) -> None:
        a = Inet6Address("::1", 80)
        assert parse_address(AF_INET6, a) is a
        b = Inet6Address("fe80::1%5", 80)
        assert parse_address(AF_INET6, b) == Inet6Address("fe80::1", 80, 0, 5)


class TestParseUnix:
    def test_forms(self) -> None:
        assert parse_address(AF_UNIX, "/tmp/x") == UnixAddress("/tmp/x")
        assert parse_address(AF_UNIX, b"/tmp/x") == UnixAddress("/tmp/x")
        assert parse_address(AF_UNIX, pathlib.Path("/tmp/x")) == UnixAddress("/tmp/x")
        a = UnixAddress("/tmp/x")
        assert parse_address(AF_UNIX, a) is a

    @linux_only
    def test_abstract(self) -> None:
        assert parse_address(AF_UNIX, "\0x") == UnixAddress(b"\0x")

    @pytest.mark.parametrize("value", ["", "/a\0b", "/" + "a" * UNIX_PATH_MAX])
    def test_bad_paths(self, value: str) -> None:
        with pytest.raises(ValueError):
            parse_address(AF_UNIX, value)

    @pytest.mark.parametrize("value", [("/tmp/x", 0), 1, None, bytearray(b"/x")])
    def test_wrong_types(self, value: object) -> None:
        with pytest.raises(TypeError, match="AF_UNIX address must be"):
            parse_address(AF_UNIX, value)

    def test_inet_typed_on_unix(self) -> None:
        with pytest.raises(ValueError, match="AF_UNIX socket cannot use an IPv4 address"):
            parse_address(AF_UNIX, InetAddress("127.0.0.1", 80))


class TestFamily:
    @pytest.mark.parametrize("family", [0, 17, 9999, -1])
    def test_unknown_family(self, family: int) -> None:
        with pytest.raises(ValueError, match="unsupported address family"):
            parse_address(family, ("127.0.0.1", 80))
        with pytest.raises(ValueError, match="unsupported address family"):
            to_sockaddr(family, ("127.0.0.1", 80))
        with pytest.raises(ValueError, match="unsupported address family"):
            from_sockaddr(family, ("127.0.0.1", 80))

    @pytest.mark.parametrize("family", ["AF_INET", 2.0, None, True])
    def test_family_type(self, family: object) -> None:
        with pytest.raises(TypeError, match="family"):
            parse_address(family, ("127.0.0.1", 80))  # type: ignore[call-overload]


# ---------------------------------------------------------------------------
# to_sockaddr / from_sockaddr against real sockets
# ---------------------------------------------------------------------------


class TestToSockaddr:
    def test_fast_path_returns_same_tuple(self) -> None:
        t = ("127.0.0.1", 80)
        assert to_sockaddr(AF_INET, t) is t
        t6 = ("::1", 80, 0, 0)
        assert to_sockaddr(AF_INET6, t6) is t6

    def test_typed(self) -> None:
        assert to_sockaddr(AF_INET, InetAddress("127.0.0.1", 80)) == ("127.0.0.1", 80)
        assert to_sockaddr(AF_INET6, Inet6Address("::1", 80)) == ("::1", 80, 0, 0)
        assert to_sockaddr(AF_UNIX, UnixAddress("/tmp/x")) == "/tmp/x"

    def test_strings(self) -> None:
        assert to_sockaddr(AF_INET, "127.0.0.1:80") == ("127.0.0.1", 80)
        assert to_sockaddr(AF_INET6, "[fe80::1%2]:80") == ("fe80::1", 80, 0, 2)
        assert to_sockaddr(AF_UNIX, b"/tmp/x") == "/tmp/x"
        assert to_sockaddr(AF_UNIX, pathlib.Path("/tmp/x")) == "/tmp/x"

    @linux_only
    def test_abstract(self) -> None:
        assert to_sockaddr(AF_UNIX, "\0x") == b"\0x"
        assert to_sockaddr(AF_UNIX, b"\0x") == b"\0x"

    @pytest.mark.parametrize(
        ("family", "value", "exc"),
        [
            (AF_INET, ("127.0.0.1", -1), ValueError),
            (AF_INET, ("127.0.0.1", 65536), ValueError),
            (AF_INET, ("127.0.0.1", True), TypeError),
            (AF_INET, ("127.0.0.1", "80"), TypeError),
            (AF_INET, ("::1", 80), ValueError),
            (AF_INET, ("1.2.3.999", 80), ValueError),
            (AF_INET, ("127.0.0.1", 80, 0), ValueError),
            (AF_INET, ["127.0.0.1", 80], TypeError),
            (AF_INET, InetAddress("::1", 80), ValueError),
            (AF_INET, Inet6Address("::1", 80), ValueError),
            (AF_INET6, ("127.0.0.1", 80), ValueError),
            (AF_INET6, ("::1", 80, 2**20, 0), ValueError),
            (AF_INET6, ("::1", 80, 0, -1), ValueError),
            (AF_INET6, ("::1", 80, 0, 0, 0), ValueError),
            (AF_INET6, ("fe80::1%nosuchinterface0", 80), ValueError),
            (AF_UNIX, "", ValueError),
            (AF_UNIX, "/a\0b", ValueError),
            (AF_UNIX, "/" + "a" * UNIX_PATH_MAX, ValueError),
            (AF_UNIX, ("/tmp/x", 0), TypeError),
        ],
    )
    def test_rejects(self, family: int, value: object, exc: type[Exception]) -> None:
        with pytest.raises(exc):
            to_sockaddr(family, value)

    def test_bind_inet(self) -> None:
        with socket.socket(AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(to_sockaddr(AF_INET, ("127.0.0.1", 0)))
            name = s.getsockname()
            addr = from_sockaddr(AF_INET, name)
            assert isinstance(addr, InetAddress)
            assert addr == InetAddress("127.0.0.1", name[1])
            assert addr.to_sockaddr() == name
            assert str(addr) == f"127.0.0.1:{name[1]}"
            # The typed address goes back into a real socket call.
            with socket.socket(AF_INET, socket.SOCK_DGRAM) as c:
                c.bind(to_sockaddr(AF_INET, "127.0.0.1:0"))
                c.sendto(b"ping", to_sockaddr(AF_INET, addr))
                data, peer = s.recvfrom(16)
                assert data == b"ping"
                assert from_sockaddr(AF_INET, peer) == from_sockaddr(AF_INET, c.getsockname())

    @needs_ipv6
    def test_bind_inet6(self) -> None:
        with socket.socket(AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(to_sockaddr(AF_INET6, ("::1", 0)))
            name = s.getsockname()
            addr = from_sockaddr(AF_INET6, name)
            assert isinstance(addr, Inet6Address)
            assert addr == Inet6Address("::1", name[1], name[2], name[3])
            assert addr.to_sockaddr() == name
            assert str(addr) == f"[::1]:{name[1]}"
            s.listen(1)
            with socket.socket(AF_INET6, socket.SOCK_STREAM) as c:
                c.connect(to_sockaddr(AF_INET6, addr))
                conn, peer = s.accept()
                with conn:
                    assert from_sockaddr(AF_INET6, peer) == from_sockaddr(AF_INET6, c.getsockname())

    def test_bind_unix_path(self, short_tmp: pathlib.Path) -> None:
        path = short_tmp / "s.sock"
        with socket.socket(AF_UNIX, socket.SOCK_STREAM) as s:
            s.bind(to_sockaddr(AF_UNIX, path))
            addr = from_sockaddr(AF_UNIX, s.getsockname())
            assert addr == UnixAddress(path)
            assert isinstance(addr, UnixAddress)
            assert not addr.abstract
            assert str(addr) == str(path)
            s.listen(1)
            with socket.socket(AF_UNIX, socket.SOCK_STREAM) as c:
                c.connect(to_sockaddr(AF_UNIX, addr))
                conn, peer = s.accept()
                with conn:
                    # The connecting socket is unbound: its address is unnamed.
                    assert from_sockaddr(AF_UNIX, peer) is None
                    assert from_sockaddr(AF_UNIX, c.getsockname()) is None
                    assert from_sockaddr(AF_UNIX, c.getpeername()) == addr

    def test_bind_unix_longest_path(self, short_tmp: pathlib.Path) -> None:
        prefix = os.fsencode(short_tmp) + b"/"
        limit = UNIX_PATH_MAX - 1
        path = os.fsdecode(prefix + b"p" * (limit - len(prefix)))
        assert len(os.fsencode(path)) == limit
        with socket.socket(AF_UNIX, socket.SOCK_DGRAM) as s:
            s.bind(to_sockaddr(AF_UNIX, path))
            assert from_sockaddr(AF_UNIX, s.getsockname()) == UnixAddress(path)
        with pytest.raises(ValueError, match="the limit is"):
            to_sockaddr(AF_UNIX, path + "p")

    @linux_only
    def test_bind_abstract(self) -> None:
        name = b"\0sockkit-test-" + uuid.uuid4().hex.encode()
        with socket.socket(AF_UNIX, socket.SOCK_DGRAM) as s:
            s.bind(to_sockaddr(AF_UNIX, name))
            raw = s.getsockname()
            addr = from_sockaddr(AF_UNIX, raw)
            assert isinstance(addr, UnixAddress)
            assert addr.abstract
            assert addr == UnixAddress(name)
            assert addr.to_sockaddr() == raw
            assert str(addr) == "@" + name[1:].decode()
            with socket.socket(AF_UNIX, socket.SOCK_DGRAM) as c:
                c.sendto(b"x", to_sockaddr(AF_UNIX, addr))
                _, peer = s.recvfrom(4)
                assert from_sockaddr(AF_UNIX, peer) is None

    @linux_only
    def test_bind_abstract_longest(self) -> None:
        name = b"\0" + uuid.uuid4().hex.encode().ljust(UNIX_PATH_MAX - 1, b"z")
        assert len(name) == UNIX_PATH_MAX
        with socket.socket(AF_UNIX, socket.SOCK_DGRAM) as s:
            s.bind(to_sockaddr(AF_UNIX, name))
            assert from_sockaddr(AF_UNIX, s.getsockname()) == UnixAddress(name)
        with pytest.raises(ValueError, match="the limit is 108"):
            to_sockaddr(AF_UNIX, name + b"z")


class TestFromSockaddr:
    def test_shapes(self) -> None:
        assert from_sockaddr(AF_INET, ("127.0.0.1", 80)) == InetAddress("127.0.0.1", 80)
        assert from_sockaddr(AF_INET6, ("::1", 80, 0, 0)) == Inet6Address("::1", 80)
        assert from_sockaddr(AF_UNIX, "/tmp/x") == UnixAddress("/tmp/x")
        assert from_sockaddr(AF_UNIX, None) is None
        assert from_sockaddr(AF_UNIX, "") is None
        assert from_sockaddr(AF_UNIX, b"") is None

    @linux_only
    def test_abstract(self) -> None:
        assert from_sockaddr(AF_UNIX, b"\0abc") == UnixAddress(b"\0abc")

    def test_trusted_equals_constructed(self) -> None:
        fast = from_sockaddr(AF_INET, ("127.0.0.1", 80))
        slow = InetAddress("127.0.0.1", 80)
        assert fast == slow
        assert hash(fast) == hash(slow)
        assert repr(fast) == repr(slow)
        assert pickle.loads(pickle.dumps(fast)) == slow

    def test_getaddrinfo_style_scope_stripped(self) -> None:
        a = from_sockaddr(AF_INET6, ("fe80::1%lo", 80, 0, 1))
        assert a == Inet6Address("fe80::1", 80, 0, 1)

    def test_other_shapes_are_validated(self) -> None:
        # Not the socket module's shapes: checked like parse_address.
        assert from_sockaddr(AF_INET6, ("::1", 80)) == Inet6Address("::1", 80)
        assert from_sockaddr(AF_UNIX, b"/tmp/x") == UnixAddress("/tmp/x")
        with pytest.raises(ValueError):
            from_sockaddr(AF_INET, ("127.0.0.1", 70000, 1))
        with pytest.raises(TypeError):
            from_sockaddr(AF_INET, ("127.0.0.1", "80"))
        with pytest.raises(TypeError):
            from_sockaddr(AF_UNIX, 5)

    def test_unsupported_family(self) -> None:
        packet = getattr(socket, "AF_PACKET", 17)
        with pytest.raises(ValueError, match="unsupported address family"):
            from_sockaddr(packet, ("lo", 0x0800, 0, 0, b""))


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

ipv4_addresses = st.ip_addresses(v=4).map(str)
ports = st.integers(min_value=0, max_value=65535)
bad_ports = st.integers(max_value=-1) | st.integers(min_value=65536)


@settings(max_examples=200)
@given(host=ipv4_addresses, port=ports)
def test_inet_roundtrip(host: str, port: int) -> None:
    parsed = parse_address(AF_INET, (host, port))
    raw = to_sockaddr(AF_INET, parsed)
    assert raw == (host, port)
    assert from_sockaddr(AF_INET, raw) == parsed
    assert parse_address(AF_INET, str(parsed)) == parsed


@settings(max_examples=200)
@given(host=st.ip_addresses(v=6).map(str), port=ports, scope=st.integers(0, 2**32 - 1))
def test_inet6_roundtrip(host: str, port: int, scope: int) -> None:
    parsed = parse_address(AF_INET6, (host, port, 0, scope))
    raw = to_sockaddr(AF_INET6, parsed)
    assert from_sockaddr(AF_INET6, raw) == parsed
    assert parse_address(AF_INET6, str(parsed)) == parsed


@settings(max_examples=200)
@given(port=bad_ports)
def test_bad_port_always_value_error(port: int) -> None:
    with pytest.raises(ValueError):
        InetAddress("127.0.0.1", port)
    with pytest.raises(ValueError):
        Inet6Address("::1", port)
    with pytest.raises(ValueError):
        parse_address(AF_INET, ("127.0.0.1", port))
    with pytest.raises(ValueError):
        to_sockaddr(AF_INET, ("127.0.0.1", port))
    with pytest.raises(ValueError):
        to_sockaddr(AF_INET6, ("::1", port, 0, 0))


# Hosts that stress the literal checks: real literals, near-misses, names.
hosts = st.one_of(
    ipv4_addresses,
    st.ip_addresses(v=6).map(str),
    st.sampled_from(
        [
            "",
            "<broadcast>",
            "localhost",
            "a.b",
            "1.2.3",
            "127.1",
            "::",
            "1::2::3",
            "x%1",
            "fe80::1%1",
        ]
    ),
    st.text(alphabet="0123456789abcdef.:%<>\0 -", max_size=20),
    st.text(max_size=10),
)


def _outcome(func: object, *args: object) -> object:
    try:
        return func(*args)  # type: ignore[operator]
    except (TypeError, ValueError) as exc:
        return type(exc)


@settings(max_examples=200)
@given(family=st.sampled_from([AF_INET, AF_INET6]), host=hosts, port=st.integers(-2, 65537))
def test_fast_path_agrees_with_parse(family: int, host: str, port: int) -> None:
    for value in [(host, port), (host, port, 0, 0)]:
        fast = _outcome(to_sockaddr, family, value)
        slow = _outcome(lambda f, v: parse_address(f, v).to_sockaddr(), family, value)
        if isinstance(fast, type):
            assert fast is slow
        else:
            assert not isinstance(slow, type)
            assert tuple(fast) == tuple(slow)[: len(fast)]  # type: ignore[arg-type]


@settings(max_examples=200)
@given(family=st.sampled_from([AF_INET, AF_INET6, AF_UNIX]), path=st.text(max_size=120))
def test_unix_fast_path_agrees(family: int, path: str) -> None:
    if family != AF_UNIX:
        return
    fast = _outcome(to_sockaddr, AF_UNIX, path)
    slow = _outcome(lambda v: parse_address(AF_UNIX, v).to_sockaddr(), path)
    assert fast == slow


anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.binary()
    | hosts
    | st.builds(pathlib.PurePosixPath, st.text(min_size=1)),
    lambda inner: (
        st.tuples(inner, inner)
        | st.tuples(hosts, st.integers())
        | st.tuples(hosts, st.integers(), st.integers(), st.integers())
        | st.lists(inner, max_size=4)
        | st.lists(inner, max_size=5).map(tuple)
    ),
    max_leaves=8,
)


@settings(max_examples=200)
@given(
    family=st.sampled_from([AF_INET, AF_INET6, AF_UNIX]) | st.integers(-1, 50),
    value=anything,
    numeric=st.booleans(),
)
def test_parse_random_objects(family: int, value: object, numeric: bool) -> None:
    try:
        result: Address = parse_address(family, value, numeric=numeric)
    except (TypeError, ValueError):
        pass
    else:
        assert isinstance(result, (InetAddress, Inet6Address, UnixAddress))
        assert result.family == family
        assert to_sockaddr(family, result) == result.to_sockaddr()
    with contextlib.suppress(TypeError, ValueError):
        to_sockaddr(family, value)
    assert isinstance(format_address(value), str)
