"""Datagrams at scale: many messages per system call (``sendmmsg``/``recvmmsg``).

[`Socket.send_batch`][sockkit.socket.Socket.send_batch] and
[`Socket.recv_batch`][sockkit.socket.Socket.recv_batch] call the functions of
this module.  On Linux one ``sendmmsg(2)``/``recvmmsg(2)`` moves up to 1,024
messages; elsewhere (or with ``native=False``) the same functions loop over
``sendmsg``/``recvmsg``, with the same results.

Each message may carry its own address and control data, ``UDPSegment``
included: with UDP generic segmentation offload (GSO) one message of up to 64 KiB
leaves as many datagrams, and with ``UDPOption.GRO`` on, a receiver may get
several datagrams coalesced into one message (`Message.datagrams` splits it).

Example:
    >>> with Socket(AddressFamily.INET, SocketType.DGRAM) as a, Socket(
    ...     AddressFamily.INET, SocketType.DGRAM
    ... ) as b:
    ...     b.bind(("127.0.0.1", 0))
    ...     a.connect(b.local_address)
    ...     a.send_batch([b"one", b"two", Message([b"thr", b"ee"])])
    ...     [m.data for m in b.recv_batch(8, 100)]
    3
    [b'one', b'two', b'three']
"""

from __future__ import annotations

import contextlib
import errno as _errno
import select
import socket as _s
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial, reduce
from itertools import starmap
from operator import index as _index
from operator import or_
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from sockkit import _mmsg
from sockkit._checks import INT_MAX, check_int
from sockkit.address import Address, from_sockaddr, to_sockaddr
from sockkit.enums import MsgFlag, SocketType
from sockkit.errors import SocketClosedError, SocketError, WouldBlock, from_errno, from_oserror
from sockkit.message import (
    _CLOEXEC,
    _CTRUNC,
    _SCM_RIGHTS,
    _SOL_SOCKET,
    ControlMessage,
    Message,
    UDPSegment,
    _close_cells,
    _contents,
    _new_message,
    _new_messages,
    _received,
    _received_fds,
    decode_control,
)
from sockkit.message import _outgoing as _held_control
from sockkit.socket import _HANGUP, _poll_now, _wait_again

if TYPE_CHECKING:
    from sockkit.socket import Socket

__all__ = ["recv_batch", "send_batch"]

_DONTWAIT: Final = int(getattr(MsgFlag, "DONTWAIT", 0))  # none on Windows: loops check first
_PEEK: Final = int(MsgFlag.PEEK)
_WAITALL: Final = int(getattr(MsgFlag, "WAITALL", 0))
_NOSIGNAL: Final = int(getattr(_s, "MSG_NOSIGNAL", 0))  # a gone peer is an error, not SIGPIPE
_POLLIN: Final = getattr(select, "POLLIN", 1)  # no poll() on Windows: the loop uses select()
_POLLOUT: Final = getattr(select, "POLLOUT", 4)
_GSO_REFUSED: Final = (_errno.EIO, _errno.EINVAL)
_FEW: Final = 4  # received messages: fewer are handed over one by one (measured)
_STREAM: Final = int(SocketType.STREAM)

# An error of a message after the first, to be raised by the next call on that socket
# (sendmmsg(2) reports the count of what went out and drops the error; recvmsg loops
# have consumed it).  Socket has no room for it (its slots belong to socket.py), so it
# is kept here by Socket object; weak keys let a collected Socket take its error along.
_PENDING_SEND: Final[weakref.WeakKeyDictionary[Socket, SocketError]] = weakref.WeakKeyDictionary()
_PENDING_RECV: Final[weakref.WeakKeyDictionary[Socket, SocketError]] = weakref.WeakKeyDictionary()
_arenas = threading.local()
"""Each thread's arenas, reused from call to call: ``send``, ``gather``, ``recv`` (with its key)."""


_Clock = list[tuple[float, bool]]
"""The deadline of one batch call's waits, set by its first wait (empty before): when,
and whether it is the kernel's timeout (``SNDTIMEO``/``RCVTIMEO`` of a blocking
socket, which ends the call with ``EAGAIN``, as it ends a blocking system call)."""


def _start(clock: _Clock, sock: Socket, event: int) -> None:
    """Set ``clock`` at a call's first wait for ``event`` (`Socket._deadline`)."""
    clock.append(sock._deadline(sock.timeout, sending=event == _POLLOUT))


def _ran_out(clock: _Clock) -> int:
    """The errno of a call whose ``clock`` ran out: the kernel's timeout's or the socket's."""
    return _errno.EAGAIN if clock[0][1] else _errno.ETIMEDOUT


class _Outgoing(NamedTuple):
    """One message, checked and encoded, ready to be laid out."""

    views: list[memoryview]
    length: int
    name: bytes
    ancdata: list[tuple[int, int, bytes]]
    segment: int  # its UDPSegment size, 0 without one
    address: Any


# --------------------------------------------------------------------- checks


def _flat(buffer: Any, what: str) -> memoryview:
    if isinstance(buffer, str):
        raise TypeError(f"{what} must be bytes-like, got str (encode it first)")
    try:
        view = memoryview(buffer)
    except TypeError:
        raise TypeError(
            f"{what} must be a Message or a bytes-like object, got {type(buffer).__name__}"
        ) from None
    if view.format == "B" and view.ndim == 1 and view.c_contiguous:
        return view
    # Flat bytes whatever the shape (a 2-D or 0-d view is laid out as one run of bytes,
    # as sendmsg sends it): cast where contiguous, else a copy.
    return view.cast("B") if view.c_contiguous else memoryview(view.tobytes())


