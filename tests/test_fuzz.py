"""Fuzzing with hypothesis: addresses, option codecs, control messages, compat arguments.

Whatever the input, sockkit answers with a value or with the error it documents
(``TypeError``/``ValueError``, or a typed ``SocketError`` from the OS) -- never an
unexpected exception, never a closed or leaked descriptor.

The normal run tries a bounded number of examples per test; ``SOCKKIT_FUZZ=long``
selects the long profile (see docs/reliability.md).  The profile is applied per test
here, so other modules' hypothesis settings are untouched.
"""

from __future__ import annotations

import gc
import ipaddress
import math
import os
import socket
import struct
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import open_fds
from sockkit import (
    AddressFamily,
    Credentials,
    GroupRequest,
    Inet6Address,
    InetAddress,
    Linger,
    PacketInfo,
    Socket,
    SocketError,
    SourceGroupRequest,
    UnixAddress,
)
from sockkit.address import format_address, from_sockaddr, parse_address, to_sockaddr
from sockkit.message import (
    ControlTruncatedWarning,
    Message,
    RawControl,
    Rights,
    cmsg_space,
    decode_control,
    encode_control,
)
from sockkit.options import Codec, all_options

# SOCKKIT_FUZZ=long: 20,000 examples per test; SOCKKIT_FUZZ=<number>: that many.
_PROFILE = os.environ.get("SOCKKIT_FUZZ", "")
EXAMPLES = 20_000 if _PROFILE == "long" else int(_PROFILE) if _PROFILE.isdigit() else 150
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# Tests that make real sockets per example get a tenth as many.
FUZZ_IO = settings(FUZZ, max_examples=max(EXAMPLES // 10, 20))

ARGUMENT_ERRORS = (TypeError, ValueError)
FAMILIES = [int(AddressFamily.INET), int(AddressFamily.INET6), int(AddressFamily.UNIX)]
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

# ---------------------------------------------------------------------- strategies

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.binary(max_size=40),
)
ip_texts = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
    st.ip_addresses(v=6).map(lambda ip: f"{ip}%{ip.packed[-1]}"),
    st.sampled_from(["", "<broadcast>", "localhost", "::ffff:127.0.0.1", "fe80::1%lo", "::1%1"]),
)
hosts = st.one_of(
    ip_texts, st.text(max_size=30), st.from_regex(r"[a-z0-9.:%\[\]-]{0,30}", fullmatch=True)
)
ports = st.one_of(st.integers(min_value=-5, max_value=70_000), st.integers(), scalars)
address_texts = st.one_of(
    st.builds(lambda h, p: f"{h}:{p}", hosts, st.integers(-5, 70_000)),
    st.builds(lambda h, p: f"[{h}]:{p}", hosts, st.integers(-5, 70_000)),
    st.text(max_size=60),
)
unix_paths = st.one_of(
    st.text(max_size=120),
    st.binary(max_size=120),
    st.builds(lambda s: "\0" + s, st.text(max_size=110)),
    st.builds(lambda s: b"\0" + s, st.binary(max_size=110)),
)
address_values = st.one_of(
    scalars,
    address_texts,
    unix_paths,
    st.tuples(hosts, ports),
    st.tuples(hosts, ports, scalars, scalars),
    st.tuples(hosts, ports, st.integers(-2, 2**21), st.integers(-2, 2**33)),
    st.lists(st.one_of(hosts, ports, scalars), max_size=6).map(tuple),
    st.lists(scalars, max_size=3),
    st.builds(InetAddress, st.sampled_from(["127.0.0.1", "", "localhost"]), st.integers(0, 65535)),
    st.builds(Inet6Address, st.sampled_from(["::1", "", "fe80::1"]), st.integers(0, 65535)),
    st.builds(UnixAddress, st.sampled_from(["/tmp/x", "\0abstract"])),
)


def _sockaddr_key(family: int, sockaddr: object) -> object:
    """What a sockaddr means, independent of how it was spelled (2- or 4-tuple for IPv6)."""
    if family == AddressFamily.INET6 and isinstance(sockaddr, tuple) and len(sockaddr) == 2:
        return (*sockaddr, 0, 0)
    return sockaddr


# ---------------------------------------------------------------------- addresses


