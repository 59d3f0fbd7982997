"""Signals during blocking calls (PEP 475): a handler that returns is invisible to the caller."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from types import FrameType

import pytest

from sockkit import Event, Selector, Socket, SocketOption, TimedOut

from .helpers import Call

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer")

INTERVAL = 0.005  # a SIGALRM every 5 ms while the call waits


class Alarm(Exception):
    """Raised by a handler that does not return."""


@pytest.fixture
def ticking() -> Iterator[list[int]]:
    """SIGALRM every few milliseconds, counted by a Python handler; all undone afterwards."""
    hits: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        hits.append(signum)

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, INTERVAL, INTERVAL)
    try:
        yield hits
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _after(delay: float, action: Callable[[], object]) -> Call:
    call = Call(action, delay=delay)
    call.start()
    return call


def _bounded(sock: Socket) -> Socket:
    """Keep ``sock`` blocking for Python but give the kernel a 10 s limit, so no test hangs."""
    sock.set_option(SocketOption.RCVTIMEO, 10.0)
    sock.set_option(SocketOption.SNDTIMEO, 10.0)
    return sock


def test_blocking_recv_survives_signals(ticking: list[int]) -> None:
    left, right = Socket.pair()
    with left, _bounded(right):
        assert right.timeout is None  # the blocking path, not the poll-with-timeout one
        sender = _after(0.2, lambda: left.write_all(b"worth the wait"))
        assert right.recv(100) == b"worth the wait"
        sender.finish()
        assert len(ticking) >= 5, "no signal arrived during the wait"


def test_blocking_accept_survives_signals(ticking: list[int]) -> None:
    with _bounded(Socket.create_server(("127.0.0.1", 0))) as listener:
        client = Socket()
        port = listener.local_address.port  # type: ignore[union-attr]
        connector = _after(0.2, lambda: client.connect(("127.0.0.1", port)))
        with client:
            conn, _ = listener.accept()
            conn.close()
            connector.finish()
        assert connector.error is None
        assert len(ticking) >= 5


def test_blocking_write_all_survives_signals(ticking: list[int]) -> None:
    left, right = Socket.pair()
    size = 8 << 20
    with _bounded(left), right:

        def drain() -> int:
            time.sleep(0.2)  # let the writer block on a full buffer first
            got = 0
            right.timeout = 10.0
            while got < size:
                chunk = right.recv(1 << 16)
                assert chunk
                got += len(chunk)
            return got

        reader = _after(0, drain)
        left.write_all(b"w" * size)
        assert reader.finish(15.0).result == size
        assert len(ticking) >= 5


def test_recv_timeout_is_kept_across_signals(ticking: list[int]) -> None:
    left, right = Socket.pair()
    with left, right:
        right.timeout = 0.3
        start = time.monotonic()
        with pytest.raises(TimedOut):
            right.recv(10)
        elapsed = time.monotonic() - start
        # Each signal restarts the wait with the time left, not the whole timeout.
        assert 0.25 <= elapsed < 2.0
        assert len(ticking) >= 10


def test_selector_waits_survive_signals(ticking: list[int]) -> None:
    left, right = Socket.pair()
    with left, right, Selector() as selector:
        sender = _after(0.2, lambda: left.send(b"!"))
        start = time.monotonic()
        assert Selector.wait(read=[right], timeout=10.0).read == [right]
        assert time.monotonic() - start < 5.0
        sender.finish()
        assert right.recv(1) == b"!"
        selector.register(right, Event.READ)
        sender = _after(0.2, lambda: left.send(b"?"))
        ready = selector.select(timeout=10.0)
        sender.finish()
        assert [(key.socket, events) for key, events in ready] == [(right, Event.READ)]
        assert len(ticking) >= 10


def test_a_handler_that_raises_interrupts_the_call_cleanly() -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise Alarm

    previous = signal.signal(signal.SIGALRM, handler)
    left, right = Socket.pair()
    try:
        with left, _bounded(right):
            signal.setitimer(signal.ITIMER_REAL, 0.1)
            with pytest.raises(Alarm):  # the handler's own exception, not a SocketError
                right.recv(10)
            signal.setitimer(signal.ITIMER_REAL, 0)
            # The socket is intact: nothing was lost or half-read.
            left.write_all(b"after the alarm")
            assert right.recv(100) == b"after the alarm"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