def _int_arg(value: object, name: str, low: int) -> int:
    if type(value) is int and low <= value <= INT_MAX:  # the usual case, checked at once
        return value
    return check_int(value, name, low, INT_MAX)


def check_batch_flags(value: object) -> int:
    """Check the ``flags`` of a batch call: any integer in ``0..INT_MAX``.

    The top bit of the kernel's flags (``MSG_CMSG_COMPAT``) is its own: ``sendmmsg``
    and ``recvmmsg`` refuse it with ``EINVAL``, and `Socket.sendmsg` (the loop's
    call) takes a C ``int``, so it is refused here, before any system call, on
    either path.

    Raises:
        TypeError: ``value`` is not an integer (or is a ``bool``).
        ValueError: ``value`` is out of range.
    """
    if type(value) is int and 0 <= value <= INT_MAX:  # the usual case, checked at once
        return value
    if isinstance(value, bool):
        raise TypeError("flags must be an int (MsgFlag), got bool")
    try:
        flags = _index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"flags must be an int (MsgFlag), got {type(value).__name__}") from None
    if not 0 <= flags <= INT_MAX:
        raise ValueError(f"flags must be 0-{INT_MAX}, got {flags}")
    return flags


def check_receive(
    count: object, bufsize: object, ancbufsize: object, flags: object, *, stream: bool
) -> tuple[int, int, int, int]:
    """Check the arguments of a `recv_batch` on a socket (a ``stream`` one or not);
    return them as plain ints.

    Raises:
        TypeError: one is not an integer.
        ValueError: ``count`` < 1, a negative size, flags out of range, or
            ``MsgFlag.WAITALL`` on a stream (see `_waitall_refused`).
    """
    checked = (
        _int_arg(count, "count", 1),
        _int_arg(bufsize, "bufsize", 0),
        _int_arg(ancbufsize, "ancbufsize", 0),
        check_batch_flags(flags),
    )
    if stream and checked[3] & _WAITALL:
        raise _waitall_refused()
    return checked


def _outgoing(
    item: object, index: int, family: int, names: dict[Any, tuple[Any, bytes]], held: list[Any]
) -> _Outgoing:
    what = f"messages[{index}]"
    if not isinstance(item, Message):
        view = _flat(item, what)
        return _Outgoing([view], view.nbytes, b"", [], 0, None)
    buffers, control = item.buffers, item.control
    if type(buffers) is not list or type(control) is not list:  # (no call otherwise)
        buffers, control = _contents(item)
    views = [_flat(buffer, f"{what}.buffers") for buffer in buffers]
    ancdata: list[Any] = []
    if control:
        # The sockets of a Rights are held until the whole batch is sent: the numbers
        # encoded now stay theirs however another thread closes them meanwhile.
        sources, ancdata = _held_control(control)
        held += sources
    segment = next((c.size for c in control if isinstance(c, UDPSegment)), 0)
    address = item.address
    name = b"" if address is None else _packed_address(address, family, names)
    return _Outgoing(views, sum(view.nbytes for view in views), name, ancdata, segment, address)


def _packed_address(address: Any, family: int, names: dict[Any, tuple[Any, bytes]]) -> bytes:
    """The kernel's ``struct sockaddr`` for a message's address, packed once per call
    for each distinct address.

    An address equal to one packed before reuses its packing only when it is that
    very object or has the same types throughout: ``("127.0.0.1", 5.0)`` equals
    ``("127.0.0.1", 5)`` but is refused by `to_sockaddr`, as `Socket.sendmsg` refuses it
    (a tuple's items are compared by type in a tuple of any class: a named tuple too).
    """
    try:
        known = names.get(address)
    except TypeError:  # unhashable (a list): to_sockaddr names what is wrong with it
        known = None
    if known is not None:
        first, name = known
        if first is address:
            return name
        if type(first) is type(address):
            if not isinstance(first, tuple):  # a typed Address: its fields were checked
                return name
            for mine, theirs in zip(first, address, strict=True):  # equal: as long
                if type(mine) is not type(theirs):
                    break
            else:
                return name
    sockaddr = to_sockaddr(family, address)
    try:
        name = _mmsg.pack_sockaddr(family, sockaddr)
    except OSError as exc:  # a host name that does not resolve
        raise from_oserror(exc, "getaddrinfo", sockaddr) from None
    if known is None:
        with contextlib.suppress(TypeError):
            names[address] = (address, name)
    return name


def message_list(messages: Iterable[Any]) -> list[Any]:
    """``messages`` as a list, read once; refused, naming it, when it is not a
    sequence of messages and buffers (a single buffer or `Message` is not one).

    Raises:
        TypeError: ``messages`` is a single buffer, a `Message`, a str, or not iterable.
    """
    if isinstance(messages, (str, bytes, bytearray, memoryview, Message)):
        raise TypeError(
            f"messages must be a sequence of Messages or buffers, got {type(messages).__name__}"
        )
    try:
        return list(messages)
    except TypeError:
        raise TypeError(
            f"messages must be a sequence of Messages or buffers, got {type(messages).__name__}"
        ) from None


def _prepare(sock: Socket, items: list[Any], held: list[Any]) -> list[_Outgoing]:
    """Every item encoded; the sockets of its `Rights` held in ``held`` (the caller
    releases them, ``interrupt=False``, whatever happens)."""
    family = int(sock.family)
    names: dict[Any, tuple[Any, bytes]] = {}  # one packing per distinct address of this call
    return [_outgoing(item, index, family, names, held) for index, item in enumerate(items)]


# --------------------------------------------------------------------- waiting


def _wait_again_by(
    sock: Socket, event: int, deadline: float, false_ready: int, operation: str
) -> tuple[int, int]:
    """`_wait_again` outside a counted call: the descriptor is held for the wait, and a
    ``close()`` by another thread shuts it down to wake it."""
    fd = sock.retain()
    try:
        return _wait_again(sock, fd, event, deadline, false_ready, operation=operation)
    finally:
        sock.release()


