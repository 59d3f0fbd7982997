"""Shared fixtures: descriptor counting and loopback helpers."""

from __future__ import annotations

import contextlib
import errno
import os
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sockkit import AddressFamily, IPOption, Selector, Socket, SocketType


def open_fds() -> int:
    """How many descriptors this process has open right now.

    The calling thread's `Selector.wait` registration (an epoll and an eventfd,
    kept for the thread's life by design) is set up first, so that a first wait
    inside a counted region does not read as a leak.
    """
    Selector.wait((), (), (), 0)
    return len(os.listdir("/proc/self/fd"))


def is_open(fd: int) -> bool:
    """Whether ``fd`` names an open file in this process (a closed number is
    ``EBADF``; any other error fails the test)."""
    try:
        os.fstat(fd)
    except OSError as exc:
        assert exc.errno == errno.EBADF, exc
        return False
    return True


@pytest.fixture
def fd_guard() -> Iterator[None]:
    """Fail the test if it leaves descriptors open."""
    before = open_fds()
    yield
    after = open_fds()
    assert after == before, f"descriptor leak: {before} open before, {after} after"


def _has_ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


HAS_IPV6 = _has_ipv6_loopback()
needs_ipv6 = pytest.mark.skipif(not HAS_IPV6, reason="this machine has no ::1")


def free_port(family: int = socket.AF_INET, kind: int = socket.SOCK_STREAM) -> int:
    """A port on loopback that nothing uses for ``kind`` (TCP unless told; bound, then
    released): a connection there is refused, a datagram answered by ICMP."""
    host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    with socket.socket(family, kind) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
    return port


def report_refusal(sock: Socket) -> tuple[int, select.poll]:
    """Fill the error queue of ``sock`` (UDP over IPv4) with one ICMP report: with
    ``IPOption.RECVERR`` on, it is connected to a free port on 127.0.0.1, where
    nothing listens, and sends there.  Returns (that port, a poller for ``POLLIN`` on
    it) once poll() says ``POLLERR``: readable while a receive would block."""
    port = free_port(kind=socket.SOCK_DGRAM)
    sock.set_option(IPOption.RECVERR, True)
    sock.connect(("127.0.0.1", port))
    sock.send(b"to nobody")
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    assert poller.poll(2000) == [(sock.fileno(), select.POLLERR)]
    return port, poller


@contextlib.contextmanager
def unix_datagrams(directory: Path) -> Iterator[tuple[Socket, Socket]]:
    """AF_UNIX datagram sockets (sender, receiver): the receiver bound in
    ``directory``, the sender connected to it (its queue is the receiver's)."""
    with (
        Socket(AddressFamily.UNIX, SocketType.DGRAM) as sender,
        Socket(AddressFamily.UNIX, SocketType.DGRAM) as receiver,
    ):
        receiver.bind(str(directory / "receiver"))
        sender.connect(receiver.local_address)
        yield sender, receiver


@pytest.fixture
def udp_pair() -> Iterator[tuple[Socket, Socket]]:
    """An unconnected sender and a bound receiver on 127.0.0.1, with timeouts."""
    with (
        Socket(AddressFamily.INET, SocketType.DGRAM) as sender,
        Socket(AddressFamily.INET, SocketType.DGRAM) as receiver,
    ):
        receiver.bind(("127.0.0.1", 0))
        sender.timeout = receiver.timeout = 10.0
        yield sender, receiver


def later(action: Callable[[], object], delay: float) -> threading.Thread:
    """Run ``action`` in a daemon thread after ``delay`` seconds; the thread (to join)."""

    def run() -> None:
        time.sleep(delay)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def woken_by_close(
    call: Callable[[], object],
    close: Callable[[], object],
    *,
    after: float,
    within: float | None = None,
) -> object:
    """Run ``call`` in a daemon thread (a regression that blocks it for ever leaves no
    thread to wait for), ``close()`` ``after`` seconds later, and return what the call
    returned or raised; it must end within 5 s of the close (``within``, when given)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(after)
    started = time.monotonic()
    close()
    thread.join(5.0)
    assert not thread.is_alive(), "the call was not woken by the close"
    if within is not None:
        assert time.monotonic() - started < within
    [result] = outcome
    return result
