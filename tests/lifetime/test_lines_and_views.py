"""Line reads lose nothing and never over-read; views of a Socket close it for good.

NORMAL reads are provoked with a second reader of the same descriptor, a reset
in the middle of a line (``SO_LINGER`` 0), a signal handler that raises, and a
timeout.  ``to_stdlib()`` views and ``makefile()`` files are closed and detached
through, and every method of the `Socket` must then raise `SocketClosedError`.
"""

from __future__ import annotations

import os
import random
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from faults.helpers import Call, reset, tcp_pair
from sockkit import (
    ConnectionReset,
    Event,
    Message,
    ReadMode,
    Selector,
    Socket,
    SocketClosedError,
    SocketOption,
)

NORMAL = ReadMode.NORMAL


def _one_line(piece: bytes) -> bool:
    """A NORMAL read's result: no terminator before its last byte."""
    body = piece[:-1]
    return b"\n" not in body and b"\r" not in body


# ---------------------------------------------------------------------- a second reader


def test_a_second_reader_never_makes_a_normal_read_cross_a_terminator() -> None:
    left, right = Socket.pair()
    other = Socket.from_fd(os.dup(right.fileno()))
    with left, right, other:
        right.timeout = other.timeout = 5.0
        data = b"a\nbbbb\nc\nd\neeeee\n"
        left.write_all(data)
        assert right.read(100, NORMAL) == b"a\n"  # it peeked ahead: "bbbb\n" is predicted
        assert other.recv(5) == b"bbbb\n"  # ...and another reader takes exactly that
        assert right.read(100, NORMAL) == b"c\n"  # its exact recv got b"c\nd\ne": cut
        assert right.read(100, NORMAL) == b"d\n"
        assert right.read(100, NORMAL) == b"eeeee\n"


def test_interleaved_readers_of_one_descriptor_lose_nothing() -> None:
    rng = random.Random(12)
    left, right = Socket.pair()
    other = Socket.from_fd(os.dup(right.fileno()))
    with left, right, other:
        right.timeout = other.timeout = 5.0
        lines = [b"x" * rng.randrange(0, 12) + rng.choice([b"\n", b"\r"]) for _ in range(400)]
        sent = b"".join(lines)
        left.write_all(sent)
        left.shutdown()
        taken = 0
        for _ in range(4000):  # bounded: until both readers see the end of the stream
            if rng.random() < 0.6:
                piece = right.read(rng.randrange(1, 20), NORMAL)
                assert _one_line(piece), f"a NORMAL read crossed a terminator: {piece!r}"
            else:
                reader = right if rng.random() < 0.5 else other
                piece = reader.recv(rng.randrange(1, 8))  # right's passes the gate
            taken += len(piece)
            if not piece and not right.recv(100) and not other.recv(100):
                break
        else:
            pytest.fail("the stream never ended")
        assert taken == len(sent), f"{len(sent) - taken} bytes lost (or read twice)"


# ---------------------------------------------------------------------- a reset mid-line


@pytest.mark.parametrize("when", ["while waiting", "before the read"])
def test_a_reset_mid_line_returns_the_partial_line_then_raises(when: str) -> None:
    client, server = tcp_pair()
    with server:
        server.timeout = 10.0
        client.write_all(b"abc")
        if when == "before the read":
            reset(client)
            assert Selector.wait([server], timeout=5.0).read == [server]
            assert server.read(100, NORMAL) == b"abc"
        else:
            reader = Call(lambda: server.read(100, NORMAL))
            reader.start()
            Selector.wait([], timeout=0.2)
            assert reader.is_alive(), reader.error or reader.result
            reset(client)
            reader.finish(5.0)
            assert reader.error is None, reader.error
            assert reader.result == b"abc"
        with pytest.raises(ConnectionReset):
            server.recv(100)


# ---------------------------------------------------------------------- a raising signal handler


class Alarm(Exception):
    """What the SIGALRM handler raises."""


@pytest.fixture
def alarm() -> Iterator[Callable[[float], None]]:
    """Arm SIGALRM (main thread) with a handler that raises `Alarm`."""
    assert threading.current_thread() is threading.main_thread()

    def handler(signum: int, frame: object) -> None:
        raise Alarm

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        yield lambda seconds: signal.setitimer(signal.ITIMER_REAL, seconds)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("next_receive", ["read NORMAL", "read BINARY", "recv", "recvmsg"])
def test_a_raising_signal_handler_mid_line_leaves_the_partial_line(
    alarm: Callable[[float], None], next_receive: str
) -> None:
    left, right = Socket.pair()
    with left, right:
        right.set_option(SocketOption.RCVTIMEO, 10.0)  # a regression cannot hang
        left.write_all(b"abc")
        alarm(0.2)
        with pytest.raises(Alarm):
            right.read(100, NORMAL)  # takes b"abc", waits for the rest, interrupted
        left.write_all(b"def\n")
        right.timeout = 5.0
        if next_receive == "read NORMAL":
            assert right.read(100, NORMAL) == b"abcdef\n"
            return
        receive: dict[str, Callable[[], bytes]] = {
            "read BINARY": lambda: right.read(100),
            "recv": lambda: right.recv(100),
            "recvmsg": lambda: right.recvmsg(100).data,
        }
        assert receive[next_receive]() == b"abc"
        assert receive[next_receive]() == b"def\n"