@FUZZ
@given(st.sampled_from(FAMILIES), address_values, st.booleans())
def test_parse_address_answers_or_refuses(family: int, value: object, numeric: bool) -> None:
    try:
        address = parse_address(family, value, numeric=numeric)
    except ARGUMENT_ERRORS:
        return
    expected = {
        int(AddressFamily.INET): InetAddress,
        int(AddressFamily.INET6): Inet6Address,
        int(AddressFamily.UNIX): UnixAddress,
    }[family]
    assert type(address) is expected
    # Idempotent, and the sockaddr converts back to the same address.
    assert parse_address(family, address, numeric=numeric) == address
    sockaddr = address.to_sockaddr()
    assert from_sockaddr(family, sockaddr) == address
    assert to_sockaddr(family, address) == sockaddr
    assert isinstance(str(address), str)
    assert isinstance(format_address(address), str)
    if isinstance(address, (InetAddress, Inet6Address)):
        assert 0 <= address.port <= 65535
        host = address.host
        assert "\0" not in host
        if isinstance(address, Inet6Address):
            assert "%" not in host  # the scope moved to scope_id
        elif host and not host[-1].isdigit():
            assert ":" not in host  # a name (passed to the resolver as it is)
        if numeric and host not in ("", "<broadcast>"):
            socket.inet_pton(family, host)  # a numeric host really is one
    if isinstance(address, Inet6Address):
        assert 0 <= address.flowinfo < 2**20
        assert 0 <= address.scope_id < 2**32


@FUZZ
@given(st.sampled_from(FAMILIES), address_values)
def test_to_sockaddr_fast_path_agrees_with_parse_address(family: int, value: object) -> None:
    try:
        slow: object = parse_address(family, value).to_sockaddr()
    except ARGUMENT_ERRORS as exc:
        slow = type(exc)
    try:
        fast: object = to_sockaddr(family, value)
    except ARGUMENT_ERRORS as exc:
        fast = type(exc)
    if isinstance(slow, type) or isinstance(fast, type):
        assert fast == slow, f"fast path {fast!r} but parse_address {slow!r}"
    else:
        assert _sockaddr_key(family, fast) == _sockaddr_key(family, slow)


@FUZZ
@given(scalars | hosts, ports, scalars | st.integers(-2, 2**21), scalars | st.integers(-2, 2**33))
def test_address_constructors_check_every_field(
    host: object, port: object, flowinfo: object, scope_id: object
) -> None:
    for build in (
        lambda: InetAddress(host, port),  # type: ignore[arg-type]
        lambda: Inet6Address(host, port, flowinfo, scope_id),  # type: ignore[arg-type]
        lambda: UnixAddress(host),  # type: ignore[arg-type]
    ):
        try:
            built = build()
        except ARGUMENT_ERRORS:
            continue
        assert isinstance(str(built), str)
        if isinstance(built, (InetAddress, Inet6Address)):
            assert type(built)(*built) == built  # unpacks like the socket module's tuple


@FUZZ
@given(st.sampled_from([*FAMILIES, int(getattr(socket, "AF_PACKET", 17)), -1]), address_values)
def test_from_sockaddr_never_raises_anything_else(family: int, raw: object) -> None:
    try:
        address = from_sockaddr(family, raw)
    except ARGUMENT_ERRORS:
        return
    assert address is None or isinstance(address, (InetAddress, Inet6Address, UnixAddress))


# ---------------------------------------------------------------------- option codecs

CODEC_OPTIONS = all_options()


def _valid_values(codec: Codec) -> st.SearchStrategy[Any]:
    """Values a codec must accept, per codec kind (None: no round trip for this one)."""
    kind = type(codec).__name__
    if kind == "_IntCodec":
        return st.integers(codec.low, codec.high)  # type: ignore[attr-defined]
    if kind == "_BoolCodec":
        return st.booleans()
    if kind == "_LingerCodec":
        return st.builds(Linger, st.booleans(), st.integers(0, INT_MAX))
    if kind == "_TimevalCodec":
        return st.floats(0, INT_MAX, allow_nan=False) | st.integers(0, INT_MAX)
    if kind == "_StringCodec":
        return st.text(
            st.characters(exclude_characters="\0", exclude_categories=["Cs"]), max_size=15
        ).filter(lambda text: len(text.encode()) < 16)
    if kind == "_PacketInfoCodec":
        return st.builds(PacketInfo, st.ip_addresses(v=6).map(str), st.integers(0, 2**32 - 1))
    if kind == "_CredentialsCodec":
        return st.builds(
            Credentials,
            st.integers(INT_MIN, INT_MAX),
            st.integers(0, 2**32 - 1),
            st.integers(0, 2**32 - 1),
        )
    return st.nothing()


