"""Rights and Message own exactly what they hold; received descriptors survive interrupts.

A `Rights` built for sending keeps the sockets and files it is given and reads
their descriptors at send time; it never closes anything of the caller's.  A
received one owns its descriptors, which are closed exactly once whatever
interrupts their hand-over -- including a ``KeyboardInterrupt`` delivered at every
possible point of ``recvmsg``, ``recvmsg_into`` and ``accept`` in turn.
"""

from __future__ import annotations

import _thread
import gc
import os
import signal
import socket
import sys
import warnings
from collections.abc import Callable, Iterator
from itertools import starmap
from types import CodeType, FrameType
from typing import Any

import pytest

from conftest import is_open, open_fds
from sockkit import Message, Rights, Socket, SocketClosedError, WouldBlock, cmsg_space

RIGHTS_SPACE = cmsg_space(socket.SOL_SOCKET, socket.SCM_RIGHTS, 2)


def _nothing_queued(sock: Socket) -> None:
    sock.timeout = 0.0
    with pytest.raises(WouldBlock):
        sock.recv(100)


def _reuse_number(fd: int, opened: list[tuple[Socket, Socket]]) -> Socket:
    for _ in range(64):
        pair = Socket.pair()
        opened.append(pair)
        for sock in pair:
            if sock.fileno() == fd:
                return sock
    raise AssertionError(f"descriptor {fd} was not reused by 64 new pairs")


# ---------------------------------------------------------------------- sending side


def test_sending_rights_whose_socket_closed_raises_and_sends_nothing() -> None:
    opened: list[tuple[Socket, Socket]] = []
    try:
        with Socket.pair() as (left, right):
            mine, theirs = Socket.pair()
            opened.append((mine, theirs))
            rights = Rights([theirs])
            number = theirs.fileno()
            theirs.close()
            private = _reuse_number(number, opened)  # a new, unrelated socket now has it
            with pytest.raises(SocketClosedError):
                left.sendmsg(Message([b"x"], [rights]))
            _nothing_queued(right)
            assert not private.closed and is_open(number)
    finally:
        for one, two in opened:
            one.close()
            two.close()


def test_sending_rights_whose_stdlib_socket_or_file_closed_sends_nothing() -> None:
    with Socket.pair() as (left, right):
        std_one, std_two = socket.socketpair()
        std_two.close()
        rights = Rights([std_one])
        std_one.close()
        with pytest.raises(SocketClosedError):
            left.sendmsg(Message([b"x"], [rights]))
        with open(os.devnull, "rb") as file:
            file_rights = Rights([file])
        with pytest.raises((SocketClosedError, ValueError)):
            left.sendmsg(Message([b"x"], [file_rights]))
        _nothing_queued(right)


def test_a_sent_message_leaves_the_callers_socket_open_and_working() -> None:
    with Socket.pair() as (left, right), Socket.pair() as (mine, theirs):
        with Message([b"x"], [Rights([theirs])]) as message:
            assert left.sendmsg(message) == 1
        assert not theirs.closed and is_open(theirs.fileno())
        mine.write_all(b"still theirs")
        theirs.timeout = right.timeout = 5.0
        assert theirs.recv(100) == b"still theirs"
        with right.recvmsg(1, RIGHTS_SPACE) as received:
            [copy] = received.control[0].sockets()  # type: ignore[union-attr]
        with copy:
            mine.write_all(b"to the copy")
            copy.timeout = 5.0
            assert copy.recv(100) == b"to the copy"
        theirs.write_all(b"after the copy closed")
        mine.timeout = 5.0
        assert mine.recv(100) == b"after the copy closed"


def test_plain_ints_stay_the_callers() -> None:
    read_end, write_end = os.pipe()
    try:
        with Socket.pair() as (left, right):
            rights = Rights([read_end, write_end])
            assert rights.fds == (read_end, write_end)
            assert not rights.received
            with Message([b"x"], [rights]) as message:
                left.sendmsg(message)
            rights.close()
            Message([b"y"], [rights]).close()
            assert rights.fds == (read_end, write_end)  # given back unchanged
            assert is_open(read_end) and is_open(write_end)
            right.timeout = 5.0
            with right.recvmsg(1, RIGHTS_SPACE) as received:
                got = received.control[0]
                assert isinstance(got, Rights) and got.received and len(got) == 2
                copies = got.fds
            assert not any(is_open(fd) for fd in copies if fd not in (read_end, write_end))
            os.write(write_end, b"!")
            assert os.read(read_end, 1) == b"!"
    finally:
        os.close(read_end)
        os.close(write_end)