def _call(
    sock: Socket,
    batch: Callable[[int, int, int, int], int],
    headers: int,
    count: int,
    *,
    event: int,
    flags: int,
    clock: _Clock | None = None,
) -> int:
    """Run ``batch(fd, headers, count, flags)`` (`_mmsg.sendmmsg` or `_mmsg.recvmmsg`)
    on the socket's descriptor until it is not EAGAIN.

    The tries and the waits between them are one call in flight on the socket,
    counted as its own methods' calls are (``Socket._io``): until it returns,
    ``close()`` by another thread shuts the socket down to wake it and defers
    releasing the descriptor, so the number cannot name another file meanwhile.

    The call never blocks (``MSG_DONTWAIT``); waiting is done here, as the
    socket's timeout says, unless ``flags`` has ``DONTWAIT`` or the socket is
    non-blocking.  ``clock`` holds the deadline of the first wait once there was
    one: the calls of one send_batch share it, so its timeout bounds the whole
    send (as ``sendall``'s does), however many calls made progress.

    Returns:
        The call's count (>= 0), ``-errno`` for its failure, ``-ETIMEDOUT``
        when the socket's timeout ran out (``-EAGAIN`` for the kernel's: see
        `_Clock`), or 0 when the socket was shut down meanwhile.

    Raises:
        SocketClosedError: the socket is closed, or was closed meanwhile.
    """
    operation = batch.__name__
    if clock is None:
        clock = []
    result: int = sock._io(
        operation, None, _tries, sock, batch, headers, count, event, flags, clock
    )
    if result < 0 and sock.closed:  # what close() left in the number's place answered
        raise SocketClosedError(operation)
    return result


def _tries(  # noqa: PLR0917 - Socket._io passes its arguments by position
    sock: Socket,
    batch: Callable[[int, int, int, int], int],
    headers: int,
    count: int,
    event: int,
    flags: int,
    clock: _Clock,
) -> int:
    """`_call`'s loop, run counted in flight (the descriptor is read inside the count)."""
    wait = not flags & _DONTWAIT
    flags |= _DONTWAIT
    hung = false_ready = 0  # false_ready: see _wait_again
    fd = sock.fileno()  # -1 once closed: the call fails and _call says closed
    while True:
        result = batch(fd, headers, count, flags)
        if result >= 0:
            return result
        if result == -_errno.EINTR:
            continue
        if result != -_errno.EAGAIN or not wait:
            return result
        if hung:
            return 0  # shut down for this direction: end of data, as recv() says
        if not clock:  # the first wait (the timeout is read only when one is needed)
            if sock.timeout == 0.0:
                return result
            _start(clock, sock, event)
        ready, false_ready = _wait_again(
            sock, fd, event, clock[0][0], false_ready, operation=batch.__name__
        )
        if not ready:
            return -_ran_out(clock)
        hung = ready & _HANGUP if event == _POLLIN else 0


def _failure(code: int, operation: str, address: Any = None) -> SocketError:
    if code == _errno.ETIMEDOUT:
        return from_oserror(TimeoutError("timed out"), operation, address)
    return from_errno(code, operation, address)


# --------------------------------------------------------------------- sending


def _fit(arena: _mmsg.Arena | None, control: int, data: int) -> _mmsg.Arena:
    """``arena``, or a larger one when it cannot hold ``control`` and ``data`` bytes."""
    if arena is None or arena.control_size < control or arena.data_size < data:
        if arena is not None:
            control, data = max(control, arena.control_size), max(data, arena.data_size)
        arena = _mmsg.Arena(_mmsg.MAX_BATCH, control, data)
    return arena


def _lay_out(arena: _mmsg.Arena | None, chunk: list[_Outgoing]) -> _mmsg.Arena:
    control = sum(_mmsg.control_space(out.ancdata) for out in chunk)
    arena = _fit(arena, control, sum(out.length for out in chunk))
    view = arena.view
    at = arena.data_at
    control_at = arena.control_at
    for index, out in enumerate(chunk):
        name_at = arena.name_at + index * _mmsg.NAME_SIZE
        name = out.name
        if name:
            view[name_at : name_at + len(name)] = name
        start = at
        views = out.views
        place = None
        if out.length >= _mmsg.IN_PLACE and len(views) == 1:
            place = _mmsg.address_in_place(views[0])  # held by `out` until the call returns
        if place is not None:
            start = place - arena.address  # (the header adds the arena's address back)
        else:
            for part in views:
                view[at : at + part.nbytes] = part
                at += part.nbytes
        used = _mmsg.pack_control(view, control_at, out.ancdata) if out.ancdata else 0
        arena.header(index, (name_at, len(name), control_at, used, start, out.length))
        control_at += used
    return arena


def _send_error(code: int, out: _Outgoing) -> SocketError:
    address = out.address
    if code in _GSO_REFUSED and out.segment:
        error = from_errno(code, "sendmmsg", address)
        return type(error)(
            code,
            f"{error.strerror}: the kernel refused UDP GSO (UDPSegment({out.segment}) over"
            f" {out.length} bytes): the segment must fit the path MTU, the message at"
            " most 64 segments, and the device must offload checksums",
            "sendmmsg",
            address,
        )
    return _failure(code, "sendmmsg", address)