def _round_trips(codec: Codec, value: Any) -> None:
    encoded = codec.encode(value)
    decoded = codec.decode(encoded)
    if isinstance(value, float) and not isinstance(value, bool):
        assert math.isclose(decoded, value, rel_tol=0, abs_tol=1e-6 * max(1.0, value))
    elif isinstance(value, PacketInfo):
        assert decoded == PacketInfo(str(ipaddress.IPv6Address(value.address)), value.interface)
    else:
        assert decoded == value


# One representative option per distinct codec, so that every codec gets its examples.
CODECS: dict[int, Any] = {}
for _option in CODEC_OPTIONS:
    CODECS.setdefault(id(_option.codec), _option)
CODEC_CASES = sorted(
    CODECS.values(), key=lambda option: (type(option.codec).__name__, repr(option))
)
CODEC_IDS = [f"{type(option.codec).__name__}-{option.name}" for option in CODEC_CASES]


@pytest.mark.parametrize("option", CODEC_CASES, ids=CODEC_IDS)
@FUZZ
@given(data=st.data())
def test_option_codecs_round_trip_valid_values(option: Any, data: st.DataObject) -> None:
    strategy = _valid_values(option.codec)
    if strategy.is_empty:
        return
    _round_trips(option.codec, data.draw(strategy))


fuzz_values = st.one_of(
    scalars,
    st.builds(Linger, scalars, scalars),
    st.builds(Linger, st.booleans(), st.integers()),
    st.builds(PacketInfo, scalars | ip_texts, scalars | st.integers()),
    st.builds(Credentials, scalars, scalars, scalars),
    st.builds(Credentials, st.integers(), st.integers(), st.integers()),
    st.builds(GroupRequest, scalars | ip_texts, scalars | st.integers()),
    st.builds(SourceGroupRequest, scalars | ip_texts, scalars | ip_texts, scalars | st.integers()),
    st.lists(scalars, max_size=3),
    st.tuples(scalars, scalars),
)


@pytest.mark.parametrize("option", CODEC_CASES, ids=CODEC_IDS)
@FUZZ
@given(value=fuzz_values)
def test_option_codecs_refuse_bad_values_with_argument_errors(option: Any, value: Any) -> None:
    try:
        encoded = option.codec.encode(value)
    except ARGUMENT_ERRORS:
        return
    assert isinstance(encoded, (int, bytes))
    if isinstance(encoded, int):
        assert INT_MIN <= encoded <= INT_MAX


@pytest.mark.parametrize("option", CODEC_CASES, ids=CODEC_IDS)
@FUZZ
@given(data=st.data())
def test_option_codecs_decode_any_kernel_sized_answer(option: Any, data: st.DataObject) -> None:
    codec = option.codec
    raw: int | bytes
    if codec.buflen is None:
        raw = data.draw(st.integers(INT_MIN, INT_MAX))
    else:
        raw = data.draw(st.binary(min_size=codec.buflen, max_size=codec.buflen))
    if not option.readable:
        with pytest.raises(ValueError):
            codec.decode(raw)
        return
    codec.decode(raw)


# Options the kernel stores exactly as given (within its own range; outside it the
# kernel's EINVAL must arrive as a typed SocketError).
EXACT_NAMES = {
    "SocketOption.LINGER",
    "SocketOption.KEEPALIVE",
    "SocketOption.REUSEADDR",
    "SocketOption.OOBINLINE",
    "TCPOption.NODELAY",
    "TCPOption.KEEPIDLE",
    "TCPOption.KEEPINTVL",
    "TCPOption.KEEPCNT",
    "TCPOption.USER_TIMEOUT",
    "IPOption.TTL",
    "IPOption.MULTICAST_TTL",
    "IPOption.MULTICAST_LOOP",
}
EXACT_OPTIONS = [
    option for option in all_options() if f"{type(option).__name__}.{option.name}" in EXACT_NAMES
]


