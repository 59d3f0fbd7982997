"""Tests for sockkit.message and Socket.sendmsg / recvmsg / recvmsg_into.

Real sockets only: socket pairs, Unix sockets in temporary directories, UDP on
127.0.0.1 and ::1.  Descriptor leaks are measured with /proc/self/fd.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import gc
import os
import pickle
import socket
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sockkit.message as message_module
from sockkit import (
    AddressFamily,
    Credentials,
    InetAddress,
    IPOption,
    IPv6Option,
    MsgFlag,
    PacketInfo,
    Socket,
    SocketClosedError,
    SocketError,
    SocketOption,
    SocketType,
    UnixAddress,
)
from sockkit.enums import ControlType, Level
from sockkit.errors import NotASocket, WouldBlock
from sockkit.message import (
    ControlMessage,
    ControlTruncatedWarning,
    HopLimit,
    Message,
    RawControl,
    Rights,
    TrafficClass,
    UDPSegment,
    cmsg_space,
    decode_control,
    encode_control,
)

SOL_SOCKET = socket.SOL_SOCKET
SCM_RIGHTS = socket.SCM_RIGHTS
SCM_CREDENTIALS = getattr(socket, "SCM_CREDENTIALS", None)
IPPROTO_IPV6 = socket.IPPROTO_IPV6
KINDS = message_module._KINDS
HAS_IP_PKTINFO = message_module._IP_PKTINFO is not None
INT32 = st.integers(-(2**31), 2**31 - 1)

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def lo_index() -> int:
    return socket.if_nametoindex("lo")


@pytest.fixture
def udp_pair() -> Iterator[tuple[Socket, Socket]]:
    with (
        Socket(AddressFamily.INET, SocketType.DGRAM) as a,
        Socket(AddressFamily.INET, SocketType.DGRAM) as b,
    ):
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", 0))
        a.timeout = b.timeout = 5.0
        yield a, b


@pytest.fixture
def udp6_pair() -> Iterator[tuple[Socket, Socket]]:
    with (
        Socket(AddressFamily.INET6, SocketType.DGRAM) as a,
        Socket(AddressFamily.INET6, SocketType.DGRAM) as b,
    ):
        try:
            a.bind(("::1", 0))
            b.bind(("::1", 0))
        except SocketError as exc:
            pytest.skip(f"no ::1 on this machine: {exc}")
        a.timeout = b.timeout = 5.0
        yield a, b


# --------------------------------------------------------------------- scatter/gather


def test_scatter_gather_unix_stream() -> None:
    with Socket.pair() as (left, right):
        sent = left.sendmsg(Message([b"ab", bytearray(b"cde"), memoryview(b"fghij")[1:]]))
        assert sent == 9
        message = right.recvmsg(100)
        assert message.data == b"abcdeghij"
        assert message.buffers == [b"abcdeghij"]
        assert message.nbytes == 9
        assert message.control == []
        assert message.address is None
        assert message.flags == MsgFlag(0)

        left.sendmsg(Message([b"hello", b" ", b"world"]))
        head, tail = bytearray(4), bytearray(20)
        received = right.recvmsg_into([head, tail])
        assert received.nbytes == 11
        assert head == b"hell"
        assert bytes(tail[:7]) == b"o world"
        assert received.buffers[0] is head and received.buffers[1] is tail
        assert received.data == b"hello world"


def test_recvmsg_into_single_buffer_and_memoryview() -> None:
    with Socket.pair() as (left, right):
        left.sendmsg(Message(b"xyz"))  # one bytes object is one buffer
        buffer = bytearray(8)
        assert right.recvmsg_into(buffer).nbytes == 3
        assert buffer[:3] == b"xyz"
        left.send(b"12345")
        view = memoryview(bytearray(10))
        message = right.recvmsg_into([view[:2], view[5:]])
        assert message.data == b"12345"
        assert bytes(view) == b"12\x00\x00\x00345\x00\x00"


def test_scatter_gather_unix_datagram_keeps_boundaries(tmp_path: Path) -> None:
    with (
        Socket(AddressFamily.UNIX, SocketType.DGRAM) as a,
        Socket(AddressFamily.UNIX, SocketType.DGRAM) as b,
    ):
        a.bind(str(tmp_path / "a"))
        b.bind(str(tmp_path / "b"))
        a.sendmsg(Message([b"one", b"-", b"two"], address=UnixAddress(str(tmp_path / "b"))))
        a.sendmsg(Message([b"three"], address=b.local_address))
        first = b.recvmsg(100)
        assert first.data == b"one-two"
        assert first.address == UnixAddress(str(tmp_path / "a"))
        second = b.recvmsg(100)
        assert second.data == b"three"
        # A datagram larger than the buffer is cut and reported.
        a.sendmsg(Message([b"0123456789"], address=b.local_address))
        cut = b.recvmsg(4)
        assert cut.data == b"0123"
        assert MsgFlag.TRUNC in cut.flags


def test_socketpair_datagram() -> None:
    with Socket.pair(type=SocketType.DGRAM) as (left, right):
        left.sendmsg(Message([b"a", b"b"]))
        left.sendmsg(Message([b"c"]))
        assert right.recvmsg(10).data == b"ab"
        assert right.recvmsg(10).data == b"c"


def test_scatter_gather_udp_loopback(udp_pair: tuple[Socket, Socket]) -> None:
    a, b = udp_pair
    assert a.sendmsg(Message([b"ping", b"-", b"pong"], address=b.local_address)) == 9
    message = b.recvmsg(100)
    assert message.data == b"ping-pong"
    assert message.address == a.local_address
    assert isinstance(message.address, InetAddress)
    # A plain tuple is accepted as the destination too.
    a.sendmsg(Message([b"x"], address=("127.0.0.1", b.local_address.port)))  # type: ignore[arg-type, union-attr]
    parts = [bytearray(1), bytearray(1)]
    assert b.recvmsg_into(parts).data == b"x"


def test_udp_pktinfo_ipv4(udp_pair: tuple[Socket, Socket]) -> None:
    if not HAS_IP_PKTINFO:
        pytest.skip("no IP_PKTINFO on this OS")
    a, b = udp_pair
    b.set_option(IPOption.PKTINFO, True)
    a.sendmsg(Message([b"x"], address=b.local_address))
    message = b.recvmsg(10, cmsg_space(socket.IPPROTO_IP, message_module._IP_PKTINFO or 0))
    assert message.control == [PacketInfo("127.0.0.1", lo_index())]
    # Sending with a source PacketInfo works too.
    a.sendmsg(Message([b"y"], [PacketInfo("127.0.0.1", 0)], b.local_address))
    assert b.recvmsg(10, 64).data == b"y"


# --------------------------------------------------------------------- descriptors


def _make_fds(tmp_path: Path, stack: contextlib.ExitStack) -> dict[str, object]:
    """A socket (one end of a pair), a pipe and a temp file, with what tells them apart."""
    mine, theirs = Socket.pair()
    stack.callback(mine.close)
    stack.callback(theirs.close)
    mine.timeout = 5.0
    read_end, write_end = os.pipe()
    stack.callback(os.close, read_end)
    stack.callback(os.close, write_end)
    path = tmp_path / "file"
    path.write_bytes(b"file contents")
    file_fd = os.open(path, os.O_RDONLY)
    stack.callback(os.close, file_fd)
    return {
        "mine": mine,
        "theirs": theirs,
        "read_end": read_end,
        "write_end": write_end,
        "file_fd": file_fd,
    }


@pytest.mark.parametrize("count", [1, 3, 250])
def test_pass_descriptors_and_use_them(tmp_path: Path, count: int) -> None:
    before = open_fds()
    with contextlib.ExitStack() as stack:
        fds = _make_fds(tmp_path, stack)
        mine = fds["mine"]
        assert isinstance(mine, Socket)
        kinds = ["socket", "pipe", "file"]
        to_send = [fds["theirs"], fds["write_end"], fds["file_fd"]]
        chosen = [kinds[i % 3] for i in range(count)]
        sending = Rights([to_send[i % 3] for i in range(count)])  # type: ignore[misc]
        with Socket.pair() as (left, right):
            left.sendmsg(Message([b"!"], [sending]))
            message = right.recvmsg(10, cmsg_space(SOL_SOCKET, SCM_RIGHTS, count))
        assert message.data == b"!"
        assert MsgFlag.CTRUNC not in message.flags
        [rights] = message.control
        assert isinstance(rights, Rights)
        assert len(rights) == count
        received = rights.detach()
        assert len(rights) == 0
        assert len(set(received)) == count
        assert not set(received) & {fds["theirs"].fileno(), fds["write_end"], fds["file_fd"]}  # type: ignore[attr-defined]
        sockets = 0
        for kind, fd in zip(chosen, received, strict=True):
            assert os.get_inheritable(fd) is False  # MSG_CMSG_CLOEXEC
            if kind == "socket":
                with Socket.from_fd(fd) as passed:
                    passed.send(b"s")
                sockets += 1
            elif kind == "pipe":
                os.write(fd, b"p")
                os.close(fd)
            else:
                assert os.pread(fd, 100, 0) == b"file contents"
                os.close(fd)
        got = b""
        while len(got) < sockets:
            got += mine.recv(1000)
        assert got == b"s" * sockets
        pipes = chosen.count("pipe")
        if pipes:
            assert os.read(fds["read_end"], 1000) == b"p" * pipes  # type: ignore[arg-type]
    assert open_fds() == before


def test_rights_sockets_wraps_and_is_all_or_nothing(tmp_path: Path) -> None:
    before = open_fds()
    with contextlib.ExitStack() as stack:
        fds = _make_fds(tmp_path, stack)
        mine = fds["mine"]
        assert isinstance(mine, Socket)
        with Socket.pair() as (left, right):
            left.sendmsg(Message([b"1"], [Rights([fds["theirs"]])]))  # type: ignore[list-item]
            left.sendmsg(Message([b"2"], [Rights([fds["theirs"], fds["write_end"]])]))  # type: ignore[list-item]
            space = cmsg_space(SOL_SOCKET, SCM_RIGHTS, 2)
            with right.recvmsg(1, space) as one, right.recvmsg(1, space) as two:
                [sock] = one.control[0].sockets()  # type: ignore[union-attr]
                with sock:
                    assert sock.family == AddressFamily.UNIX
                    sock.send(b"via passed socket")
                    assert mine.recv(100) == b"via passed socket"
                assert one.control[0].fds == ()  # type: ignore[union-attr]
                mixed = two.control[0]
                assert isinstance(mixed, Rights)
                held = mixed.fds
                with pytest.raises(NotASocket):
                    mixed.sockets()
                assert mixed.fds == held  # nothing wrapped, nothing closed
                for fd in held:
                    os.fstat(fd)
            # leaving the with blocks closed what was not taken
    assert open_fds() == before


def test_truncated_rights_leak_nothing() -> None:
    before = open_fds()
    with Socket.pair() as (left, right), Socket.pair() as (x, y):
        read_end, write_end = os.pipe()
        try:
            sent = Rights([x, y, read_end])
            for ancbufsize in (
                cmsg_space(SOL_SOCKET, SCM_RIGHTS, 1),
                cmsg_space(SOL_SOCKET, SCM_RIGHTS, 2),
                17,
                0,
            ):
                during = open_fds()
                left.sendmsg(Message([b"t"], [sent]))
                with pytest.warns(ControlTruncatedWarning, match="MSG_CTRUNC"):
                    message = right.recvmsg(10, ancbufsize)
                assert message.data == b"t"
                assert MsgFlag.CTRUNC in message.flags
                assert not any(isinstance(item, Rights) for item in message.control)
                assert open_fds() == during
            # One that fits still arrives, and the sender's descriptors are untouched.
            left.sendmsg(Message([b"t"], [sent]))
            with right.recvmsg(10, cmsg_space(SOL_SOCKET, SCM_RIGHTS, 3)) as message:
                assert MsgFlag.CTRUNC not in message.flags
                assert len(message.control[0]) == 3  # type: ignore[arg-type]
        finally:
            os.close(read_end)
            os.close(write_end)
    assert open_fds() == before


def test_exception_after_receipt_closes_descriptors(monkeypatch: pytest.MonkeyPatch) -> None:
    before = open_fds()
    with Socket.pair(type=SocketType.DGRAM) as (left, right), Socket.pair() as (x, y):
        right.set_option(SocketOption.PASSCRED, True)
        left.sendmsg(Message([b"e"], [Rights([x, y])]))

        def broken(*args: object) -> ControlMessage:
            raise RuntimeError("decoder failed")

        monkeypatch.setattr(message_module, "decode_control", broken)
        space = cmsg_space(SOL_SOCKET, SCM_RIGHTS, 2) + cmsg_space(SOL_SOCKET, SCM_CREDENTIALS or 0)
        with pytest.raises(RuntimeError, match="decoder failed"):
            right.recvmsg(10, space)
    assert open_fds() == before


def test_malformed_rights_payload_from_the_kernel_is_closed() -> None:
    # Simulate what the kernel never sends: an SCM_RIGHTS payload with a partial int.
    fd = os.dup(0)
    before = open_fds()
    ancdata = [(SOL_SOCKET, SCM_RIGHTS, struct.pack("=i", fd) + b"\0\0")]
    message = message_module._received([b""], 0, ancdata, 0, None, family=socket.AF_UNIX)
    assert message.control == []
    assert open_fds() == before - 1
    with pytest.raises(OSError):
        os.fstat(fd)


def test_unclosed_received_rights_warn_and_close() -> None:
    before = open_fds()
    with Socket.pair() as (left, right), Socket.pair() as (x, _y):
        left.sendmsg(Message([b"w"], [Rights([x])]))
        message = right.recvmsg(1, cmsg_space(SOL_SOCKET, SCM_RIGHTS, 1))
        assert open_fds() == before + 5
        with pytest.warns(ResourceWarning, match="unclosed received descriptors"):
            del message
            gc.collect()
        assert open_fds() == before + 4
    assert open_fds() == before


def test_built_rights_never_close_on_their_own() -> None:
    fd = os.dup(0)
    try:
        rights = Rights([fd])
        del rights
        gc.collect()
        os.fstat(fd)  # still open
    finally:
        os.close(fd)


def test_a_rights_built_for_sending_closes_nothing() -> None:
    fds = [os.dup(0), os.dup(0)]
    try:
        rights = Rights(fds)
        rights.close()
        with rights:
            pass
        assert rights.fds == tuple(fds)  # plain ints stay the caller's, unchanged
        assert rights.detach() == ()
        for fd in fds:
            os.fstat(fd)  # still open
        with pytest.raises(AttributeError):
            Rights([1]).fds = (2,)  # type: ignore[misc]
        assert copy.copy(Rights([1])) == Rights([1])  # a built Rights is a plain value
    finally:
        for fd in fds:
            os.close(fd)


def test_received_rights_close_detach_and_context_manager() -> None:
    with Socket.pair() as (left, right):
        for _ in range(3):
            left.sendmsg(Message([b"c"], [Rights([0, 0])]))
        space = cmsg_space(SOL_SOCKET, SCM_RIGHTS, 2)
        first = right.recvmsg(1, space).control[0]
        fds = first.fds
        first.close()
        first.close()  # idempotent
        assert first.fds == ()
        for fd in fds:
            with pytest.raises(OSError):
                os.fstat(fd)
        with right.recvmsg(1, space).control[0] as held:
            fd = held.fds[0]
        with pytest.raises(OSError):
            os.fstat(fd)
        detached = right.recvmsg(1, space).control[0].detach()
        for fd in detached:
            os.close(fd)


def test_owned_rights_cannot_be_copied() -> None:
    with Socket.pair() as (left, right):
        left.sendmsg(Message([b"c"], [Rights([left])]))
        with right.recvmsg(1, cmsg_space(SOL_SOCKET, SCM_RIGHTS, 1)) as message:
            with pytest.raises(TypeError, match="detach"):
                copy.copy(message.control[0])
            with pytest.raises(TypeError):
                pickle.dumps(message.control[0])


def attrs_frozen_error() -> type[Exception]:
    import attrs  # noqa: PLC0415

    return attrs.exceptions.FrozenAttributeError


# --------------------------------------------------------------------- credentials


@pytest.mark.skipif(SCM_CREDENTIALS is None, reason="no SCM_CREDENTIALS on this OS")
@pytest.mark.parametrize("kind", [SocketType.DGRAM, SocketType.STREAM])
def test_passcred_credentials(kind: SocketType) -> None:
    me = Credentials(os.getpid(), os.getuid(), os.getgid())
    space = cmsg_space(SOL_SOCKET, SCM_CREDENTIALS or 0)
    assert space == 32
    with Socket.pair(type=kind) as (left, right):
        right.set_option(SocketOption.PASSCRED, True)
        left.send(b"who")
        message = right.recvmsg(10, space)
        assert message.data == b"who"
        assert message.control == [me]
        # Sent explicitly, our own credentials are accepted and received as such.
        left.sendmsg(Message([b"me"], [me]))
        assert right.recvmsg(10, space).control == [me]


# --------------------------------------------------------------------- IPv6 ancillary data


def test_ipv6_recvpktinfo_gives_loopback_index(udp6_pair: tuple[Socket, Socket]) -> None:
    a, b = udp6_pair
    b.set_option(IPv6Option.RECVPKTINFO, True)
    a.sendmsg(Message([b"6"], address=b.local_address))
    message = b.recvmsg(10, cmsg_space(IPPROTO_IPV6, socket.IPV6_PKTINFO))
    assert message.data == b"6"
    assert message.control == [PacketInfo("::1", lo_index())]
    assert message.address == a.local_address


def test_ipv6_hop_limit_traffic_class_and_source_pktinfo(
    udp6_pair: tuple[Socket, Socket],
) -> None:
    a, b = udp6_pair
    b.set_option(IPv6Option.RECVHOPLIMIT, True)
    b.set_option(IPv6Option.RECVTCLASS, True)
    b.set_option(IPv6Option.RECVPKTINFO, True)
    sent: list[ControlMessage] = [HopLimit(7), TrafficClass(0x20), PacketInfo("::1", lo_index())]
    a.sendmsg(Message([b"h"], sent, b.local_address))
    space = (
        cmsg_space(IPPROTO_IPV6, socket.IPV6_HOPLIMIT)
        + cmsg_space(IPPROTO_IPV6, socket.IPV6_TCLASS)
        + cmsg_space(IPPROTO_IPV6, socket.IPV6_PKTINFO)
    )
    message = b.recvmsg(10, space)
    assert HopLimit(7) in message.control
    assert TrafficClass(0x20) in message.control
    assert PacketInfo("::1", lo_index()) in message.control
    # Too little room for all three: CTRUNC, and what fitted is still typed.
    a.sendmsg(Message([b"h"], sent, b.local_address))
    with pytest.warns(ControlTruncatedWarning):
        small = b.recvmsg(10, cmsg_space(IPPROTO_IPV6, socket.IPV6_PKTINFO))
    assert MsgFlag.CTRUNC in small.flags
    assert len(small.control) == 1


def test_udp_segment_offload(udp_pair: tuple[Socket, Socket]) -> None:
    if message_module._UDP_SEGMENT is None:
        pytest.skip("no UDP_SEGMENT on this OS")
    a, b = udp_pair
    payload = bytes(range(256)) * 10
    try:
        a.sendmsg(Message([payload[:1000], payload[1000:]], [UDPSegment(1000)], b.local_address))
    except SocketError as exc:  # kernels before 4.18, or no GSO on this loopback
        pytest.skip(f"UDP GSO unavailable: {exc}")
    got = [b.recvmsg(4000).data for _ in range(3)]
    assert got == [payload[:1000], payload[1000:2000], payload[2000:]]


# --------------------------------------------------------------------- errors and validation


def test_sendmsg_and_recvmsg_errors() -> None:
    left, right = Socket.pair()
    with left, right:
        with pytest.raises(TypeError, match="Message"):
            left.sendmsg([b"x"])  # type: ignore[arg-type]
        right.blocking = False
        with pytest.raises(WouldBlock):
            right.recvmsg(10)
        with pytest.raises(WouldBlock):
            right.recvmsg_into([bytearray(1)])
        with pytest.raises(ValueError):
            right.recvmsg(-1)
        with pytest.raises(TypeError):
            right.recvmsg_into([b"read-only"])
        with pytest.raises(ValueError, match="RawControl data is not a valid SCM_RIGHTS"):
            left.sendmsg(Message([b"x"], [RawControl(SOL_SOCKET, SCM_RIGHTS, b"abc")]))
    with pytest.raises(SocketClosedError):
        left.sendmsg(Message([b"x"]))
    with pytest.raises(SocketClosedError):
        right.recvmsg(1)
    with pytest.raises(SocketClosedError):
        right.recvmsg_into([bytearray(1)])


def test_sendmsg_bad_address_is_rejected_before_the_call(udp_pair: tuple[Socket, Socket]) -> None:
    a, _ = udp_pair
    with pytest.raises(ValueError):
        a.sendmsg(Message([b"x"], address=("127.0.0.1", 70000)))  # type: ignore[arg-type]


def test_caller_built_values_are_checked() -> None:
    with pytest.raises(ValueError, match=r"Rights\.fds"):
        Rights([-1])
    with pytest.raises(TypeError):
        Rights([1.5])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        Rights(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Rights([True])
    with pytest.raises(ValueError, match=r"HopLimit\.value"):
        HopLimit(256)
    with pytest.raises(ValueError):
        TrafficClass(-2)
    with pytest.raises(ValueError):
        UDPSegment(70000)
    with pytest.raises(TypeError):
        HopLimit("64")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        RawControl(0, 1, "text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        RawControl(0, 1, 5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RawControl(2**31, 1, b"")
    with pytest.raises(ValueError, match="expected 4 bytes"):
        RawControl(IPPROTO_IPV6, socket.IPV6_HOPLIMIT, b"\0").encode()
    with pytest.raises(ValueError, match="IPv6 address"):
        encode_control(PacketInfo("::zz", 0))
    with pytest.raises(ValueError):
        encode_control(PacketInfo("::1", -1))
    with pytest.raises(ValueError):
        encode_control(Credentials(1, -1, 0))
    with pytest.raises(TypeError):
        encode_control(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="encode it first"):
        Message(["text"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        Message([1, 2])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="control messages must be"):
        Message([b"x"], [object()])  # type: ignore[list-item]
    assert Message(b"x", HopLimit(1)).control == [HopLimit(1)]
    assert Message(flags=8).flags == MsgFlag.CTRUNC


def test_values_assigned_after_construction_are_converted_when_sent(
    udp_pair: tuple[Socket, Socket],
) -> None:
    a, b = udp_pair
    message = Message([b"first"], address=b.local_address)
    message.buffers = b"one buffer"  # type: ignore[assignment]
    message.control = HopLimit(9)  # type: ignore[assignment]
    assert a.sendmsg(message) == 10
    assert a.send_batch([message]) == 1
    assert [b.recvmsg(64).data for _ in range(2)] == [b"one buffer"] * 2
    assert message.data == b"one buffer"
    assert message.datagrams() == [b"one buffer"]
    with Socket.pair() as (left, right):
        left.sendmsg(Message([b"c"], [Rights([0])]))
        kept = right.recvmsg(1, cmsg_space(SOL_SOCKET, SCM_RIGHTS, 1))
        [rights] = kept.control
        fd = rights.fds[0]
        kept.control = rights  # type: ignore[assignment]
        kept.close()  # a single Rights assigned: still closed
        with pytest.raises(OSError):
            os.fstat(fd)
    message.buffers = "text"  # type: ignore[assignment]
    with pytest.raises(TypeError, match="buffers must be a bytes-like object"):
        a.sendmsg(message)
    with pytest.raises(TypeError, match="buffers must be a bytes-like object"):
        a.send_batch([message])
    message.buffers, message.control = [b"x"], object()  # type: ignore[assignment]
    with pytest.raises(TypeError, match="control must be a list"):
        a.sendmsg(message)
    with pytest.raises(TypeError, match="control must be a list"):
        a.send_batch([message])
    message.control = [object()]  # type: ignore[list-item]
    with pytest.raises(TypeError, match="control messages must be"):
        a.sendmsg(message)
    message.buffers, message.control = ["text"], []  # type: ignore[list-item]
    with pytest.raises(TypeError):
        a.sendmsg(message)
    with pytest.raises(TypeError, match=r"messages\[0\]\.buffers"):
        a.send_batch([message])
    message.buffers, message.control = b"abcde", UDPSegment(2)  # type: ignore[assignment]
    assert message.datagrams() == [b"ab", b"cd", b"e"]
    message.control = None  # type: ignore[assignment]
    assert message.datagrams() == [b"abcde"]
    message.close()  # nothing to close, and no error (close may run in __exit__)
    b.timeout = 0.0
    with pytest.raises(WouldBlock):
        b.recvmsg(64)  # nothing was sent by the failing calls


def test_cmsg_space_php_values() -> None:
    # socket_cmsg_space() on Linux x86-64 (php-behaviour.md).
    if struct.calcsize("P") == 8 and os.uname().sysname == "Linux":
        assert cmsg_space(SOL_SOCKET, SCM_RIGHTS) == 16
        assert cmsg_space(SOL_SOCKET, SCM_RIGHTS, 1) == 24
        assert cmsg_space(SOL_SOCKET, SCM_RIGHTS, 3) == 32
        assert cmsg_space(SOL_SOCKET, SCM_CREDENTIALS or 0) == 32
        assert cmsg_space(IPPROTO_IPV6, socket.IPV6_PKTINFO) == 40
        assert cmsg_space(IPPROTO_IPV6, socket.IPV6_HOPLIMIT) == 24
        assert cmsg_space(IPPROTO_IPV6, socket.IPV6_HOPLIMIT, 5) == 24  # n ignored
    with pytest.raises(ValueError, match="level 1 and/or type 999 is not supported"):
        cmsg_space(1, 999)
    with pytest.raises(ValueError, match="n must be >= 0"):
        cmsg_space(SOL_SOCKET, SCM_RIGHTS, -1)
    with pytest.raises(ValueError, match="too large"):
        cmsg_space(SOL_SOCKET, SCM_RIGHTS, 2**62)
    with pytest.raises(TypeError):
        cmsg_space(SOL_SOCKET, SCM_RIGHTS, 1.0)  # type: ignore[arg-type]


@settings(max_examples=200)
@given(pair=st.sampled_from(sorted(KINDS)), n=st.integers(0, 10_000))
def test_cmsg_space_is_cmsg_space_of_the_payload(pair: tuple[int, int], n: int) -> None:
    kind = KINDS[pair]
    assert cmsg_space(*pair, n) == socket.CMSG_SPACE(kind.size + n * kind.item)


def test_message_py_does_not_import_socket_at_run_time() -> None:
    tree = ast.parse(Path(message_module.__file__).read_text())
    type_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and ast.unparse(branch.test) == "TYPE_CHECKING"
        for node in ast.walk(branch)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and id(node) not in type_only:
            assert node.module != "sockkit.socket"
        if isinstance(node, ast.Import) and id(node) not in type_only:
            assert all(alias.name != "sockkit.socket" for alias in node.names)


# --------------------------------------------------------------------- properties

ipv6_text = st.ip_addresses(v=6).map(lambda a: socket.inet_ntop(socket.AF_INET6, a.packed))
ipv4_text = st.ip_addresses(v=4).map(str)

control_messages: st.SearchStrategy[ControlMessage] = st.one_of(
    st.lists(st.integers(0, 2**31 - 1), max_size=300).map(Rights),
    st.builds(Credentials, INT32, st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)),
    st.builds(PacketInfo, ipv6_text, st.integers(0, 2**32 - 1)),
    *([st.builds(PacketInfo, ipv4_text, st.integers(0, 2**31 - 1))] if HAS_IP_PKTINFO else []),
    st.builds(HopLimit, st.integers(-1, 255)),
    st.builds(TrafficClass, st.integers(-1, 255)),
    *([st.builds(UDPSegment, st.integers(0, 65535))] if message_module._UDP_SEGMENT else []),
    st.builds(RawControl, INT32, INT32, st.binary(max_size=64)).filter(
        lambda raw: (raw.level, raw.type) not in KINDS
    ),
)


@settings(max_examples=300)
@given(control_messages)
def test_encode_then_decode_is_identity(control: ControlMessage) -> None:
    level, kind, data = encode_control(control)
    assert isinstance(data, bytes)
    assert decode_control(level, kind, data) == control
    if not isinstance(control, (Credentials, PacketInfo)):
        assert control.encode() == (level, kind, data)


any_pair = st.one_of(st.sampled_from(sorted(KINDS)), st.tuples(INT32, INT32))


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(pair=any_pair, data=st.binary(max_size=80))
def test_decoder_accepts_any_bytes(pair: tuple[int, int], data: bytes) -> None:
    level, kind = pair
    decoded = decode_control(level, kind, data)  # never raises
    if isinstance(decoded, RawControl):
        assert decoded == RawControl(level, kind, data)
        if (level, kind) in KINDS:
            with pytest.raises(ValueError, match="not a valid"):
                decoded.encode()
    else:
        assert (level, kind) in KINDS
        # A typed result is a faithful value: it encodes and decodes back to itself.
        assert decode_control(*encode_control(decoded)) == decoded
        if isinstance(decoded, Rights):
            assert not decoded.received  # decoding never takes ownership


# SCM_RIGHTS payloads that name no descriptor of this process (negative ints, a partial
# int), so that the receive path can be fed them without closing anything real.
harmless_rights = st.tuples(
    st.lists(st.integers(-(2**31), -1), max_size=3), st.binary(max_size=3)
).map(lambda item: (SOL_SOCKET, SCM_RIGHTS, struct.pack(f"={len(item[0])}i", *item[0]) + item[1]))


@settings(max_examples=300)
@given(
    ancdata=st.lists(
        st.one_of(
            st.tuples(any_pair, st.binary(max_size=40))
            .filter(lambda item: item[0] != (SOL_SOCKET, SCM_RIGHTS))
            .map(lambda item: (*item[0], item[1])),
            harmless_rights,
        ),
        max_size=6,
    ),
    flags=st.sampled_from([0, int(MsgFlag.CTRUNC), int(MsgFlag.TRUNC)]),
)
def test_received_control_never_fails(ancdata: list[tuple[int, int, bytes]], flags: int) -> None:
    """The kernel-side decoder: any control data becomes typed values or RawControl."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ControlTruncatedWarning)  # tested on its own
        message = message_module._received([b"d"], 1, ancdata, flags, None, family=socket.AF_UNIX)
    others = [item for item in ancdata if item[:2] != (SOL_SOCKET, SCM_RIGHTS)]
    rights = [item for item in message.control if isinstance(item, Rights)]
    assert len(message.control) == len(others) + len(rights)
    for entry in rights:  # only empty payloads survive; anything else is dropped
        assert entry.fds == ()
    typed = [item for item in message.control if not isinstance(item, Rights)]
    for (level, kind, data), decoded in zip(others, typed, strict=True):
        assert decoded == decode_control(level, kind, data)
    assert message.flags == MsgFlag(flags)