def _send_prepared(
    sock: Socket, address: int, count: int, flags: int, clock: _Clock
) -> tuple[int, int | None]:
    """``sendmmsg`` over ``count`` headers laid out at ``address``, until all went.

    A short count says a message failed, and the kernel dropped why: no room (the
    tries are ``MSG_DONTWAIT``: a blocking call waits for it) or an error.  So the
    rest is sent again from that message at once, which finds out: ``EAGAIN``
    (waited for, as `_call` says), the error again if it lasts, or nothing if the
    kernel reported it once (that error is lost, the message goes).

    Returns how many were sent and, when one failed, its errno (0: none given).
    """
    done = 0
    while done < count:
        headers = address + done * _mmsg.MSG_SIZE
        remaining = count - done
        result = _call(
            sock, _mmsg.sendmmsg, headers, remaining, event=_POLLOUT, flags=flags, clock=clock
        )
        if result <= 0:
            return done, -result
        done += result
    return done, None


def _send_native(sock: Socket, outgoing: list[_Outgoing], flags: int) -> int:
    # The thread's arena is taken for the call (as the Gather is in _send_plain).
    arena: _mmsg.Arena | None = _arenas.__dict__.pop("send", None)
    clock: _Clock = []  # the deadline of the whole call (see _call)
    try:
        sent = 0
        while sent < len(outgoing):
            chunk = outgoing[sent : sent + _mmsg.MAX_BATCH]
            arena = _lay_out(arena, chunk)
            done, code = _send_prepared(sock, arena.address, len(chunk), flags, clock)
            if code is not None:
                return _sent_until(sock, sent + done, code, chunk[done])
            sent += done
        return sent
    finally:
        if arena is not None:
            _arenas.send = arena


def _send_plain(sock: Socket, items: list[bytes], flags: int) -> int:
    """`_send_native` for ``bytes`` to the connected peer: one copy, prepared headers."""
    # Taken from the thread for the call: a signal handler's send_batch on this thread,
    # run while this one waits, gets a Gather of its own instead of rewriting this one.
    gather: _mmsg.Gather | None = _arenas.__dict__.pop("gather", None)
    if gather is None:
        gather = _mmsg.Gather()
    clock: _Clock = []  # the deadline of the whole call (see _call)
    try:
        sent = 0
        while sent < len(items):
            chunk = items[sent : sent + _mmsg.MAX_BATCH]
            data = gather.point(chunk)  # the iovecs point into it: held until the calls return
            done, code = _send_prepared(sock, gather.address, len(chunk), flags, clock)
            del data
            if code is not None:
                item = chunk[done]
                out = _Outgoing([memoryview(item)], len(item), b"", [], 0, None)
                return _sent_until(sock, sent + done, code, out)
            sent += done
        return sent
    finally:
        _arenas.gather = gather


def _sent_until(sock: Socket, sent: int, code: int, out: _Outgoing) -> int:
    """The count when a send stops at a message: its error raised now or kept for later."""
    error = _send_error(code or _errno.EPIPE, out)
    if not sent:
        raise sock._note(error)
    if code not in (_errno.EAGAIN, _errno.ETIMEDOUT):
        _PENDING_SEND[sock] = sock._note(error)  # (it happened now: last_error says so)
    return sent


def _send_loop(sock: Socket, outgoing: list[_Outgoing], flags: int) -> int:
    """`send_batch` as a loop of `Socket.sendmsg`, with the native path's results.

    Each message is tried first and waited for only when there is no room, until
    one deadline set by the call's first wait (as on the native path), so the
    socket's timeout bounds the whole call however many messages made progress;
    ``DONTWAIT`` and a non-blocking socket never wait.
    """
    clock: _Clock | None = [] if sock.timeout != 0.0 and not flags & _DONTWAIT else None
    for sent, out in enumerate(outgoing):
        message = Message(out.views, [], out.address)
        try:
            if out.ancdata:
                # Already encoded and checked: resend the very bytes through RawControl.
                from sockkit.message import RawControl  # noqa: PLC0415 - sibling, no cycle

                message.control = [RawControl(*item) for item in out.ancdata]
            send = partial(sock.sendmsg, message, flags | _DONTWAIT)
            code = _retried(sock, _POLLOUT, send, clock)  # 0: sent
        except SocketError as exc:
            if isinstance(exc, SocketClosedError):
                raise
            if exc.errno in _GSO_REFUSED and out.segment:  # said as the native path says it
                exc = sock._note(_send_error(exc.errno, out))
            if not sent:
                raise exc from None
            _PENDING_SEND[sock] = exc
            return sent
        if code:  # no room in time: what went is the count (nothing kept for later)
            if not sent:
                raise sock._note(_failure(code, "sendmsg", out.address))
            return sent
    return len(outgoing)


_HUNG: Final = -1
"""`_retried`'s answer for a receive on a socket shut down for reading meanwhile."""


def _retried(sock: Socket, event: int, attempt: Callable[[], object], clock: _Clock | None) -> int:
    """Make ``attempt`` (a `Socket` call with ``MSG_DONTWAIT``) until it does not
    raise `WouldBlock`: the loop's tries, waited for as `_tries` waits for the native
    call's.  The loop's own `WouldBlock`s are no failure of the caller's (taken back
    from ``last_error``).

    `Socket` honours ``MSG_DONTWAIT`` also on a socket with a timeout; the waits
    between the tries are `_wait_again`'s (pauses where poll's readiness was false:
    an error queue alone, room that is not there; a close from another thread
    seen), until the deadline ``clock`` holds, set by the call's first wait.  A
    datagram socket shut down for reading stays readable to poll while its receive
    would block: once a wait for ``POLLIN`` sees that hang-up and the try after it
    still finds nothing, there is nothing to wait for.

    Returns:
        0 once the attempt went through; ``EAGAIN`` when it would block and
        ``clock`` is ``None`` (no waiting); `_ran_out`'s errno; or `_HUNG`.
    """
    hung = false_ready = 0  # false_ready: see _wait_again
    operation = "sendmsg" if event == _POLLOUT else "recvmsg"
    while True:
        try:
            attempt()
        except WouldBlock as exc:
            sock._unnote(exc)  # a wait follows, or the caller says what it means
            if clock is None:
                return _errno.EAGAIN
        else:
            return 0
        if hung:
            return _HUNG
        if not clock:  # the first wait (the timeout is read only when one is needed)
            _start(clock, sock, event)
        ready, false_ready = _wait_again_by(sock, event, clock[0][0], false_ready, operation)
        if not ready:
            return _ran_out(clock)
        hung = ready & _HANGUP if event == _POLLIN else 0