@FUZZ_IO
@given(st.sampled_from(EXACT_OPTIONS), st.data())
def test_real_socket_keeps_or_refuses_every_value(option: Any, data: st.DataObject) -> None:
    value = data.draw(_valid_values(option.codec))
    with Socket() as sock:
        try:
            sock.set_option(option, value)
        except SocketError as exc:
            assert exc.errno is not None  # typed, from the OS (e.g. InvalidArgument)
            return
        got = sock.get_option(option)
        if isinstance(value, Linger) and not value.enabled:
            assert not got.enabled  # the kernel keeps no time for a disabled linger
        else:
            assert got == value


# ---------------------------------------------------------------------- control messages

KNOWN_PAIRS = [
    (level, kind)
    for level, kind in (
        (socket.SOL_SOCKET, getattr(socket, "SCM_RIGHTS", None)),
        (socket.SOL_SOCKET, getattr(socket, "SCM_CREDENTIALS", None)),
        (socket.IPPROTO_IPV6, getattr(socket, "IPV6_PKTINFO", None)),
        (socket.IPPROTO_IP, getattr(socket, "IP_PKTINFO", 8)),
        (socket.IPPROTO_IPV6, getattr(socket, "IPV6_HOPLIMIT", None)),
        (socket.IPPROTO_IPV6, getattr(socket, "IPV6_TCLASS", None)),
        (socket.IPPROTO_UDP, 103),  # UDP_SEGMENT on Linux
    )
    if kind is not None
]
levels = st.one_of(
    st.sampled_from([level for level, _ in KNOWN_PAIRS]), st.integers(INT_MIN, INT_MAX)
)
payload_sizes = st.sampled_from([0, 1, 2, 3, 4, 5, 8, 12, 16, 20, 24, 64])
payloads = st.one_of(
    payload_sizes.flatmap(lambda n: st.binary(min_size=n, max_size=n)), st.binary(max_size=200)
)


@pytest.fixture(scope="module")
def sentinel() -> Iterator[tuple[int, int]]:
    """A pipe whose descriptor numbers the fuzz puts into SCM_RIGHTS payloads."""
    read_end, write_end = os.pipe()
    yield read_end, write_end
    os.close(read_end)
    os.close(write_end)


@FUZZ
@given(
    st.one_of(st.sampled_from(KNOWN_PAIRS), st.tuples(levels, st.integers(INT_MIN, INT_MAX))),
    payloads,
    st.booleans(),
)
def test_decode_control_from_arbitrary_bytes(
    sentinel: tuple[int, int], pair: tuple[int, int], data: bytes, aim_at_sentinel: bool
) -> None:
    level, kind = pair
    if aim_at_sentinel and len(data) >= 4:
        # Descriptor numbers that are really open here: decoding must never close them.
        data = struct.pack("=ii", *sentinel)[: len(data) - len(data) % 4] + data[8:]
    before = open_fds()
    message = decode_control(level, kind, data)
    if isinstance(message, RawControl):
        assert (message.level, message.type, message.data) == (level, kind, data)
    else:
        assert (level, kind) in KNOWN_PAIRS
        again = encode_control(message)
        assert again[:2] == (level, kind)
        if kind != getattr(socket, "IP_PKTINFO", 8) or level != socket.IPPROTO_IP:
            assert again[2] == data  # lossless (IP_PKTINFO drops spec_dst on purpose)
    if isinstance(message, Rights):
        del message
        gc.collect()  # a decoded Rights owns nothing: collecting it closes nothing
    assert open_fds() == before
    os.fstat(sentinel[0])  # still open
    os.fstat(sentinel[1])


@FUZZ
@given(scalars | st.integers(), scalars | st.integers(), scalars)
def test_decode_control_refuses_bad_arguments(level: Any, kind: Any, data: Any) -> None:
    try:
        decoded = decode_control(level, kind, data)
    except ARGUMENT_ERRORS:
        return
    assert decoded is not None


