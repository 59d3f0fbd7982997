"""Sockets shared between threads: full duplex without corruption, close racing a blocked call,
and PHP's ``socket_last_error()`` kept per thread."""

from __future__ import annotations

import errno
import hashlib
import random
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conftest import free_port, open_fds
from sockkit import ReadMode, Socket, SocketClosedError, SocketOption, SocketWarning

DUPLEX_BYTES = 64 << 20  # each way


class Worker(threading.Thread):
    """A daemon thread that keeps its function's result or exception."""

    def __init__(self, function: Callable[[], Any], name: str) -> None:
        super().__init__(daemon=True, name=name)
        self.function = function
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.function()
        except BaseException as exc:  # reported by the test
            self.error = exc


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    fds, threads = open_fds(), threading.active_count()
    yield
    deadline = time.monotonic() + 5.0
    while threading.active_count() > threads and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == threads, threading.enumerate()
    assert open_fds() == fds


def _tcp_pair() -> tuple[Socket, Socket]:
    with Socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.local_address.port  # type: ignore[union-attr]
        client = Socket.create_connection(("127.0.0.1", port), timeout=5.0)
        listener.timeout = 5.0
        server, _ = listener.accept()
    return client, server


def _writer(sock: Socket, seed: int) -> str:
    rng = random.Random(seed)
    digest = hashlib.sha256()
    left = DUPLEX_BYTES
    while left:  # bounded: every pass writes at least one byte, or raises
        chunk = rng.randbytes(min(rng.randint(1, 256 << 10), left))
        sock.write_all(chunk)
        digest.update(chunk)
        left -= len(chunk)
    return digest.hexdigest()


def _reader(sock: Socket) -> tuple[int, str]:
    digest = hashlib.sha256()
    buffer = bytearray(1 << 17)
    view = memoryview(buffer)
    got = 0
    while got < DUPLEX_BYTES:
        count = sock.recv_into(buffer, min(len(buffer), DUPLEX_BYTES - got))
        if not count:
            break
        digest.update(view[:count])
        got += count
    return got, digest.hexdigest()


@pytest.mark.parametrize("kind", ["tcp", "unix"])
def test_full_duplex_64_mib_each_way(kind: str) -> None:
    one, two = _tcp_pair() if kind == "tcp" else Socket.pair()
    with one, two:
        for sock in (one, two):
            sock.timeout = 60.0  # a bound on each call; the transfer takes about a second
        workers = [
            Worker(lambda: _writer(one, 1), "one writes"),
            Worker(lambda: _reader(one), "one reads"),
            Worker(lambda: _writer(two, 2), "two writes"),
            Worker(lambda: _reader(two), "two reads"),
        ]
        started = time.monotonic()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(max(1.0, 120.0 - (time.monotonic() - started)))
        stuck = [worker.name for worker in workers if worker.is_alive()]
        if stuck:
            one.close()  # wakes the stuck threads (see the close race tests)
            two.close()
            for worker in workers:
                worker.join(5.0)
        assert not stuck, f"still running after 120 s: {stuck}"
        for worker in workers:
            assert worker.error is None, f"{worker.name}: {worker.error!r}"
        one_sent, one_got, two_sent, two_got = (worker.result for worker in workers)
        assert two_got == (DUPLEX_BYTES, one_sent)
        assert one_got == (DUPLEX_BYTES, two_sent)


RACING_CALLS: list[Callable[[Socket], object]] = [
    lambda sock: sock.recv(64),
    lambda sock: sock.recv_into(bytearray(64)),
    lambda sock: sock.read(64, ReadMode.NORMAL),
    lambda sock: sock.recvmsg(64),
]


