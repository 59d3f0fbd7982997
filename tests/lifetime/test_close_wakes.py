"""close() from another thread wakes every blocked call on the socket within 100 ms.

Each call is made to block for real (nothing to read, a full send buffer, a full
accept backlog), then another thread closes the socket and measures how long the
blocked call takes to end.  The contract's budget is 100 ms; the assertion allows
1 s so that a loaded two-core machine does not fail it, and names the budget.
Every blocked call also has the kernel's own timeout set, and every thread a
bounded join, so a regression fails instead of hanging.
"""

from __future__ import annotations

import _thread
import ctypes
import ctypes.util
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from faults.helpers import Call, tcp_pair
from sockkit import (
    AddressFamily,
    Event,
    ReadMode,
    Selector,
    Socket,
    SocketClosedError,
    SocketOption,
    SocketType,
    TimedOut,
)
from sockkit import socket as socket_module
from sockkit.compat import silenced, socket_last_error, socket_select

BUDGET = 0.1  # the contract: a woken call ends within 100 ms
ALLOWED = 1.0  # what the assertion accepts on a loaded machine
BLOCK_SETTLE = 0.2  # how long a call is given to reach its system call

Blocker = Callable[[Socket], object]


def _kernel_timeouts(sock: Socket) -> None:
    """The kernel's own limit on a blocked call: even a regression cannot hang the suite."""
    sock.set_option(SocketOption.RCVTIMEO, 10.0)
    sock.set_option(SocketOption.SNDTIMEO, 10.0)


def _close_while_blocked(sock: Socket, call: Blocker) -> Call:
    """Start ``call(sock)`` in a thread, let it block, close ``sock``; return the ended thread."""
    waiter = Call(lambda: call(sock))
    waiter.start()
    time.sleep(BLOCK_SETTLE)
    assert waiter.is_alive(), f"did not block: {waiter.error or waiter.result!r}"
    closed_at = time.monotonic()
    sock.close()
    waiter.finish(5.0)
    _assert_prompt(waiter.ended_at - closed_at)
    return waiter


def _assert_prompt(elapsed: float) -> None:
    assert elapsed < ALLOWED, (
        f"close() woke the blocked call after {elapsed * 1000:.0f} ms"
        f" (contract: within {BUDGET * 1000:.0f} ms)"
    )


def _assert_closed_error(waiter: Call) -> None:
    assert isinstance(waiter.error, SocketClosedError), waiter.error or waiter.result


@pytest.fixture
def pair() -> Iterator[tuple[Socket, Socket]]:
    left, right = Socket.pair()
    _kernel_timeouts(right)
    with left, right:
        yield left, right


RECEIVES: dict[str, Blocker] = {
    "recv": lambda sock: sock.recv(100),
    "read BINARY": lambda sock: sock.read(100, ReadMode.BINARY),
    "read NORMAL": lambda sock: sock.read(100, ReadMode.NORMAL),
    "read NORMAL mid-line": lambda sock: sock.read(100, ReadMode.NORMAL),
    "recv_into": lambda sock: sock.recv_into(bytearray(100)),
    "recvmsg": lambda sock: sock.recvmsg(100, 64),
    "recvmsg_into": lambda sock: sock.recvmsg_into([bytearray(100)]),
    "makefile rb read": lambda sock: _read_file(sock),
    "to_stdlib recv": lambda sock: sock.to_stdlib().recv(100),
}


def _read_file(sock: Socket) -> bytes:
    with sock.makefile("rb") as file:
        return file.read()


@pytest.mark.parametrize("timeout", [None, 30.0], ids=["blocking", "timeout"])
@pytest.mark.parametrize("name", list(RECEIVES))
def test_close_wakes_a_blocked_receive(
    pair: tuple[Socket, Socket], name: str, timeout: float | None
) -> None:
    left, right = pair
    right.timeout = timeout
    if name.endswith("mid-line"):
        left.write_all(b"part of a line")  # the NORMAL read takes it and waits for the rest
    waiter = _close_while_blocked(right, RECEIVES[name])
    _assert_closed_error(waiter)
    left.timeout = 5.0
    assert left.recv(100) == b""  # a blocked call was woken: the connection is shut down


