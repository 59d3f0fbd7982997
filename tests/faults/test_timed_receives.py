"""Receives on a socket with a timeout wait without spinning where ``poll(2)`` calls
the socket readable while nothing can be received.

The socket module polls before a receive on a socket with a timeout, and polls
again after every ``EAGAIN`` until the timeout.  Two states make that a spin that
takes a whole CPU for the whole timeout: an error queue alone (``IP_RECVERR``
reports, which keep ``POLLERR`` up until read with ``MsgFlag.ERRQUEUE``), and a
datagram socket shut down for reading (``POLLIN``, while a try would block; a
blocking receive returns the end of data at once).  sockkit makes each try the
system call alone and waits between the tries itself: paused where the readiness
was false, the end of data where the socket was shut down, and still woken by
data, by the timeout and by a close from another thread.
"""

from __future__ import annotations

import contextlib
import gc
import os
import select
import socket
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import sockkit.socket as socket_module
from conftest import is_open, later, report_refusal, woken_by_close
from sockkit import (
    AddressFamily,
    ConnectionRefused,
    MsgFlag,
    ReadMode,
    Shutdown,
    Socket,
    SocketClosedError,
    SocketType,
    TimedOut,
    WouldBlock,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="Linux's IP_RECVERR and poll() of a shut UDP"
)

WINDOW = 0.4  # seconds a receive is left waiting
CPU_BOUND = WINDOW / 4  # a spin takes all of WINDOW; a paused wait a few per cent
AT_ONCE = 1.0  # seconds: far below a timeout of 5 s, far above a poll and a call

RECEIVES: dict[str, tuple[Callable[[Socket], Any], object]] = {
    # name: (the receive, what it returns at the end of data)
    "recv": (lambda sock: sock.recv(16), b""),
    "recv_into": (lambda sock: sock.recv_into(bytearray(16)), 0),
    "recvfrom": (lambda sock: sock.recvfrom(16)[0], b""),
    "read": (lambda sock: sock.read(16), b""),
    "read NORMAL": (lambda sock: sock.read(16, ReadMode.NORMAL), b""),
    "recv PEEK": (lambda sock: sock.recv(16, MsgFlag.PEEK), b""),
    "recvmsg": (lambda sock: sock.recvmsg(16).data, b""),
    "recvmsg_into": (lambda sock: sock.recvmsg_into([bytearray(16)]).nbytes, 0),
    "stdlib recv": (lambda sock: sock.to_stdlib().recv(16), b""),
    "stdlib recvfrom": (lambda sock: sock.to_stdlib().recvfrom(16)[0], b""),
    "stdlib recvfrom_into": (lambda sock: sock.to_stdlib().recvfrom_into(bytearray(16))[0], 0),
    "stdlib recvmsg": (lambda sock: sock.to_stdlib().recvmsg(16)[0], b""),
    "stdlib recvmsg_into": (lambda sock: sock.to_stdlib().recvmsg_into([bytearray(16)])[0], 0),
}
CALLS = [pytest.param(call, id=name) for name, (call, _end) in RECEIVES.items()]
ENDS = [pytest.param(call, end, id=name) for name, (call, end) in RECEIVES.items()]


@pytest.fixture
def reported() -> Iterator[tuple[Socket, int]]:
    """(a UDP socket whose error queue holds an ICMP report, the port it is connected
    to, where nothing listens): poll() calls it ready (POLLERR) while a receive would
    block.  Its timeout is WINDOW."""
    with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port, poller = report_refusal(sock)
        with pytest.raises(ConnectionRefused):  # the socket's error, reported once
            sock.recv(16)
        assert poller.poll(0) == [(sock.fileno(), select.POLLERR)]  # what makes it spin
        sock.timeout = WINDOW
        yield sock, port


@pytest.fixture
def shut() -> Iterator[Socket]:
    """A UDP socket connected to itself and shut down for reading (poll() says POLLIN,
    a try would block, a blocking receive returns the end of data), timeout 5 s."""
    with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.connect(sock.local_address)
        sock.shutdown(Shutdown.READ)
        sock.timeout = 5.0
        yield sock