def test_a_timeout_mid_line_returns_the_partial_line() -> None:
    left, right = Socket.pair()
    with left, right:
        right.timeout = 0.3
        left.write_all(b"abc")
        assert right.read(100, NORMAL) == b"abc"
        left.write_all(b"def\nghi\n")
        assert right.read(100, NORMAL) == b"def\n"
        assert right.read(100, NORMAL) == b"ghi\n"


# ---------------------------------------------------------------------- views: to_stdlib, makefile


def _register(sock: Socket) -> None:
    with Selector() as selector:
        selector.register(sock, Event.READ)


def _every_method(sock: Socket, file: Any) -> dict[str, Callable[[], Any]]:
    def set_timeout() -> None:
        sock.timeout = 1.0

    def set_blocking() -> None:
        sock.blocking = False

    return {
        "recv": lambda: sock.recv(1),
        "recv_into": lambda: sock.recv_into(bytearray(1)),
        "recvfrom": lambda: sock.recvfrom(1),
        "recvmsg": lambda: sock.recvmsg(1),
        "recvmsg_into": lambda: sock.recvmsg_into([bytearray(1)]),
        "read": lambda: sock.read(1),
        "read NORMAL": lambda: sock.read(1, NORMAL),
        "send": lambda: sock.send(b"x"),
        "write": lambda: sock.write(b"x"),
        "write_all": lambda: sock.write_all(b"x"),
        "sendmsg": lambda: sock.sendmsg(Message([b"x"])),
        "sendto": lambda: sock.sendto(b"x", "/nonexistent"),
        "sendfile": lambda: sock.sendfile(file),
        "accept": sock.accept,
        "bind": lambda: sock.bind("/nonexistent/socket"),
        "connect": lambda: sock.connect("/nonexistent"),
        "listen": sock.listen,
        "shutdown": sock.shutdown,
        "get_option": lambda: sock.get_option(SocketOption.TYPE),
        "set_option": lambda: sock.set_option(SocketOption.KEEPALIVE, True),
        "get_option_raw": lambda: sock.get_option_raw(1, 3),
        "local_address": lambda: sock.local_address,
        "peer_address": lambda: sock.peer_address,
        "protocol": lambda: sock.protocol,
        "atmark": sock.atmark,
        "timeout=": set_timeout,
        "blocking=": set_blocking,
        "detach": sock.detach,
        "retain": sock.retain,
        "add_close_callback": lambda: sock.add_close_callback(print),
        "to_stdlib": sock.to_stdlib,
        "makefile": sock.makefile,
        "Selector.wait": lambda: Selector.wait([sock], timeout=0),
        "Selector.register": lambda: _register(sock),
    }


def _assert_all_closed(sock: Socket, tmp_path: Path) -> None:
    assert sock.closed
    assert sock.fileno() == -1
    assert sock.family and sock.type  # still answer, as Python's socket does
    path = tmp_path / "data"
    path.write_bytes(b"data")
    with path.open("rb") as file:
        for name, call in _every_method(sock, file).items():
            with pytest.raises(SocketClosedError):
                call()
                pytest.fail(f"{name} did not raise")


def test_closing_the_stdlib_view_closes_the_socket(tmp_path: Path) -> None:
    left, right = Socket.pair()
    with left:
        view = right.to_stdlib()
        view.close()
        _assert_all_closed(right, tmp_path)
        with pytest.raises(OSError):
            view.recv(1)
        left.timeout = 5.0
        assert left.recv(1) == b""  # really closed, not only marked


def test_detaching_through_the_view_detaches_the_socket(tmp_path: Path) -> None:
    left, right = Socket.pair()
    with left:
        fd = right.to_stdlib().detach()
        assert fd >= 0
        _assert_all_closed(right, tmp_path)
        with Socket.from_fd(fd) as again:  # the descriptor was handed over intact
            left.write_all(b"still open")
            again.timeout = 5.0
            assert again.recv(100) == b"still open"


def test_makefile_reads_raise_socket_closed_after_close(tmp_path: Path) -> None:
    left, right = Socket.pair()
    with left:
        left.write_all(b"first line\nsecond")
        binary = right.makefile("rb", buffering=0)
        text = right.makefile("r")
        try:
            assert binary.read(6) == b"first "
            right.close()
            for read in (lambda: binary.read(1), binary.readline, text.read, text.readline):
                with pytest.raises(SocketClosedError):
                    read()
        finally:
            binary.close()
            text.close()
        _assert_all_closed(right, tmp_path)


def test_makefile_of_a_view_after_closing_the_view() -> None:
    left, right = Socket.pair()
    with left:
        view = right.to_stdlib()
        file = view.makefile("rb")
        try:
            view.close()
            with pytest.raises(SocketClosedError):
                file.read(1)
        finally:
            file.close()
        assert right.closed
        with pytest.raises(SocketClosedError):
            right.protocol  # noqa: B018 - the property is what is tested