@pytest.mark.parametrize("timeout", [None, 30.0], ids=["blocking", "timeout"])
def test_close_wakes_a_blocked_udp_recvfrom(timeout: float | None) -> None:
    sock = Socket(AddressFamily.INET, SocketType.DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.timeout = timeout
    _kernel_timeouts(sock)
    _assert_closed_error(_close_while_blocked(sock, lambda s: s.recvfrom(100)))


@pytest.mark.parametrize("timeout", [None, 30.0], ids=["blocking", "timeout"])
def test_close_wakes_a_blocked_accept(timeout: float | None) -> None:
    listener = Socket.create_server(("127.0.0.1", 0))
    listener.timeout = timeout
    _kernel_timeouts(listener)
    _assert_closed_error(_close_while_blocked(listener, lambda s: s.accept()))


def test_close_wakes_a_connect_blocked_on_a_full_backlog() -> None:
    with Socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        address = listener.local_address
        queued: list[Socket] = []
        try:
            # Fill the accept queue (bounded): the first connect that times out proves
            # the next one blocks, since nothing accepts.
            for _ in range(16):
                probe = Socket()
                probe.timeout = 0.5
                try:
                    probe.connect(address)
                except TimedOut:
                    probe.close()
                    break
                queued.append(probe)
            else:
                pytest.fail("the listener's backlog never filled")
            client = Socket()
            _kernel_timeouts(client)
            _assert_closed_error(_close_while_blocked(client, lambda s: s.connect(address)))
        finally:
            for sock in queued:
                sock.close()


@pytest.mark.parametrize("timeout", [None, 30.0], ids=["blocking", "timeout"])
def test_close_wakes_a_write_all_into_a_full_buffer(timeout: float | None) -> None:
    client, server = tcp_pair()
    with server:
        client.timeout = timeout
        _kernel_timeouts(client)
        waiter = _close_while_blocked(client, lambda s: s.write_all(b"x" * (64 << 20)))
        _assert_closed_error(waiter)


def test_close_wakes_a_sendfile_into_a_full_buffer(tmp_path: Path) -> None:
    path = tmp_path / "big"
    with path.open("wb") as file:
        file.truncate(256 << 20)  # sparse: no disk used, far more than any socket buffer
    client, server = tcp_pair()
    with server, path.open("rb") as file:
        _kernel_timeouts(client)
        _assert_closed_error(_close_while_blocked(client, lambda s: s.sendfile(file)))


# ---------------------------------------------------------------------- waits for readiness


def test_close_wakes_selector_wait_on_the_socket(pair: tuple[Socket, Socket]) -> None:
    _left, right = pair
    _assert_closed_error(_close_while_blocked(right, lambda s: Selector.wait([s], timeout=30.0)))


def test_close_wakes_selector_wait_among_other_sockets(pair: tuple[Socket, Socket]) -> None:
    _left, right = pair
    with Socket.pair() as (other, other_peer):
        waiter = _close_while_blocked(
            right, lambda s: Selector.wait([other_peer, s], [], [s], timeout=30.0)
        )
        _assert_closed_error(waiter)
        assert not other.closed and not other_peer.closed


def test_close_wakes_a_registered_select(pair: tuple[Socket, Socket]) -> None:
    # The registration face documents its wake-up: select() returns, the closed
    # socket unreported (an event loop goes on with its other sockets).
    _left, right = pair
    with Selector() as selector:
        selector.register(right, Event.READ, "closing")
        waiter = _close_while_blocked(right, lambda _s: selector.select(timeout=30.0))
        assert waiter.error is None, waiter.error
        assert waiter.result == []
        assert len(selector) == 0
        assert selector.select(0) == []  # the close (a hang-up) is not reported later either


def test_close_wakes_compat_socket_select(pair: tuple[Socket, Socket]) -> None:
    # compat's socket_select answers PHP's way: False, the errno recorded per thread.
    _left, right = pair

    def select(sock: Socket) -> tuple[Any, int]:
        with silenced():
            result = socket_select([sock], None, None, 30)
        return result, socket_last_error()

    waiter = _close_while_blocked(right, select)
    assert waiter.error is None, waiter.error
    result, errno = waiter.result
    assert result is False
    assert errno != 0


def test_close_wakes_compat_socket_select_with_its_warning(pair: tuple[Socket, Socket]) -> None:
    _left, right = pair
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        waiter = _close_while_blocked(right, lambda s: socket_select([s], [], [], 30))
    assert waiter.error is None, waiter.error
    assert waiter.result is False
    assert any("socket_select(): Unable to select" in str(w.message) for w in caught), caught


# ---------------------------------------------------------------------- a pthread of its own


def _pthread_library() -> ctypes.CDLL:
    name = ctypes.util.find_library("pthread") or ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True)


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def _join(library: ctypes.CDLL, thread: ctypes.c_ulong, done: threading.Event) -> None:
    """Join a pthread within a bounded time (``pthread_timedjoin_np`` where glibc has it)."""
    timed = getattr(library, "pthread_timedjoin_np", None)
    if timed is not None:
        deadline = time.time() + 5.0
        when = _Timespec(int(deadline), int((deadline % 1) * 1e9))
        timed.argtypes = [ctypes.c_ulong, ctypes.c_void_p, ctypes.POINTER(_Timespec)]
        assert timed(thread, None, ctypes.byref(when)) == 0, "the pthread did not end in 5 s"
        return
    assert done.wait(5.0), "the pthread did not end in 5 s"
    library.pthread_join.argtypes = [ctypes.c_ulong, ctypes.c_void_p]
    assert library.pthread_join(thread, None) == 0


