"""Selector: the static ``wait`` face and the registration face, on real sockets."""

from __future__ import annotations

import contextlib
import copy
import errno
import importlib.util
import os
import pickle
import random
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import open_fds, woken_by_close
from sockkit.enums import Event
from sockkit.errors import BadFileDescriptor, SocketClosedError, SocketError, WouldBlock
from sockkit.selector import Ready, Selector, SelectorKey
from sockkit.socket import Socket

try:
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

BACKENDS = ["epoll", "selectors"] if hasattr(__import__("select"), "epoll") else ["selectors"]


@pytest.fixture
def fd_check() -> Iterator[None]:
    before = open_fds()
    yield
    assert open_fds() == before, "descriptor leak"


@contextlib.contextmanager
def pairs(count: int) -> Iterator[list[tuple[Socket, Socket]]]:
    made: list[tuple[Socket, Socket]] = []
    try:
        for _ in range(count):
            left, right = Socket.pair()
            made.append((left, right))
        yield made
    finally:
        for left, right in made:
            left.close()
            right.close()


@contextlib.contextmanager
def tcp_pair() -> Iterator[tuple[Socket, Socket]]:
    with Socket.create_server(("127.0.0.1", 0)) as server:
        assert server.local_address is not None
        client = Socket.create_connection(("127.0.0.1", server.local_address.port), timeout=5)
        try:
            conn, _peer = server.accept()
        except BaseException:
            client.close()
            raise
    try:
        yield client, conn
    finally:
        client.close()
        conn.close()


def fill(sock: Socket) -> None:
    """Fill ``sock``'s send buffer until it would block (bounded)."""
    sock.blocking = False
    chunk = b"\0" * 65536
    for _ in range(10_000):
        try:
            sock.send(chunk)
        except WouldBlock:
            return
    raise AssertionError("send buffer never filled")


def new_selector(backend: str) -> Selector:
    return Selector(backend)


# ====================================================================== static face


def test_wait_reports_readable_in_callers_order(fd_check: None) -> None:
    with pairs(6) as made:
        rights = [right for _left, right in made]
        order = [rights[4], rights[1], rights[5], rights[0], rights[3], rights[2]]
        for index in (5, 0, 3):
            made[index][0].send(b"x")
        ready = Selector.wait(read=order, timeout=0)
        assert ready.read == [rights[5], rights[0], rights[3]]
        assert ready.write == []
        assert ready.exceptional == []
        assert all(
            a is b for a, b in zip(ready.read, [rights[5], rights[0], rights[3]], strict=True)
        )


def test_wait_nothing_ready_with_zero_timeout_returns_at_once(fd_check: None) -> None:
    with pairs(3) as made:
        start = time.monotonic()
        ready = Selector.wait(read=[right for _l, right in made], timeout=0)
        assert time.monotonic() - start < 0.5
        assert ready == Ready([], [], [])
        assert tuple(ready) == ([], [], [])


def test_wait_times_out(fd_check: None) -> None:
    with pairs(1) as [(_left, right)]:
        start = time.monotonic()
        ready = Selector.wait(read=[right], timeout=0.1)
        elapsed = time.monotonic() - start
        assert ready.read == []
        assert 0.09 <= elapsed < 2.0


def test_wait_none_blocks_until_ready(fd_check: None) -> None:
    with pairs(1) as [(left, right)]:
        timer = threading.Timer(0.1, lambda: left.send(b"x"))
        timer.start()
        try:
            start = time.monotonic()
            ready = Selector.wait(read=[right])
            assert ready.read == [right]
            assert time.monotonic() - start < 5
        finally:
            timer.join(5)


def test_wait_write_set_and_full_buffer(fd_check: None) -> None:
    with pairs(2) as [(a_left, _a_right), (b_left, _b_right)]:
        fill(a_left)
        ready = Selector.wait(write=[a_left, b_left], timeout=0)
        assert ready.write == [b_left]


