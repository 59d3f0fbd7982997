"""Attacks on the descriptor-lifetime contract: races, reused numbers, fork, closes.

Each test drives a real socket into one precise interleaving (a thread held at a
chosen line with ``sys.settrace``, a fork while a call is blocked, a number taken
by another file) and checks what DESIGN.md "Lifetime, ownership and concurrency"
promises.  Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import CodeType, FrameType
from typing import Any

import pytest

from conftest import is_open, open_fds
from faults.helpers import wait_child
from lifetime.test_message_ownership import (
    RIGHTS_SPACE,
    _check_no_double_close,
    _each_interrupt,
    _interrupted_at,
)
from sockkit import (
    Event,
    Message,
    ReadMode,
    Rights,
    Selector,
    Socket,
    SocketClosedError,
    SocketType,
    WouldBlock,
    batch,
)
from sockkit import socket as socket_module
from sockkit.aio import AsyncSocket

ALLOWED = 1.0  # the contract says 100 ms; a loaded two-core machine gets this much


def _line_of(function: Callable[..., Any], text: str) -> int:
    """The line number of the first line of ``function`` that contains ``text``."""
    lines, first = inspect.getsourcelines(function)
    for offset, line in enumerate(lines):
        if text in line:
            return first + offset
    raise AssertionError(f"{text!r} not found in {function.__qualname__}")


def _pause_at(code: CodeType, line: int, reached: threading.Event, go: threading.Event) -> None:
    """Trace this thread: when it reaches ``line`` of ``code``, say so, then wait for ``go``."""

    def local(frame: FrameType, event: str, _arg: object) -> Any:
        if event == "line" and frame.f_lineno == line:
            reached.set()
            go.wait(5.0)
            sys.settrace(None)
            return None
        return local

    def global_(frame: FrameType, event: str, _arg: object) -> Any:
        return local if frame.f_code is code else None

    sys.settrace(global_)


# ---------------------------------------------------------------------- Socket.close


def test_close_between_binding_the_call_and_counting_it_still_wakes_the_call() -> None:
    """``_io`` gets its bound method before the call is counted in ``_calls``.

    The accepting thread is held after ``self._sock.accept`` was read but before
    it is counted; close() then finds no call in flight, so it neither shuts the
    socket down nor defers the release, and the accept that then starts blocks
    on a descriptor nobody will wake (or on a number another file has taken).
    """
    listener = Socket.create_server(("127.0.0.1", 0))
    listener.timeout = 3.0  # a regression ends with the kernel's timeout, not a hang
    at_count, counted_may_go = threading.Event(), threading.Event()
    at_release, release_may_go = threading.Event(), threading.Event()
    outcome: list[object] = []

    def accept() -> None:
        _pause_at(
            Socket._io.__code__, _line_of(Socket._io, "calls.append("), at_count, counted_may_go
        )
        started = time.monotonic()
        try:
            listener.accept()
        except BaseException as exc:  # reported to the test
            outcome.append(exc)
        outcome.append(time.monotonic() - started)

    def close() -> None:
        _pause_at(
            Socket.close.__code__,
            _line_of(Socket.close, "if not busy:"),
            at_release,
            release_may_go,
        )
        listener.close()

    acceptor = threading.Thread(target=accept, daemon=True)
    closer = threading.Thread(target=close, daemon=True)
    try:
        acceptor.start()
        assert at_count.wait(5.0)
        closer.start()
        assert at_release.wait(5.0)  # close() has decided: nothing in flight
        counted_may_go.set()
        time.sleep(0.3)  # the accept reaches its system call (or fails)
        release_may_go.set()
        closer.join(5.0)
        acceptor.join(5.0)
    finally:
        counted_may_go.set()
        release_may_go.set()
        listener.close()
    assert not acceptor.is_alive() and not closer.is_alive()
    assert isinstance(outcome[0], SocketClosedError), outcome
    assert isinstance(outcome[1], float) and outcome[1] < ALLOWED, outcome


def test_a_close_during_register_leaves_a_shared_connection_intact() -> None:
    """Registering is no call blocked on the socket: a close meanwhile must not shut it down.

    The duplicate stands for the same connection held by another process (a forked
    child, a receiver over SCM_RIGHTS), which close() promises to leave working.
    """
    left, right = Socket.pair()
    other = os.dup(right.fileno())
    at_add, add_may_go = threading.Event(), threading.Event()
    outcome: list[BaseException] = []
    selector = Selector()

    def register() -> None:
        _pause_at(
            Selector.register.__code__,
            _line_of(Selector.register, "key = self._add(sock, fd, mask, data)"),
            at_add,
            add_may_go,
        )
        try:
            selector.register(right, Event.READ)
        except BaseException as exc:  # reported to the test
            outcome.append(exc)

    registrar = threading.Thread(target=register, daemon=True)
    try:
        registrar.start()
        assert at_add.wait(5.0)  # the socket is retained, not yet registered
        right.close()
        add_may_go.set()
        registrar.join(5.0)
        assert not registrar.is_alive()
        assert len(outcome) == 1 and isinstance(outcome[0], SocketClosedError), outcome
        os.write(other, b"x")
        left.timeout = 5.0
        assert left.recv(10) == b"x"
    finally:
        add_may_go.set()
        os.close(other)
        left.close()
        right.close()
        selector.close()


def test_an_interrupt_at_any_point_of_register_leaves_no_use_counted() -> None:
    """``retain()`` counted the use, then let its lock go (a call, after which signal
    handlers run): a raising handler there left a use nobody would end, and the
    descriptor was never released after close().

    Interrupts at the return of ``retain``/``release`` are left out: signals are
    handled after calls, at backward jumps and on entering a function, never at a
    return (only a profiler's return event can raise there).
    """
    exempt = {("return", Socket.retain.__code__), ("return", Socket.release.__code__)}
    for k in range(1, 400):
        base = open_fds()
        selector = Selector()
        left, right = Socket.pair()
        interrupter, _box, _interrupted, _resource = _interrupted_at(
            k, Selector.register, (selector, right, Event.READ)
        )
        right.close()
        left.close()
        selector.close()
        if interrupter.at in exempt:
            with contextlib.suppress(RuntimeError):
                right.release(interrupt=False)  # the use the interrupt left counted
        assert open_fds() == base, f"k={k}: a descriptor left open ({interrupter.at})"
        if not interrupter.fired:
            return
    raise AssertionError("register still met an interrupt after 400 events")


# ---------------------------------------------------------------------- fork

# These fork while other threads run, on purpose: what the child inherits from them is
# what they test.  The children only close, stat and exit (Python 3.12+ warns of such
# forks, for children that go on using locks the other threads held).
FORKS_BESIDE_THREADS = pytest.mark.filterwarnings(
    "ignore:This process .* is multi-threaded, use of fork:DeprecationWarning"
)


@FORKS_BESIDE_THREADS
def test_a_child_closing_a_socket_leaves_the_parents_blocked_call_alone() -> None:
    """A call blocked in the parent is not a call of the child.

    The child inherits the parent's count of calls in flight; its close() must
    neither shut the shared connection down (the parent's call would read end of
    stream) nor keep the descriptor open for a call that does not exist there.
    """
    left, right = Socket.pair()
    with left, right:
        right.timeout = 5.0
        got: list[object] = []

        def receive() -> None:
            try:
                got.append(right.recv(100))
            except BaseException as exc:  # reported to the test
                got.append(exc)

        receiver = threading.Thread(target=receive, daemon=True)
        receiver.start()
        time.sleep(0.2)  # the receive is blocked in the kernel
        fd = right.fileno()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the test runner
            code = 1
            try:
                right.close()
                try:
                    os.fstat(fd)
                    code = 4  # the child still holds the number
                except OSError:
                    code = 0
            finally:
                os._exit(code)
        status = wait_child(pid)
        left.write_all(b"ping")
        receiver.join(5.0)
        assert got == [b"ping"]
        assert status == 0, "the child kept the descriptor open after close()"


def _in_child(work: Callable[[], int]) -> int:
    """Fork; the child runs ``work`` and exits with its code; the parent gets the code."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into the test runner
        code = 1
        try:
            code = work()
        finally:
            os._exit(code)
    return wait_child(pid)


def _released(fd: int) -> int:
    """0 if ``fd`` is closed in this process, else 4."""
    try:
        os.fstat(fd)
    except OSError:
        return 0
    return 4


@FORKS_BESIDE_THREADS
def test_a_child_closing_a_socket_leaves_a_parents_retained_use_alone() -> None:
    """A use counted by retain() in a parent's thread (a wait on the descriptor made
    outside Socket's methods) is not the child's: its close() neither shuts the shared
    connection down nor keeps the descriptor for it."""
    left, right = Socket.pair()
    with left, right:
        right.retain()  # as another thread of the parent would, around its wait
        fd = right.fileno()

        def child() -> int:
            right.close()
            return _released(fd)

        assert _in_child(child) == 0, "the child kept the descriptor open after close()"
        left.write_all(b"still up")  # not shut down: the parent's connection works
        assert right.recv(100) == b"still up"
        right.release()


@FORKS_BESIDE_THREADS
def test_the_forking_threads_own_use_ends_in_the_child() -> None:
    """retain() before the fork, release() after it in the child: the child's count of
    that use ends without error, and its close() then releases the descriptor."""
    left, right = Socket.pair()
    with left, right:
        right.retain(interrupt=False)
        fd = right.fileno()

        def child() -> int:
            right.release(interrupt=False)
            right.close()
            return _released(fd)

        assert _in_child(child) == 0
        right.release(interrupt=False)


@FORKS_BESIDE_THREADS
def test_a_fork_while_another_thread_holds_the_lifetime_lock() -> None:
    """The fork waits for the lock, so the child's copy is free: its close() does not
    hang on a lock that no thread of the child will ever let go."""
    left, right = Socket.pair()
    with left, right:
        holding, release = threading.Event(), threading.Event()

        def hold() -> None:
            with socket_module._LIFETIME:
                holding.set()
                release.wait(5.0)

        holder = threading.Thread(target=hold, daemon=True)
        holder.start()
        assert holding.wait(5.0)
        threading.Timer(0.2, release.set).start()  # the fork below waits for this
        fd = right.fileno()

        def child() -> int:
            right.close()
            return _released(fd)

        assert _in_child(child) == 0
        holder.join(5.0)


# ---------------------------------------------------------------------- Selector.wait


@FORKS_BESIDE_THREADS
@pytest.mark.parametrize("child", ["closes", "waits_on_others"])
def test_a_forked_child_leaves_the_parents_wait_registration_alone(child: str) -> None:
    """The thread's `Selector.wait` registration is an epoll instance, which a fork
    shares: a child closing a socket the parent waits on (a pre-forked worker closing
    the listener), or waiting on other sockets, must not unregister it for the parent.
    """
    left, right = Socket.pair()
    with left, right, Socket.pair() as (other, _other_peer):
        assert Selector.wait([right], timeout=0).read == []
        pid = os.fork()
        if pid == 0:  # the child: never returns into the test runner
            code = 1
            try:
                if child == "closes":
                    right.close()
                else:
                    Selector.wait([other], timeout=0)
                code = 0
            finally:
                os._exit(code)
        assert wait_child(pid) == 0
        left.send(b"x")
        assert Selector.wait([right], timeout=1.0).read == [right]


# ---------------------------------------------------------------------- Selector


@FORKS_BESIDE_THREADS
@pytest.mark.parametrize("backend", ["epoll", "selectors"])
@pytest.mark.parametrize("child", ["closes", "unregisters", "closes_the_selector"])
def test_a_forked_child_leaves_the_parents_selector_alone(backend: str, child: str) -> None:
    """A selector made before a fork is the child's own in the child: a child closing
    a registered socket (a pre-forked worker closing what it does not serve),
    unregistering it, or closing the selector, leaves the parent's registration."""
    left, right = Socket.pair()
    with left, right, Selector(backend) as selector:
        key = selector.register(right, Event.READ)
        undo = {"closes": right.close, "unregisters": lambda: selector.unregister(right)}

        def work() -> int:
            undo.get(child, selector.close)()
            return 0

        assert _in_child(work) == 0
        left.send(b"x")
        assert selector.select(1.0) == [(key, Event.READ)]


@FORKS_BESIDE_THREADS
@pytest.mark.parametrize("backend", ["epoll", "selectors"])
def test_a_forked_child_uses_the_selector_on_its_own(backend: str) -> None:
    """In the child the selector keeps its registrations and reports for them, and
    what the parent then closes does not reach it."""
    left, right = Socket.pair()
    with left, right, Selector(backend) as selector:
        selector.register(right, Event.READ, "right")
        child_reads, parent_writes = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the test runner
            code = 1
            try:
                os.close(parent_writes)
                os.read(child_reads, 1)  # the parent has closed its copy of right
                left.send(b"x")
                ready = selector.select(1.0)
                code = (
                    0
                    if [(key.data, events) for key, events in ready] == [("right", Event.READ)]
                    else 3
                )
            finally:
                os._exit(code)
        try:
            os.close(child_reads)
            right.close()  # unregisters it here; the child's selector keeps its own
            os.write(parent_writes, b"g")
        finally:
            os.close(parent_writes)  # (the child's read ends, whatever failed here)
        assert wait_child(pid) == 0


@FORKS_BESIDE_THREADS
@pytest.mark.parametrize("backend", ["epoll", "selectors"])
def test_a_forked_childs_selector_keeps_each_registrations_events(backend: str) -> None:
    """The child's own instance watches each descriptor for what it was registered
    for, and a registration whose descriptor was closed without being unregistered
    (taking a number the child's instance needs, perhaps) does not spoil the rest."""
    left, right = Socket.pair()
    with left, right, Selector(backend) as selector:
        selector.register(left, Event.WRITE, "left")
        stale_read, stale_write = os.pipe()
        selector.register(stale_read, Event.READ, "stale")
        os.close(stale_read)  # not unregistered first: its registration is stale
        os.close(stale_write)

        def work() -> int:
            right.send(b"x")
            found = {key.data: events for key, events in selector.select(1.0)}
            return 0 if found.get("left") == Event.WRITE and "stale" not in found else 3

        assert _in_child(work) == 0
        # The parent's registrations are as they were.
        assert [key.data for key in selector] == ["left", "stale"]


# Run in a fresh interpreter: there, no other selector (a thread's Selector.wait
# registration, which a child lets go of first) frees numbers in the child.
_NO_DESCRIPTOR_TO_SPARE = """
import os, resource
from sockkit import Event, Selector, Socket, TooManyOpenFiles
left, right = Socket.pair()
other, other_peer = Socket.pair()
selector = Selector()
key = selector.register(right, Event.READ)
selector.register(other, Event.READ)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)

def is_open(fd):
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True

# Every number below the limit taken: no new descriptor until it is raised.
resource.setrlimit(resource.RLIMIT_NOFILE, (next(n for n in range(hard) if not is_open(n)), hard))
pid = os.fork()
if pid == 0:
    code = 3
    try:
        right.close()  # dropped in the child alone: no instance of its own needed
        try:
            selector.select(0)
        except TooManyOpenFiles:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
            other_peer.send(b"x")
            ready = selector.select(1.0)  # renewed now: its own instance
            code = 0 if [(k.socket, e) for k, e in ready] == [(other, Event.READ)] else 4
    finally:
        os._exit(code)
resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, os.waitstatus_to_exitcode(status)
left.send(b"x")
other.recv(1)  # what the child sent: the parent's registration of other reports it too
assert selector.select(1.0) == [(key, Event.READ)], "the parent's registration is gone"
"""


def test_a_child_with_no_descriptor_to_spare_leaves_the_parents_selector_alone() -> None:
    """Where the child cannot get an epoll instance of its own, its first use of the
    selector raises TooManyOpenFiles (and the next, with a descriptor to spare,
    works); meanwhile the parent's instance is never changed by the child."""
    pytest.importorskip("resource")
    done = subprocess.run(
        [sys.executable, "-c", _NO_DESCRIPTOR_TO_SPARE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_wait_sees_a_new_file_that_took_a_waited_number() -> None:
    """``Selector.wait`` (the sets face) with plain descriptor numbers keeps no stale registration.

    A number waited on, then closed by its owner and taken by another file that is
    readable, must be reported readable by the next wait on that number.
    """
    first_read, first_write = os.pipe()
    try:
        assert Selector.wait([first_read], timeout=0).read == []
    finally:
        os.close(first_read)
        os.close(first_write)
    second_read, second_write = os.pipe()
    try:
        if second_read != first_read:
            pytest.skip("the new pipe did not take the closed number")
        os.write(second_write, b"x")
        assert Selector.wait([second_read], timeout=1.0).read == [second_read]
    finally:
        os.close(second_read)
        os.close(second_write)
        Selector.wait((), (), (), 0)  # forget the numbers this thread waited on


def test_closing_a_socket_unregisters_its_stdlib_view_and_frees_the_number() -> None:
    """A registered ``to_stdlib()`` view is the `Socket` registered: its close unregisters it.

    Otherwise the selector keeps the closed number, and the socket that takes the
    number next cannot be registered (``KeyError``: "already registered").
    """
    with Selector() as selector:
        first, peer = Socket.pair()
        with peer:
            selector.register(first.to_stdlib(), Event.READ)
            number = first.fileno()
            first.close()
            assert len(selector) == 0
        new, other = Socket.pair()
        with new, other:
            if number not in (new.fileno(), other.fileno()):
                pytest.skip("no new socket took the closed number")
            taker = new if new.fileno() == number else other
            (other if taker is new else new).send(b"x")
            key = selector.register(taker, Event.READ)
            assert selector.select(1.0) == [(key, Event.READ)]


# ---------------------------------------------------------------------- batches


@pytest.fixture
def sentinel() -> Iterator[int]:
    """A descriptor held for the whole test: a double close of a reused number would hit it."""
    fd = os.open(os.devnull, os.O_RDONLY)
    try:
        yield fd
    finally:
        os.close(fd)


def test_an_interrupt_at_any_point_of_recv_batch_leaves_nothing_to_a_finalizer(
    sentinel: int,
) -> None:
    """The recvmsg standard for a batch: interrupted anywhere but at its own return,
    the received descriptors are closed by the library, not left to a finalizer.

    The messages used to come up by return values (``_hand_over_each`` ->
    ``_hand_over`` -> ``_recv_native`` -> ``batch.recv_batch`` -> ``Socket.recv_batch``):
    an interrupt at one of those returns dropped the list.
    """
    assert batch.recv_batch  # loaded before the interrupts: an import is no part of a receive
    read_end, write_end = os.pipe()
    try:
        with Socket.pair(type=SocketType.DGRAM) as (left, right):
            right.timeout = 5.0

            def send() -> None:
                for _ in range(2):
                    left.sendmsg(Message([b"message"], [Rights([read_end, write_end])]))

            def held(box: list[Any]) -> int:
                for messages in box:
                    for message in messages:
                        rights = message.control[0]
                        assert isinstance(rights, Rights) and len(rights) == 2
                        assert all(is_open(fd) for fd in rights.fds)
                return sum(2 * len(messages) for messages in box)

            def dispose(box: list[Any]) -> None:
                for messages in box:
                    for message in messages:
                        message.close()
                right.timeout = 0.0  # what an early interrupt left queued
                with contextlib.suppress(WouldBlock):
                    while True:
                        right.recvmsg(16, RIGHTS_SPACE).close()
                right.timeout = 5.0
                _check_no_double_close(sentinel)

            _each_interrupt(Socket.recv_batch, (right, 4, 16, RIGHTS_SPACE), send, held, dispose)
    finally:
        os.close(read_end)
        os.close(write_end)


def _interrupt_each_hand_over(
    method: Callable[[Rights], Any], handed: Callable[[Any], list[int]]
) -> None:
    """Run ``method`` on a received `Rights` with an interrupt at each event in turn.

    After each run every descriptor must be in exactly one place, the `Rights` or
    what was handed over (``handed(result)``), and closing both must close each
    descriptor once: a number freed early and taken by a new file is not closed again.
    An interrupt at ``method``'s own return drops what it returns: nothing can help that.
    """
    with Socket.pair() as (left, right), Socket.pair() as (one, two):
        right.timeout = 5.0
        for k in range(1, 400):
            left.sendmsg(Message([b"m"], [Rights([one, two])]))
            if _hand_over_once(k, method, handed, right):
                return
        raise AssertionError("the call still met an interrupt after 400 events")


def _hand_over_once(
    k: int, method: Callable[[Rights], Any], handed: Callable[[Any], list[int]], right: Socket
) -> bool:
    """One run of `_interrupt_each_hand_over`; whether the call ran to its end untouched."""
    base = open_fds()
    rights = right.recvmsg(4, RIGHTS_SPACE).control[0]
    assert isinstance(rights, Rights)
    given = rights.fds
    box: list[Any] = []
    fresh = -1
    try:
        interrupter, box, _interrupted, resource = _interrupted_at(k, method, (rights,))
        at = interrupter.at
        if at == ("return", method.__code__):  # type: ignore[attr-defined]
            for fd in given:
                with contextlib.suppress(OSError):
                    os.close(fd)  # a dropped tuple of ints (dropped Sockets closed theirs)
            return False
        where = [fd for result in box for fd in handed(result)] + list(rights.fds)
        assert sorted(where) == sorted(given), f"k={k}: at {at}"
        assert open_fds() == base + len(given), f"k={k}: at {at}"
        assert not resource, f"k={k}: dropped at {at}: {resource}"
        fresh = os.open(os.devnull, os.O_RDONLY)  # takes a number freed too early
        _close_results(box)
        rights.close()
        assert is_open(fresh), f"k={k}: a descriptor closed twice ({at})"
        os.close(fresh)
        fresh = -1
        assert open_fds() == base, f"k={k}: at {at}"
        return not interrupter.fired
    finally:
        _close_results(box)
        rights.close()
        if fresh >= 0:
            with contextlib.suppress(OSError):
                os.close(fresh)


def _close_results(box: list[Any]) -> None:
    while box:
        for item in box.pop():
            if isinstance(item, Socket):
                item.close()
            else:
                with contextlib.suppress(OSError):
                    os.close(item)


def test_an_interrupt_at_any_point_of_rights_detach_loses_no_descriptor() -> None:
    """``detach()`` popped the descriptors one by one into a list: an interrupt after
    a pop left that descriptor in neither the `Rights` nor the caller's hands."""
    _interrupt_each_hand_over(Rights.detach, list)


def test_an_interrupt_at_any_point_of_rights_sockets_closes_nothing_twice() -> None:
    """``sockets()`` wrapped each descriptor with ``Socket.from_fd`` while the `Rights`
    still held it: an interrupt inside (after ``socket.socket(fileno=fd)``, in
    ``_wrap``/``_adopt``) dropped the new socket, which closed the descriptor, and
    the `Rights` then closed the same number again."""
    _interrupt_each_hand_over(Rights.sockets, lambda made: [sock.fileno() for sock in made])


# ---------------------------------------------------------------------- aio


def _loops() -> list[Any]:
    factories: list[Any] = [pytest.param(asyncio.new_event_loop, id="asyncio")]
    try:
        import uvloop  # noqa: PLC0415 - optional
    except ImportError:
        return factories
    factories.append(pytest.param(uvloop.new_event_loop, id="uvloop"))
    return factories


def _run(factory: Callable[[], asyncio.AbstractEventLoop], main: Any) -> Any:
    loop = factory()
    try:
        return loop.run_until_complete(asyncio.wait_for(main, 10.0))
    finally:
        loop.close()


@pytest.mark.parametrize("factory", _loops())
def test_closing_the_wrapped_socket_from_another_thread_wakes_a_waiting_receiver(
    factory: Callable[[], asyncio.AbstractEventLoop],
) -> None:
    async def main() -> None:
        left, right = AsyncSocket.pair()
        with left.socket, right.socket:
            task = asyncio.ensure_future(right.recv(10))
            await asyncio.sleep(0.05)
            closer = threading.Thread(target=right.socket.close)
            started = time.monotonic()
            closer.start()
            with pytest.raises(SocketClosedError):
                await asyncio.wait_for(task, 5.0)
            assert time.monotonic() - started < ALLOWED
            closer.join(5.0)

    _run(factory, main())


@pytest.mark.parametrize("closer", ["async_socket", "wrapped_socket"])
@pytest.mark.parametrize("factory", _loops())
def test_bytes_held_from_a_cancelled_line_read_are_gone_once_closed(
    factory: Callable[[], asyncio.AbstractEventLoop], closer: str
) -> None:
    """After close() every call raises `SocketClosedError`, as the sync `Socket`'s
    kept line bytes go with its close; held bytes must not answer for a closed socket."""

    async def main() -> None:
        left, right = AsyncSocket.pair()
        with left.socket, right.socket:
            await left.write_all(b"partial")
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(right.read(100, ReadMode.NORMAL), 0.05)
            if closer == "async_socket":
                right.close()
            else:
                right.socket.close()
            for call in (
                lambda: right.recv(10),
                lambda: right.recv_into(bytearray(10)),
                lambda: right.recvfrom(10),
                lambda: right.recvmsg(10),
                lambda: right.read(10),
                lambda: right.read(100, ReadMode.NORMAL),
            ):
                with pytest.raises(SocketClosedError):
                    await call()

    _run(factory, main())