def test_close_wakes_recv_in_a_thread_threading_does_not_know(
    pair: tuple[Socket, Socket],
) -> None:
    _left, right = pair
    library = _pthread_library()
    outcome: dict[str, Any] = {}
    started = threading.Event()
    done = threading.Event()
    start_routine = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p)

    def body(_arg: object) -> None:
        # Runs on a thread made by pthread_create: threading never registered it.
        try:
            outcome["known to threading"] = threading.get_ident() in {
                thread.ident for thread in threading.enumerate()
            }
            started.set()
            outcome["result"] = right.recv(100)
        except BaseException as exc:  # reported by the test
            outcome["error"] = exc
        finally:
            outcome["ended_at"] = time.monotonic()
            done.set()

    callback = start_routine(body)
    thread = ctypes.c_ulong()
    library.pthread_create.argtypes = [
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.c_void_p,
        start_routine,
        ctypes.c_void_p,
    ]
    assert library.pthread_create(ctypes.byref(thread), None, callback, None) == 0
    try:
        assert started.wait(5.0), "the pthread never ran"
        time.sleep(BLOCK_SETTLE)
        assert not done.is_set(), f"did not block: {outcome}"
        closed_at = time.monotonic()
        right.close()
        assert done.wait(5.0), "close() did not wake recv in the pthread"
        _assert_prompt(outcome["ended_at"] - closed_at)
    finally:
        right.close()
        _join(library, thread, done)
    assert outcome["known to threading"] is False
    assert isinstance(outcome.get("error"), SocketClosedError), outcome


# The blocked call is this (the main) thread's, so that an interrupt can reach it.
WOKEN_CALLS: dict[str, Blocker] = {
    "recv": lambda sock: sock.recv(100),
    "recv_into": lambda sock: sock.recv_into(bytearray(100)),
    "recvmsg": lambda sock: sock.recvmsg(100, 64),
    "recv_batch": lambda sock: sock.recv_batch(8, 100),
}


@pytest.mark.parametrize("name", list(WOKEN_CALLS))
def test_an_interrupt_as_the_woken_call_leaves_still_releases_the_descriptor(name: str) -> None:
    # close() from another thread finds the call in flight and leaves releasing the
    # descriptor to it; a KeyboardInterrupt raised as the call uncounts itself (the
    # interpreter runs signal handlers as a C call returns) must not skip that.
    left, right = Socket.pair(AddressFamily.UNIX, SocketType.DGRAM)
    _kernel_timeouts(right)
    number = right.fileno()
    closer = threading.Timer(BLOCK_SETTLE, right.close)
    fired: list[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if (
            event == "c_return"
            and not fired
            and getattr(arg, "__name__", "") == "pop"
            and frame.f_code.co_filename == socket_module.__file__
            and right.closed
        ):
            fired.append(frame.f_code.co_name)
            _thread.interrupt_main()

    with left:
        closer.start()
        try:
            sys.setprofile(profile)
            try:
                WOKEN_CALLS[name](right)
            finally:
                sys.setprofile(None)
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("the interrupt did not reach the call")
        finally:
            closer.join(5.0)
        assert fired, "no uncounting seen"
        with pytest.raises(OSError, match="Bad file descriptor"):
            os.fstat(number)  # released by the call on its way out, interrupt or not
