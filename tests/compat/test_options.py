"""socket_get_option / socket_set_option: PHP's shapes, and refusing what PHP 8.2 truncates."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator

import pytest

from sockkit.compat import (
    AF_INET,
    AF_INET6,
    IP_MULTICAST_IF,
    IPPROTO_IP,
    IPPROTO_IPV6,
    IPV6_PKTINFO,
    MCAST_JOIN_GROUP,
    SO_BINDTODEVICE,
    SO_KEEPALIVE,
    SO_LINGER,
    SO_MEMINFO,
    SO_RCVTIMEO,
    SO_SNDTIMEO,
    SOCK_DGRAM,
    SOCK_STREAM,
    SOL_SOCKET,
    SOL_TCP,
    TCP_CONGESTION,
    Socket,
    socket_create,
    socket_get_option,
    socket_getopt,
    socket_last_error,
    socket_set_option,
    socket_setopt,
)

from .helpers import exact, no_warning, php_warning


@pytest.fixture
def tcp() -> Iterator[Socket]:
    sock = socket_create(AF_INET, SOCK_STREAM, 0)
    assert isinstance(sock, Socket)
    yield sock
    sock.close()


@pytest.fixture
def udp6() -> Iterator[Socket]:
    sock = socket_create(AF_INET6, SOCK_DGRAM, 0)
    assert isinstance(sock, Socket)
    yield sock
    sock.close()


def value_error(text: str) -> str:
    return exact(f"socket_set_option(): Argument #4 ($value) {text}")


def test_int_value_outside_c_int_is_refused(tcp: Socket) -> None:
    # PHP 8.2 keeps the low 32 bits (4294967297 becomes 1).
    with pytest.raises(ValueError, match=value_error("must be between -2147483648 and 2147483647")):
        socket_set_option(tcp, SOL_SOCKET, SO_KEEPALIVE, 4294967297)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"l_onoff": 1, "l_linger": 70000}, '"l_linger" must be between 0 and 65535'),
        ({"l_onoff": 1, "l_linger": -1}, '"l_linger" must be between 0 and 65535'),
        ({"l_onoff": 65536, "l_linger": 1}, '"l_onoff" must be between 0 and 65535'),
    ],
)
def test_linger_php_would_truncate_is_refused(tcp: Socket, value: object, text: str) -> None:
    with pytest.raises(ValueError, match=value_error(text)):
        socket_set_option(tcp, SOL_SOCKET, SO_LINGER, value)


def test_linger_takes_a_list_as_phps_packed_array(tcp: Socket) -> None:
    with pytest.raises(ValueError, match=value_error('must have key "l_onoff"')):
        socket_set_option(tcp, SOL_SOCKET, SO_LINGER, [1, 5])


@pytest.mark.parametrize("value", [{"sec": 0, "usec": 1_000_000}, {"sec": 0, "usec": -1}])
def test_timeouts_the_kernel_refuses_warn_as_in_php(tcp: Socket, value: object) -> None:
    text = "socket_set_option(): Unable to set socket option [33]: Numerical argument out of domain"
    with php_warning(text):
        assert socket_set_option(tcp, SOL_SOCKET, SO_SNDTIMEO, value) is False
    assert socket_last_error(tcp) == errno.EDOM


@pytest.mark.parametrize("value", [{"sec": -1, "usec": 0}, {"sec": 2**31, "usec": 0}])
def test_timeouts_outside_int_go_to_the_kernel_as_in_php(tcp: Socket, value: object) -> None:
    with no_warning():
        assert socket_set_option(tcp, SOL_SOCKET, SO_SNDTIMEO, value) is True


def test_timeouts_outside_a_c_long_are_refused(tcp: Socket) -> None:
    text = '"sec" must be between -9223372036854775808 and 9223372036854775807'
    with pytest.raises(ValueError, match=value_error(text)):
        socket_set_option(tcp, SOL_SOCKET, SO_SNDTIMEO, {"sec": 2**63, "usec": 0})


def test_timeouts_round_trip(tcp: Socket) -> None:
    for sec in (0, 1, 2):
        assert socket_set_option(tcp, SOL_SOCKET, SO_RCVTIMEO, {"sec": sec, "usec": 0})
        assert socket_get_option(tcp, SOL_SOCKET, SO_RCVTIMEO) == {"sec": sec, "usec": 0}
    # The kernel keeps timeouts in clock ticks, so microseconds come back rounded.
    assert socket_set_option(tcp, SOL_SOCKET, SO_RCVTIMEO, {"sec": 3, "usec": 250_000})
    value = socket_get_option(tcp, SOL_SOCKET, SO_RCVTIMEO)
    assert list(value) == ["sec", "usec"]
    assert value["sec"] == 3
    assert 250_000 <= value["usec"] < 270_000


def test_linger_round_trips_in_phps_key_order(tcp: Socket) -> None:
    assert socket_setopt(tcp, SOL_SOCKET, SO_LINGER, {"l_linger": 7, "l_onoff": True})
    value = socket_getopt(tcp, SOL_SOCKET, SO_LINGER)
    assert list(value) == ["l_onoff", "l_linger"]
    assert value == {"l_onoff": 1, "l_linger": 7}


def test_meminfo_has_phps_nine_keys(tcp: Socket) -> None:
    value = socket_get_option(tcp, SOL_SOCKET, SO_MEMINFO)
    assert list(value) == [
        "rmem_alloc",
        "rcvbuf",
        "wmem_alloc",
        "sndbuf",
        "fwd_alloc",
        "wmem_queued",
        "optmem",
        "backlog",
        "drops",
    ]


def test_bindtodevice_reads_as_the_interface_name(tcp: Socket) -> None:
    # PHP 8.2 reads it as an int: uninitialised memory when unbound, EINVAL when bound.
    assert socket_get_option(tcp, SOL_SOCKET, SO_BINDTODEVICE) == ""
    with no_warning():
        bound = socket_set_option(tcp, SOL_SOCKET, SO_BINDTODEVICE, "lo")
    if not bound:  # pragma: no cover - needs CAP_NET_RAW on older kernels
        pytest.skip("this process may not bind to a device")
    assert socket_get_option(tcp, SOL_SOCKET, SO_BINDTODEVICE) == "lo"
    assert socket_set_option(tcp, SOL_SOCKET, SO_BINDTODEVICE, 0)  # not a string: unbinds
    assert socket_get_option(tcp, SOL_SOCKET, SO_BINDTODEVICE) == ""


@pytest.mark.parametrize("name", ["x" * 16, "a\0b"])
def test_names_php_would_cut_are_refused(tcp: Socket, name: str) -> None:
    with pytest.raises(ValueError, match=r"^socket_set_option\(\): Argument #4 \(\$value\) must"):
        socket_set_option(tcp, SOL_TCP, TCP_CONGESTION, name)


def test_ip_multicast_if_unknown_index_reads_like_phps_lookup() -> None:
    udp = socket_create(AF_INET, SOCK_DGRAM, 0)
    assert isinstance(udp, Socket)
    try:
        index = 987_654
        with php_warning(
            f"socket_set_option(): Failed obtaining address for interface {index}: error 19"
        ):
            assert socket_set_option(udp, IPPROTO_IP, IP_MULTICAST_IF, index) is False
        assert socket_last_error(udp) == 0
    finally:
        udp.close()


def test_interface_index_range_is_phps_value_error(tcp: Socket) -> None:
    with pytest.raises(ValueError, match=exact("Index must be between 0 and 4294967295")):
        socket_set_option(
            tcp, IPPROTO_IP, MCAST_JOIN_GROUP, {"group": "239.1.1.1", "interface": 2**32}
        )


def test_multicast_group_lookup_failure_is_warned(tcp: Socket) -> None:
    # "a..b" fails in the IDNA codec, before anything could reach a resolver.
    with php_warning("socket_set_option(): Host lookup failed [-10001]: Unknown host"):
        assert socket_set_option(tcp, IPPROTO_IP, MCAST_JOIN_GROUP, {"group": "a..b"}) is False
    assert socket_last_error(tcp) == -10001


def test_pktinfo_round_trips_where_the_os_reads_it(udp6: Socket) -> None:
    assert socket_set_option(udp6, IPPROTO_IPV6, IPV6_PKTINFO, {"addr": "::1", "ifindex": 1})
    with php_warning(
        "socket_set_option(): error converting user data (path: in6_pktinfo): "
        "The key 'addr' is required"
    ):
        assert socket_set_option(udp6, IPPROTO_IPV6, IPV6_PKTINFO, {}) is False
    with php_warning(
        "socket_get_option(): unable to get socket option [92]: Protocol not available"
    ):
        assert socket_get_option(udp6, IPPROTO_IPV6, IPV6_PKTINFO) is False


def test_pktinfo_unresolvable_address_warns_twice(udp6: Socket) -> None:
    import warnings  # noqa: PLC0415

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = {"addr": "a..b", "ifindex": 1}
        assert socket_set_option(udp6, IPPROTO_IPV6, IPV6_PKTINFO, value) is False
    assert [str(w.message) for w in caught] == [
        "socket_set_option(): Host lookup failed [-10001]: Unknown host",
        "socket_set_option(): error converting user data (path: in6_pktinfo > addr): "
        "could not resolve address 'a..b' to get an AF_INET6 address",
    ]


def test_options_are_keyed_by_level(tcp: Socket) -> None:
    # SO_LINGER and TCP_CONGESTION are both 13 on Linux: the level decides.
    assert SO_LINGER == TCP_CONGESTION
    assert set(socket_get_option(tcp, SOL_TCP, SO_LINGER)) == {"name"}
    assert set(socket_get_option(tcp, SOL_SOCKET, TCP_CONGESTION)) == {"l_onoff", "l_linger"}


def test_os_errors_record_on_the_socket(tcp: Socket) -> None:
    with php_warning(
        "socket_get_option(): Unable to retrieve socket option [92]: Protocol not available"
    ):
        assert socket_get_option(tcp, SOL_SOCKET, 9999) is False
    assert socket_last_error(tcp) == errno.ENOPROTOOPT


def test_closed_socket_in_options(tcp: Socket) -> None:
    tcp.close()
    with pytest.raises(
        Exception, match=exact("socket_get_option(): Argument #1 ($socket) has already been closed")
    ):
        socket_get_option(tcp, SOL_SOCKET, SO_KEEPALIVE)


def test_values_from_the_socket_module_match(tcp: Socket) -> None:
    assert socket_set_option(tcp, SOL_SOCKET, SO_KEEPALIVE, 1)
    assert tcp.to_stdlib().getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
