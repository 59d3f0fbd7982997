"""``MsgFlag.DONTWAIT`` never waits, also on a socket with a timeout.

The socket module waits for readiness, up to the timeout, before every call on a
socket with one, ``MSG_DONTWAIT`` or not; ``Socket`` asks first, so every call
given the flag answers at once: what is there, or `WouldBlock`.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import report_refusal, unix_datagrams
from sockkit import (
    AddressFamily,
    ConnectionRefused,
    Message,
    MsgFlag,
    Socket,
    SocketClosedError,
    SocketType,
    WouldBlock,
)

TIMEOUT = 5.0
AT_ONCE = 1.0  # seconds: far below the timeout, far above a poll and a call

DONTWAIT = MsgFlag.DONTWAIT


class IndexFlags:
    """Flags that are not an int but an integer all the same (as numpy's are)."""

    def __init__(self, value: int) -> None:
        self.value = int(value)

    def __index__(self) -> int:
        return self.value


RECEIVES: dict[str, Callable[[Socket], object]] = {
    "recv": lambda sock: sock.recv(16, DONTWAIT),
    "recv_into": lambda sock: sock.recv_into(bytearray(16), 0, DONTWAIT),
    "recvfrom": lambda sock: sock.recvfrom(16, DONTWAIT),
    "recvmsg": lambda sock: sock.recvmsg(16, 0, DONTWAIT),
    "recvmsg_into": lambda sock: sock.recvmsg_into([bytearray(16)], 0, DONTWAIT),
    "recv PEEK|DONTWAIT": lambda sock: sock.recv(16, MsgFlag.PEEK | DONTWAIT),
    "recv int flags": lambda sock: sock.recv(16, int(DONTWAIT)),
    "recv __index__ flags": lambda sock: sock.recv(16, IndexFlags(DONTWAIT)),
    "recvfrom __index__ flags": lambda sock: sock.recvfrom(16, IndexFlags(DONTWAIT)),
    "recvmsg __index__ flags": lambda sock: sock.recvmsg(16, 0, IndexFlags(DONTWAIT)),
    "recvmsg_into __index__ flags": lambda sock: sock.recvmsg_into(
        [bytearray(16)], 0, IndexFlags(DONTWAIT)
    ),
    "recv_batch __index__ flags": lambda sock: sock.recv_batch(4, 16, 0, IndexFlags(DONTWAIT)),
}
SENDS: dict[str, Callable[[Socket], object]] = {
    "send": lambda sock: sock.send(b"x", DONTWAIT),
    "sendto": lambda sock: sock.sendto(b"x", sock.peer_address, DONTWAIT),
    "sendmsg": lambda sock: sock.sendmsg(Message([b"x"]), DONTWAIT),
    "send __index__ flags": lambda sock: sock.send(b"x", IndexFlags(DONTWAIT)),
    "sendto __index__ flags": lambda sock: sock.sendto(
        b"x", sock.peer_address, IndexFlags(DONTWAIT)
    ),
    "sendmsg __index__ flags": lambda sock: sock.sendmsg(Message([b"x"]), IndexFlags(DONTWAIT)),
    "send_batch __index__ flags": lambda sock: sock.send_batch([b"x"], IndexFlags(DONTWAIT)),
}


@pytest.fixture
def datagram_pair(tmp_path: Path) -> Iterator[tuple[Socket, Socket]]:
    """AF_UNIX datagram sockets, ``left`` connected to ``right``, both with a timeout."""
    with unix_datagrams(tmp_path) as (left, right):
        left.timeout = right.timeout = TIMEOUT
        yield left, right


def fill(sock: Socket) -> None:
    """Queue datagrams until ``sock``'s peer has no room for another."""
    sock.timeout = 0.0
    with pytest.raises(WouldBlock):
        for _ in range(100_000):
            sock.send(b"m" * 64)
    sock.timeout = TIMEOUT


def refused_at_once(call: Callable[[Socket], object], sock: Socket) -> None:
    """``call(sock)`` raises WouldBlock (EAGAIN, noted) well within the timeout."""
    started = time.monotonic()
    with pytest.raises(WouldBlock) as caught:
        call(sock)
    assert time.monotonic() - started < AT_ONCE
    assert caught.value.errno == errno.EAGAIN
    assert sock.last_error == errno.EAGAIN


@pytest.mark.parametrize("call", RECEIVES.values(), ids=RECEIVES.keys())
def test_a_receive_with_dontwait_answers_at_once(
    datagram_pair: tuple[Socket, Socket], call: Callable[[Socket], object]
) -> None:
    left, right = datagram_pair
    refused_at_once(call, right)
    left.send(b"ready")
    started = time.monotonic()
    call(right)  # something there: received (PEEK leaves it), not refused
    assert time.monotonic() - started < AT_ONCE


@pytest.mark.parametrize("call", SENDS.values(), ids=SENDS.keys())
def test_a_send_with_dontwait_answers_at_once(
    datagram_pair: tuple[Socket, Socket], call: Callable[[Socket], object]
) -> None:
    left, right = datagram_pair
    fill(left)
    refused_at_once(call, left)
    right.recv(64)  # room for exactly one: the system call decides, not poll(2)
    started = time.monotonic()
    call(left)
    assert time.monotonic() - started < AT_ONCE


def test_without_dontwait_the_timeout_still_waits(datagram_pair: tuple[Socket, Socket]) -> None:
    _left, right = datagram_pair
    right.timeout = 0.2
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        right.recv(16, MsgFlag.PEEK)
    assert time.monotonic() - started >= 0.15


def test_a_closed_socket_says_closed_not_would_block(datagram_pair: tuple[Socket, Socket]) -> None:
    _left, right = datagram_pair
    right.close()
    with pytest.raises(SocketClosedError):
        right.recv(16, DONTWAIT)


WRONG_FLAGS: dict[str, Callable[[Socket, Any], object]] = {
    "recv": lambda sock, flags: sock.recv(16, flags),
    "recvmsg": lambda sock, flags: sock.recvmsg(16, 0, flags),
    "recvmsg_into": lambda sock, flags: sock.recvmsg_into([bytearray(16)], 0, flags),
    "recv_batch": lambda sock, flags: sock.recv_batch(4, 16, 0, flags),
    "send": lambda sock, flags: sock.send(b"x", flags),
    "sendto": lambda sock, flags: sock.sendto(b"x", sock.peer_address, flags),
    "sendmsg": lambda sock, flags: sock.sendmsg(Message([b"x"]), flags),
    "send_batch": lambda sock, flags: sock.send_batch([b"x"], flags),
}


@pytest.mark.parametrize("name", WRONG_FLAGS)
def test_flags_of_a_wrong_type_are_named_before_any_system_call(
    datagram_pair: tuple[Socket, Socket], name: str
) -> None:
    left, right = datagram_pair
    call, sock = WRONG_FLAGS[name], right if name.startswith("recv") else left
    for wrong in ("DONTWAIT", 1.5, None):
        before = len(os.listdir("/proc/self/fd"))
        with pytest.raises(TypeError, match="flags must be an int"):
            call(sock, wrong)
        assert len(os.listdir("/proc/self/fd")) == before
    for large in (IndexFlags(2**40), 2**40, -(2**40)):  # integers out of a C int's range
        with pytest.raises(ValueError, match="flags must be"):
            call(sock, large)
    assert sock.last_error == 0  # refused before the OS saw it
    left.send(b"ready")
    assert right.recv(16, IndexFlags(0)) == b"ready"  # the refused sends sent nothing


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="IP_RECVERR")
def test_an_error_queue_neither_hides_the_error_nor_makes_dontwait_wait() -> None:
    """With ``IP_RECVERR`` an ICMP report both sets the socket's error and stays in
    its error queue, which keeps poll() saying POLLERR: the first DONTWAIT receive
    raises the error, the next says would-block at once (the socket module alone
    would retry until the timeout, at full CPU)."""
    with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        _port, poller = report_refusal(sock)
        sock.timeout = TIMEOUT
        started = time.monotonic()
        with pytest.raises(ConnectionRefused):
            sock.recv(16, DONTWAIT)
        assert sock.last_error == errno.ECONNREFUSED
        assert poller.poll(0) == [(sock.fileno(), select.POLLERR)]  # the report stays
        refused_at_once(lambda s: s.recvfrom(16, DONTWAIT), sock)
        assert time.monotonic() - started < AT_ONCE