def test_wait_same_socket_in_read_and_write(fd_check: None) -> None:
    with pairs(1) as [(left, right)]:
        left.send(b"x")
        read, write, exceptional = Selector.wait(read=[right], write=[right], timeout=0)
        assert read == [right]
        assert write == [right]
        assert exceptional == []


def test_wait_duplicates_are_all_reported(fd_check: None) -> None:
    with pairs(1) as [(left, right)]:
        left.send(b"x")
        assert Selector.wait(read=[right, right], timeout=0).read == [right, right]


def test_wait_end_of_stream_and_error_count_as_readable_and_writable(fd_check: None) -> None:
    with pairs(1) as [(left, right)]:
        left.close()
        ready = Selector.wait(read=[right], write=[right], timeout=0)
        assert ready.read == [right]
        assert ready.write == [right]
        assert right.recv(10) == b""


def test_wait_exceptional_reports_out_of_band_data(fd_check: None) -> None:
    with tcp_pair() as (client, conn):
        assert Selector.wait(exceptional=[conn], timeout=0).exceptional == []
        client.send(b"!", socket.MSG_OOB)
        ready = Selector.wait(exceptional=[conn], timeout=5)
        assert ready.exceptional == [conn]


def test_wait_exceptional_only_reports_an_error_instead_of_returning_empty(
    fd_check: None,
) -> None:
    with tcp_pair() as (client, conn):
        # A reset (SO_LINGER 0 then close) puts conn in error: POLLERR/POLLHUP
        # always wake poll(), so with conn in no other set it is reported as
        # exceptional rather than as an empty result before the timeout.
        client.set_option_raw(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        start = time.monotonic()
        ready = Selector.wait(exceptional=[conn], timeout=5)
        assert ready.exceptional == [conn]
        assert time.monotonic() - start < 4
        # In the read set too, it is readable and not exceptional.
        ready = Selector.wait(read=[conn], exceptional=[conn], timeout=5)
        assert ready.read == [conn]
        assert ready.exceptional == []


def test_wait_accepts_stdlib_sockets_and_descriptor_numbers(fd_check: None) -> None:
    one, two = socket.socketpair()
    read_fd, write_fd = os.pipe()
    try:
        one.send(b"x")
        os.write(write_fd, b"y")
        ready = Selector.wait(read=[two, read_fd, one], write=[write_fd], timeout=1)
        assert ready.read == [two, read_fd]
        assert ready.write == [write_fd]
        assert type(ready.read[1]) is int
    finally:
        one.close()
        two.close()
        os.close(read_fd)
        os.close(write_fd)


def test_wait_generator_arguments(fd_check: None) -> None:
    with pairs(3) as made:
        made[1][0].send(b"x")
        ready = Selector.wait(read=(right for _left, right in made), timeout=0)
        assert ready.read == [made[1][1]]


def test_wait_closed_socket_raises_before_waiting(fd_check: None) -> None:
    with pairs(2) as [(_a_left, a_right), (_b_left, b_right)]:
        b_right.close()
        start = time.monotonic()
        with pytest.raises(SocketClosedError):
            Selector.wait(read=[a_right, b_right], timeout=5)
        with pytest.raises(SocketClosedError):
            Selector.wait(write=[b_right])
        with pytest.raises(SocketClosedError):
            Selector.wait(exceptional=[b_right], timeout=5)
        assert time.monotonic() - start < 1


def test_wait_closed_socket_after_caching_raises(fd_check: None) -> None:
    with pairs(2) as [(_a_left, a_right), (_b_left, b_right)]:
        assert Selector.wait(read=[a_right, b_right], timeout=0).read == []
        b_right.close()
        with pytest.raises(SocketClosedError):
            Selector.wait(read=[a_right, b_right], timeout=0)


def test_wait_closed_descriptor_number_is_bad_descriptor(fd_check: None) -> None:
    read_fd, write_fd = os.pipe()
    os.close(write_fd)
    os.close(read_fd)
    with pytest.raises(BadFileDescriptor) as info:
        Selector.wait(read=[read_fd], timeout=0)
    assert info.value.errno == errno.EBADF


def test_wait_argument_errors(fd_check: None) -> None:
    with pairs(1) as [(_left, right)]:
        with pytest.raises(ValueError, match="timeout"):
            Selector.wait(read=[right], timeout=-1)
        with pytest.raises(ValueError, match="timeout"):
            Selector.wait(read=[right], timeout=float("nan"))
        with pytest.raises(TypeError, match="timeout"):
            Selector.wait(read=[right], timeout=True)
        with pytest.raises(TypeError, match="timeout"):
            Selector.wait(read=[right], timeout="1")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="fileno"):
            Selector.wait(read=[right, "socket"], timeout=0)  # type: ignore[list-item]
        with pytest.raises(TypeError):
            Selector.wait(read=[True], timeout=0)
        with pytest.raises(ValueError, match=">= 0"):
            Selector.wait(read=[-3], timeout=0)
    with pytest.raises(ValueError, match="for ever"):
        Selector.wait()


