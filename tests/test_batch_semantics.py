"""send_batch / recv_batch at the edges: what a batch means on sockets and flags
where one message per slot is not the whole story (streams, PEEK, a socket shut
down for reading, kept errors, equal addresses of other types).

Both paths run every test: ``native=True`` (sendmmsg/recvmmsg) and ``native=False``
(the sendmsg/recvmsg loop of other platforms) must say the same.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import os
import select
import signal
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import unix_datagrams
from sockkit import (
    AddressFamily,
    ConnectionRefused,
    ConnectionReset,
    Message,
    MsgFlag,
    OperationNotSupported,
    ReadMode,
    Selector,
    Shutdown,
    Socket,
    SocketClosedError,
    SocketType,
    TimedOut,
    UDPSegment,
    WouldBlock,
    batch,
)

PATHS = [pytest.param(True, id="native"), pytest.param(False, id="loop")]
SO_RCVBUFFORCE = 33  # Linux (the socket module has no name for it)


def nothing_queued(receiver: Socket) -> bool:
    return Selector.wait([receiver], timeout=0.05).read == []


# ---------------------------------------------------------------------- streams


@pytest.mark.parametrize("native", PATHS)
def test_send_batch_refuses_a_stream_socket_before_sending(native: bool) -> None:
    left, right = Socket.pair()
    with left, right:
        with pytest.raises(OperationNotSupported, match="write_all") as caught:
            batch.send_batch(left, [b"one", Message([b"two"])], native=native)
        assert caught.value.errno == errno.EOPNOTSUPP
        assert left.last_error == errno.EOPNOTSUPP
        assert nothing_queued(right)
        left.close()
        with pytest.raises(SocketClosedError):
            batch.send_batch(left, [b"one"], native=native)


@pytest.mark.parametrize("native", PATHS)
def test_recv_batch_gives_the_end_of_a_stream_once(native: bool) -> None:
    left, right = Socket.pair()
    with left, right:
        right.timeout = 5.0
        left.write_all(b"abcdef")
        left.shutdown(Shutdown.WRITE)
        time.sleep(0.05)  # both the bytes and the end queued: one call sees them
        got = batch.recv_batch(right, 50, 100, native=native)
        if len(got) == 1:  # the end came after the first slot was filled
            got += batch.recv_batch(right, 50, 100, native=native)
        assert [m.data for m in got] == [b"abcdef", b""]
        assert [m.data for m in batch.recv_batch(right, 50, 100, native=native)] == [b""]


# ---------------------------------------------------------------------- flags and counts


@pytest.mark.parametrize("native", PATHS)
def test_peek_gives_the_first_message_once(udp_pair: tuple[Socket, Socket], native: bool) -> None:
    sender, receiver = udp_pair
    assert (
        sender.send_batch([Message([b"d%d" % i], address=receiver.local_address) for i in range(3)])
        == 3
    )
    time.sleep(0.05)
    peeked = batch.recv_batch(receiver, 8, 100, flags=MsgFlag.PEEK, native=native)
    assert [m.data for m in peeked] == [b"d0"]
    got = batch.recv_batch(receiver, 8, 100, native=native)
    assert [m.data for m in got] == [b"d0", b"d1", b"d2"]


@pytest.mark.parametrize("native", PATHS)
def test_recv_batch_returns_at_most_1024(native: bool) -> None:
    if os.geteuid() != 0:
        pytest.skip("queueing 1,100 datagrams needs SO_RCVBUFFORCE (root)")
    with (
        Socket(AddressFamily.INET, SocketType.DGRAM) as sender,
        Socket(AddressFamily.INET, SocketType.DGRAM) as receiver,
    ):
        receiver.bind(("127.0.0.1", 0))
        receiver.set_option_raw(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
        receiver.timeout = 5.0
        sender.connect(receiver.local_address)
        sent = [b"%d" % i for i in range(1100)]
        assert sender.send_batch(sent) == 1100
        time.sleep(0.1)
        first = batch.recv_batch(receiver, 2000, 16, native=native)
        assert len(first) == 1024
        rest = batch.recv_batch(receiver, 2000, 16, native=native)
        assert [m.data for m in first + rest] == sent


# ---------------------------------------------------------------------- shut down for reading


def _datagram_socket(family: AddressFamily, where: Path) -> Socket:
    """A datagram socket connected to itself, nothing queued."""
    sock = Socket(family, SocketType.DGRAM)
    sock.bind(("127.0.0.1", 0) if family == AddressFamily.INET else str(where / "self"))
    sock.connect(sock.local_address)
    return sock


@pytest.mark.parametrize("native", PATHS)
@pytest.mark.parametrize("family", [AddressFamily.INET, AddressFamily.UNIX], ids=["udp", "unix"])
@pytest.mark.parametrize("timeout", [None, 5.0], ids=["blocking", "timed"])
@pytest.mark.parametrize("when", ["before", "while waiting"])
def test_a_datagram_socket_shut_for_reading_ends_a_waiting_recv_batch(
    native: bool, family: AddressFamily, timeout: float | None, when: str, tmp_path: Path
) -> None:
    # Its receive would block for ever while poll calls it readable: the batch returns
    # no message at once, on both paths (the loop waited out its timeout, or handed
    # over an empty datagram that nobody sent).
    with _datagram_socket(family, tmp_path) as sock:
        sock.timeout = timeout
        if when == "before":
            sock.shutdown(Shutdown.READ)
            thread = None
        else:
            thread = threading.Timer(0.2, sock.shutdown, (Shutdown.READ,))
            thread.start()
        started = time.monotonic()
        assert batch.recv_batch(sock, 4, 100, native=native) == []
        assert time.monotonic() - started < 2.0
        if thread is not None:
            thread.join(5.0)
        assert sock.last_error == 0  # an end, not a failure


@pytest.mark.parametrize("native", PATHS)
def test_a_send_on_a_socket_shut_for_reading_waits_its_timeout(native: bool) -> None:
    left, right = Socket.pair(AddressFamily.UNIX, SocketType.DGRAM)
    with left, right:
        left.timeout = 0.0
        filled = 0
        with pytest.raises(WouldBlock):  # the peer's queue full (it never reads)
            for _ in range(10_000):
                filled += batch.send_batch(left, [b"x" * 512] * 32, native=native)
        assert filled
        left.shutdown(Shutdown.READ)  # a hang-up for reading, not for writing
        left.timeout = 0.3
        started = time.monotonic()
        with pytest.raises(TimedOut):
            batch.send_batch(left, [b"late"], native=native)
        assert time.monotonic() - started >= 0.25
        right.timeout = 0.0
        for _ in range(filled):  # room again: nothing was kept as an error for the next call
            right.recv(1024)
        assert batch.send_batch(left, [b"now"], native=native) == 1
        assert right.recv(1024) == b"now"


# ---------------------------------------------------------------------- errors kept for later


@pytest.mark.parametrize("native", PATHS)
def test_a_kept_send_error_is_not_raised_once_closed(
    udp_pair: tuple[Socket, Socket], native: bool
) -> None:
    sender, receiver = udp_pair
    to = receiver.local_address
    messages = [Message([b"fits"], address=to), Message([bytes(70_000)], address=to)]
    assert batch.send_batch(sender, messages, native=native) == 1  # the second is kept
    sender.close()
    with pytest.raises(SocketClosedError):
        batch.send_batch(sender, [Message([b"again"], address=to)], native=native)


@pytest.mark.parametrize("native", PATHS)
def test_bytes_a_line_read_kept_come_first_as_a_received_message(native: bool) -> None:
    # A line read interrupted (a signal handler raising) while it waits for the end of
    # a line keeps what it read; the next receive hands it over first.
    class Interrupted(Exception):
        pass

    def interrupt(_signum: int, _frame: object) -> None:
        raise Interrupted

    def kept_after_an_interrupted_read(right: Socket) -> None:
        previous = signal.signal(signal.SIGALRM, interrupt)
        try:
            signal.setitimer(signal.ITIMER_REAL, 0.2)
            with pytest.raises(Interrupted):
                right.read(100, ReadMode.NORMAL)  # "ab" and no end of line (5 s at most)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    left, right = Socket.pair()
    with left, right:
        right.timeout = 5.0
        left.write_all(b"ab")
        kept_after_an_interrupted_read(right)
        left.write_all(b"cd\n")
        [kept] = batch.recv_batch(right, 4, 100, native=native)
        assert (kept.data, kept.nbytes, kept.flags, kept.address) == (b"ab", 2, 0, None)
        assert right.recv(100) == b"cd\n"
        left.write_all(b"ef")
        kept_after_an_interrupted_read(right)
        with pytest.raises(ValueError, match="ancbufsize"):  # as without kept bytes
            right.recvmsg(100, -1)
        with pytest.raises(ValueError, match="ancbufsize"):
            right.recvmsg_into([bytearray(10)], -1)
        message = right.recvmsg(100)  # the same for a single receive
        assert (message.data, message.nbytes) == (b"ef", 2)


@pytest.mark.parametrize("native", PATHS)
def test_waitall_on_a_stream_is_refused_before_any_system_call(native: bool) -> None:
    # A batch returns what is queued; WAITALL would have each message wait until full
    # (its tries are DONTWAIT, which the kernel lets win: it was dropped in silence).
    left, right = Socket.pair()
    with left, right:
        left.write_all(b"abc")
        with pytest.raises(ValueError, match="WAITALL"):
            batch.recv_batch(right, 1, 6, 0, MsgFlag.WAITALL, native=native)
        assert right.recv(10) == b"abc"  # still queued: nothing was received
    with Socket.pair(AddressFamily.UNIX, SocketType.DGRAM) as (one, two):
        one.send(b"datagram")  # no stream: WAITALL means nothing, and is passed on
        [got] = batch.recv_batch(two, 1, 100, 0, MsgFlag.WAITALL | MsgFlag.DONTWAIT)
        assert got.data == b"datagram"


@pytest.mark.parametrize("native", PATHS)
def test_recv_batch_raises_the_error_a_line_read_kept(native: bool) -> None:
    with Socket(AddressFamily.INET, SocketType.STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = Socket(AddressFamily.INET, SocketType.STREAM)
        client.connect(listener.local_address)
        server, _peer = listener.accept()
    with server:
        server.timeout = 5.0
        client.write_all(b"abc")
        client.set_option_raw(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()  # a reset after a partial line
        assert Selector.wait([server], timeout=5.0).read == [server]
        assert server.read(100, ReadMode.NORMAL) == b"abc"  # the reset kept for the next receive
        with pytest.raises(ConnectionReset):
            batch.recv_batch(server, 4, 100, native=native)


# ---------------------------------------------------------------------- addresses


@pytest.mark.parametrize("native", PATHS)
def test_an_equal_address_of_other_types_is_checked_before_sending(
    udp_pair: tuple[Socket, Socket], native: bool
) -> None:
    sender, receiver = udp_pair
    port = receiver.local_address.port  # type: ignore[union-attr]
    good = Message([b"good"], address=("127.0.0.1", port))
    bad = Message([b"bad"], address=("127.0.0.1", float(port)))
    with pytest.raises(TypeError, match="port"):
        batch.send_batch(sender, [good, bad], native=native)
    listed = Message([b"listed"], address=["127.0.0.1", port])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="address"):
        batch.send_batch(sender, [good, listed], native=native)
    # A named tuple is a tuple: its items are compared by type too (the packing of
    # the first was reused for the second, sent natively, refused midway by the loop).
    named = collections.namedtuple("named", "host port")
    for right, wrong in ((port, float(port)), (1, True)):  # a float port; a bool (== 1)
        first = Message([b"first"], address=named("127.0.0.1", right))
        second = Message([b"second"], address=named("127.0.0.1", wrong))
        assert first.address == second.address
        with pytest.raises(TypeError, match="port"):
            batch.send_batch(sender, [first, second], native=native)
    assert nothing_queued(receiver)  # refused before anything was sent
    assert batch.send_batch(sender, [good, Message([b"again"], address=("127.0.0.1", port))]) == 2


@pytest.mark.parametrize("native", PATHS)
def test_a_refused_gso_send_says_so_on_both_paths(
    udp_pair: tuple[Socket, Socket], native: bool
) -> None:
    _unused, receiver = udp_pair
    with Socket(AddressFamily.INET, SocketType.DGRAM) as sender:
        sender.connect(receiver.local_address)
        # Far more segments than one send may carry (UDP_MAX_SEGMENTS): EINVAL.
        with pytest.raises(OSError, match=r"GSO.*UDPSegment\(1\)") as caught:
            batch.send_batch(sender, [Message([bytes(1000)], [UDPSegment(1)])], native=native)
        assert caught.value.errno == errno.EINVAL
        assert sender.last_error == errno.EINVAL


@contextlib.contextmanager
def full_unix_pair(tmp_path: Path) -> Iterator[tuple[Socket, Socket]]:
    """A connected AF_UNIX datagram (receiver, sender) whose queue is full."""
    with unix_datagrams(tmp_path) as (sender, receiver):
        sender.timeout = 0.0
        with pytest.raises(WouldBlock):  # the queue full before the timed call
            for _ in range(10_000):
                sender.send_batch([b"m"] * 32)
        yield receiver, sender


def timed_send_with_a_slow_reader(tmp_path: Path, native: bool) -> tuple[int, float]:
    """(sent, seconds) of a 40-message send_batch with a 0.5 s timeout into a full
    queue that a reader empties by one datagram every 0.1 s: progress, never room
    for all (40 messages would take 4 s)."""
    with full_unix_pair(tmp_path) as (receiver, sender):
        stop = threading.Event()

        def slow_reader() -> None:
            while not stop.wait(0.1):
                receiver.recv(16, MsgFlag.DONTWAIT)

        reader = threading.Thread(target=slow_reader)
        reader.start()
        try:
            sender.timeout = 0.5
            started = time.monotonic()
            sent = batch.send_batch(sender, [b"m"] * 40, native=native)
            return sent, time.monotonic() - started
        finally:
            stop.set()
            reader.join(5.0)


@pytest.mark.parametrize("native", PATHS)
def test_a_send_batch_timeout_bounds_the_whole_call(tmp_path: Path, native: bool) -> None:
    """The timeout bounds the whole call, as ``sendall``'s does, however many of its
    system calls (or, in the portable loop, messages) made progress."""
    sent, elapsed = timed_send_with_a_slow_reader(tmp_path, native)
    assert 0 < sent < 40
    assert 0.4 < elapsed < 1.2, elapsed


def test_the_portable_loop_waits_by_select_where_there_is_no_poll(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the OS has no ``poll`` (Windows), the loop's waits for room are made
    with ``select``, with the same bound on the whole call."""
    import sockkit.socket  # noqa: PLC0415 - its module, patched here

    monkeypatch.delattr(select, "poll")
    monkeypatch.setattr(sockkit.socket, "_POLL", None)
    sent, elapsed = timed_send_with_a_slow_reader(tmp_path, native=False)
    assert 0 < sent < 40
    assert 0.4 < elapsed < 1.2, elapsed


