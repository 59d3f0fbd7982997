"""Option enums and codecs: a generated get -> set -> get round trip per option."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import HAS_IPV6, needs_ipv6
from sockkit import (
    AddressFamily,
    Credentials,
    GroupRequest,
    IPOption,
    IPv6Option,
    Level,
    Linger,
    MemoryInfo,
    PacketInfo,
    ProtocolNotAvailable,
    Socket,
    SocketOption,
    SocketType,
    SourceGroupRequest,
    TCPOption,
    UDPOption,
)
from sockkit.options import all_options

DATA = Path(__file__).with_name("data")

# The option names and Linux values of PHP 8.2's sockets extension.
REFERENCE = dict(
    (name, int(value))
    for name, value in (line.split("=") for line in (DATA / "php_options.txt").read_text().split())
)

# --------------------------------------------------------------------------- the table


def test_levels() -> None:
    assert SocketOption.REUSEADDR.level is Level.SOCKET
    assert TCPOption.NODELAY.level is Level.TCP
    assert IPOption.TOS.level is Level.IP
    assert IPv6Option.V6ONLY.level is Level.IPV6
    assert UDPOption.SEGMENT.level is Level.UDP


def test_colliding_numbers_stay_distinct() -> None:
    # SO_DEBUG, TCP_NODELAY and IP_TOS are all 1 on Linux.
    assert int(SocketOption.DEBUG) == int(TCPOption.NODELAY) == int(IPOption.TOS) == 1
    assert SocketOption.DEBUG != TCPOption.NODELAY
    assert TCPOption.NODELAY not in {SocketOption.DEBUG, IPOption.TOS}
    assert TCPOption.NODELAY == 1 and {1: "x"}[TCPOption.NODELAY] == "x"
    assert SocketOption.DEBUG.name == "DEBUG" and TCPOption.NODELAY.name == "NODELAY"


PREFIXES = {
    SocketOption: "SO_",
    TCPOption: "TCP_",
    UDPOption: "UDP_",
    IPOption: "IP_",
    IPv6Option: "IPV6_",
}


def php_name(option: Any) -> str:
    return option.name if option.name.startswith("MCAST_") else PREFIXES[type(option)] + option.name


def test_every_php_option_has_a_member_with_the_reference_value() -> None:
    members: dict[str, list[int]] = {}
    for option in all_options():
        members.setdefault(php_name(option), []).append(int(option))
    for name, value in REFERENCE.items():
        assert name in members, f"{name} has no option member"
        assert set(members[name]) == {value}, name


def test_members_match_the_os() -> None:
    for option in all_options():
        value = getattr(socket, php_name(option), None)
        if value is not None:
            assert int(option) == value, option


def test_every_member_has_a_codec_and_access() -> None:
    for option in all_options():
        assert option.codec.name
        assert option.readable or option.writable


# --------------------------------------------------------------------------- round trips

SAMPLES: dict[str, list[Any]] = {
    "bool": [True, False],
    "int": [3, 0],
    "int >= 0": [4096, 8192],
    "int 0-255": [16, 0],
    "int 1-255": [7, 64],
    "int -1-255": [5, 9],
    "int 0-65535": [1200, 0],
    "seconds (float)": [1.5, 0.25],
    "Linger": [Linger(True, 3), Linger(True, 0)],
    "algorithm name (str)": ["reno", "cubic"],
}

# Options Linux refuses to an unprivileged user, or that need another kind of socket.
PRIVILEGED = {
    SocketOption.DEBUG,
    SocketOption.MARK,
    SocketOption.BINDTODEVICE,
    SocketOption.PRIORITY,
    SocketOption.BUSY_POLL,
    IPOption.TRANSPARENT,
    IPOption.HDRINCL,
}
# Options whose valid range is narrower than their codec's.
OVERRIDES: dict[Any, list[Any]] = {
    TCPOption.KEEPCNT: [5, 9],
    TCPOption.LINGER2: [3, 7],
    TCPOption.SYNCNT: [3, 5],
    TCPOption.DEFER_ACCEPT: [0],
    TCPOption.FASTOPEN: [5, 16],
    IPOption.MTU_DISCOVER: [0, 2],
}
# Ancillary-only numbers (control message types) that setsockopt does not take, and
# options Linux refuses to set (SO_SNDLOWAT) or to read on a datagram socket (IPV6_PKTINFO).
NOT_STICKY = {IPv6Option.HOPLIMIT, SocketOption.SNDLOWAT, IPv6Option.PKTINFO}


def socket_for(option: Any) -> Socket:
    if isinstance(option, IPv6Option):
        kind = SocketType.STREAM if option is IPv6Option.V6ONLY else SocketType.DGRAM
        return Socket(AddressFamily.INET6, kind)
    if isinstance(option, UDPOption):
        return Socket(AddressFamily.INET, SocketType.DGRAM)
    if isinstance(option, IPOption) and "MULTICAST" in option.name:
        return Socket(AddressFamily.INET, SocketType.DGRAM)
    if option is SocketOption.PASSCRED:
        return Socket(AddressFamily.UNIX, SocketType.STREAM)
    return Socket(AddressFamily.INET, SocketType.STREAM)


ROUND_TRIP = [
    option
    for option in all_options()
    if option.readable
    and option.writable
    and option.codec.name in SAMPLES
    and option not in PRIVILEGED
    and option not in NOT_STICKY
    and (HAS_IPV6 or not isinstance(option, IPv6Option))
]


def normalise(option: Any, value: Any) -> Any:
    """What Linux reports back for a value it accepted."""
    if option is SocketOption.SNDBUF or option is SocketOption.RCVBUF:
        return value * 2  # the kernel doubles buffer sizes for its bookkeeping
    return value


@pytest.mark.parametrize("option", ROUND_TRIP, ids=lambda o: f"{type(o).__name__}.{o.name}")
def test_get_set_get_round_trip(option: Any) -> None:
    with socket_for(option) as sock:
        initial = sock.get_option(option)
        for value in OVERRIDES.get(option) or SAMPLES[option.codec.name]:
            if option is TCPOption.CONGESTION and value not in available_congestion():
                continue
            sock.set_option(option, value)
            got = sock.get_option(option)
            if isinstance(value, float):
                assert got == pytest.approx(value, abs=0.005)
            else:
                assert got == normalise(option, value), (option, value, got)
        assert type(initial) is type(sock.get_option(option))


def available_congestion() -> set[str]:
    try:
        text = Path("/proc/sys/net/ipv4/tcp_allowed_congestion_control").read_text()
    except OSError:
        return {"reno"}
    return set(text.split()) | {"reno"}


def test_read_only_options() -> None:
    with Socket() as sock:
        assert sock.get_option(SocketOption.TYPE) is SocketType.STREAM
        assert sock.get_option(SocketOption.DOMAIN) is AddressFamily.INET
        assert sock.get_option(SocketOption.ERROR) == 0
        assert sock.get_option(SocketOption.ACCEPTCONN) is False
        assert sock.get_option(SocketOption.PROTOCOL) == socket.IPPROTO_TCP
        assert isinstance(sock.get_option(SocketOption.BPF_EXTENSIONS), int)
        info = sock.get_option(SocketOption.MEMINFO)
        assert isinstance(info, MemoryInfo) and info.rcvbuf > 0
        for option in (SocketOption.TYPE, SocketOption.ERROR, SocketOption.MEMINFO):
            with pytest.raises(ValueError, match="read-only"):
                sock.set_option(option, 1)


def test_peer_credentials() -> None:
    with Socket.pair() as (left, _right):
        creds = left.get_option(SocketOption.PEERCRED)
        assert creds == Credentials(os.getpid(), os.getuid(), os.getgid())


def test_write_only_options_refuse_reads() -> None:
    with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        for option in (IPOption.MCAST_JOIN_GROUP, IPOption.ADD_MEMBERSHIP):
            with pytest.raises(ValueError, match="write-only"):
                sock.get_option(option)


def test_multicast_join_and_leave_on_loopback() -> None:
    with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        request = GroupRequest("239.255.0.1", "lo")
        try:
            sock.set_option(IPOption.MCAST_JOIN_GROUP, request)
        except OSError as exc:  # a sandbox without multicast routes
            pytest.skip(f"multicast join refused here: {exc}")
        sock.set_option(IPOption.MCAST_LEAVE_GROUP, request)
        source = SourceGroupRequest("232.1.1.1", "127.0.0.1", "lo")
        sock.set_option(IPOption.MCAST_JOIN_SOURCE_GROUP, source)
        sock.set_option(IPOption.MCAST_LEAVE_SOURCE_GROUP, source)
        sock.set_option(IPOption.MULTICAST_IF, "lo")
        assert sock.get_option(IPOption.MULTICAST_IF) == socket.if_nametoindex("lo")
        sock.set_option(IPOption.MULTICAST_IF, 0)
        assert sock.get_option(IPOption.MULTICAST_IF) == 0


@needs_ipv6
def test_ipv6_multicast_interface_and_pktinfo() -> None:
    with Socket(AddressFamily.INET6, SocketType.DGRAM) as sock:
        lo = socket.if_nametoindex("lo")
        sock.set_option(IPv6Option.MULTICAST_IF, "lo")
        assert sock.get_option(IPv6Option.MULTICAST_IF) == lo
        sock.set_option(IPv6Option.PKTINFO, PacketInfo("::1", lo))
        # Linux answers IPV6_PKTINFO reads only on stream sockets.
        with pytest.raises(ProtocolNotAvailable):
            sock.get_option(IPv6Option.PKTINFO)
        with pytest.raises(ValueError, match="IPv6"):
            sock.set_option(IPv6Option.PKTINFO, PacketInfo("127.0.0.1", lo))


# --------------------------------------------------------------------------- bad values

BAD_VALUES: list[tuple[Any, Any, type[Exception]]] = [
    (SocketOption.REUSEADDR, "yes", TypeError),
    (SocketOption.RCVBUF, -1, ValueError),
    (SocketOption.RCVBUF, 2**40, ValueError),
    (SocketOption.RCVBUF, True, TypeError),
    (SocketOption.RCVBUF, 1.5, TypeError),
    (SocketOption.LINGER, (1, 5), TypeError),
    (SocketOption.LINGER, Linger(True, -1), ValueError),
    (SocketOption.RCVTIMEO, -0.5, ValueError),
    (SocketOption.RCVTIMEO, float("nan"), ValueError),
    (SocketOption.RCVTIMEO, "1", TypeError),
    (IPOption.TTL, 0, ValueError),
    (IPOption.MULTICAST_TTL, 256, ValueError),
    (IPOption.MULTICAST_IF, "no-such-interface0", ValueError),
    (IPOption.MCAST_JOIN_GROUP, "239.0.0.1", TypeError),
    (IPOption.MCAST_JOIN_GROUP, GroupRequest("not an address"), ValueError),
    (IPOption.MCAST_JOIN_GROUP, GroupRequest("ff02::1"), ValueError),
    (IPOption.MCAST_JOIN_GROUP, GroupRequest("239.0.0.1", -1), ValueError),
    (TCPOption.CONGESTION, 5, TypeError),
    (TCPOption.CONGESTION, "x" * 40, ValueError),
]


@pytest.mark.parametrize(("option", "value", "error"), BAD_VALUES)
def test_bad_values_rejected_before_the_call(option: Any, value: Any, error: type) -> None:
    with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        with pytest.raises(error):
            sock.set_option(option, value)
        assert sock.last_error == 0


def test_non_members_rejected() -> None:
    with Socket() as sock:
        with pytest.raises(TypeError, match="get_option_raw"):
            sock.get_option(socket.SO_REUSEADDR)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="set_option_raw"):
            sock.set_option(2, True)  # type: ignore[arg-type]


def test_os_refusal_is_typed() -> None:
    with Socket() as sock:
        with pytest.raises(OSError) as info:
            sock.set_option(SocketOption.MARK, 1) if os.geteuid() else sock.set_option(
                IPv6Option.V6ONLY, True
            )
        assert info.value.errno in (errno.EPERM, errno.ENOPROTOOPT, errno.EOPNOTSUPP)
        assert "setsockopt(" in str(info.value)


def test_raw_escape_hatch() -> None:
    with Socket() as sock:
        sock.set_option_raw(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        assert sock.get_option_raw(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        sock.set_option_raw(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 2))
        raw = sock.get_option_raw(socket.SOL_SOCKET, socket.SO_LINGER, 8)
        assert raw == struct.pack("ii", 1, 2)
        with pytest.raises(ValueError, match="buflen"):
            sock.get_option_raw(socket.SOL_SOCKET, socket.SO_LINGER, 0)


# --------------------------------------------------------------------------- codec properties

CODEC_CASES: list[tuple[Any, Callable[[], st.SearchStrategy[Any]]]] = [
    (SocketOption.LINGER, lambda: st.builds(Linger, st.booleans(), st.integers(0, 2**31 - 1))),
    (SocketOption.RCVTIMEO, lambda: st.integers(0, 10**6).map(lambda us: us / 1_000_000)),
    (SocketOption.REUSEADDR, lambda: st.booleans()),
    (SocketOption.RCVBUF, lambda: st.integers(0, 2**31 - 1)),
    (IPOption.MULTICAST_TTL, lambda: st.integers(0, 255)),
]


@pytest.mark.parametrize(("option", "strategy"), CODEC_CASES, ids=lambda v: getattr(v, "name", ""))
def test_codec_identity(option: Any, strategy: Callable[[], st.SearchStrategy[Any]]) -> None:
    @settings(max_examples=150, deadline=None)
    @given(strategy())
    def check(value: Any) -> None:
        encoded = option.codec.encode(value)
        decoded = option.codec.decode(encoded)
        if isinstance(value, float):
            assert decoded == pytest.approx(value, abs=1e-6)
        else:
            assert decoded == value

    check()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=5), st.floats(), st.integers(), st.binary(max_size=8)))
def test_codecs_refuse_bad_values_with_typed_errors(value: Any) -> None:
    for option in all_options():
        if not option.writable:
            continue
        with contextlib.suppress(TypeError, ValueError):
            option.codec.encode(value)