def test_wait_with_no_sockets_sleeps_for_the_timeout() -> None:
    start = time.monotonic()
    assert Selector.wait(timeout=0.05) == Ready([], [], [])
    assert 0.04 <= time.monotonic() - start < 2


def test_wait_retries_after_a_signal(fd_check: None) -> None:
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        pytest.skip("needs SIGALRM in the main thread")
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        with pairs(1) as [(_left, right)]:
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            start = time.monotonic()
            ready = Selector.wait(read=[right], timeout=0.3)
            elapsed = time.monotonic() - start
        assert fired == [signal.SIGALRM]
        assert ready.read == []
        assert 0.25 <= elapsed < 3
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_wait_from_two_threads_on_the_same_sets(fd_check: None) -> None:
    # The poll cache is per thread: two threads waiting at once on the same sets
    # must not share a poll object (Python forbids concurrent poll() on one).
    with pairs(2) as made:
        reads = [right for _left, right in made]
        Selector.wait(read=reads, timeout=0)  # cache a plan in this thread
        results: list[object] = []

        def waiter() -> None:
            try:
                results.append(Selector.wait(read=reads, timeout=5).read)
            except BaseException as exc:  # pragma: no cover - reported below
                results.append(exc)

        thread = threading.Thread(target=waiter)
        thread.start()
        try:
            time.sleep(0.05)
            timer = threading.Timer(0.1, lambda: made[1][0].send(b"x"))
            timer.start()
            mine = Selector.wait(read=reads, timeout=5).read
            timer.join(5)
        finally:
            thread.join(10)
        assert not thread.is_alive()
        assert mine == [reads[1]]
        assert results == [[reads[1]]]


def test_wait_many_different_sets_keeps_working(fd_check: None) -> None:
    with pairs(40) as made:
        made[7][0].send(b"x")
        rights = [right for _left, right in made]
        for size in range(1, 41):  # more sets than the cache holds
            expected = [rights[7]] if size > 7 else []
            assert Selector.wait(read=rights[:size], timeout=0).read == expected


def _raise_nofile(wanted: int) -> None:
    if resource is None:
        pytest.skip("no RLIMIT_NOFILE on this platform")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the hard descriptor limit {hard} is below {wanted}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def test_wait_on_2000_sockets_with_descriptors_above_1024(fd_check: None) -> None:
    _raise_nofile(open_fds() + 2_200)
    with pairs(1_000) as made:
        everyone = [sock for pair in made for sock in pair]
        assert len(everyone) == 2_000
        assert max(sock.fileno() for sock in everyone) > 1024
        # Nothing readable yet.
        assert Selector.wait(read=everyone, timeout=0).read == []
        # Make some readable, among them the highest descriptors.
        high = sorted(made, key=lambda pair: pair[1].fileno())[-3:]
        chosen = [made[0], made[499], *high]
        for left, _right in chosen:
            left.send(b"x")
        rng = random.Random(1234)
        shuffled = everyone[:]
        rng.shuffle(shuffled)
        expected = [sock for sock in shuffled if any(sock is right for _l, right in chosen)]
        ready = Selector.wait(read=shuffled, timeout=5)
        assert ready.read == expected
        assert any(sock.fileno() > 1024 for sock in ready.read)
        # Every one of them is writable.
        assert Selector.wait(write=shuffled, timeout=0).write == shuffled