def send_batch(
    sock: Socket, messages: Iterable[Any], flags: int = 0, *, native: bool = True
) -> int:
    """Send several messages, with one ``sendmmsg(2)`` per 1,024 where the OS has it.

    Each item is a `Message` (with its own address and control data, descriptors
    of `Rights` read now) or a bytes-like object (one datagram to the connected
    peer).  On a blocking socket this waits until every message is sent, the
    socket's timeout bounding the whole call (as ``sendall``'s does), or without
    one the kernel's ``SocketOption.SNDTIMEO`` if set (`WouldBlock` when it runs
    out); a non-blocking socket (or ``MsgFlag.DONTWAIT``) sends what fits, never waiting.

    Args:
        sock: the socket.
        messages: the messages, in order.
        flags: ``MsgFlag`` values for every message (``MSG_NOSIGNAL`` is added).
        native: ``False`` sends with a loop of `Socket.sendmsg`, the path taken where
            the OS has no ``sendmmsg`` (for comparison and tests).

    Returns:
        How many messages were sent.  When a message after the first fails, the
        count of those before it is returned and its error is raised by the next
        call; an empty sequence sends nothing and returns 0.  ``sendmmsg(2)``
        drops the error of a message after the first: that message is tried
        again at once, so an error that lasts (`MessageTooLong`) stops the batch
        there, while one the kernel reports only once (a connected UDP socket's
        `ConnectionRefused` for an earlier datagram) is lost and the message is
        sent, as for a caller retrying after the short count; the ``sendmsg``
        loop sees that error and stops there.

    Raises:
        TypeError: ``messages`` is not a sequence of `Message`s and buffers, or a
            message holds a value of the wrong type (before anything is sent).
        ValueError: a malformed address or control message (before anything is sent).
        SocketError: the first message failed (typed by errno, e.g. `WouldBlock`,
            `TimedOut`, `MessageTooLong`), or a previous call's later message did.
            A refused ``UDPSegment`` (GSO) says so in its message.
        OperationNotSupported: a stream socket (``SocketType.STREAM``), which may
            take part of a message (use `Socket.write_all`, or `Socket.sendmsg` for
            control data); before anything is sent.
        SocketClosedError: the socket is closed, or was closed while this waited.
    """
    items = message_list(messages)
    if sock._type == _STREAM:
        if sock.closed:
            raise SocketClosedError("send_batch")
        raise sock._note(_stream_refused())
    if native and _mmsg.available and {bytes}.issuperset(map(type, items)):
        flags = check_batch_flags(flags) | _NOSIGNAL
        if not items:
            return 0
        _raise_pending(sock, _PENDING_SEND)
        return _send_plain(sock, items, flags)
    held: list[Any] = []
    try:
        outgoing = _prepare(sock, items, held)
        flags = check_batch_flags(flags) | _NOSIGNAL
        if not items:
            return 0
        _raise_pending(sock, _PENDING_SEND)
        if native and _mmsg.available:
            return _send_native(sock, outgoing, flags)
        return _send_loop(sock, outgoing, flags & ~_NOSIGNAL)
    finally:
        for source in held:
            source.release(interrupt=False)


def _raise_pending(sock: Socket, pending: weakref.WeakKeyDictionary[Socket, SocketError]) -> None:
    """Raise the error a previous call's later message met, if any (``sendmmsg(2)``'s rule).

    Not once the socket is closed: every call on a closed socket raises
    `SocketClosedError` (the call that follows says so).
    """
    if pending:  # (looking a socket up in a weak dictionary costs a reference)
        error = pending.pop(sock, None)
        if error is not None and not sock.closed:
            raise error


def _waitall_refused() -> ValueError:
    """``MSG_WAITALL`` on a stream would have each message wait until it is full, and
    a batch returns what is queued: its tries are ``MSG_DONTWAIT``, which the kernel
    lets win.  Refused, before any system call, rather than dropped."""
    return ValueError(
        "flags: MsgFlag.WAITALL is not taken by recv_batch on a stream socket (each"
        " message is what is queued): use recv or recv_into with it"
    )


def _stream_refused() -> SocketError:
    """A stream socket keeps no message boundaries and may take part of a message,
    which a count of messages sent cannot say: send_batch refuses it, before any
    system call."""
    error = from_errno(_errno.EOPNOTSUPP, "send_batch")
    return type(error)(
        _errno.EOPNOTSUPP,
        f"{error.strerror}: send_batch sends whole messages, and a stream socket"
        " (SocketType.STREAM) may take part of one: use write_all, or sendmsg for"
        " control data",
        "send_batch",
    )


# --------------------------------------------------------------------- receiving


_RecvArena = tuple[tuple[int, int, int], _mmsg.Arena, bytes]
_Progress = tuple[int, list[list[int]]]
"""How far a hand-over got: the first message not handed over, the descriptors of the
one being handed over (see `_recv_native`)."""