@pytest.mark.parametrize("call", CALLS)
def test_a_timed_receive_over_an_error_queue_waits_without_spinning(
    reported: tuple[Socket, int], call: Callable[[Socket], Any]
) -> None:
    sock, _port = reported
    started, cpu = time.monotonic(), time.thread_time()
    with pytest.raises(TimedOut):
        call(sock)
    spent, waited = time.thread_time() - cpu, time.monotonic() - started
    assert waited >= WINDOW * 0.9
    assert spent < CPU_BOUND, f"{spent:.2f} s of CPU in a wait of {waited:.2f} s"


@pytest.mark.parametrize("call", CALLS)
def test_a_timed_receive_over_an_error_queue_gets_what_arrives_meanwhile(
    reported: tuple[Socket, int], call: Callable[[Socket], Any]
) -> None:
    sock, port = reported
    sock.timeout = 5.0
    with Socket(AddressFamily.INET, SocketType.DGRAM) as peer:
        peer.bind(("127.0.0.1", port))  # the address sock is connected to
        sender = later(lambda: peer.sendto(b"late\n", sock.local_address), 0.2)
        started = time.monotonic()
        got = call(sock)
        sender.join(5.0)
    assert got in (b"late\n", 5)
    assert time.monotonic() - started < 5.0 - AT_ONCE


@pytest.mark.parametrize(("call", "end"), ENDS)
def test_a_timed_receive_after_a_shutdown_for_reading_is_the_end_at_once(
    shut: Socket, call: Callable[[Socket], Any], end: object
) -> None:
    started = time.monotonic()
    assert call(shut) == end  # as a blocking receive says it
    assert time.monotonic() - started < AT_ONCE
    shut.timeout = None
    assert call(shut) == end


def test_a_timed_receive_after_a_shutdown_gets_what_was_queued_first() -> None:
    with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.connect(sock.local_address)
        sock.send(b"queued")
        time.sleep(0.05)
        sock.shutdown(Shutdown.READ)
        sock.timeout = 5.0
        assert sock.recv(16) == b"queued"
        assert sock.recvmsg(16).nbytes == 0


@pytest.mark.parametrize("call", CALLS)
def test_a_close_from_another_thread_ends_a_timed_wait_over_an_error_queue(
    reported: tuple[Socket, int], call: Callable[[Socket], Any], request: pytest.FixtureRequest
) -> None:
    sock, _port = reported
    sock.timeout = 30.0
    outcome = woken_by_close(lambda: call(sock), sock.close, after=0.2, within=AT_ONCE)
    assert isinstance(outcome, SocketClosedError)
    name = request.node.callspec.id  # the method named in the error is the one called
    assert outcome.operation == name.removeprefix("stdlib ").split()[0]


def test_dontwait_on_a_timed_socket_over_an_error_queue_answers_at_once(
    reported: tuple[Socket, int],
) -> None:
    sock, _port = reported
    sock.timeout = 5.0
    started = time.monotonic()
    for _ in range(100):
        with pytest.raises(WouldBlock):
            sock.recvmsg(16, 0, MsgFlag.DONTWAIT)
    assert time.monotonic() - started < AT_ONCE


