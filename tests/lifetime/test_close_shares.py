"""close() shuts the connection down only when a call of this process is blocked on it.

A descriptor shared with another process -- a forked child, a receiver of an
``SCM_RIGHTS`` message still in flight -- must keep working for that process when
this one closes its `Socket` with no call in flight.
"""

from __future__ import annotations

import os
import socket

from faults.helpers import tcp_pair, wait_child
from sockkit import Message, Rights, Socket, cmsg_space

RIGHTS_SPACE = cmsg_space(socket.SOL_SOCKET, socket.SCM_RIGHTS, 1)


def _echo_once_and_exit(sock: Socket, others: list[Socket]) -> None:
    """The child: close what it does not use, echo one message upper-cased, exit."""
    code = 1
    try:
        for other in others:
            other.close()
        sock.timeout = 10.0
        data = sock.recv(100)
        sock.write_all(data.upper())
        code = 0 if data == b"ping" else 2
    except BaseException:
        code = 3
    finally:
        os._exit(code)


def test_a_forked_child_keeps_its_connection_when_the_parent_closes() -> None:
    client, server = tcp_pair()
    with client:
        pid = os.fork()
        if pid == 0:  # the child: never returns into the test runner
            _echo_once_and_exit(server, [client])
        server.close()  # no call in flight here: the child's connection must survive
        assert server.closed
        client.timeout = 10.0
        client.write_all(b"ping")
        assert client.recv(100) == b"PING"
        assert wait_child(pid) == 0


def test_a_forked_child_keeps_its_unix_pair_when_the_parent_closes() -> None:
    left, right = Socket.pair()
    with left:
        pid = os.fork()
        if pid == 0:
            _echo_once_and_exit(right, [left])
        right.close()
        left.timeout = 10.0
        left.write_all(b"ping")
        assert left.recv(100) == b"PING"
        assert wait_child(pid) == 0


def test_a_descriptor_in_flight_works_for_its_receiver_after_the_sender_closes() -> None:
    with Socket.pair() as (channel, receiver), Socket.pair() as (mine, theirs):
        channel.sendmsg(Message([b"x"], [Rights([theirs])]))
        theirs.close()  # sent, not yet received: the kernel holds the file in flight
        receiver.timeout = 5.0
        message = receiver.recvmsg(1, RIGHTS_SPACE)
        with message:
            [passed] = message.control[0].sockets()  # type: ignore[union-attr]
        with passed:
            passed.timeout = mine.timeout = 5.0
            mine.write_all(b"to the receiver")
            assert passed.recv(100) == b"to the receiver"
            passed.write_all(b"and back")
            assert mine.recv(100) == b"and back"


def test_a_tcp_descriptor_in_flight_works_after_the_sender_closes() -> None:
    client, server = tcp_pair()
    with client, Socket.pair() as (channel, receiver):
        channel.sendmsg(Message([b"x"], [Rights([server])]))
        server.close()
        receiver.timeout = 5.0
        message = receiver.recvmsg(1, RIGHTS_SPACE)
        with message:
            [passed] = message.control[0].sockets()  # type: ignore[union-attr]
        with passed:
            passed.timeout = client.timeout = 5.0
            client.write_all(b"ping")
            assert passed.recv(100) == b"ping"
            passed.write_all(b"pong")
            assert client.recv(100) == b"pong"


def test_a_use_a_callback_ends_defers_the_release_without_a_shutdown() -> None:
    """retain(interrupt=False): close() keeps the number and the connection intact."""
    left, right = Socket.pair()
    with left:
        fd = right.retain(interrupt=False)
        ended: list[int] = []
        right.add_close_callback(lambda closed: ended.append(fd))
        right.close()
        assert right.closed and ended == [fd]
        os.fstat(fd)  # still this socket's number: the use has not ended
        left.timeout = 0.0
        try:
            left.recv(1)
        except BlockingIOError:
            pass  # not shut down: the peer sees no end of stream
        else:
            raise AssertionError("close() shut down a connection no call was blocked on")
        right.release(interrupt=False)
        try:
            os.fstat(fd)
        except OSError:
            pass  # released by the last use out
        else:
            raise AssertionError("the descriptor outlived its last use")
        left.timeout = 5.0
        assert left.recv(1) == b""


def test_an_interrupting_use_is_woken_by_a_shutdown() -> None:
    """retain(): close() shuts the connection down, as for a call blocked inside."""
    left, right = Socket.pair()
    with left:
        right.retain()
        right.close()
        left.timeout = 5.0
        assert left.recv(1) == b""  # shut down at once, before the release
        right.release()


def test_release_must_match_its_retain() -> None:
    left, right = Socket.pair()
    with left, right:
        for interrupt in (True, False):
            try:
                right.release(interrupt=interrupt)
            except RuntimeError:
                pass
            else:
                raise AssertionError("release() without retain() passed")
        right.retain(interrupt=False)
        try:
            right.release()
        except RuntimeError:
            pass
        else:
            raise AssertionError("an interrupting release ended a hold")
        right.release(interrupt=False)