def _recv_arena(count: int, bufsize: int, ancbufsize: int) -> _RecvArena:
    """A receive arena laid out for these sizes, and its fresh headers.

    The thread's kept one, taken for the call (the caller gives it back): a signal
    handler's recv_batch on this thread, run while this one waits, lays out an
    arena of its own instead of rewriting this one.
    """
    key = (count, bufsize, ancbufsize)
    kept: _RecvArena | None = _arenas.__dict__.pop("recv", None)
    if kept is not None and kept[0] == key:
        return kept
    arena = _mmsg.Arena(count, count * ancbufsize, count * bufsize)
    for index in range(count):
        arena.header(
            index,
            (
                arena.name_at + index * _mmsg.NAME_SIZE,
                _mmsg.NAME_SIZE,
                arena.control_at + index * ancbufsize,
                ancbufsize,
                arena.data_at + index * bufsize,
                bufsize,
            ),
        )
    template = arena.view[: count * _mmsg.MSG_SIZE].tobytes()
    return key, arena, template


def _discard(arena: _mmsg.Arena, start: int, count: int) -> None:
    """Close the descriptors of every message from ``start`` on that the kernel filled."""
    view = arena.view
    for index, header in enumerate(arena.headers(count)):
        flags, controllen = header[6], header[5]
        if index < start or flags == _mmsg.UNSEEN or not controllen:
            continue
        begin = header[4] - arena.address
        _close_cells(_received_fds(_mmsg.unpack_control(view[begin : begin + controllen]))[0])


def _hand_over(
    arena: _mmsg.Arena,
    received: int,
    bufsize: int,
    *,
    ancbufsize: int,
    family: int,
    out: list[Message],
    progress: list[_Progress],
) -> None:
    """Build the received messages into ``out``.

    Raises whatever interrupts it; the caller then closes what ``progress`` says
    is not handed over yet (see `_recv_native`).
    """
    if received == 1:  # the most common receive: it found a single datagram queued
        namelen, controllen, flags, length = arena.first()
        if not controllen and not flags & _CTRUNC:  # no control data: nothing to own
            length = min(length, bufsize)  # msg_len is the datagram's, when truncated
            _hand_over_few(arena, (namelen,), (flags,), (length,), bufsize, family=family, out=out)
            return
    columns = arena.columns(received)
    controls = None
    each = not received or reduce(or_, columns.flags, 0) & _CTRUNC
    if not each and any(columns.controllens):
        controls = _controls(arena, columns.controllens, ancbufsize)
        each = controls is None
    if each:
        headers = arena.headers(received)
        _hand_over_each(arena, headers, bufsize, family=family, out=out, progress=progress)
        return
    # No descriptor anywhere (the common case): nothing to own, so the messages are
    # built column by column - or, for a few without control data, one by one (each
    # column step has a fixed cost that only a longer batch repays).
    lengths: Sequence[int] = columns.lengths
    if max(lengths) > bufsize:  # truncated (MsgFlag.TRUNC): msg_len is the datagram's
        lengths = [min(length, bufsize) for length in lengths]
    if received < _FEW and controls is None:
        _hand_over_few(
            arena, columns.namelens, columns.flags, lengths, bufsize, family=family, out=out
        )
        return
    datas = _pieces(arena, arena.data_at, bufsize, lengths)
    addresses = _senders(arena, columns.namelens, family)
    out.extend(_new_messages(datas, controls, addresses, columns.flags, lengths, count=received))


def _hand_over_few(
    arena: _mmsg.Arena,
    namelens: Sequence[int],
    flags: Sequence[int],
    lengths: Sequence[int],
    bufsize: int,
    *,
    family: int,
    out: list[Message],
) -> None:
    """`_hand_over` for a few messages without control data, one after the other
    (``lengths`` already cut to ``bufsize``)."""
    view = arena.view
    data_at, name_at = arena.data_at, arena.name_at
    for index, length in enumerate(lengths):
        at, name = data_at + index * bufsize, name_at + index * _mmsg.NAME_SIZE
        sender = _sender(family, view[name : name + namelens[index]].tobytes())
        data = view[at : at + length].tobytes()
        out.append(_new_message([data], [], sender, flags[index], length))


def _controls(
    arena: _mmsg.Arena, controllens: Sequence[int], ancbufsize: int
) -> Iterator[list[ControlMessage]] | None:
    """Each received message's decoded control messages, a list of its own; None when
    one carries descriptors (`_hand_over_each` owns those, message by message).

    Decoded control messages but `Rights` are immutable, and a batch mostly repeats
    one control buffer (one GRO segment size, one packet info): each distinct buffer
    is decoded once and its items shared.
    """
    raws = _pieces(arena, arena.control_at, ancbufsize, controllens)
    decoded: dict[bytes, tuple[ControlMessage, ...]] = dict.fromkeys(raws, ())
    for raw in decoded:
        items = _mmsg.unpack_control(memoryview(raw))
        for level, kind, _data in items:  # (a loop: an interrupt in a generator is lost)
            if level == _SOL_SOCKET and kind == _SCM_RIGHTS:
                return None
        decoded[raw] = tuple(starmap(decode_control, items))
    return map(list, map(decoded.__getitem__, raws))


def _pieces(arena: _mmsg.Arena, at: int, stride: int, lengths: Sequence[int]) -> Sequence[bytes]:
    """A copy of the first ``lengths[i]`` bytes of each slot ``i`` (``stride`` apart)."""
    count = len(lengths)
    if lengths.count(lengths[0]) == count:  # all of one length: one struct unpacking
        return arena.pieces(at, count, stride, lengths[0])
    view = arena.view
    starts = range(at, at + count * stride, stride)
    return [view[start : start + n].tobytes() for start, n in zip(starts, lengths, strict=True)]