def test_bad_arguments_are_named_before_any_wait(datagram_pair: tuple[Socket, Socket]) -> None:
    """The call checks its arguments as it always does, ready or not."""
    left, right = datagram_pair
    with pytest.raises(ValueError, match="length"):
        right.recv(-1, DONTWAIT)
    with pytest.raises(ValueError, match="buffer too small"):
        right.recv_into(bytearray(4), 100, DONTWAIT)
    with pytest.raises(ValueError, match="bufsize"):
        right.recvmsg(-1, 0, DONTWAIT)
    fill(left)
    with pytest.raises(TypeError, match="data"):
        left.send("text", DONTWAIT)  # type: ignore[arg-type]


def test_a_default_timeout_does_not_make_dontwait_wait(
    datagram_pair: tuple[Socket, Socket],
) -> None:
    """``socket.setdefaulttimeout`` gives every new socket object a timeout: the
    non-waiting view of the descriptor is not one of them."""
    _left, right = datagram_pair
    socket.setdefaulttimeout(TIMEOUT)
    try:
        refused_at_once(lambda s: s.recv(16, DONTWAIT), right)
    finally:
        socket.setdefaulttimeout(None)


def test_the_view_leaves_the_descriptor_to_its_socket(datagram_pair: tuple[Socket, Socket]) -> None:
    """Many DONTWAIT calls later the socket still owns its open descriptor (the
    fault fixture counts the process's descriptors around the test)."""
    left, right = datagram_pair
    fd = right.fileno()
    started = time.monotonic()
    for _ in range(200):
        with pytest.raises(WouldBlock):
            right.recv(16, DONTWAIT)
        assert time.monotonic() - started < AT_ONCE  # a regression fails at once, not later
    os.fstat(fd)
    assert right.fileno() == fd
    left.send(b"still here")
    assert right.recv(16) == b"still here"