def test_close_closes_only_received_descriptors() -> None:
    with Socket.pair() as (left, right), Socket.pair() as (mine, theirs):
        before = open_fds()
        built = Message([b"x"], [Rights([theirs, mine.fileno()])])
        left.sendmsg(built)
        built.close()
        built.control[0].close()  # type: ignore[union-attr]
        assert open_fds() == before
        assert not theirs.closed and not mine.closed
        right.timeout = 5.0
        received = right.recvmsg(1, RIGHTS_SPACE)
        rights = received.control[0]
        assert isinstance(rights, Rights)
        fds = rights.fds
        assert len(fds) == 2 and all(is_open(fd) for fd in fds)
        assert open_fds() == before + 2
        received.close()
        assert open_fds() == before
        assert rights.fds == ()
        received.close()  # twice: nothing more is closed (the sentinel below proves it)
        sentinel = os.open(os.devnull, os.O_RDONLY)  # likely takes a number just freed
        try:
            rights.close()
            received.close()
            assert is_open(sentinel)
        finally:
            os.close(sentinel)
        mine.write_all(b"ok")
        theirs.timeout = 5.0
        assert theirs.recv(10) == b"ok"


# ---------------------------------------------------------------------- KeyboardInterrupt


class Interrupter:
    """A profile function that calls ``_thread.interrupt_main()`` at the k-th return event.

    Events inside the standard library's ``socket`` module are not counted: its
    ``socket.accept`` is Python code that holds the new descriptor as a bare int
    and then builds the Python socket, and nothing calling it can close what an
    interrupt inside it drops.  sockkit's own frames are all counted.
    """

    def __init__(self, k: int) -> None:
        self.k = k
        self.seen = 0
        self.at: tuple[str, CodeType] | None = None

    def __call__(self, frame: FrameType, event: str, arg: object) -> None:
        if event in ("c_return", "return") and not _inside_stdlib_socket(frame):
            self.seen += 1
            if self.seen == self.k:
                self.at = (event, frame.f_code)
                _thread.interrupt_main()

    @property
    def fired(self) -> bool:
        return self.seen >= self.k


_STDLIB_SOCKET = socket.__file__