# Typed addresses of recent senders, by (family, the kernel's struct sockaddr): those
# bytes determine the address, and typed addresses are immutable.  Bounded: emptied
# when full, so it follows the peers of the moment.
_SENDERS: Final[dict[tuple[int, bytes], Address | None]] = {}
_SENDERS_MAX: Final = 256


def _sender(family: int, name: bytes) -> Address | None:
    """The typed address of a received ``struct sockaddr`` (``None`` for an unnamed sender)."""
    key = (family, name)
    try:
        return _SENDERS[key]
    except KeyError:
        raw = _mmsg.unpack_sockaddr(memoryview(name))
        address = None if raw is None else from_sockaddr(family, raw)
        if len(_SENDERS) >= _SENDERS_MAX:
            _SENDERS.clear()
        _SENDERS[key] = address
        return address


def _senders(arena: _mmsg.Arena, namelens: Sequence[int], family: int) -> list[Address | None]:
    """Every received message's typed sender address, in order.

    Messages from one sender share one address: each distinct one is looked up once.
    """
    names = _pieces(arena, arena.name_at, _mmsg.NAME_SIZE, namelens)
    first = names[0]
    if names.count(first) == len(names):  # one sender (a connected socket, a burst)
        return [_sender(family, first)] * len(names)
    distinct = dict.fromkeys(names)
    for name in distinct:
        distinct[name] = _sender(family, name)
    return list(map(distinct.__getitem__, names))


def _hand_over_each(
    arena: _mmsg.Arena,
    headers: list[tuple[int, ...]],
    bufsize: int,
    *,
    family: int,
    out: list[Message],
    progress: list[_Progress],
) -> None:
    """`_hand_over` one message after the other, for a batch with control data.

    Each message goes into ``out`` (the caller's, empty) as it is made, never
    through a return, and ``progress`` says how far the hand-over got, in one step
    with each message's descriptors (see `_recv_native`).
    """
    view = arena.view
    names = _Names(view, arena.name_at, len(headers))
    for index, header in enumerate(headers):
        namelen, controllen, msg_flags, length = header[1], header[5], header[6], header[7]
        at = arena.data_at + index * bufsize
        data = view[at : at + min(length, bufsize)].tobytes()
        raw = names.raw(index, namelen) if namelen else None
        ancdata: list[tuple[int, int, bytes]] = []
        if controllen:
            ancdata = _mmsg.unpack_control(arena.control(header[4], controllen))
        # One store: this message's descriptors leave the arena for their cells.
        progress[0] = (index + 1, _received_fds(ancdata)[0])
        cells = progress[0][1]
        out.append(
            _received([data], len(data), ancdata, msg_flags, raw, family=family, cells=cells)
        )


class _Names:
    """The senders' addresses of one received batch, in the socket module's form."""

    __slots__ = ("_slots",)

    def __init__(self, view: memoryview, name_at: int, received: int) -> None:
        self._slots = view[name_at : name_at + received * _mmsg.NAME_SIZE].tobytes()

    def raw(self, index: int, namelen: int) -> Any:
        """The socket module's form of message ``index``'s address."""
        at = index * _mmsg.NAME_SIZE
        return _mmsg.unpack_sockaddr(memoryview(self._slots[at : at + namelen]))


def _recv_native(
    out: list[Message], sock: Socket, count: int, bufsize: int, *, ancbufsize: int, flags: int
) -> None:
    slots = 1 if flags & _PEEK else min(count, _mmsg.MAX_BATCH)
    kept = _recv_arena(slots, bufsize, ancbufsize)
    _key, arena, template = kept
    arena.view[: len(template)] = template  # every header fresh: lengths, UNSEEN flags
    # Every received descriptor has one owner at every moment: a Message in ``out``
    # (the caller closes those), the cells of the message being handed over, or the
    # arena, from message ``start`` on - ``progress[0]`` is (start, cells).  One
    # handler, here, covers everything from the system call to the last message, so
    # whatever raises (even at a function's first instruction) closes the rest once.
    progress: list[_Progress] = [(0, [])]
    try:
        received = _call(
            sock, _mmsg.recvmmsg, arena.address, slots, event=_POLLIN, flags=flags | _CLOEXEC
        )
        if received < 0:
            raise sock._note(_failure(-received, "recvmmsg"))
        if received > 1 and sock._type == _STREAM:
            received = _through_end(arena, received)  # the end of a stream, once
        _hand_over(
            arena,
            received,
            bufsize,
            ancbufsize=ancbufsize,
            family=sock._family,
            out=out,
            progress=progress,
        )
    except BaseException:
        start, cells = progress[0]
        _close_cells(cells)  # shared with the message being built, if any: popped once
        _discard(arena, start, slots)
        raise
    finally:
        _arenas.recv = kept


def _through_end(arena: _mmsg.Arena, received: int) -> int:
    """How many of a stream's ``received`` messages to hand over: those up to its end
    (the first empty one), which ``recvmmsg(2)`` repeats in every slot after it.

    The repeats are dropped as they are: the end of a stream carries no descriptors
    (at most `Credentials`, with ``SO_PASSCRED``), so nothing in them is owned.
    """
    lengths = arena.columns(received).lengths
    return lengths.index(0) + 1 if 0 in lengths else received


def _readable_now(sock: Socket) -> bool:
    # Asked before each further receive, so a batch never waits to fill up, also
    # where the OS has no MSG_DONTWAIT (Windows).
    return bool(_poll_now(sock, _POLLIN))


