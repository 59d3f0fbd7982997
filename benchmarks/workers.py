"""The measured side of every benchmark: one process per measurement.

`benchmarks.run` starts ``python -m benchmarks.workers WORKLOAD VARIANT ROLE JSON``
with the descriptors it made (socket pairs, TCP connections) passed down, pinned
to the runner's CPU.  A worker times only its loop (not its start-up), checks
that what it received is right, and prints one JSON object on stdout:

* ``{"seconds": s, "cpu": c, "ops": n}``: ``n`` operations took ``s`` seconds of
  wall-clock time and ``c`` seconds of this process's CPU time (user + system);
  ``"cpu_ops"``, when present, is how many operations ``c`` covers (a ping-pong
  client's CPU clock also runs over its warm-up, as its echo's does);
* ``{"failed": "why"}``: the variant cannot do the workload (``select.select``
  above ``FD_SETSIZE``); shown as a failure, never as a time;
* ``{"cpu": c}`` for a helper (the echo side of a ping-pong, a bulk sender): the
  CPU time it spent serving, which the runner adds to the measurement's.

A wrong result raises ``SystemExit`` with a message, so the runner reports the
variant as broken instead of timing it.

Variants: ``raw`` (the best plain-stdlib way), ``oo`` (sockkit's `Socket` and
`Selector`), ``compat`` (``sockkit.compat``'s PHP-named functions); floors for
compat: ``raw-fd`` (over ``os.read``/``os.write``) and ``raw-recv`` (bulk with a
new bytes object per receive, the shape of PHP's API); and ``raw-wrapper``, the
least any Python method around a socket costs.  TLS workloads compare ``tls-sockkit``
(`TLSSocket`), ``tls-stdlib`` (``ssl.SSLSocket``) and ``tls-sslobject`` (a hand-written
``SSLObject`` + ``MemoryBIO`` loop, the floor of sockkit's design); datagrams compare
``batch`` with ``ctypes`` (C's ``sendmmsg``/``recvmmsg`` loop written in Python, the floor
under any Python batches) and ``c``.  PHP runs
from ``benchmarks/php/*.php`` with the same protocol.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import importlib
import json
import mmap
import os
import select
import selectors
import socket
import struct
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

Result = dict[str, Any]

MESSAGE_SIZE = 64
CHUNK = 65536
LINE_LENGTH = 40
# Bulk data: byte ``i`` of the stream is ``i % 256``; one chunk plus a period of slack.
PATTERN = bytes(range(256)) * (CHUNK // 256 + 1)
# Bulk receivers check every CHECK_EVERY-th receive against PATTERN (and the total).
CHECK_EVERY = 64
# Line readers compare every LINE_CHECK_EVERY-th line with the line the runner sent.
LINE_CHECK_EVERY = 1000


def kit() -> Any:
    """``sockkit``, imported on demand: the raw variants start without it."""
    return importlib.import_module("sockkit")


def compat() -> Any:
    """``sockkit.compat``, imported on demand (the runner checks it exists)."""
    return importlib.import_module("sockkit.compat")


def compat_select() -> Any:
    """``socket_select``, from ``sockkit.compat`` or (before that re-exports it) its module."""
    function = getattr(compat(), "socket_select", None)
    return function or importlib.import_module("sockkit.compat.select").socket_select


def line(index: int) -> bytes:
    """Line ``index`` of the line-read workload: 39 digits and a newline."""
    return b"%039d\n" % index


def _quiesce() -> None:
    """Collect, then freeze what exists, so no variant pays for the others' garbage."""
    gc.collect()
    gc.freeze()


def _fail(message: str) -> SystemExit:
    return SystemExit(f"wrong result: {message}")