def test_ready_is_a_tuple_with_names() -> None:
    ready = Ready([1], [2], [3])
    assert ready == ([1], [2], [3])
    assert (ready.read, ready.write, ready.exceptional) == ([1], [2], [3])
    assert repr(ready) == "Ready(read=[1], write=[2], exceptional=[3])"


def test_ready_pickles_and_copies() -> None:
    ready = Ready([1], [2], [3])
    assert pickle.loads(pickle.dumps(ready)) == ready
    assert type(copy.copy(ready)) is Ready


def test_huge_timeouts_are_accepted(fd_check: None) -> None:
    with pairs(1) as [(left, right)], Selector() as sel:
        left.send(b"x")
        assert Selector.wait(read=[right], timeout=1e10).read == [right]
        sel.register(right, Event.READ)
        assert len(sel.select(1e10)) == 1


# ====================================================================== registration face


@pytest.mark.parametrize("backend", BACKENDS)
def test_register_and_select(backend: str, fd_check: None) -> None:
    with pairs(3) as made, new_selector(backend) as sel:
        keys = [
            sel.register(right, Event.READ, data=index) for index, (_l, right) in enumerate(made)
        ]
        assert len(sel) == 3
        assert sorted(key.data for key in sel) == [0, 1, 2]
        assert sel.select(0) == []
        made[1][0].send(b"x")
        result = sel.select(5)
        assert result == [(keys[1], Event.READ)]
        key, events = result[0]
        assert key.socket is made[1][1]
        assert key.fd == made[1][1].fileno()
        assert events is Event.READ
        assert isinstance(key, SelectorKey)


@pytest.mark.parametrize("backend", BACKENDS)
def test_read_and_write_in_one_result(backend: str, fd_check: None) -> None:
    with pairs(1) as [(left, right)], new_selector(backend) as sel:
        sel.register(right, Event.READ | Event.WRITE, "both")
        assert sel.select(0) == [(sel.get_key(right), Event.WRITE)]
        left.send(b"x")
        [(key, events)] = sel.select(0)
        assert events == Event.READ | Event.WRITE
        assert key.data == "both"


@pytest.mark.parametrize("backend", BACKENDS)
def test_modify_and_unregister(backend: str, fd_check: None) -> None:
    with pairs(1) as [(left, right)], new_selector(backend) as sel:
        sel.register(left, Event.READ, data="r")
        assert sel.select(0) == []
        key = sel.modify(left, Event.WRITE, data="w")
        assert key.events is Event.WRITE
        assert key.data == "w"
        assert sel.get_key(left) == key
        assert sel.select(0) == [(key, Event.WRITE)]
        assert sel.modify(left, Event.WRITE).data is None  # data replaced, as in selectors
        assert sel.unregister(left).socket is left
        assert len(sel) == 0
        assert sel.select(0) == []
        with pytest.raises(KeyError):
            sel.unregister(left)
        with pytest.raises(KeyError):
            sel.get_key(left)
        with pytest.raises(KeyError):
            sel.modify(left, Event.READ)
        del right