def _inside_stdlib_socket(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_filename == _STDLIB_SOCKET:
            return True
        frame = frame.f_back
    return False


def _let_a_pending_interrupt_fire() -> None:
    for _ in range(100):  # backward jumps and calls: the interpreter checks for signals
        len(())


def _interrupted_at(
    k: int, method: Callable[..., Any], args: tuple[Any, ...]
) -> tuple[Interrupter, list[Any], bool, list[str]]:
    """Run ``method(*args)`` with an interrupt at the k-th return event.

    Returns the interrupter, what was handed over, whether it raised, and the
    ResourceWarnings seen.  The result is stored by C code (``list.extend`` over
    ``starmap``), so an interrupt landing in this frame after ``method`` returned
    cannot lose it.
    """
    interrupter = Interrupter(k)
    box: list[Any] = []
    interrupted = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        try:
            sys.setprofile(interrupter)
            try:
                box.extend(starmap(method, [args]))
            finally:
                sys.setprofile(None)
            _let_a_pending_interrupt_fire()
        except KeyboardInterrupt:
            sys.setprofile(None)
            interrupted = True
        gc.collect()
    resource = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    return interrupter, box, interrupted, resource


@pytest.fixture
def sentinel() -> Iterator[int]:
    """A descriptor held for the whole test: a double close of a reused number would hit it."""
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    fd = os.open(os.devnull, os.O_RDONLY)
    try:
        yield fd
    finally:
        os.close(fd)


def _check_no_double_close(sentinel: int) -> None:
    """Take the lowest free number (likely one just closed), let finalizers run, check both."""
    fresh = os.open(os.devnull, os.O_RDONLY)
    try:
        gc.collect()
        for fd in (sentinel, fresh):
            assert is_open(fd), f"descriptor {fd} was closed behind its owner's back"
            assert os.readlink(f"/proc/self/fd/{fd}") == os.devnull
    finally:
        os.close(fresh)


MAX_EVENTS = 3000


def _each_interrupt(
    receive: Callable[..., Any],
    args: tuple[Any, ...],
    send: Callable[[], None],
    held: Callable[[list[Any]], int],
    dispose: Callable[[list[Any]], None],
) -> tuple[int, int]:
    """Interrupt ``receive`` at every return event in turn until it completes untouched.

    ``send`` queues one item to receive; ``held(box)`` counts the descriptors of
    what was handed over (checking they are open); ``dispose(box)`` closes them and
    drains an item an early interrupt left queued.  After each run the descriptor
    count must be exact: neither a leak nor a descriptor closed twice.  Returns
    (interrupted runs, completed runs).
    """
    interrupts = completions = 0
    for k in range(1, MAX_EVENTS):
        before = open_fds()
        send()
        queued = open_fds()
        interrupter, box, interrupted, resource = _interrupted_at(k, receive, args)
        assert len(box) <= 1
        # Only an interrupt raised as the method itself returns (a profiler's
        # "return" event: its frame is done) drops the result before the caller
        # holds it; the result's finalizer closes it then, with a warning.
        own_return = interrupter.at == ("return", receive.__code__)
        assert not resource or own_return, f"k={k}: dropped at {interrupter.at}: {resource}"
        handed = held(box)
        assert open_fds() == queued + handed, (
            f"k={k}: {open_fds() - queued} descriptors open after the receive,"
            f" {handed} handed over (interrupted={interrupted} at {interrupter.at})"
        )
        dispose(box)
        assert open_fds() == before, f"k={k}: {open_fds() - before} descriptors leaked"
        interrupts += interrupted
        completions += not interrupted
        if not interrupter.fired:
            assert not interrupted and box, f"k={k}: an interrupt nobody sent"
            return interrupts, completions
    raise AssertionError(f"the call still met an interrupt after {MAX_EVENTS} events")


def _receive_kind(name: str) -> tuple[Callable[..., Message], tuple[Any, ...]]:
    if name == "recvmsg":
        return Socket.recvmsg, (16, RIGHTS_SPACE)
    return Socket.recvmsg_into, ([bytearray(8), bytearray(8)], RIGHTS_SPACE)


def _rights_held(box: list[Any]) -> int:
    count = 0
    for message in box:
        rights = message.control[0]
        assert isinstance(rights, Rights) and len(rights) == 2
        assert all(is_open(fd) for fd in rights.fds)
        count += 2
    return count


@pytest.mark.parametrize("name", ["recvmsg", "recvmsg_into"])
def test_an_interrupt_at_any_point_of_a_receive_leaks_and_double_closes_nothing(
    name: str, sentinel: int
) -> None:
    read_end, write_end = os.pipe()
    try:
        with Socket.pair() as (left, right):
            right.timeout = 5.0
            receive, args = _receive_kind(name)

            def send() -> None:
                left.sendmsg(Message([b"message"], [Rights([read_end, write_end])]))

            def dispose(box: list[Any]) -> None:
                for message in box:
                    message.close()
                right.timeout = 0.0  # an interrupt before the system call left it queued
                try:
                    with right.recvmsg(16, RIGHTS_SPACE):
                        assert not box, "one message sent, two received"
                except WouldBlock:
                    pass
                right.timeout = 5.0
                _check_no_double_close(sentinel)

            interrupts, completions = _each_interrupt(
                receive, (right, *args), send, _rights_held, dispose
            )
            assert interrupts > 5 and completions == 1
            _nothing_queued(right)
        assert is_open(read_end) and is_open(write_end)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_an_interrupt_at_any_point_of_accept_leaks_and_double_closes_nothing(
    sentinel: int,
) -> None:
    clients: list[Socket] = []
    with Socket.create_server(("127.0.0.1", 0)) as listener:
        listener.timeout = 5.0
        address = listener.local_address

        def send() -> None:
            client = Socket()
            clients.append(client)
            client.timeout = 5.0
            client.connect(address)

        def held(box: list[Any]) -> int:
            for conn, _peer in box:
                assert is_open(conn.fileno())
            return len(box)

        def dispose(box: list[Any]) -> None:
            for conn, _peer in box:
                conn.close()
            listener.timeout = 0.0
            try:
                conn, _peer = listener.accept()
                conn.close()
                assert not box, "one connection made, two accepted"
            except WouldBlock:
                pass
            listener.timeout = 5.0
            while clients:
                clients.pop().close()
            _check_no_double_close(sentinel)

        try:
            interrupts, completions = _each_interrupt(
                Socket.accept, (listener,), send, held, dispose
            )
        finally:
            for client in clients:
                client.close()
        assert interrupts > 5 and completions == 1