class Clock:
    """Wall-clock and CPU time (user + system, this process) since it was made."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def cpu_spent(self) -> float:
        return time.process_time() - self.cpu

    def result(self, ops: int) -> Result:
        wall = time.perf_counter() - self.wall
        return {"seconds": wall, "cpu": self.cpu_spent(), "ops": ops}


class _Wrapper:
    """The least a Python socket class can do per call: a method calling the socket's."""

    __slots__ = ("_sock",)

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def send(self, data: bytes, flags: int = 0) -> int:
        return self._sock.send(data, flags)

    def recv(self, length: int, flags: int = 0) -> bytes:
        return self._sock.recv(length, flags)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        return self._sock.recv_into(buffer, nbytes, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self._sock.sendall(data, flags)


# ---------------------------------------------------------------------- ping-pong


def pingpong(variant: str, role: str, fd: int, count: int, warmup: int) -> Result:
    """64-byte round trips; the ``client`` times them, the ``echo`` side sends back.

    Each variant has its own loops, calling its functions directly (no wrapper of
    ours in between): the plainest code a user of each API would write.
    """
    if variant == "raw":
        return _pingpong_methods(socket.socket(fileno=fd), role, count, warmup)
    if variant == "raw-wrapper":
        return _pingpong_methods(_Wrapper(socket.socket(fileno=fd)), role, count, warmup)
    if variant == "raw-fd":
        return _pingpong_descriptor(fd, role, count, warmup)
    sock = kit().Socket.from_fd(fd)
    if variant == "oo":
        return _pingpong_methods(sock, role, count, warmup)
    php = compat()
    write, read = php.socket_write, php.socket_read
    if role == "echo":
        _quiesce()
        clock = Clock()
        while data := read(sock, MESSAGE_SIZE):
            write(sock, data)
        return {"cpu": clock.cpu_spent()}
    message = bytes(range(MESSAGE_SIZE))
    _quiesce()
    whole = Clock()
    for _ in range(warmup):
        write(sock, message)
        _complete(read(sock, MESSAGE_SIZE), lambda: read(sock, MESSAGE_SIZE), message)
    clock = Clock()
    for _ in range(count):
        write(sock, message)
        reply = read(sock, MESSAGE_SIZE)
        if reply != message:
            _complete(reply, lambda: read(sock, MESSAGE_SIZE), message)
    return clock.result(count) | {"cpu": whole.cpu_spent(), "cpu_ops": warmup + count}


def _pingpong_methods(sock: Any, role: str, count: int, warmup: int) -> Result:
    """The ping-pong loops over ``send``/``recv`` methods (a Python socket's or a Socket's)."""
    send, recv = sock.send, sock.recv
    if role == "echo":
        _quiesce()
        clock = Clock()
        while data := recv(MESSAGE_SIZE):
            send(data)
        return {"cpu": clock.cpu_spent()}
    message = bytes(range(MESSAGE_SIZE))
    _quiesce()
    whole = Clock()
    for _ in range(warmup):
        send(message)
        _complete(recv(MESSAGE_SIZE), lambda: recv(MESSAGE_SIZE), message)
    clock = Clock()
    for _ in range(count):
        send(message)
        reply = recv(MESSAGE_SIZE)
        if reply != message:
            _complete(reply, lambda: recv(MESSAGE_SIZE), message)
    return clock.result(count) | {"cpu": whole.cpu_spent(), "cpu_ops": warmup + count}


def _pingpong_descriptor(fd: int, role: str, count: int, warmup: int) -> Result:
    """The ping-pong over ``os.write``/``os.read`` on the descriptor: the floor.

    No socket object at all: no argument parsing of the socket module, no timeout
    bookkeeping, no flags (so no MSG_NOSIGNAL).  What any Python code pays for a
    write and a read, and the descriptor-level path measured for what it would save.
    """
    write, read = os.write, os.read
    if role == "echo":
        _quiesce()
        clock = Clock()
        while data := read(fd, MESSAGE_SIZE):
            write(fd, data)
        return {"cpu": clock.cpu_spent()}
    message = bytes(range(MESSAGE_SIZE))
    _quiesce()
    whole = Clock()
    for _ in range(warmup):
        write(fd, message)
        _complete(read(fd, MESSAGE_SIZE), lambda: read(fd, MESSAGE_SIZE), message)
    clock = Clock()
    for _ in range(count):
        write(fd, message)
        reply = read(fd, MESSAGE_SIZE)
        if reply != message:
            _complete(reply, lambda: read(fd, MESSAGE_SIZE), message)
    return clock.result(count) | {"cpu": whole.cpu_spent(), "cpu_ops": warmup + count}


def _complete(reply: bytes, recv: Callable[[], Any], message: bytes) -> None:
    """Finish a reply that arrived in pieces, and check it."""
    while len(reply) < len(message):
        more = recv()
        if not more:
            raise _fail(f"the echo closed after {len(reply)} bytes of a reply")
        reply += more
    if reply != message:
        raise _fail(f"the echo sent back {reply[:16]!r}… instead of the message")


# ---------------------------------------------------------------------- calls


def calls(variant: str, role: str, count: int, warmup: int, timeout: float | None = None) -> Result:
    """64-byte write+read pairs over a socket pair in one process: the cost of a call.

    No other process and no wait: what is left is each API's own cost per send and
    recv around the same two system calls, which the ping-pong and bulk targets are
    made of.  ``raw-wrapper`` is a two-line Python class around the socket: what any
    Python method costs, before it does anything.  With ``timeout``, both ends have
    it: the receive is the timed path (the socket module's poll first, or sockkit's
    try first).
    """
    one, two = socket.socketpair()
    one.settimeout(timeout)
    two.settimeout(timeout)
    message = bytes(range(MESSAGE_SIZE))
    if variant == "raw-fd":
        write_fd, read_fd, left, right = os.write, os.read, one.fileno(), two.fileno()

        def loop(times: int) -> None:
            for _ in range(times):
                write_fd(left, message)
                if read_fd(right, MESSAGE_SIZE) != message:
                    raise _fail("a reply other than the message")

    elif variant == "compat":
        php = compat()
        write, read = php.socket_write, php.socket_read
        first, second = kit().Socket.from_stdlib(one), kit().Socket.from_stdlib(two)

        def loop(times: int) -> None:
            for _ in range(times):
                write(first, message)
                if read(second, MESSAGE_SIZE) != message:
                    raise _fail("a reply other than the message")

    else:
        ends: tuple[Any, Any] = {
            "raw": lambda: (one, two),
            "raw-wrapper": lambda: (_Wrapper(one), _Wrapper(two)),
            "oo": lambda: (kit().Socket.from_stdlib(one), kit().Socket.from_stdlib(two)),
        }[variant]()
        send, recv = ends[0].send, ends[1].recv

        def loop(times: int) -> None:
            for _ in range(times):
                send(message)
                if recv(MESSAGE_SIZE) != message:
                    raise _fail("a reply other than the message")

    _quiesce()
    loop(warmup)
    clock = Clock()
    loop(count)
    return clock.result(count)


# ---------------------------------------------------------------------- bulk


def bulk(variant: str, role: str, fd: int, total: int) -> Result:
    """``total`` bytes one way in 64 KiB chunks; the receiver reuses one buffer."""
    if role == "send":
        return {"cpu": _bulk_send(variant, fd, total)}
    if variant == "raw-recv":
        # recv(): a new bytes object per call, as PHP's socket_recv returns (compat's floor).
        sock = socket.socket(fileno=fd)
        recv = sock.recv
        _quiesce()
        sock.send(b"g")
        clock = Clock()
        got = calls = 0
        while got < total:
            data = recv(CHUNK)
            if not data:
                raise _fail(f"end of stream after {got} of {total} bytes")
            calls += 1
            if not calls % CHECK_EVERY:
                offset = got % 256
                if data != PATTERN[offset : offset + len(data)]:
                    raise _fail(f"corrupt data at byte {got}")
            got += len(data)
        result = clock.result(total)
    elif variant in ("raw", "raw-wrapper", "oo"):
        sock: Any = _methods(variant, fd)
        buffer = _aligned(CHUNK)
        recv_into = sock.recv_into
        send_go: Callable[[], object] = lambda: sock.send(b"g")  # noqa: E731
        _quiesce()
        send_go()
        clock = Clock()
        got = calls = 0
        while got < total:
            count = recv_into(buffer)
            if not count:
                raise _fail(f"end of stream after {got} of {total} bytes")
            calls += 1
            if not calls % CHECK_EVERY:
                offset = got % 256
                if buffer[:count] != PATTERN[offset : offset + count]:
                    raise _fail(f"corrupt data at byte {got}")
            got += count
        result = clock.result(total)
    else:
        php = compat()
        sock = kit().Socket.from_fd(fd)
        socket_recv, ref = php.socket_recv, php.Ref()
        _quiesce()
        php.socket_write(sock, b"g")
        clock = Clock()
        got = calls = 0
        while got < total:
            count = socket_recv(sock, ref, CHUNK, 0)
            if not count:
                raise _fail(f"end of stream after {got} of {total} bytes")
            calls += 1
            if not calls % CHECK_EVERY:
                offset = got % 256
                if ref.value != PATTERN[offset : offset + count]:
                    raise _fail(f"corrupt data at byte {got}")
            got += count
        result = clock.result(total)
    if got != total:
        raise _fail(f"received {got} bytes, {total} were sent")
    return result


def _methods(variant: str, fd: int) -> Any:
    """The object whose methods a variant calls: a Python socket, the class, or a Socket."""
    if variant == "oo":
        return kit().Socket.from_fd(fd)
    sock = socket.socket(fileno=fd)
    return _Wrapper(sock) if variant == "raw-wrapper" else sock


def _aligned(size: int) -> mmap.mmap:
    """A page-aligned buffer: where malloc happens to put a buffer moves a 64 KiB copy's
    speed by several per cent (by far more when only 8-byte aligned), which would
    swamp what is measured; every variant that can choose gets the same alignment."""
    return mmap.mmap(-1, size)


def _bulk_send(variant: str, fd: int, total: int) -> float:
    """Send ``total`` bytes once the receiver says go; return the CPU time it took."""
    chunk = PATTERN[:CHUNK]
    chunks, rest = divmod(total, CHUNK)
    if variant in ("raw", "raw-recv", "raw-wrapper", "oo"):
        sock: Any = _methods(variant, fd)
        write = sock.write_all if variant == "oo" else sock.sendall
        aligned = _aligned(CHUNK)
        aligned[:] = chunk
        chunk = memoryview(aligned)  # type: ignore[assignment]
        _quiesce()
        if sock.recv(1) != b"g":
            raise _fail("no start signal from the receiver")
        clock = Clock()
        for _ in range(chunks):
            write(chunk)
        if rest:  # (the receiver may be gone once it has everything: no empty send)
            write(chunk[:rest])
        return clock.cpu_spent()
    php = compat()
    sock = kit().Socket.from_fd(fd)
    socket_write = php.socket_write
    aligned = _aligned(CHUNK)
    aligned[:] = chunk
    chunk = memoryview(aligned)  # type: ignore[assignment]  # (socket_write takes bytes-likes)
    _quiesce()
    if php.socket_read(sock, 1) != b"g":
        raise _fail("no start signal from the receiver")
    clock = Clock()
    for _ in range(chunks):
        sent = socket_write(sock, chunk)
        while sent is not False and sent < CHUNK:  # a partial write: PHP's loop
            more = socket_write(sock, chunk[sent:])
            sent = False if more is False else sent + more
        if sent is False:
            raise _fail("socket_write failed")
    if rest and socket_write(sock, chunk[:rest]) != rest:
        raise _fail("socket_write failed")
    return clock.cpu_spent()


# ---------------------------------------------------------------------- line reads


def lines(variant: str, role: str, fd: int, count: int) -> Result:
    """Read ``count`` 40-byte lines one at a time, never consuming past a newline.

    sockkit's variants call ``read``/``socket_read`` straight from the loop, as PHP's
    script does; the raw variant has to run Python code of its own per line.  Each
    line's length and terminator are checked inline, and every thousandth's content.
    """
    sock: Any
    if variant == "oo":
        sock = kit().Socket.from_fd(fd)
        read, normal = sock.read, kit().ReadMode.NORMAL
        _quiesce()
        sock.send(b"g")
        clock = Clock()
        for index in range(count):
            got = read(2048, normal)
            if len(got) != LINE_LENGTH or got[-1] != 10 or not index % LINE_CHECK_EVERY:
                _check_line(index, got)
    elif variant == "compat":
        php = compat()
        sock = kit().Socket.from_fd(fd)
        socket_read, normal = php.socket_read, php.PHP_NORMAL_READ
        _quiesce()
        sock.send(b"g")
        clock = Clock()
        for index in range(count):
            got = socket_read(sock, 2048, normal)
            if len(got) != LINE_LENGTH or got[-1] != 10 or not index % LINE_CHECK_EVERY:
                _check_line(index, got)
    else:
        sock = socket.socket(fileno=fd)
        # raw-buffered reads ahead: not the same contract, shown for scale.
        read_line = _raw_line_reader(sock) if variant == "raw" else sock.makefile("rb").readline
        _quiesce()
        sock.send(b"g")
        clock = Clock()
        for index in range(count):
            got = read_line()
            if len(got) != LINE_LENGTH or got[-1] != 10 or not index % LINE_CHECK_EVERY:
                _check_line(index, got)
    result = clock.result(count)
    if variant != "raw-buffered" and sock.recv(1) != b"":
        raise _fail("data left after the last line")
    return result


def _check_line(index: int, got: bytes) -> None:
    if len(got) != LINE_LENGTH or got[-1] != 10:
        raise _fail(f"line {index} is {got!r}")
    if not index % LINE_CHECK_EVERY and got != line(index):
        raise _fail(f"line {index} is {got!r}, not {line(index)!r}")


def _raw_line_reader(sock: socket.socket) -> Callable[[], bytes]:
    """Peek, then take exactly up to the newline: Python's socket module, same contract."""
    recv, peek = sock.recv, socket.MSG_PEEK

    def read_line() -> bytes:
        peeked = recv(2048, peek)
        end = peeked.find(b"\n") + 1
        if end:
            data: bytes = recv(end)
            return data
        got = recv(len(peeked))  # a partial line: take it, then the rest
        while got and got[-1] != 10:
            peeked = recv(2048 - len(got), peek)
            if not peeked:
                break
            end = peeked.find(b"\n") + 1
            got += recv(end or len(peeked))
        return got

    return read_line


# ---------------------------------------------------------------------- selecting


def _sockets(variant: str, n: int) -> tuple[list[Any], Any, Any]:
    """``n`` sockets (both ends of n/2 pairs), the one to write to, and its readable peer."""
    if variant == "compat":
        php = compat()
        everyone: list[Any] = []
        for _ in range(n // 2):
            pair: list[Any] = []
            if not php.socket_create_pair(php.AF_UNIX, php.SOCK_STREAM, 0, pair):
                raise SystemExit("socket_create_pair failed")
            everyone += pair
    elif variant.startswith("raw"):
        everyone = [end for _ in range(n // 2) for end in socket.socketpair()]
    else:
        everyone = [end for _ in range(n // 2) for end in kit().Socket.pair()]
    middle = (n // 2) & ~1
    return everyone, everyone[middle], everyone[middle + 1]


def select_static(variant: str, role: str, n: int, waits: int) -> Result:
    """One wait over ``n`` sockets, exactly one readable, timeout 0, given the set each time.

    Each variant's ``loop(times)`` makes ``times`` waits inline and counts the ready
    sockets: no frame of ours around a wait.
    """
    everyone, writer, ready = _sockets(variant, n)
    writer.send(b"x")
    loop: Callable[[int], int]
    if variant == "raw-select":
        try:
            found = select.select(everyone, [], [], 0)[0]
        except ValueError as exc:  # descriptors above FD_SETSIZE
            return {"failed": f"select.select: {exc}"}
        select_ = select.select

        def loop(times: int) -> int:
            hits = 0
            for _ in range(times):
                hits += len(select_(everyone, [], [], 0)[0])
            return hits

    elif variant == "raw-poll":
        poller = select.poll()
        for sock in everyone:
            poller.register(sock, select.POLLIN)
        poll = poller.poll
        by_fd = {sock.fileno(): sock for sock in everyone}
        found = [by_fd[fd] for fd, _events in poll(0)]

        def loop(times: int) -> int:
            hits = 0
            for _ in range(times):
                hits += len(poll(0))
            return hits

    elif variant == "oo":
        wait = kit().Selector.wait
        found = wait(read=everyone, timeout=0).read

        def loop(times: int) -> int:
            hits = 0
            for _ in range(times):
                hits += len(wait(read=everyone, timeout=0).read)
            return hits

    else:
        php = compat()
        socket_select = compat_select()
        found = everyone[:]
        if socket_select(found, None, None, 0) is False:
            return {"failed": f"socket_select: {php.socket_strerror(php.socket_last_error())}"}

        def loop(times: int) -> int:
            hits = 0
            for _ in range(times):
                read = everyone[:]  # socket_select keeps only the ready ones: PHP's $r = $all
                hits += socket_select(read, None, None, 0)
            return hits

    if found != [ready]:
        raise _fail(f"expected one ready socket, got {len(found)}")
    return _time_waits(loop, waits)


def select_registered(variant: str, role: str, n: int, waits: int) -> Result:
    """``select(0)`` of a selector with ``n`` registered sockets, exactly one readable."""
    everyone, writer, ready = _sockets(variant, n)
    writer.send(b"x")
    selector: Any
    if variant == "raw-selectors":
        selector = selectors.DefaultSelector()
        for sock in everyone:
            selector.register(sock, selectors.EVENT_READ)
    else:
        selector = kit().Selector()
        read = kit().Event.READ
        for sock in everyone:
            selector.register(sock, read)
    select_now = selector.select
    found = [
        key.fileobj if variant == "raw-selectors" else key.socket for key, _events in select_now(0)
    ]
    if found != [ready]:
        raise _fail(f"expected one ready socket, got {len(found)}")

    def loop(times: int) -> int:
        hits = 0
        for _ in range(times):
            hits += len(select_now(0))
        return hits

    return _time_waits(loop, waits)


def _time_waits(loop: Callable[[int], int], waits: int) -> Result:
    loop(max(waits // 20, 20))  # warm up (Selector.wait settles after a few waits)
    _quiesce()
    clock = Clock()
    hits = loop(waits)
    result = clock.result(waits)
    if hits != waits:
        raise _fail(f"{hits} sockets reported ready over {waits} waits, expected {waits}")
    return result


# ---------------------------------------------------------------------- memory


def memory(variant: str, role: str, n: int) -> Result:
    """Bytes of Python heap: per `Socket` over its Python socket, per registered socket."""
    if variant == "oo":  # one-time costs (lazy imports, caches) are not per socket
        sockkit = kit()
        with sockkit.Selector() as warm, sockkit.Socket.pair() as (left, right):
            warm.register(left, sockkit.Event.READ)
            kit().Socket.from_stdlib(socket.socket()).close()
            right.close()
    tracemalloc.start()
    pairs = [socket.socketpair() for _ in range(n // 2)]
    plain = [end for pair in pairs for end in pair]
    before = tracemalloc.get_traced_memory()[0]
    wrapped = [kit().Socket.from_stdlib(sock) for sock in plain]
    wrapper = (tracemalloc.get_traced_memory()[0] - before) / n
    del wrapped
    gc.collect()
    # Registered idle sockets, everything counted: the sockets themselves and the registration.
    base = tracemalloc.get_traced_memory()[0]
    if variant == "raw":
        raw_selector = selectors.DefaultSelector()
        own = [end for _ in range(n // 2) for end in socket.socketpair()]
        for sock in own:
            raw_selector.register(sock, selectors.EVENT_READ)
        per_socket = (tracemalloc.get_traced_memory()[0] - base) / n
        raw_selector.close()
        size = sys.getsizeof(own[0])
    else:
        sockkit = kit()
        kit_selector = sockkit.Selector()
        made = [end for _ in range(n // 2) for end in sockkit.Socket.pair()]
        for kit_sock in made:
            kit_selector.register(kit_sock, sockkit.Event.READ)
        per_socket = (tracemalloc.get_traced_memory()[0] - base) / n
        kit_selector.close()
        size = sys.getsizeof(made[0])
        for kit_sock in made:
            kit_sock.close()
    tracemalloc.stop()
    return {"wrapper_bytes": wrapper, "registered_bytes": per_socket, "getsizeof": size}


# ---------------------------------------------------------------------- asyncio

# Async variants: what each side's coroutine calls, and on which loop.
#   aio          sockkit.aio.AsyncSocket (write_all / recv / recv_into / read NORMAL)
#   aio-sock     loop.sock_sendall / sock_recv / sock_recv_into on a plain socket
#   aio-streams  asyncio streams (StreamReader / StreamWriter over the socket)
# with "-uvloop" the same on uvloop.


def _async_run(variant: str, work: Callable[[str], Any]) -> Result:
    """Run ``work(base)`` on the variant's loop: asyncio's default one, or uvloop."""
    base = variant.removesuffix("-uvloop")
    if base != variant:
        uvloop = importlib.import_module("uvloop")
        loop = uvloop.new_event_loop()
    else:
        import asyncio  # noqa: PLC0415 - the sync variants start without it

        loop = asyncio.new_event_loop()
    try:
        result: Result = loop.run_until_complete(work(base))
    finally:
        loop.close()
    return result


async def _nothing() -> None:
    pass


class _AsyncEnd:
    """One connected end as a variant reaches it: ``send(data)``, ``recv(n)``, ``recv_into``."""

    def __init__(self, base: str, fd: int) -> None:
        self.base = base
        self.fd = fd

    async def open(self) -> _AsyncEnd:
        import asyncio  # noqa: PLC0415

        sock = socket.socket(fileno=self.fd)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        if self.base == "aio":
            aio = importlib.import_module("sockkit.aio")
            conn = aio.AsyncSocket.from_socket(kit().Socket.from_stdlib(sock))
            self.flush = _nothing
            self.send, self.recv, self.recv_into = conn.write_all, conn.recv, conn.recv_into
            self.read_line = lambda: conn.read(2048, kit().ReadMode.NORMAL)
        elif self.base == "aio-sock":
            self.flush = _nothing
            self.send = lambda data: loop.sock_sendall(sock, data)
            self.recv = lambda size: loop.sock_recv(sock, size)
            self.recv_into = lambda buffer: loop.sock_recv_into(sock, buffer)
        else:
            reader, writer = await asyncio.open_connection(sock=sock, limit=1 << 20)

            async def send(data: Any) -> None:
                writer.write(data)
                await writer.drain()

            async def flush() -> None:
                # drain() waits only down to the high-water mark: wait for everything.
                writer.transport.set_write_buffer_limits(high=0)
                await writer.drain()

            self.send, self.recv, self.read_line = send, reader.read, reader.readline
            self.flush, self.recv_into = flush, None
        return self


def async_pingpong(variant: str, role: str, fd: int, count: int, warmup: int) -> Result:
    """64-byte round trips with both sides on an event loop (see ``pingpong``)."""

    async def work(base: str) -> Result:
        end = await _AsyncEnd(base, fd).open()
        send, recv = end.send, end.recv
        if role == "echo":
            _quiesce()
            clock = Clock()
            while data := await recv(MESSAGE_SIZE):
                await send(data)
            return {"cpu": clock.cpu_spent()}
        message = bytes(range(MESSAGE_SIZE))
        _quiesce()
        whole = Clock()
        for _ in range(warmup):
            await send(message)
            await _async_complete(await recv(MESSAGE_SIZE), recv, message)
        clock = Clock()
        for _ in range(count):
            await send(message)
            reply = await recv(MESSAGE_SIZE)
            if reply != message:
                await _async_complete(reply, recv, message)
        return clock.result(count) | {"cpu": whole.cpu_spent(), "cpu_ops": warmup + count}

    return _async_run(variant, work)


async def _async_complete(reply: bytes, recv: Callable[[int], Any], message: bytes) -> None:
    while len(reply) < len(message):
        more = await recv(MESSAGE_SIZE)
        if not more:
            raise _fail(f"the echo closed after {len(reply)} bytes of a reply")
        reply += more
    if reply != message:
        raise _fail(f"the echo sent back {reply[:16]!r}… instead of the message")


def async_bulk(variant: str, role: str, fd: int, total: int) -> Result:
    """``total`` bytes one way in 64 KiB chunks (see ``bulk``); streams receive new bytes."""

    async def work(base: str) -> Result:
        end = await _AsyncEnd(base, fd).open()
        if role == "send":
            return {"cpu": await _async_bulk_send(end, total)}
        buffer = _aligned(CHUNK)
        view = memoryview(buffer)
        _quiesce()
        await end.send(b"g")
        clock = Clock()
        got = calls = 0
        while got < total:
            if end.recv_into is not None:
                count = await end.recv_into(buffer)
                data: Any = view[:count]
            else:
                data = await end.recv(CHUNK)
                count = len(data)
            if not count:
                raise _fail(f"end of stream after {got} of {total} bytes")
            calls += 1
            if not calls % CHECK_EVERY:
                offset = got % 256
                if data != PATTERN[offset : offset + count]:
                    raise _fail(f"corrupt data at byte {got}")
            got += count
        if got != total:
            raise _fail(f"received {got} bytes, {total} were sent")
        return clock.result(total)

    return _async_run(variant, work)


async def _async_bulk_send(end: _AsyncEnd, total: int) -> float:
    aligned = _aligned(CHUNK)
    aligned[:] = PATTERN[:CHUNK]
    chunk = memoryview(aligned)
    chunks, rest = divmod(total, CHUNK)
    send = end.send
    _quiesce()
    if await end.recv(1) != b"g":
        raise _fail("no start signal from the receiver")
    clock = Clock()
    for _ in range(chunks):
        await send(chunk)
    if rest:
        await send(chunk[:rest])
    await end.flush()  # the process exits next: nothing may stay in a buffer of ours
    return clock.cpu_spent()


def async_lines(variant: str, role: str, fd: int, count: int) -> Result:
    """Read ``count`` 40-byte lines (see ``lines``): AsyncSocket's NORMAL read never reads
    past a newline; ``StreamReader.readline()`` reads ahead into its buffer."""

    async def work(base: str) -> Result:
        end = await _AsyncEnd(base, fd).open()
        read_line = end.read_line
        _quiesce()
        await end.send(b"g")
        clock = Clock()
        for index in range(count):
            got = await read_line()
            if len(got) != LINE_LENGTH or got[-1] != 10 or not index % LINE_CHECK_EVERY:
                _check_line(index, got)
        result = clock.result(count)
        if await end.recv(1) != b"":
            raise _fail("data left after the last line")
        return result

    return _async_run(variant, work)


# ---------------------------------------------------------------------- datagrams

DATAGRAM_BATCH = 32
GSO_SEGMENTS = 54  # 1,200-byte segments that fit one UDP payload (65,507 bytes)
DATAGRAM_IDLE = 0.5  # seconds without a datagram: the rest were lost
# Seconds the receiver waits for the first datagram: the sender starts after it (and
# imports as much), both on one CPU, so its first send may come later than the idle
# time; a variant whose sender started late was reported broken ("no datagram arrived").
DATAGRAM_START = 60.0
# Flow control, the same for every variant (C included): the receiver reports its count
# every CREDIT_EVERY datagrams over a socket pair, and the sender stays at most WINDOW
# datagrams ahead of the last report.  Without it a sender cheaper per datagram than its
# receiver (GSO against GRO) overruns the receive buffer when both share one CPU, and the
# benchmark measures the drops instead of the transfer.
WINDOW = 1024
CREDIT_EVERY = 256
_COUNT = struct.Struct("=q")


class _Pacer:
    """The sender's side of the flow control."""

    def __init__(self, fd: int) -> None:
        self.credits = socket.socket(fileno=fd)
        self.acked = 0

    def wait(self, sent: int) -> None:
        """Block while ``sent`` is a window ahead of the receiver's last report."""
        while sent - self.acked >= WINDOW:
            if not select.select([self.credits], [], [], DATAGRAM_IDLE)[0]:
                self.acked = sent  # no report: those datagrams were lost
                return
            while True:
                try:
                    report = self.credits.recv(_COUNT.size, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                self.acked = max(self.acked, _COUNT.unpack(report)[0])


def datagrams(
    variant: str,
    role: str,
    count: int,
    size: int,
    *,
    fd: int = -1,
    port: int = 0,
    credit: int = -1,
) -> Result:
    """``count`` datagrams of ``size`` bytes over UDP loopback, one way.

    The ``receive`` side (given the runner's bound socket) times from its first
    datagram to its last and reports how many arrived (``ops``); the ``send``
    side (connected to ``port``) reports its CPU time and how many it sent.
    Both share the ``credit`` socket pair's ends (see ``WINDOW``).
    """
    if variant != "raw":
        kit()  # imported before the clocks start
    if role == "send":
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.connect(("127.0.0.1", port))
        pacer = _Pacer(credit)
        clock = Clock()
        sent = _send_datagrams(variant, sock, count, size, pacer)
        return {"cpu": clock.cpu_spent(), "sent": sent}
    sock = socket.socket(fileno=fd)
    sock.settimeout(DATAGRAM_IDLE)
    # Made before the first datagram can arrive: GRO is on (gso) and the loop built
    # before the first wait, so no datagram finds the receiver half set up.
    receive = _datagram_receiver(variant, sock, size)
    if not select.select([fd], [], [], DATAGRAM_START)[0]:  # the sender has started
        raise SystemExit(f"no datagram within {DATAGRAM_START:.0f} s: the sender did not start")
    return _receive_datagrams(receive, count, socket.socket(fileno=credit))


def _send_datagrams(variant: str, sock: socket.socket, count: int, size: int, pacer: _Pacer) -> int:
    payload = bytes(size)
    if variant == "ctypes":
        return _CLoop(sock, size).send(count, pacer)
    if variant in ("raw", "oo"):
        send = sock.send if variant == "raw" else kit().Socket.from_stdlib(sock).send
        for start in range(0, count, CREDIT_EVERY):
            pacer.wait(start)
            for _ in range(min(CREDIT_EVERY, count - start)):
                send(payload)
        return count
    sockkit = kit()
    wrapped = sockkit.Socket.from_stdlib(sock)
    sent = 0
    if variant == "batch":
        chunk = [payload] * DATAGRAM_BATCH
        while sent < count:
            pacer.wait(sent)
            sent += wrapped.send_batch(chunk[: count - sent])
        return sent
    segment = [sockkit.UDPSegment(size)]
    block = sockkit.Message([bytes(size * GSO_SEGMENTS)], segment)
    while sent < count:  # GSO: 54 datagrams per message, 4 messages per call
        pacer.wait(sent)
        if count - sent >= 4 * GSO_SEGMENTS:
            sent += wrapped.send_batch([block] * 4) * GSO_SEGMENTS
        else:
            last = min(GSO_SEGMENTS, count - sent)
            sent += wrapped.send_batch([sockkit.Message([bytes(size * last)], segment)]) * last
    return sent


def _receive_datagrams(receive: Callable[[], int], count: int, credits: socket.socket) -> Result:
    got, first, last = 0, 0.0, 0.0
    report = CREDIT_EVERY
    clock = Clock()
    try:
        while got < count:
            arrived = receive()
            if not got:
                first = time.perf_counter()
            got += arrived
            last = time.perf_counter()
            if got >= report:
                report = got + CREDIT_EVERY
                # A full pair, or a sender already done and gone (refused once, then
                # "not connected"): no report needed.  Reports only pace the sender.
                with contextlib.suppress(OSError):
                    credits.send(_COUNT.pack(got), socket.MSG_DONTWAIT)
    except (TimeoutError, OSError) as exc:
        if not isinstance(exc, TimeoutError) and "timed out" not in str(exc):
            raise
    return {"seconds": max(last - first, 1e-9), "cpu": clock.cpu_spent(), "ops": got}


def _datagram_receiver(variant: str, sock: socket.socket, size: int) -> Callable[[], int]:
    """One receive of a variant: how many datagrams it brought, each checked for size."""
    if variant == "raw":

        def one() -> int:
            if len(sock.recvfrom(2048)[0]) != size:
                raise _fail("a datagram of the wrong size")
            return 1

        return one
    if variant == "ctypes":
        return _CLoop(sock, 2048).receiver(size)
    sockkit = kit()
    wrapped = sockkit.Socket.from_stdlib(sock)
    if variant == "oo":

        def one_oo() -> int:
            if len(wrapped.recvfrom(2048)[0]) != size:
                raise _fail("a datagram of the wrong size")
            return 1

        return one_oo
    space = 0
    if variant == "gso":
        wrapped.set_option(sockkit.UDPOption.GRO, True)
        space = sockkit.cmsg_space(sockkit.Level.UDP, sockkit.UDPOption.GRO)

    def many() -> int:
        # Per datagram the same work as the loops above: its length checked and counted.
        total = 0
        for message in wrapped.recv_batch(DATAGRAM_BATCH, 2048):
            if len(message.data) != size:  # a message's data, as recvfrom()[0] above
                raise _fail("a datagram of the wrong size")
            total += 1
        return total

    def coalesced() -> int:
        # GRO: a message holds up to GSO_SEGMENTS datagrams, split by its UDPSegment.
        total = 0
        for message in wrapped.recv_batch(DATAGRAM_BATCH, 65536, space):
            for part in message.datagrams():
                if len(part) != size:
                    raise _fail("a datagram of the wrong size")
                total += 1
        return total

    return coalesced if space else many


class _CLoop:
    """C's loop (``benchmarks/c/datagrams.c``) written in Python: ``sendmmsg``/``recvmmsg``
    through ``ctypes`` over headers built once, no object per datagram.  The least any
    Python code pays for these system calls here: the floor under sockkit's batches.

    The structures are sockkit's declarations (``sockkit._mmsg``, checked against
    the C compiler's in the tests); the loop is not sockkit's.
    """

    def __init__(self, sock: socket.socket, room: int) -> None:
        import ctypes  # noqa: PLC0415 - only this variant needs it

        from sockkit._mmsg import Iovec, MMsgHdr  # noqa: PLC0415

        self.sock = sock  # kept: its descriptor is the loop's
        self.fd = sock.fileno()
        libc = ctypes.CDLL(None, use_errno=True)
        self.sendmmsg, self.recvmmsg = libc.sendmmsg, libc.recvmmsg
        self.data = (ctypes.c_char * (room * DATAGRAM_BATCH))()
        self.iovecs = (Iovec * DATAGRAM_BATCH)()
        self.headers = (MMsgHdr * DATAGRAM_BATCH)()
        base = ctypes.addressof(self.data)
        for index in range(DATAGRAM_BATCH):
            self.iovecs[index].iov_base = base + index * room
            self.iovecs[index].iov_len = room
            self.headers[index].msg_hdr.msg_iov = ctypes.addressof(self.iovecs[index])
            self.headers[index].msg_hdr.msg_iovlen = 1
        self.errno = ctypes.get_errno
        self.size = 0  # each received datagram's, once a receiver
        self.poll = select.poll()
        self.idle = int(DATAGRAM_IDLE * 1000)  # ms, as poll takes it

    def send(self, count: int, pacer: _Pacer) -> int:
        """Send ``count`` datagrams of the room's size, ``DATAGRAM_BATCH`` per call."""
        sent, sendmmsg, fd, headers = 0, self.sendmmsg, self.fd, self.headers
        while sent < count:
            pacer.wait(sent)
            done = sendmmsg(fd, headers, min(DATAGRAM_BATCH, count - sent), 0)
            if done < 0 and self.errno() not in (errno.EINTR, errno.ENOBUFS):
                code = self.errno()
                raise OSError(code, os.strerror(code))
            sent += max(done, 0)
        return sent

    def receiver(self, size: int) -> Callable[[], int]:
        """One receive as C's: poll, then what is queued; each length checked.

        A bound method: the headers point into this loop's data and iovecs by address,
        which keeps neither alive, so the receive must hold the loop itself (a closure
        over the headers alone let them be freed while the kernel still wrote there).
        """
        self.size = size
        self.poll.register(self.fd, select.POLLIN)
        return self.receive

    def receive(self) -> int:
        """`receiver`'s receive: how many datagrams arrived."""
        recvmmsg, fd, headers, size = self.recvmmsg, self.fd, self.headers, self.size
        while True:
            if not self.poll.poll(self.idle):
                raise TimeoutError("idle: the rest were lost")
            received: int = recvmmsg(fd, headers, DATAGRAM_BATCH, socket.MSG_DONTWAIT, None)
            if received > 0:
                break
            code = self.errno()
            if code not in (errno.EAGAIN, errno.EINTR):
                raise OSError(code, os.strerror(code))
        for index in range(received):
            if headers[index].msg_len != size:
                raise _fail("a datagram of the wrong size")
        return received


# ---------------------------------------------------------------------- TLS

# TLS variants: sockkit's TLSSocket, the stdlib's SSLSocket, and the floor of the
# SSLObject design: a hand-written loop driving ssl.SSLObject with two MemoryBIOs.
TLS_RECV = 262144


def _tls_contexts(cert: str, key: str) -> tuple[Any, Any]:
    """TLS 1.3 only; the server issues no session tickets (every handshake is full)."""
    import ssl  # noqa: PLC0415  (only the TLS workloads need it)

    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    server.num_tickets = 0
    client = ssl.create_default_context(cafile=cert)
    for context in (server, client):
        context.minimum_version = ssl.TLSVersion.TLSv1_3
    return server, client


class _BioTLS:
    """The hand-written SSLObject + MemoryBIO loop: no error mapping, no line reader."""

    def __init__(self, sock: socket.socket, context: Any, server_side: bool) -> None:
        import ssl  # noqa: PLC0415

        self._want_read = ssl.SSLWantReadError
        self._ended = (ssl.SSLEOFError, ssl.SSLZeroReturnError)
        self._sock = sock
        # One receive buffer, reused: a fresh 256 KiB bytes per receive costs an
        # mmap and a munmap each (larger than malloc's threshold).
        self._buffer = bytearray(TLS_RECV)
        self._view = memoryview(self._buffer)
        self._in, self._out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self._obj = context.wrap_bio(
            self._in, self._out, server_side=server_side,
            server_hostname=None if server_side else "localhost",
        )  # fmt: skip
        self._pump(self._obj.do_handshake)

    def _pump(self, call: Callable[..., Any], *args: Any) -> Any:
        while True:
            try:
                result = call(*args)
            except self._want_read:
                if self._out.pending:
                    self._sock.sendall(self._out.read())
                self._fill()
                continue
            if self._out.pending:
                self._sock.sendall(self._out.read())
            return result

    def _fill(self) -> None:
        count = self._sock.recv_into(self._buffer)
        if count:
            self._in.write(self._view[:count])
        else:
            self._in.write_eof()

    def _network_first(self) -> None:
        # Nothing to decrypt: receive before reading, not after an SSLWantReadError
        # (an exception per receive).  The server sends no session tickets, so once
        # the handshake is done nothing waits in the outgoing BIO here.
        if not self._in.pending and not self._obj.pending():
            self._fill()

    def recv(self, length: int) -> bytes:
        self._network_first()
        try:
            return self._pump(self._obj.read, length)  # type: ignore[no-any-return]
        except self._ended:
            return b""

    def recv_into(self, buffer: Any) -> int:
        self._network_first()
        return self._pump(self._obj.read, len(buffer), buffer)  # type: ignore[no-any-return]

    def send(self, data: Any) -> int:
        return self._pump(self._obj.write, data)  # type: ignore[no-any-return]

    def write_all(self, data: Any) -> None:
        view = memoryview(data)
        while view:
            view = view[self.send(view) :]

    def close(self) -> None:
        self._sock.close()


def _tls_end(
    variant: str, sock: socket.socket, contexts: tuple[Any, Any], server_side: bool
) -> Any:
    """One end of a TLS connection over ``sock`` in the variant's own implementation.

    Every end reads to the end of the stream quietly when the peer exits without
    close_notify (the stdlib's SSLSocket does so by default).
    """
    context = contexts[0] if server_side else contexts[1]
    hostname = None if server_side else "localhost"
    if variant == "tls-sockkit":
        plain = kit().Socket.from_stdlib(sock)
        return plain.start_tls(
            context, server_hostname=hostname, server_side=server_side, suppress_ragged_eofs=True
        )
    if variant == "tls-stdlib":
        return context.wrap_socket(sock, server_side=server_side, server_hostname=hostname)
    return _BioTLS(sock, context, server_side)


def tls_pingpong(
    variant: str, role: str, *, fd: int, count: int, warmup: int, cert: str, key: str
) -> Result:
    """64-byte round trips over TLS 1.3: the client times them, the echo sends back."""
    contexts = _tls_contexts(cert, key)
    end = _tls_end(variant, socket.socket(fileno=fd), contexts, server_side=role == "echo")
    return _pingpong_methods(end, role, count, warmup)


def tls_bulk(variant: str, role: str, *, fd: int, total: int, cert: str, key: str) -> Result:
    """``total`` bytes one way over TLS 1.3 in 64 KiB writes; the receiver reuses a buffer."""
    contexts = _tls_contexts(cert, key)
    end = _tls_end(variant, socket.socket(fileno=fd), contexts, server_side=role == "receive")
    if role == "send":
        write = end.sendall if variant == "tls-stdlib" else end.write_all
        aligned = _aligned(CHUNK)
        aligned[:] = PATTERN[:CHUNK]
        chunk = memoryview(aligned)
        chunks, rest = divmod(total, CHUNK)
        _quiesce()
        if end.recv(1) != b"g":
            raise _fail("no start signal from the receiver")
        clock = Clock()
        for _ in range(chunks):
            write(chunk)
        if rest:
            write(chunk[:rest])
        return {"cpu": clock.cpu_spent()}
    buffer = _aligned(CHUNK)
    recv_into = end.recv_into
    _quiesce()
    end.send(b"g")
    clock = Clock()
    got = calls = 0
    while got < total:
        count = recv_into(buffer)
        if not count:
            raise _fail(f"end of stream after {got} of {total} bytes")
        calls += 1
        if not calls % CHECK_EVERY:
            offset = got % 256
            if buffer[:count] != PATTERN[offset : offset + count]:
                raise _fail(f"corrupt data at byte {got}")
        got += count
    if got != total:
        raise _fail(f"received {got} bytes, {total} were sent")
    return clock.result(total)


def tls_handshakes(
    variant: str, role: str, *, fd: int, count: int, port: int, cert: str, key: str
) -> Result:
    """Full TLS 1.3 handshakes (no tickets) on new TCP connections: the client times them.

    Each side makes its context once, as a real server and client would.
    """
    contexts = _tls_contexts(cert, key)
    if variant == "tls-sockkit":
        kit()  # the import is not a handshake's cost
    if role == "serve":
        listener = socket.socket(fileno=fd)
        _quiesce()
        clock = Clock()
        for _ in range(count):
            conn, _peer = listener.accept()
            end = _tls_end(variant, conn, contexts, server_side=True)
            end.send(b"k")  # the client knows the server finished too
            end.close()
        return {"cpu": clock.cpu_spent()}
    _quiesce()
    clock = Clock()
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        end = _tls_end(variant, sock, contexts, server_side=False)
        if end.recv(1) != b"k":
            raise _fail("the server did not finish its handshake")
        end.close()
    return clock.result(count)


# ---------------------------------------------------------------------- entry point

WORKLOADS: dict[str, Callable[..., Result]] = {
    "pingpong": pingpong,
    "calls": calls,
    "bulk": bulk,
    "lines": lines,
    "select_static": select_static,
    "select_registered": select_registered,
    "memory": memory,
    "async_pingpong": async_pingpong,
    "async_bulk": async_bulk,
    "async_lines": async_lines,
    "datagrams": datagrams,
    "tls_pingpong": tls_pingpong,
    "tls_bulk": tls_bulk,
    "tls_handshakes": tls_handshakes,
}


def main(argv: list[str]) -> int:
    """``WORKLOAD VARIANT ROLE JSON-PARAMETERS``: run one measurement, print its JSON."""
    workload, variant, role, parameters = argv
    result = WORKLOADS[workload](variant, role, **json.loads(parameters))
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: thousands of sockets need no tidy close


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