@pytest.mark.parametrize("backend", BACKENDS)
def test_registration_errors(backend: str, fd_check: None) -> None:
    with pairs(1) as [(left, right)], new_selector(backend) as sel:
        sel.register(left, Event.READ)
        with pytest.raises(KeyError, match="already registered"):
            sel.register(left, Event.WRITE)
        with pytest.raises(KeyError, match="already registered"):
            sel.register(left.fileno(), Event.WRITE)
        with pytest.raises(ValueError, match="non-empty"):
            sel.register(right, 0)
        with pytest.raises(ValueError, match="non-empty"):
            sel.register(right, 8)
        with pytest.raises(TypeError, match="events"):
            sel.register(right, True)
        with pytest.raises(TypeError, match="events"):
            sel.register(right, "1")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="fileno"):
            sel.register("socket", Event.READ)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=">= 0"):
            sel.register(-1, Event.READ)
        right.close()
        with pytest.raises(SocketClosedError):
            sel.register(right, Event.READ)
        with pytest.raises(ValueError, match="timeout"):
            sel.select(-1)
        with pytest.raises(TypeError, match="timeout"):
            sel.select(False)
        assert len(sel) == 1


def test_exceptional_registration_reports_out_of_band_data(fd_check: None) -> None:
    with tcp_pair() as (client, conn), Selector() as sel:
        key = sel.register(conn, Event.EXCEPTIONAL)
        assert sel.select(0) == []
        client.send(b"!", socket.MSG_OOB)
        assert sel.select(5) == [(key, Event.EXCEPTIONAL)]


def test_selectors_backend_cannot_wait_for_exceptional(fd_check: None) -> None:
    with (
        pairs(1) as [(left, _right)],
        new_selector("selectors") as sel,
        pytest.raises(ValueError, match="EXCEPTIONAL"),
    ):
        sel.register(left, Event.READ | Event.EXCEPTIONAL)


@pytest.mark.parametrize("backend", BACKENDS)
def test_end_of_stream_is_reported(backend: str, fd_check: None) -> None:
    with pairs(2) as [(a_left, a_right), (b_left, b_right)], new_selector(backend) as sel:
        read_key = sel.register(a_right, Event.READ)
        write_key = sel.register(b_right, Event.WRITE)
        fill(b_right)
        assert sel.select(0) == []
        a_left.close()
        b_left.close()
        result = dict(sel.select(5))
        assert result[read_key] == Event.READ
        assert result[write_key] == Event.WRITE


@pytest.mark.parametrize("backend", BACKENDS)
def test_socket_closed_while_registered(backend: str, fd_check: None) -> None:
    """A closed Socket leaves every selector at once; its reused number is a new socket."""
    with pairs(2) as [(a_left, a_right), (b_left, b_right)], new_selector(backend) as sel:
        sel.register(a_right, Event.READ, "a")
        b_key = sel.register(b_right, Event.READ, "b")
        old_fd = a_right.fileno()
        a_left.send(b"x")
        a_right.close()
        b_left.send(b"y")
        assert sel.select(1) == [(b_key, Event.READ)]
        assert len(sel) == 1
        with pytest.raises(KeyError):
            sel.get_key(a_right)
        # A new socket that reuses the number is registered afresh, and only it is reported.
        with Socket.pair() as (c_left, c_right):
            assert old_fd in (c_left.fileno(), c_right.fileno()), "number not reused"
            reused = c_left if c_left.fileno() == old_fd else c_right
            other = c_right if reused is c_left else c_left
            c_key = sel.register(reused, Event.READ, "c")
            assert len(sel) == 2
            assert dict(sel.select(0)) == {b_key: Event.READ}
            other.send(b"z")
            assert dict(sel.select(1)) == {b_key: Event.READ, c_key: Event.READ}
            sel.unregister(reused)


@pytest.mark.parametrize("backend", BACKENDS)
def test_unregister_or_modify_a_closed_socket(backend: str, fd_check: None) -> None:
    with pairs(1) as [(_left, right)], new_selector(backend) as sel:
        sel.register(right, Event.READ)
        right.close()
        assert len(sel) == 0
        with pytest.raises(KeyError):
            sel.unregister(right)
        with pytest.raises(SocketClosedError):
            sel.modify(right, Event.WRITE)