def test_type_errors_from_the_decoder() -> None:
    with pytest.raises(TypeError):
        decode_control("1", 1, b"")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        decode_control(1, 1, "data")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        decode_control(2**40, 1, b"")
    assert decode_control(1, 1, bytearray(4)) == Rights([0])


# ---------------------------------------------------------------------- control types


def test_control_types_are_the_os_pairs() -> None:
    assert ControlType.RIGHTS.value == (SOL_SOCKET, SCM_RIGHTS)
    assert ControlType.RIGHTS.level is Level.SOCKET
    assert ControlType.RIGHTS.type == SCM_RIGHTS
    assert ControlType((IPPROTO_IPV6, socket.IPV6_PKTINFO)) is ControlType.IPV6_PKTINFO
    # Every pair the decoder knows has its member, and no member is made up.
    assert {member.value for member in ControlType} == set(KINDS)
    for member in ControlType:
        assert isinstance(member.level, Level)


def test_cmsg_space_by_control_type_class_or_numbers() -> None:
    three = socket.CMSG_SPACE(3 * 4)
    assert cmsg_space(Rights, 3) == three
    assert Rights.space(3) == three
    assert cmsg_space(ControlType.RIGHTS, 3) == three
    assert cmsg_space(SOL_SOCKET, SCM_RIGHTS, 3) == three
    assert cmsg_space(Level.SOCKET, ControlType.RIGHTS.type, 3) == three
    assert cmsg_space(Rights) == socket.CMSG_SPACE(0)
    assert cmsg_space(HopLimit) == cmsg_space(ControlType.IPV6_HOPLIMIT) == socket.CMSG_SPACE(4)
    assert cmsg_space(ControlType.IPV6_PKTINFO) == socket.CMSG_SPACE(20)
    if SCM_CREDENTIALS is not None:
        assert cmsg_space(Credentials) == socket.CMSG_SPACE(12)