@pytest.mark.parametrize("native", PATHS)
def test_dontwait_never_waits_on_a_socket_with_a_timeout(tmp_path: Path, native: bool) -> None:
    """The socket module waits for room before a call on a socket with a timeout,
    even with MSG_DONTWAIT: a DONTWAIT batch asks first, on both paths."""
    with full_unix_pair(tmp_path) as (receiver, sender):
        sender.timeout = 5.0
        started = time.monotonic()
        with pytest.raises(WouldBlock):
            batch.send_batch(sender, [b"m"] * 4, MsgFlag.DONTWAIT, native=native)
        assert time.monotonic() - started < 1.0
        assert sender.last_error == errno.EAGAIN
        receiver.recv(16)  # room for one: one goes, the rest do not wait either
        started = time.monotonic()
        assert batch.send_batch(sender, [b"m"] * 4, MsgFlag.DONTWAIT, native=native) == 1
        assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("native", PATHS)
def test_a_blocking_send_batch_without_room_times_out_typed(tmp_path: Path, native: bool) -> None:
    with full_unix_pair(tmp_path) as (_receiver, sender):
        sender.timeout = 0.2
        started = time.monotonic()
        with pytest.raises(TimedOut):
            batch.send_batch(sender, [b"m"] * 4, native=native)
        assert 0.15 < time.monotonic() - started < 1.5