def test_register_a_regular_file_is_a_typed_error(tmp_path: Path, fd_check: None) -> None:
    with (tmp_path / "plain").open("wb") as file, Selector() as sel:
        with pytest.raises(SocketError) as info:
            sel.register(file, Event.READ)
        assert info.value.errno == errno.EPERM
        assert len(sel) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_select_timeouts(backend: str, fd_check: None) -> None:
    with pairs(1) as [(left, right)], new_selector(backend) as sel:
        sel.register(right, Event.READ)
        start = time.monotonic()
        assert sel.select(0.1) == []
        assert 0.09 <= time.monotonic() - start < 2
        timer = threading.Timer(0.1, lambda: left.send(b"x"))
        timer.start()
        try:
            assert len(sel.select()) == 1
        finally:
            timer.join(5)


def test_closed_selector(fd_check: None) -> None:
    with pairs(1) as [(left, _right)]:
        sel = Selector()
        sel.register(left, Event.WRITE)
        sel.close()
        sel.close()
        assert sel.closed
        assert len(sel) == 0
        with pytest.raises(ValueError, match="closed"):
            sel.select(0)
        with pytest.raises(ValueError, match="closed"):
            sel.register(left, Event.READ)
        assert "closed" in repr(sel)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("timeout", [None, 10.0])
def test_close_from_another_thread_wakes_a_waiting_select(
    backend: str, timeout: float | None, fd_check: None
) -> None:
    """The waiting select raises ValueError at once (it waited the whole timeout, for
    ever with None); the selector's descriptors close as it leaves, none leaks."""
    with pairs(1) as [(_left, right)]:
        sel = new_selector(backend)
        sel.register(right, Event.READ)
        # (a close before the wait raises the same: either way is right)
        result = woken_by_close(lambda: sel.select(timeout), sel.close, after=0.1, within=2.0)
        assert isinstance(result, ValueError)
        assert "closed" in str(result)
        assert sel.closed


@pytest.mark.parametrize("backend", BACKENDS)
def test_close_during_a_select_leaves_the_descriptors_to_it(backend: str, fd_check: None) -> None:
    """close() finding a select under way closes none of the selector's descriptors
    under it; the select closes them as it leaves, raising ValueError."""
    with pairs(1) as [(left, right)]:
        sel = new_selector(backend)
        sel.register(right, Event.READ)
        left.send(b"ready")
        sel._polling = True  # as select() sets it before it reads _poll
        sel.close()  # finds the select "under way": leaves the descriptors to it
        assert not sel._released
        sel._polling = False
        with pytest.raises(ValueError, match="closed"):
            sel.select(0)
        assert sel._released


def test_many_registered_one_ready(fd_check: None) -> None:
    _raise_nofile(open_fds() + 3_200)
    with pairs(1_500) as made, Selector() as sel:
        for index, (left, right) in enumerate(made):
            sel.register(left, Event.READ, index)
            sel.register(right, Event.READ, -index)
        assert len(sel) == 3_000
        made[1_234][0].send(b"x")
        [(key, events)] = sel.select(5)
        assert key.data == -1_234
        assert events is Event.READ


# ====================================================================== echo server


class _Conn:
    __slots__ = ("out", "want")

    def __init__(self) -> None:
        self.out = bytearray()
        self.want = Event.READ