def test_cmsg_space_bad_arguments() -> None:
    pattern = r"ControlType\.IP_PKTINFO or ControlType\.IPV6_PKTINFO"
    with pytest.raises(ValueError, match=pattern):
        cmsg_space(PacketInfo)
    with pytest.raises(TypeError, match="one count"):
        cmsg_space(Rights, 1, 2)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="needs a type"):
        cmsg_space(SOL_SOCKET)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="control message class"):
        cmsg_space(int)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="n must be an int"):
        Rights.space("1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must be >= 0"):
        Rights.space(-1)
    with pytest.raises(ValueError, match="too large"):
        Rights.space(2**62)


# ---------------------------------------------------------------------- truncation warning


def test_truncated_rights_warn_naming_the_closed_descriptors() -> None:
    before = open_fds()
    with Socket.pair() as (left, right), Socket.pair() as (x, y):
        left.sendmsg(Message([b"t"], [Rights([x, y, x])]))
        with pytest.warns(ControlTruncatedWarning) as caught:
            message = right.recvmsg(10, Rights.space(1))
        assert message.control == []
        assert MsgFlag.CTRUNC in message.flags
        [warning] = caught.list
        text = str(warning.message)
        assert "MSG_CTRUNC" in text
        assert "Rights.space(n)" in text
        assert "received descriptor(s) were closed" in text
        # Attributed to the line that called recvmsg, not to sockkit's own code.
        assert warning.filename == __file__
    assert open_fds() == before