@pytest.mark.parametrize("native", PATHS)
def test_dontwait_reports_a_queued_error_on_both_paths(native: bool) -> None:
    with Socket(AddressFamily.INET, SocketType.DGRAM) as gone:
        gone.bind(("127.0.0.1", 0))
        port = gone.local_address.port  # type: ignore[union-attr]
    with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        sock.connect(("127.0.0.1", port))
        sock.send(b"x")  # nobody there: an ICMP port unreachable comes back, queued
        assert Selector.wait([sock], timeout=5.0).read == [sock]  # the error is pending
        with pytest.raises(ConnectionRefused):
            batch.recv_batch(sock, 4, 100, flags=MsgFlag.DONTWAIT, native=native)


@pytest.mark.parametrize("native", PATHS)
def test_close_from_another_thread_ends_a_send_batch_waiting_for_room(
    tmp_path: Path, native: bool
) -> None:
    """A send_batch waiting for room (after its first message, in the portable loop)
    is woken by close() at once, and its number, reused meanwhile, is never sent on."""
    with full_unix_pair(tmp_path) as (receiver, sender):
        sender.timeout = 20.0
        receiver.recv(16)  # room for exactly one: the second message waits
        outcome: list[BaseException | int] = []

        def send() -> None:
            try:
                outcome.append(batch.send_batch(sender, [b"a", b"b", b"c"], native=native))
            except BaseException as exc:
                outcome.append(exc)

        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(0.3)
        closed_at = time.monotonic()
        sender.close()
        reader, writer = os.pipe()  # likely the number the sender had, once released
        try:
            thread.join(10)
            assert not thread.is_alive()
            assert time.monotonic() - closed_at < 1.0
            assert isinstance(outcome[0], SocketClosedError), outcome
            os.set_blocking(reader, False)
            with pytest.raises(BlockingIOError):
                os.read(reader, 16)  # nothing was written to the pipe
        finally:
            os.close(reader)
            os.close(writer)


@pytest.mark.parametrize("native", PATHS)
def test_a_send_with_room_never_waits_so_a_tiny_timeout_sends_all(
    udp_pair: tuple[Socket, Socket], native: bool
) -> None:
    """Each message is tried before any wait, and the deadline is set by the first
    wait: with room for all (UDP on loopback never lacks it), a timeout shorter
    than any wait sends them all."""
    sender, receiver = udp_pair
    sender.connect(receiver.local_address)
    sender.timeout = 1e-6
    assert batch.send_batch(sender, [b"m"] * 300, native=native) == 300
    assert len(batch.recv_batch(receiver, 1024, 16)) >= 1