def _recv_loop(
    messages: list[Message], sock: Socket, count: int, bufsize: int, *, ancbufsize: int, flags: int
) -> None:
    """The messages go into the caller's ``messages``, each stored by C code
    (``list.extend`` over ``starmap``) as `Socket.recvmsg` returns it."""
    count = 1 if flags & _PEEK else min(count, _mmsg.MAX_BATCH)  # as recvmmsg is given
    if not _first_into(messages, sock, bufsize, ancbufsize, flags):
        return  # shut down for reading while it waited: no message, as recvmmsg says
    receive = sock.recvmsg
    stream = sock._type == _STREAM
    more = ((bufsize, ancbufsize, flags | _DONTWAIT),)
    while len(messages) < count and not (stream and not messages[-1].nbytes):
        if not _readable_now(sock):
            break
        try:
            messages.extend(starmap(receive, more))
        except (WouldBlock, TimeoutError) as exc:  # another thread took it first
            if isinstance(exc, SocketError):
                sock._unnote(exc)  # no failure of the caller's: the batch is what came
            break
        except SocketError as exc:
            if isinstance(exc, SocketClosedError):
                raise
            _PENDING_RECV[sock] = exc  # raised by the next call, as recvmmsg(2) does
            break


def _first_into(
    messages: list[Message], sock: Socket, bufsize: int, ancbufsize: int, flags: int
) -> bool:
    """`_recv_loop`'s first message into ``messages`` (stored by C code, as the
    others are), waited for as `_retried` waits: False when the socket was shut down
    for reading meanwhile.  ``DONTWAIT`` or a non-blocking socket tries once.

    Raises:
        WouldBlock, TimedOut: nothing came before the deadline (see `_Clock`).
    """
    if flags & _DONTWAIT or sock.timeout == 0.0:
        messages.extend(starmap(sock.recvmsg, ((bufsize, ancbufsize, flags),)))
        return True
    args = ((bufsize, ancbufsize, flags | _DONTWAIT),)
    code = _retried(sock, _POLLIN, lambda: messages.extend(starmap(sock.recvmsg, args)), [])
    if code == _HUNG:
        return False
    if code:
        raise sock._note(_failure(code, "recvmsg"))
    return True


def recv_batch(
    sock: Socket,
    count: int,
    bufsize: int,
    ancbufsize: int = 0,
    flags: int = 0,
    *,
    native: bool = True,
) -> list[Message]:
    """Receive up to ``count`` messages, with one ``recvmmsg(2)`` where the OS has it.

    Waits, as `Socket.recvmsg` does (honouring the socket's timeout, or on a
    blocking socket the kernel's ``SocketOption.RCVTIMEO``: `WouldBlock` when it
    runs out), until at least one message is there, then returns what is queued, at most ``count``
    (and at most 1,024), without waiting to fill the batch.  With
    ``MsgFlag.DONTWAIT``, or on a non-blocking socket, it never waits.  With
    ``MsgFlag.PEEK`` it returns the first message only (every slot of a batch
    would see that one).  On a stream socket each message is a chunk of the
    stream, and its end is one empty message; bytes a `Socket.read` in
    ``ReadMode.NORMAL`` kept come first, as one message, as with every receive.

    Each `Message` has its data (at most ``bufsize`` bytes: ``MsgFlag.TRUNC`` in
    its ``flags`` when the datagram was longer), its sender's ``address`` and
    its typed control messages; received descriptors are owned as with
    `Socket.recvmsg`, and closed by sockkit whenever they cannot be handed over
    intact (truncated control data, an exception of any kind before the list is
    returned).

    Args:
        sock: the socket.
        count: the most messages to return (>= 1).
        bufsize: the most data bytes per message.
        ancbufsize: the room for control data per message (see `cmsg_space`).
        flags: ``MsgFlag`` values such as ``DONTWAIT`` or ``PEEK``.
        native: ``False`` receives with a loop of `Socket.recvmsg`, the path taken
            where the OS has no ``recvmmsg`` (for comparison and tests).

    Returns:
        The messages in the order they arrived; an empty list when the socket was
        shut down for reading while this waited.

    Raises:
        TypeError: an argument is not an int.
        ValueError: ``count`` < 1, a negative size, flags out of range, or
            ``MsgFlag.WAITALL`` on a stream socket (a batch returns what is queued).
        WouldBlock: non-blocking (or ``DONTWAIT``) and nothing queued.
        TimedOut: the socket's timeout ran out with nothing received.
        SocketClosedError: the socket is closed, or was closed while this waited.
        SocketError: any other failure, typed by errno (e.g. `ConnectionRefused`
            for an ICMP error queued on a connected UDP socket).
    """
    messages: list[Message] = []
    try:
        _receive_into(
            messages, sock, count, bufsize, ancbufsize=ancbufsize, flags=flags, native=native
        )
    except BaseException:
        for message in messages:
            message.close()
        raise
    return messages


def _receive_into(
    messages: list[Message],
    sock: Socket,
    count: int,
    bufsize: int,
    *,
    ancbufsize: int = 0,
    flags: int = 0,
    native: bool = True,
) -> None:
    """`recv_batch`, each message put into the caller's ``messages`` as it is made.

    Nothing received passes through a return on its way: whatever interrupts the
    call (even ``KeyboardInterrupt``), what was received is either in ``messages``
    for the caller to close or already closed here.
    """
    count, bufsize, ancbufsize, flags = check_receive(
        count, bufsize, ancbufsize, flags, stream=sock._type == _STREAM
    )
    _raise_pending(sock, _PENDING_RECV)
    if sock._lines is not None:  # what a line read kept comes first, as for every receive
        kept = sock._kept(bufsize, flags)
        if kept is not None:
            messages.append(Message([kept], nbytes=len(kept)))
            return
    if native and _mmsg.available:
        _recv_native(messages, sock, count, bufsize, ancbufsize=ancbufsize, flags=flags)
    else:
        _recv_loop(messages, sock, count, bufsize, ancbufsize=ancbufsize, flags=flags)