@FUZZ_IO
@given(
    st.integers(0, 8),
    st.integers(0, 64),
    st.integers(0, 1),
    st.integers(-8, 16),
)
def test_recvmsg_hands_over_all_descriptors_or_none(
    count: int, bufsize: int, extra: int, ancillary_slack: int
) -> None:
    before = open_fds()
    with Socket.pair() as (left, right), Socket.pair() as (passed_a, passed_b):
        originals = [passed_a, passed_b] * 4
        rights = Rights(originals[:count]) if count else None
        left.sendmsg(Message([b"payload" * (1 + extra)], [rights] if rights else []))
        space = cmsg_space(socket.SOL_SOCKET, socket.SCM_RIGHTS, count) if count else 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ControlTruncatedWarning)  # truncation is the point
            message = right.recvmsg(bufsize, max(0, space + ancillary_slack))
        with message:
            got = [item for item in message.control if isinstance(item, Rights)]
            received = [fd for item in got for fd in item.fds]
            assert len(received) in (0, count)  # all or nothing
            for fd, original in zip(received, originals, strict=False):
                assert os.fstat(fd).st_ino == os.fstat(original.fileno()).st_ino
            if count and not received:
                assert message.flags & socket.MSG_CTRUNC
    gc.collect()
    assert open_fds() == before


# ---------------------------------------------------------------------- compat

# Only strings no resolver sends a query for: numeric addresses and "localhost".  (Any
# other text could reach getaddrinfo as a host name, and that is a DNS query.)
compat_hosts = st.sampled_from(["127.0.0.1", "::1", "localhost", "0", "127.1", "::", "0.0.0.0"])
compat_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**31), 2**31),
    st.integers(-3, 70_000),
    st.floats(allow_nan=True),
    compat_hosts,
    compat_hosts.map(str.encode),
    st.sampled_from([b"", b"data\n", bytes(range(16))]),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(
        st.sampled_from(["sec", "usec", "l_onoff", "l_linger", "group"]), st.integers(-3, 3)
    ),
)

# Left out of the blind calls: socket_select may wait for ever (a null timeout),
# socket_create_listen binds to every interface, and the wsaprotocol functions keep
# descriptors in a registry until imported or released (a "leak" by design).
COMPAT_SKIP = {
    "socket_select",
    "socket_create_listen",
    "socket_wsaprotocol_info_export",
    "socket_wsaprotocol_info_import",
    "socket_wsaprotocol_info_release",
}


def _compat_functions() -> list[str]:
    try:
        import sockkit.compat as compat  # noqa: PLC0415
    except ImportError:
        return []
    names = getattr(compat, "__all__", dir(compat))
    return sorted(
        name
        for name in names
        if name.startswith("socket_")
        and callable(getattr(compat, name))
        and name not in COMPAT_SKIP
    )


COMPAT_FUNCTIONS = _compat_functions()


COMPAT_CASES: list[Any] = list(COMPAT_FUNCTIONS) or [
    pytest.param("-", marks=pytest.mark.skip(reason="sockkit.compat is not there yet"))
]
COMPAT_FUZZ = settings(FUZZ, max_examples=max(EXAMPLES // 5, 20))


@pytest.mark.parametrize("name", COMPAT_CASES)
@COMPAT_FUZZ
@given(
    raw_args=st.lists(
        st.one_of(compat_scalars, st.sampled_from(["SOCKET", "CLOSED", "REF"])), max_size=6
    )
)
def test_compat_functions_raise_only_php_errors(name: str, raw_args: list[Any]) -> None:
    import sockkit.compat as compat  # noqa: PLC0415

    made: list[Any] = []

    def materialise(arg: Any) -> Any:
        if arg in ("SOCKET", "CLOSED"):
            sock = Socket(AddressFamily.INET, socket.SOCK_DGRAM)
            sock.blocking = False  # nothing the fuzz calls may wait
            made.append(sock)
            if arg == "CLOSED":
                sock.close()
            return sock
        if arg == "REF":
            return compat.Ref()
        return arg

    args = [materialise(arg) for arg in raw_args]
    before = open_fds()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = getattr(compat, name)(*args)
    except (TypeError, ValueError, SocketError):
        result = None
    finally:
        for sock in made:
            sock.close()
    # Whatever the call made (a socket, a pair in a Ref or a list, a stream) is closed here.
    for item in _flatten(result, args):
        close = getattr(item, "close", None)
        if callable(close) and not isinstance(item, type):
            close()
    assert open_fds() <= before


def _flatten(result: Any, args: list[Any]) -> Iterator[Any]:
    stack: list[Any] = [result, *args]
    for _ in range(1000):  # bounded walk
        if not stack:
            return
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif hasattr(item, "value") and not isinstance(item, Socket):
            stack.append(item.value)
        else:
            yield item


def test_profile_is_bounded() -> None:
    assert FUZZ.max_examples == EXAMPLES
    assert FUZZ_IO.max_examples <= EXAMPLES