def test_close_racing_recv_ends_it_every_time() -> None:
    rng = random.Random(5)
    outcomes: dict[str, int] = {}
    for round_number in range(200):  # bounded rounds, each bounded in time
        left, right = Socket.pair()
        right.set_option(SocketOption.RCVTIMEO, 10.0)  # the kernel's bound, in case
        call = RACING_CALLS[round_number % len(RACING_CALLS)]
        waiter = Worker(lambda call=call, right=right: call(right), "waiter")  # type: ignore[misc]
        waiter.start()
        time.sleep(rng.random() * 0.003)  # close before, while or after it blocks
        closed_at = time.monotonic()
        right.close()
        waiter.join(5.0)
        left.close()
        assert not waiter.is_alive(), f"round {round_number}: the receive still waits"
        assert time.monotonic() - closed_at < 2.0
        # Nothing was ever sent: the only right answer is SocketClosedError.
        assert isinstance(waiter.error, SocketClosedError), (
            f"round {round_number}: {waiter.error!r} / {waiter.result!r}"
        )
        name = waiter.error.operation or "?"
        outcomes[name] = outcomes.get(name, 0) + 1
    assert sum(outcomes.values()) == 200


def test_close_racing_recv_with_data_in_flight() -> None:
    # While data arrives, a reader gets whole data or SocketClosedError, never a hang
    # and never bytes out of order.
    rng = random.Random(6)
    for round_number in range(100):
        left, right = Socket.pair()
        right.set_option(SocketOption.RCVTIMEO, 10.0)
        left.set_option(SocketOption.SNDTIMEO, 10.0)
        payload = bytes(range(256)) * 64

        def read_all(right: Socket = right) -> bytes:
            got = b""
            for _ in range(10_000):  # bounded
                try:
                    chunk = right.recv(4096)
                except SocketClosedError:
                    return got
                if not chunk:
                    return got
                got += chunk
            raise AssertionError("too many reads")

        reader = Worker(read_all, "reader")
        reader.start()
        left.write_all(payload)
        time.sleep(rng.random() * 0.002)
        right.close()
        reader.join(5.0)
        left.close()
        assert not reader.is_alive(), f"round {round_number}: reader still running"
        assert reader.error is None, reader.error
        assert payload.startswith(reader.result)


def test_close_wakes_only_the_thread_using_that_socket() -> None:
    pairs = [Socket.pair() for _ in range(6)]
    try:
        for _, right in pairs:
            right.set_option(SocketOption.RCVTIMEO, 10.0)
        readers = [
            Worker(lambda right=right: right.recv(100), f"reader {i}")  # type: ignore[misc]
            for i, (_, right) in enumerate(pairs)
        ]
        for reader in readers:
            reader.start()
        time.sleep(0.1)
        pairs[2][1].close()
        readers[2].join(5.0)
        assert isinstance(readers[2].error, SocketClosedError)
        time.sleep(0.1)
        assert [reader.is_alive() for reader in readers] == [True, True, False, True, True, True]
        for i, (left, _) in enumerate(pairs):
            if i != 2:
                left.write_all(b"for %d" % i)
        for i, reader in enumerate(readers):
            reader.join(5.0)
            if i != 2:
                assert reader.result == b"for %d" % i, reader.error
    finally:
        for left, right in pairs:
            left.close()
            right.close()


def test_socket_last_error_is_per_thread() -> None:
    compat = pytest.importorskip("sockkit.compat")
    refused_port = free_port()
    with Socket.create_server(("127.0.0.1", 0)) as taken:
        taken_port = taken.local_address.port  # type: ignore[union-attr]
        both_failed = threading.Barrier(2, timeout=10.0)
        seen: dict[str, tuple[int, int]] = {}

        def fail(name: str, action: Callable[[Any], object]) -> None:
            sock = compat.socket_create(compat.AF_INET, compat.SOCK_STREAM, compat.SOL_TCP)
            try:
                assert action(sock) is False
                both_failed.wait()  # the other thread has failed too: its code is set
                mine = compat.socket_last_error()
                compat.socket_clear_error()
                seen[name] = (mine, compat.socket_last_error())
            finally:
                compat.socket_close(sock)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SocketWarning)
            before = compat.socket_last_error()
            workers = [
                Worker(
                    lambda: fail(
                        "connect",
                        lambda s: compat.socket_connect(s, "127.0.0.1", refused_port),
                    ),
                    "connect",
                ),
                Worker(
                    lambda: fail("bind", lambda s: compat.socket_bind(s, "127.0.0.1", taken_port)),
                    "bind",
                ),
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(15.0)
                assert worker.error is None, worker.error
            after = compat.socket_last_error()
    assert seen == {"connect": (errno.ECONNREFUSED, 0), "bind": (errno.EADDRINUSE, 0)}
    assert after == before  # the main thread's code is its own