@pytest.mark.parametrize("end", ["close", "detach"])
def test_the_no_wait_view_never_closes_the_number_after_its_socket(end: str) -> None:
    """A receive on a socket with a timeout works through a second socket object over
    the descriptor, which a kept exception holds on to (its traceback's frames): it
    closes nothing when it goes, even after the number was reused on purpose."""
    sock = Socket(AddressFamily.INET, SocketType.DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.timeout = 5.0
    try:
        sock.recv(16, MsgFlag.DONTWAIT)
    except WouldBlock as exc:
        kept: BaseException | None = exc  # its context's frames hold the view
    fd = sock.fileno()
    if end == "close":
        sock.close()
    else:
        assert sock.detach() == fd
        os.close(fd)
    assert not is_open(fd)
    reader, writer = os.pipe()
    os.dup2(reader, fd)  # the number names another file now
    try:
        kept = None
        gc.collect()
        assert is_open(fd), "the number was closed behind its new owner's back"
        assert kept is None
    finally:
        for number in {fd, reader, writer}:
            os.close(number)


def test_a_socket_freed_with_its_close_pending_closes_its_number_once() -> None:
    """A close deferred by a use that never ended (``retain`` without ``release``: an
    event loop torn down) leaves the number to the Python socket it held, which closes
    it when the `Socket` is freed.  The no-wait view, freed right after, must close
    nothing: by then the number may be another file's (taken here at once)."""
    sock = Socket(AddressFamily.INET, SocketType.DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.timeout = 5.0
    with pytest.raises(WouldBlock):
        sock.recv(16, MsgFlag.DONTWAIT)  # made through the view
    fd = sock.retain(interrupt=False)
    sock.close()  # deferred: a use is counted
    reader, writer = os.pipe()
    # (the Python socket whose release close() deferred: white-box, to reuse its
    # number the moment it is closed, before the Socket's other parts are freed)
    freed = weakref.ref(sock._held, lambda _ref: os.dup2(reader, fd))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # the held socket's, expected
            del sock
            gc.collect()
        assert freed() is None
        assert is_open(fd), "the number was closed twice: the second time another file's"
    finally:
        for number in {fd, reader, writer}:
            with contextlib.suppress(OSError):
                os.close(number)


def test_a_view_receive_without_its_size_is_refused_and_receives_nothing(shut: Socket) -> None:
    with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.connect(sock.local_address)
        sock.timeout = 5.0
        sock.send(b"kept")
        view = sock.to_stdlib()
        for receive in (view.recvmsg, view.recvmsg_into, view.recvfrom_into):
            with pytest.raises(TypeError):
                receive()
        assert sock.recv(16) == b"kept"


def test_the_end_of_data_is_a_new_result_every_time(shut: Socket) -> None:
    view = shut.to_stdlib()
    first = view.recvmsg(16)
    first[1].append("the caller's")  # the caller's list, to change as it likes
    assert view.recvmsg(16) == (b"", [], 0, None)
    assert shut.recvmsg(16).control == []


def test_a_view_made_under_a_default_timeout_leaves_the_mode_another_thread_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under ``socket.setdefaulttimeout`` every new socket object makes its descriptor
    non-blocking as it is made, the no-wait view too, and that flag is the
    descriptor's, shared with the socket.  A view made while another thread makes the
    socket blocking must not leave it non-blocking (a blocking call would then fail
    with would-block).  The view's making is held open (white-box) until the other
    thread's change has had its chance to run."""
    making, go = threading.Event(), threading.Event()

    class HeldView(socket_module._NoWaitView):
        __slots__ = ()

        def __init__(self, *args: Any) -> None:
            making.set()
            go.wait(5)
            super().__init__(*args)

    monkeypatch.setattr(socket_module, "_NoWaitView", HeldView)
    with Socket.pair() as (left, right):
        right.timeout = 5.0
        left.send(b"x")
        received: list[bytes] = []
        socket.setdefaulttimeout(5.0)
        try:
            reader = threading.Thread(target=lambda: received.append(right.recv(1)))
            reader.start()
            assert making.wait(5)
            setter = threading.Thread(target=setattr, args=(right, "timeout", None))
            setter.start()
            setter.join(0.3)  # done here, or waiting for the view to be made
            go.set()
            reader.join(5)
            setter.join(5)
        finally:
            go.set()
            socket.setdefaulttimeout(None)
        assert not reader.is_alive() and not setter.is_alive()
        assert received == [b"x"]
        assert right.timeout is None
        assert os.get_blocking(right.fileno()), "a blocking socket left non-blocking"