def _echo_server(listener: Socket, stop: Socket, errors: list[BaseException]) -> None:
    conns: list[Socket] = []
    try:
        with Selector() as sel:
            listener.blocking = False
            sel.register(listener, Event.READ, "listen")
            sel.register(stop, Event.READ, "stop")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                for key, events in sel.select(1.0):
                    if key.data == "stop":
                        return
                    if key.data == "listen":
                        for _ in range(256):
                            try:
                                conn, _peer = listener.accept()
                            except WouldBlock:
                                break
                            conn.blocking = False
                            conns.append(conn)
                            sel.register(conn, Event.READ, _Conn())
                        continue
                    conn = key.socket
                    state: _Conn = key.data
                    assert isinstance(conn, Socket)
                    if events & Event.READ:
                        try:
                            data = conn.recv(65536)
                        except WouldBlock:
                            data = None
                        if data == b"":
                            sel.unregister(conn)
                            conn.close()
                            continue
                        if data:
                            state.out += data
                    if state.out:
                        try:
                            sent = conn.send(state.out)
                        except WouldBlock:
                            sent = 0
                        del state.out[:sent]
                    want = Event.READ | Event.WRITE if state.out else Event.READ
                    if want != state.want:
                        state.want = want
                        sel.modify(conn, want, state)
            raise AssertionError("echo server ran out of time")
    except BaseException as exc:
        errors.append(exc)
    finally:
        for conn in conns:
            conn.close()


def test_selector_echo_server_200_clients(fd_check: None) -> None:
    clients_count = 200
    size = 64 * 1024
    _raise_nofile(open_fds() + 2 * clients_count + 64)
    errors: list[BaseException] = []
    listener = Socket.create_server(("127.0.0.1", 0), backlog=clients_count + 56)
    stop_send, stop_recv = Socket.pair()
    assert listener.local_address is not None
    port = listener.local_address.port
    server = threading.Thread(target=_echo_server, args=(listener, stop_recv, errors), daemon=True)
    server.start()
    clients: list[Socket] = []
    try:
        rng = random.Random(8305)
        payloads = [rng.randbytes(size) for _ in range(clients_count)]
        for _ in range(clients_count):
            clients.append(Socket.create_connection(("127.0.0.1", port), timeout=10))
        sent = [0] * clients_count
        received = [bytearray() for _ in range(clients_count)]
        with Selector() as sel:
            for index, client in enumerate(clients):
                client.blocking = False
                sel.register(client, Event.READ | Event.WRITE, index)
            remaining = clients_count
            deadline = time.monotonic() + 90
            while remaining and time.monotonic() < deadline:
                assert not errors, errors
                for key, events in sel.select(1.0):
                    index = key.data
                    client = clients[index]
                    if events & Event.WRITE and sent[index] < size:
                        with contextlib.suppress(WouldBlock):
                            sent[index] += client.send(
                                payloads[index][sent[index] : sent[index] + 16384]
                            )
                        if sent[index] == size:
                            sel.modify(client, Event.READ, index)
                    if events & Event.READ:
                        try:
                            chunk = client.recv(65536)
                        except WouldBlock:
                            chunk = None
                        assert chunk != b"", f"client {index}: server closed early"
                        if chunk:
                            received[index] += chunk
                            if len(received[index]) >= size:
                                sel.unregister(client)
                                remaining -= 1
            assert remaining == 0, f"{remaining} clients did not get their echo in time"
        for index in range(clients_count):
            assert bytes(received[index]) == payloads[index], f"client {index}: echo differs"
    finally:
        for client in clients:
            client.close()
        stop_send.send(b"stop")
        server.join(30)
        stop_send.close()
        stop_recv.close()
        listener.close()
    assert not server.is_alive()
    assert not errors, errors


# ====================================================================== benchmark smoke test


def test_benchmark_runs_with_small_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "selector_scaling.py"
    spec = importlib.util.spec_from_file_location("selector_scaling", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    before = open_fds()
    rows = module.run([10, 50], rounds=1, waits=20)
    assert [row[0] for row in rows] == [10, 50]
    assert all(ours > 0 and theirs > 0 for _n, ours, theirs in rows)
    assert open_fds() == before
    out = capsys.readouterr().out
    assert "ratio" in out and "registered" in out
    sys.modules.pop("selector_scaling", None)