def test_no_control_room_at_all_still_warns() -> None:
    with Socket.pair() as (left, right), Socket.pair() as (x, _y):
        left.sendmsg(Message([b"t"], [Rights([x])]))
        with pytest.warns(ControlTruncatedWarning) as caught:
            message = right.recvmsg(10)
        assert message.control == []
        assert "were closed" not in str(caught.list[0].message)  # the kernel dropped them


def test_truncation_raises_on_request_and_leaks_nothing() -> None:
    before = open_fds()
    with Socket.pair() as (left, right), Socket.pair() as (x, y):
        left.sendmsg(Message([b"t"], [Rights([x, y, x])]))
        with warnings.catch_warnings():
            warnings.simplefilter("error", ControlTruncatedWarning)
            with pytest.raises(ControlTruncatedWarning):
                right.recvmsg(10, Rights.space(1))
    assert open_fds() == before


def test_room_enough_means_no_warning() -> None:
    with Socket.pair() as (left, right), Socket.pair() as (x, y):
        left.sendmsg(Message([b"t"], [Rights([x, y])]))
        with warnings.catch_warnings():
            warnings.simplefilter("error", ControlTruncatedWarning)
            with right.recvmsg(10, Rights.space(2)) as message:
                assert len(message.control[0]) == 2  # type: ignore[arg-type]


def test_compat_receives_truncated_control_without_the_warning() -> None:
    from sockkit.compat import SCM_RIGHTS as PHP_SCM_RIGHTS  # noqa: PLC0415
    from sockkit.compat import SOL_SOCKET as PHP_SOL_SOCKET  # noqa: PLC0415
    from sockkit.compat import socket_cmsg_space, socket_recvmsg  # noqa: PLC0415

    with Socket.pair() as (left, right), Socket.pair() as (x, y):
        left.sendmsg(Message([b"t"], [Rights([x, y, x])]))
        received: dict[str, object] = {
            "controllen": socket_cmsg_space(PHP_SOL_SOCKET, PHP_SCM_RIGHTS, 1)
        }
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert socket_recvmsg(right, received) == 1
        assert received["control"] == []
        # And the quiet context ends with the call: the OO layer warns again.
        left.sendmsg(Message([b"t"], [Rights([x, y, x])]))
        with pytest.warns(ControlTruncatedWarning):
            right.recvmsg(10, Rights.space(1))
