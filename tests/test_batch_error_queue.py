"""A waiting `recv_batch` on a socket whose error queue holds something waits without
spinning.

``IP_RECVERR`` keeps each ICMP error report in the socket's error queue until it is
read with `MsgFlag.ERRQUEUE`; meanwhile ``poll(2)`` reports ``POLLERR`` at once, so
a batch call that only polled and tried again would take all of a CPU for as long
as it waits (a blocking one, for ever).  A blocking `recv` waits in the kernel
instead; so must the batch.
"""

from __future__ import annotations

import select
import socket
import sys
import time
from collections.abc import Iterator

import pytest

from conftest import free_port, later
from sockkit import (
    AddressFamily,
    ConnectionRefused,
    IPOption,
    SocketClosedError,
    SocketType,
    TimedOut,
    batch,
)
from sockkit.socket import Socket

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="IP_RECVERR")
# recvmmsg, and the recvmsg loop taken where the OS has none (it waited in the socket
# module's timed loop, which spun on the error queue until the timeout)
PATHS = [pytest.param(True, id="native"), pytest.param(False, id="loop")]

WINDOW = 0.4  # seconds a call is left waiting
CPU_BOUND = WINDOW / 4  # a spin takes all of WINDOW; a paused wait a few per cent
# (CPU of the calling thread, where a spin would run: other threads' work is left out)


@pytest.fixture
def reported() -> Iterator[Socket]:
    """A UDP socket on 127.0.0.1 with one ICMP report in its error queue (the error
    itself already raised), so poll() says POLLERR alone."""
    port = free_port(kind=socket.SOCK_DGRAM)
    with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        sock.set_option(IPOption.RECVERR, True)
        sock.bind(("127.0.0.1", 0))
        sock.sendto(b"to nobody", ("127.0.0.1", port))
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN)
        assert poller.poll(2000) == [(sock.fileno(), select.POLLERR)]
        with pytest.raises(ConnectionRefused):
            sock.recv(100)
        assert poller.poll(0) == [(sock.fileno(), select.POLLERR)]
        yield sock


@pytest.mark.parametrize("native", PATHS)
def test_a_timed_recv_batch_waits_without_spinning(reported: Socket, native: bool) -> None:
    reported.timeout = WINDOW
    started = time.thread_time()
    with pytest.raises(TimedOut):
        batch.recv_batch(reported, 4, 100, native=native)
    assert time.thread_time() - started < CPU_BOUND


@pytest.mark.parametrize("native", PATHS)
def test_a_blocking_recv_batch_waits_without_spinning_and_gets_what_comes(
    reported: Socket, native: bool
) -> None:
    def send() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
            peer.sendto(b"late", ("127.0.0.1", reported.local_address.port))

    reported.timeout = 10.0  # bounds a regression; the datagram comes after WINDOW
    thread = later(send, WINDOW)
    started = time.thread_time()
    messages = batch.recv_batch(reported, 4, 100, native=native)
    assert time.thread_time() - started < CPU_BOUND
    assert [message.data for message in messages] == [b"late"]
    thread.join(5.0)


@pytest.mark.parametrize("native", PATHS)
def test_a_close_from_another_thread_ends_the_paused_wait(reported: Socket, native: bool) -> None:
    reported.timeout = 10.0
    thread = later(reported.close, WINDOW)
    started = time.monotonic()
    with pytest.raises(SocketClosedError):
        batch.recv_batch(reported, 4, 100, native=native)
    assert time.monotonic() - started < 5.0
    thread.join(5.0)
