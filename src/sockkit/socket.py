"""[`Socket`][sockkit.socket.Socket]: a BSD socket that is typed, closes itself and fails clearly.

A `Socket` wraps one Python ``socket.socket``.  It adds typed addresses, typed
option values, typed exceptions that carry the operation and the address, and
PHP's read/write semantics where sockkit promises them.  It adds nothing to the
success path of a call that the call does not need: errors are converted only
after the system call has failed.

Example:
    >>> with Socket.pair() as (left, right):
    ...     left.write_all(b"hello\\n")
    ...     right.read(100, ReadMode.NORMAL)
    b'hello\\n'
"""

from __future__ import annotations

import contextlib
import errno as _errno
import io
import math
import os
import select
import signal
import socket as _s
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from functools import partial as _partial
from itertools import starmap as _starmap
from operator import index as _index
from typing import IO, TYPE_CHECKING, Any, Final, NamedTuple, NoReturn, TypeVar, cast

from sockkit import _happy_eyeballs, _server
from sockkit._checks import (
    check_backlog,
    check_fd,
    check_flags,
    check_int,
    check_size,
    check_timeout,
    type_name,
)
from sockkit._platform import SIOCATMARK as _SIOCATMARK
from sockkit._platform import constant as _constant
from sockkit.address import (
    Address,
    Inet6Address,
    InetAddress,
    SockAddr,
    UnixAddress,
    _sender_address,
    _senders_of,
    from_sockaddr,
    to_sockaddr,
)
from sockkit.enums import AddressFamily, Protocol, ReadMode, Shutdown, SocketType
from sockkit.errors import BusyError, SocketClosedError, SocketError, from_errno, from_oserror
from sockkit.message import (
    _CLOEXEC,
    Message,
    _abandon,
    _Buffers,
    _contents,
    _install_socket_factory,
    _outgoing,
    _received,
    _received_fds,
)
from sockkit.options import Option, SocketOption, _OptionBase

if TYPE_CHECKING:
    import ssl

    from typing_extensions import Buffer, Self

    from sockkit.tls import TLSSocket

__all__ = ["Socket", "SocketPair"]

# Enum members bound once: evaluating ``ReadMode.NORMAL`` goes through the enum
# metaclass every time, which is measurable on a per-line read.
_NORMAL: Final = ReadMode.NORMAL
_BINARY: Final = ReadMode.BINARY
_R = TypeVar("_R")
# Plain ints, not the socket module's IntFlag members: ``flags | MsgFlag.X`` runs the
# enum machinery (about 1 µs), more than the system call it decorates.
_PEEK: Final = int(_s.MSG_PEEK)
# Writes never raise SIGPIPE: a closed peer is a BrokenPipe exception, not a dead process.
_NOSIGNAL: Final = int(getattr(_s, "MSG_NOSIGNAL", 0))
# sendfile() has no MSG_NOSIGNAL: SIGPIPE is blocked around it where the OS lets us.
_SIGPIPE: Final = (
    signal.SIGPIPE
    if hasattr(signal, "SIGPIPE")
    and hasattr(signal, "pthread_sigmask")
    and hasattr(signal, "sigtimedwait")
    else None
)
_SOMAXCONN: Final = _s.SOMAXCONN
# "No \r ahead" for _LineReader.cr: beyond any position a read may look at.
_NO_CR: Final = sys.maxsize
_STREAM: Final = int(_s.SOCK_STREAM)
_AF_UNIX: Final = getattr(_s, "AF_UNIX", -1)
_SOCK_DGRAM: Final = int(_s.SOCK_DGRAM)
_SNDTIMEO: Final = SocketOption.SNDTIMEO
_RCVTIMEO: Final = SocketOption.RCVTIMEO
# Where the flags are among the arguments of the socket module's sends.
_FLAGS_AT: Final = {"send": 1, "sendto": 1, "sendmsg": 2}
# The socket module's receives: where the flags are among their arguments, and what
# makes the result each returns at the end of data (see Socket._timed; made anew for
# every call, as recvmsg's list of control messages is the caller's).
_RECEIVES: Final[dict[str, tuple[int, Callable[[], object]]]] = {
    "recv": (1, bytes),
    "recv_into": (2, int),
    "recvfrom": (1, lambda: (b"", None)),
    "recvfrom_into": (2, lambda: (0, None)),
    "recvmsg": (2, lambda: (b"", [], 0, None)),
    "recvmsg_into": (2, lambda: (0, [], 0, None)),
}
# sockatmark(3) is an ioctl; its number is per platform.
_SO_PROTOCOL: Final = _constant("SO_PROTOCOL")


class _Closed:
    """Stands in for the Python socket once a `Socket` is closed.

    Every attribute is a callable that raises `SocketClosedError`, so the hot path
    needs no "is it closed?" test: a closed socket fails on its own.
    """

    __slots__ = ()

    # No timeout: a receive on a closed socket takes the direct path, which raises.
    timeout: Final = None

    def __getattr__(self, name: str) -> Any:
        def closed(*args: object, **kwargs: object) -> NoReturn:
            raise SocketClosedError(name)

        return closed

    def fileno(self) -> int:
        return -1

    def close(self) -> None:
        pass


_CLOSED: Final[Any] = _Closed()

# The first entry of every Socket's _calls, there for the Socket's whole life.
_NO_CALL: Final = "no call"

# Socket._sent_to before any sendto: a destination no caller can pass.
_NO_DESTINATION: Final[tuple[object, SockAddr]] = (object(), "")
# Socket._heard before any recvfrom: equal to no address the socket module returns.
_NO_SENDER: Final[tuple[object, Address | None]] = (object(), None)
_TYPED_ADDRESSES: Final = frozenset({InetAddress, Inet6Address, UnixAddress})

# Guards the moments of a Socket's life that several threads may race for: marking it
# closed, handing its close callbacks over, and releasing a descriptor whose close was
# deferred.  Never held during a system call that can block; closes are rare, so one
# lock for every socket costs nothing on the data path.  Reentrant: the garbage
# collector may run another Socket's finaliser (which closes it) in a thread that
# holds the lock, at any allocation inside it.
_LIFETIME: Final = threading.RLock()

# This process's generation: replaced in a forked child.  A call in flight counts
# itself in its socket's _calls with the generation it runs in, and retain()'s counts
# are kept with theirs, so a child can tell the calls and uses of its own threads
# from those of the parent's threads, which do not exist in it: its close() must not
# shut down (for the parent) a connection that no call of its own waits on, nor wait
# for calls that will never leave.
_generation: object = object()


def _fork_prepare() -> None:
    # Held across fork(): no other thread is inside a lifetime moment when the child
    # is made, so the child's copy of the lock is free and its counts consistent.
    _LIFETIME.acquire()


def _fork_parent() -> None:
    _LIFETIME.release()


def _fork_child() -> None:
    global _generation
    _generation = object()
    _LIFETIME.release()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_fork_prepare, after_in_parent=_fork_parent, after_in_child=_fork_child
    )


def _vacate(fd: int) -> None:
    """Put a dead socket in place of ``fd`` until the calls still using the number leave.

    The socket module retries a call that timed-waits (poll, then the call, again
    on ``EAGAIN``); after ``shutdown`` some files still answer ``EAGAIN`` (an
    unconnected UDP socket), so such a call would spin until its timeout.  ``dup2``
    swaps the file behind the number in one step: the number is never free for
    another file to take, and every further call on it fails at once (an
    unconnected stream socket reports hang-up and refuses I/O).  The last call out
    closes the number as usual.
    """
    if fd < 0 or not hasattr(os, "dup2") or sys.platform == "win32":
        return
    try:
        with _s.socket(_AF_UNIX, _s.SOCK_STREAM) as dead:
            os.dup2(dead.fileno(), fd, inheritable=False)
    except OSError:
        pass  # best effort: the calls still end with their timeout


_POLL: Final = getattr(select, "poll", None)  # none on Windows: select() there
_POLLIN: Final = getattr(select, "POLLIN", 1)
_POLLOUT: Final = getattr(select, "POLLOUT", 4)
_POLLERR: Final = getattr(select, "POLLERR", 8)
_HANGUP: Final = getattr(select, "POLLHUP", 16) | getattr(select, "POLLRDHUP", 0)
_SLICE: Final = 0.05
"""Seconds per wait on the descriptor in sockkit's own waits (`_ready`): a close() that
cannot shut the wait down is still seen."""
_DONTWAIT: Final = int(getattr(_s, "MSG_DONTWAIT", 0))  # none on Windows: nothing asks for it
_NOSIGNAL_DONTWAIT: Final = _NOSIGNAL | _DONTWAIT  # a timed send's first try (_send_first)
_NONBLOCK_TYPE: Final = int(getattr(_s, "SOCK_NONBLOCK", 0))
"""Given in a socket object's type, it makes the socket module set the object's timeout
to 0.0 without changing the descriptor's mode (none on Windows and macOS)."""
_batch: Any = None
"""``sockkit.batch``, imported by the first batch call (it builds on this module, loads ctypes)."""


def _load_batch() -> Any:
    global _batch
    from sockkit import batch  # noqa: PLC0415 - see _batch

    _batch = batch
    return batch


def _enum_or_int(enum_type: type[Any], value: int) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        return value


def _report_callback_error(callback: object, sock: Socket) -> None:
    """A close callback raised: report it as Python reports errors in finalizers."""
    hook = getattr(sys, "unraisablehook", None)
    exc = sys.exc_info()[1]
    if hook is None or exc is None:  # pragma: no cover - every supported Python has it
        return
    hook(
        _Unraisable(
            type(exc), exc, exc.__traceback__, f"Exception in close callback {callback!r}", sock
        )
    )


class _Unraisable(NamedTuple):
    exc_type: type[BaseException]
    exc_value: BaseException
    exc_traceback: Any
    err_msg: str
    object: object


class Socket:
    """A BSD socket.

    Args:
        family: the address family (default ``AddressFamily.INET``).
        type: the socket type (default ``SocketType.STREAM``).
        protocol: the protocol number (default 0: the family's default for the type).

    Raises:
        AddressFamilyNotSupported: the OS does not support the family.
        SocketError: any other failure of ``socket(2)``, typed by its errno.

    The socket is non-inheritable, closes when its ``with`` block ends, and warns
    with ``ResourceWarning`` if the garbage collector finds it open.

    Example:
        >>> with Socket(AddressFamily.INET, SocketType.DGRAM) as sock:
        ...     sock.bind(("127.0.0.1", 0))
        ...     sock.local_address.host
        '127.0.0.1'
    """

    __slots__ = (
        "__weakref__",
        "_callbacks",
        "_calls",
        "_counted",
        "_family",
        "_heard",
        "_held",
        "_holds",
        "_inherited",
        "_last_error",
        "_lines",
        "_nowait",
        "_retains",
        "_senders",
        "_sends_wait",
        "_sent_to",
        "_sock",
        "_type",
    )

    # The Python socket, or _CLOSED once this Socket is closed.  Only this module
    # touches it; every call that reaches the OS goes through _io (or counts itself
    # in _calls the same way), so close() knows exactly who is inside a call.
    _sock: _s.socket
    _family: int
    _type: int
    # The table of converted sender addresses for _family (see address._SENDERS).
    _senders: dict[object, Address]
    # sendto's last destination and its sockaddr, as one tuple (one store, so a
    # thread reads a matching pair); see _destination.
    _sent_to: tuple[object, SockAddr]
    # recvfrom's last sender, as the socket module gives it, and its typed address.
    _heard: tuple[object, Address | None]
    _last_error: int
    # One entry per call in flight inside the socket module on this socket, in any
    # thread (list.append and list.pop are atomic, with or without the GIL): the
    # generation it runs in (_generation), after a first entry that stays (_NO_CALL).
    # close() looks for this process's generation.  The first entry keeps the list
    # from ever emptying, as an emptied list frees its array and the next append
    # would allocate it again, on every call; and it costs a few bytes where a deque
    # would cost several hundred per socket.  In a forked child the parent's entries
    # stay below the child's, and each pop takes the child's own (the last).
    _calls: list[object]
    # Uses counted by retain(): those close() interrupts (a call that may block on
    # the descriptor outside this module) and those a close callback ends (an event
    # loop's registration).  Changed only under _LIFETIME.
    _retains: int
    _holds: int
    # The generation those counts were made in, and uses counted before a fork that
    # the forking thread may still end in the child (see _own_counts).
    _counted: object
    _inherited: int
    # Called once by close(), before the descriptor is released: the selectors this
    # socket is registered in, event loops waiting on it.  None once closed.  A tuple,
    # replaced whole under _LIFETIME: most sockets never have one, and share ().
    _callbacks: tuple[Callable[[Socket], object], ...] | None
    # The Python socket whose release close() deferred to the last call in flight.
    _held: Any
    # The NORMAL-mode line reader while it holds state (look-ahead, kept bytes or a
    # kept error); None otherwise, so the receive paths test one attribute.
    _lines: _LineReader | None
    # Whether this socket's sends wait for room in sockkit, not the kernel (a Unix
    # datagram socket: see _send_waiting), so the send paths test one attribute.
    _sends_wait: bool
    # A second socket object over this one's descriptor, without a timeout, for the
    # calls that must be the system call alone on a socket with a timeout (`_timed`,
    # MSG_DONTWAIT): a _NoWaitView, which never closes the number.  Made inside a
    # counted call, used only inside counted calls, dropped when the descriptor is
    # released (`_release`).  None until needed.
    _nowait: _NoWaitView | None

    def __init__(
        self,
        family: int = AddressFamily.INET,
        type: int = SocketType.STREAM,
        protocol: int = 0,
    ) -> None:
        family, type, protocol = _check_kind(family, type, protocol)
        self._sock = _CLOSED
        try:
            sock = _s.socket(family, type, protocol)
        except OSError as exc:
            raise from_oserror(exc, "socket") from None
        self._adopt(sock)

    def _adopt(self, sock: _s.socket) -> None:
        self._family = sock.family
        self._senders = _senders_of(sock.family)
        self._sent_to = _NO_DESTINATION
        self._heard = _NO_SENDER
        self._type = sock.type
        self._sends_wait = _unix_datagram(sock.family, sock.type)
        self._last_error = 0
        self._calls = [_NO_CALL]
        self._retains = self._holds = self._inherited = 0
        self._counted = _generation
        self._callbacks = ()
        self._held = None
        self._lines = None
        self._nowait = None
        self._sock = sock

    @classmethod
    def _wrap(cls, sock: _s.socket) -> Socket:
        self = cls.__new__(cls)
        self._adopt(sock)
        return self

    # ------------------------------------------------------------------ construction

    @classmethod
    def pair(
        cls,
        family: int = _AF_UNIX,
        type: int = SocketType.STREAM,
        protocol: int = 0,
    ) -> SocketPair:
        """Create a pair of connected sockets (``socketpair(2)``).

        The result unpacks as ``left, right`` and, used in ``with``, closes both.

        Raises:
            SocketError: typed by errno, e.g. ``OperationNotSupported`` for TCP.

        Example:
            >>> with Socket.pair() as (left, right):
            ...     left.send(b"x"), right.recv(1)
            (1, b'x')
        """
        family, type, protocol = _check_kind(family, type, protocol)
        try:
            one, two = _s.socketpair(family, type, protocol)
        except OSError as exc:
            raise from_oserror(exc, "socketpair") from None
        pair = SocketPair(cls._wrap(one), cls._wrap(two))
        # Each end is the other's peer: a datagram to it waits in the kernel for room in
        # the sender's own buffer, which poll(2) sees and a close's shutdown wakes (one
        # sent to an address still waits in _send_waiting: see _waits_for).
        pair[0]._sends_wait = pair[1]._sends_wait = False
        return pair

    @classmethod
    def from_stdlib(cls, sock: _s.socket) -> Socket:
        """Take over a Python ``socket.socket``'s descriptor; the new `Socket` owns it.

        ``sock`` is left detached (as after ``sock.detach()``): closing it is
        harmless, and its calls fail instead of reaching the descriptor.  Family,
        type, protocol and timeout carry over.

        Raises:
            TypeError: ``sock`` is not a ``socket.socket``.
            SocketClosedError: ``sock`` is already closed.
        """
        if not isinstance(sock, _s.socket):
            raise TypeError(f"sock must be a socket.socket, got {sock.__class__.__name__}")
        if sock.fileno() < 0:
            raise SocketClosedError("from_stdlib")
        # Ownership moves: the descriptor is taken out of ``sock`` (which is left
        # detached, so closing it later is harmless and using it fails with EBADF
        # rather than reaching a number that may name another file by then).
        timeout = sock.gettimeout()
        family, kind, proto = sock.family, sock.type, sock.proto
        fd = sock.detach()
        try:
            mine = _s.socket(family, kind, proto, fileno=fd)
            mine.settimeout(timeout)
        except BaseException:
            os.close(fd)
            raise
        return cls._wrap(mine)

    @classmethod
    def from_fd(cls, fd: int) -> Socket:
        """Wrap an open socket descriptor; the new `Socket` owns (and will close) it.

        Family, type and protocol are read from the descriptor.

        Raises:
            TypeError: ``fd`` is not an int.
            ValueError: ``fd`` is negative.
            NotASocket: the descriptor is not a socket.
            BadFileDescriptor: the descriptor is not open.
        """
        fd = check_fd(fd)
        try:
            sock = _s.socket(fileno=fd)
        except OSError as exc:
            raise from_oserror(exc, "socket(fileno)") from None
        return cls._wrap(sock)

    @classmethod
    def create_server(
        cls,
        address: object,
        *,
        backlog: int = 128,
        family: int | None = None,
        reuse_port: bool = False,
        dualstack: bool = False,
    ) -> Socket:
        """Create a listening stream socket bound to ``address``.

        ``address`` is ``(host, port)`` (``""`` listens on every IPv4 address), a
        typed address, or a Unix path.  ``SO_REUSEADDR`` is set on POSIX so a
        restarted server can bind at once.

        Args:
            address: where to listen.
            backlog: the ``listen()`` backlog.
            family: the address family; guessed from ``address`` when ``None``.
            reuse_port: set ``SO_REUSEPORT`` so several processes may listen.
            dualstack: an IPv6 listener that also accepts IPv4 (``IPV6_V6ONLY`` off).

        Raises:
            ValueError: a bad address, or ``dualstack`` for a non-IPv6 family or
                where the OS cannot do it.
            AddressInUse: another socket has the address.
            LookupFailed: a host name could not be resolved.

        Example:
            >>> with Socket.create_server(("127.0.0.1", 0)) as server:
            ...     server.get_option(SocketOption.ACCEPTCONN)
            True
        """
        return _server.create_server(
            cls, address, backlog=backlog, family=family, reuse_port=reuse_port, dualstack=dualstack
        )

    @classmethod
    def create_connection(
        cls,
        address: tuple[str, int] | Address,
        *,
        timeout: float | None = None,
        source_address: tuple[str, int] | Address | None = None,
        happy_eyeballs_delay: float = 0.25,
    ) -> Socket:
        """Connect a stream socket to ``(host, port)``, trying every address it resolves to.

        IPv6 and IPv4 addresses are raced as RFC 8305 ("Happy Eyeballs") says: the
        next attempt starts when the previous one fails or after
        ``happy_eyeballs_delay`` seconds, the first connection wins and every other
        socket is closed.

        Args:
            address: ``(host, port)``; the host may be a name or a numeric address.
            timeout: the whole connect's time limit, also left set on the socket.
            source_address: bind to this ``(host, port)`` before connecting.
            happy_eyeballs_delay: seconds before the next attempt starts.

        Raises:
            LookupFailed: the host could not be resolved.
            SocketError: every attempt failed; the raised error is the last
                attempt's, and ``.attempts`` lists every attempt's error in the
                order the attempts started.
        """
        return _happy_eyeballs.create_connection(
            cls,
            address,
            timeout=timeout,
            source_address=source_address,
            delay=happy_eyeballs_delay,
        )

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the socket.  Closing twice is harmless.

        The socket is marked closed first; then every close callback runs (the
        selectors it is registered in forget it and wake, event loops waiting on it
        wake); then, when calls of this process are inside a system call on it in
        other threads, the connection is shut down (``shutdown(2)``), which wakes
        them with `SocketClosedError`, and the descriptor is released by the last
        of them to leave.  Otherwise the descriptor is released at once, and a
        process that shares it (a forked child, a receiver over ``SCM_RIGHTS``)
        keeps a working connection.

        After ``close()``, ``fileno()`` returns -1, ``family`` and ``type`` still
        answer, and everything that would reach the OS raises `SocketClosedError`.
        """
        with _LIFETIME:
            sock = self._sock
            if sock is _CLOSED:
                return
            self._sock = _CLOSED
            callbacks, self._callbacks = self._callbacks, None
        self._lines = None
        self._notify_closed(callbacks)
        with _LIFETIME:
            if self._counted is not _generation:  # a forked child (a call only then)
                self._own_counts()
            busy = bool(self._in_call() or self._retains or self._holds)
            if busy:
                self._held = sock  # released by the last call in flight (_settle)
        if not busy:
            self._release(sock)
            return
        # close() alone wakes no thread blocked in a system call on the descriptor
        # (the kernel keeps the file alive for the call): shutdown() does.  Uses that
        # a close callback ends (retain(interrupt=False)) need no waking, and the
        # connection stays intact for a process that shares the descriptor.
        if self._in_call() or self._retains:
            with contextlib.suppress(OSError):
                sock.shutdown(_s.SHUT_RDWR)
        with _LIFETIME:
            # Only for calls inside the socket module (not for retain(): an event
            # loop waiting on the number is woken by its close callback, and keeps
            # its own registration of the number, which a swapped file would void).
            if self._held is sock and self._in_call():
                _vacate(sock.fileno())
        self._settle()

    def _notify_closed(self, callbacks: tuple[Callable[[Socket], object], ...] | None) -> None:
        for callback in callbacks or ():
            try:
                callback(self)
            except Exception:
                _report_callback_error(callback, self)

    def _in_call(self) -> bool:
        """Whether a call of this module is in flight on this socket, in any thread of
        this process (entries of another generation are the parent's, before a fork)."""
        return _generation in self._calls

    def _own_counts(self) -> None:
        """Under _LIFETIME, in a forked child: uses counted before the fork stop counting.

        They were the parent's threads' (gone here) or the forking thread's own, which
        it may still end: `release` takes those from ``_inherited``.  Called only when
        ``_counted`` is not this process's generation (no call, so no point where a
        signal handler could interrupt, on the usual path).
        """
        self._inherited += self._retains + self._holds
        self._retains = self._holds = 0
        self._counted = _generation

    def _settle(self) -> None:
        """Release the descriptor of a closed socket once no call is in flight on it."""
        with _LIFETIME:
            sock = self._held
            if self._counted is not _generation:  # a forked child (a call only then)
                self._own_counts()
            if sock is None or self._in_call() or self._retains or self._holds:
                return
            self._held = None
        self._release(sock)

    def _release(self, sock: _s.socket) -> None:
        """Release the descriptor (close ``sock``) once no call is in flight on it, and
        drop the no-wait view, which no call can use any more."""
        self._nowait = None
        sock.close()

    def detach(self) -> int:
        """Give up ownership of the descriptor and return it; the `Socket` is closed.

        Close callbacks run as for `close` (selectors forget the socket), but the
        descriptor stays open: it is the caller's now.  When a close callback could
        not end a use counted by ``retain(interrupt=False)`` at once (an event loop
        in another thread still has the number registered), the caller gets a
        duplicate of the descriptor, and the number itself is released when that
        use ends.

        Raises:
            SocketClosedError: the socket was already closed.
            BusyError: a call is in flight on the socket in another thread (the
                descriptor cannot change hands under it).
        """
        with _LIFETIME:
            sock = self._sock
            if sock is _CLOSED:
                raise SocketClosedError("detach")
            if self._counted is not _generation:  # a forked child (a call only then)
                self._own_counts()
            if self._in_call() or self._retains:
                raise BusyError("detach() while a call is in flight on this socket")
            self._sock = _CLOSED
            callbacks, self._callbacks = self._callbacks, None
        self._lines = None
        self._notify_closed(callbacks)
        with _LIFETIME:
            if not self._holds:
                self._nowait = None
                fd: int = sock.detach()
                return fd
            self._held = sock  # released when the last use ends (_settle)
        try:
            return os.dup(sock.fileno())
        except OSError as exc:
            raise from_oserror(exc, "detach") from None
        finally:
            self._settle()

    def retain(self, *, interrupt: bool = True) -> int:
        """Count one use of the descriptor outside this object's methods; return it.

        For code that uses the descriptor itself, such as a system call made through
        ``ctypes`` or an event loop waiting for readiness: until the matching
        `release`, ``close()`` treats the use as a call in flight (it runs the close
        callbacks and defers releasing the descriptor), so the number cannot name
        another file while it is in use.

        Args:
            interrupt: the use may block inside a system call on the descriptor, so
                ``close()`` shuts the connection down to wake it.  Pass ``False``
                for a use that never blocks (a non-blocking call, an ``ioctl``) or
                that a close callback ends, such as an event loop's registration:
                ``close()`` then leaves the connection intact (for a process
                sharing the descriptor) and only defers releasing it.

        Raises:
            SocketClosedError: the socket is closed.

        Example:
            >>> with Socket.pair() as (left, right):
            ...     fd = left.retain()
            ...     left.release()
            ...     fd == left.fileno()
            True
        """
        counted = False
        try:
            with _LIFETIME:
                sock = self._sock
                if sock is _CLOSED:
                    raise SocketClosedError("retain")
                fd: int = sock.fileno()  # a call: made before the use is counted
                if self._counted is not _generation:  # a forked child (a call only then)
                    self._own_counts()
                if interrupt:
                    self._retains += 1
                else:
                    self._holds += 1
                counted = True
        except BaseException:
            # Signal handlers run after calls, so a raising one may strike as the lock
            # is let go, the use counted: the caller could not end that use, and the
            # descriptor's release would be deferred for ever.
            if counted:
                self.release(interrupt=interrupt)
            raise
        return fd

    def release(self, *, interrupt: bool = True) -> None:
        """End one `retain` (pass the same ``interrupt``); the last use out of a closed
        socket releases its descriptor.

        Raises:
            RuntimeError: there is no such `retain` to end.
        """
        try:
            with _LIFETIME:
                if self._counted is not _generation:  # a forked child (a call only then)
                    self._own_counts()
                if interrupt and self._retains:
                    self._retains -= 1
                elif not interrupt and self._holds:
                    self._holds -= 1
                elif self._inherited:
                    self._inherited -= 1  # a use the forking thread made before the fork
                elif interrupt:
                    raise RuntimeError("release() without retain()")
                else:
                    raise RuntimeError("release(interrupt=False) without retain(interrupt=False)")
        finally:
            # Also when a raising signal handler strikes as the lock is let go: the
            # last use out of a closed socket releases its descriptor.
            if self._sock is _CLOSED:
                self._settle()

    def add_close_callback(self, callback: Callable[[Socket], object]) -> None:
        """Have ``callback(sock)`` run once when the socket closes.

        It runs in the thread that closes the socket, after the socket is marked
        closed and before its descriptor is released (so the number still names
        this socket).  An exception from it is reported through
        ``sys.unraisablehook`` and does not stop the close.

        Raises:
            SocketClosedError: the socket is already closed.
        """
        with _LIFETIME:
            callbacks = self._callbacks
            if callbacks is None:
                raise SocketClosedError("add_close_callback")
            self._callbacks = (*callbacks, callback)

    def remove_close_callback(self, callback: Callable[[Socket], object]) -> None:
        """Forget a callback given to `add_close_callback` (no error if it is not there)."""
        with _LIFETIME:
            callbacks = self._callbacks
            if callbacks is not None and callback in callbacks:
                at = callbacks.index(callback)
                self._callbacks = callbacks[:at] + callbacks[at + 1 :]

    def share(self, pid: int) -> bytes:
        """Share this socket with the process ``pid``; return the bytes it imports it by.

        Windows' ``socket.share``; on POSIX the descriptor is duplicated and handed
        over ``SCM_RIGHTS`` to that process only (checked with ``SO_PEERCRED``) when
        it calls `from_share`.  Both processes then hold the connection; this socket
        stays open.

        Raises:
            TypeError, ValueError: ``pid`` is not an int in 1-2147483647.
            SocketClosedError: the socket is closed.
            SocketError: no process ``pid``, or the OS refused
                (``OperationNotSupported`` where it cannot tell a peer's process).
        """
        from sockkit import _share  # noqa: PLC0415 - rare, and its imports are not free

        # The number stays this socket's while it is duplicated; not interrupting, as
        # nothing here blocks on it, and a close meanwhile must leave the connection
        # intact for the process it is being shared with.
        fd = self.retain(interrupt=False)
        try:
            return _share.share(fd, pid)
        finally:
            self.release(interrupt=False)

    @classmethod
    def from_share(cls, data: bytes) -> Socket:
        """Import a socket another process shared with this one (`share`).

        Raises:
            TypeError: ``data`` is not bytes.
            SocketError: nothing serves ``data`` (``FileNotFound``), it was shared
                with another process (``PermissionDenied``-like ``EPERM``), or it
                was already imported (``InvalidArgument``).
        """
        from sockkit import _share  # noqa: PLC0415 - rare, and its imports are not free

        return cls.from_stdlib(_share.from_share(data))

    @property
    def closed(self) -> bool:
        """Whether the socket is closed (also when closed through ``to_stdlib()``)."""
        return self._sock is _CLOSED

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_sock", _CLOSED) is _CLOSED:
            return
        text = f"unclosed {self!r}"
        # Closed before warning: under "-W error::ResourceWarning" the warning raises,
        # and the Python socket must not then be found unclosed a second time.
        self.close()
        warnings.warn(text, ResourceWarning, stacklevel=2, source=self)

    def fileno(self) -> int:
        """Return the descriptor, or -1 once closed."""
        fd: int = self._sock.fileno()
        return fd

    def to_stdlib(self) -> _s.socket:
        """Return a Python ``socket.socket`` for this socket (shared, not a copy).

        The returned object holds no descriptor of its own: each of its calls goes
        through this `Socket` (counted as in flight, so ``close()`` wakes it), and
        closing or detaching it closes or detaches this `Socket`.

        Raises:
            SocketClosedError: the socket is closed.
        """
        if self._sock is _CLOSED:
            raise SocketClosedError("to_stdlib")
        return _StdlibView(self)

    def makefile(
        self,
        mode: str = "rb",
        buffering: int | None = None,
        *,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> IO[Any]:
        """Return a file object reading and/or writing this socket.

        The file reads and writes through this `Socket`'s own methods, so a read
        blocked in it is woken by ``close()``.  Closing the file leaves the socket
        open (as with Python's ``socket.makefile``).

        Args:
            mode: ``"r"``, ``"w"``, ``"rw"``, with ``"b"`` for binary.
            buffering: as for ``open()``; ``0`` for unbuffered binary.
            encoding: text mode's encoding.
            errors: text mode's error handler.
            newline: text mode's newline handling.

        Raises:
            ValueError: an unknown mode.
            SocketClosedError: the socket is closed.
        """
        if self._sock is _CLOSED:
            raise SocketClosedError("makefile")
        from sockkit._socketfile import socket_file  # noqa: PLC0415 - rarely used

        return socket_file(self, mode, buffering, encoding=encoding, errors=errors, newline=newline)

    def start_tls(
        self,
        context: ssl.SSLContext,
        *,
        server_hostname: str | None = None,
        server_side: bool = False,
        suppress_ragged_eofs: bool = False,
        do_handshake: bool = True,
    ) -> TLSSocket:
        """Run TLS over this connected socket and return the [`TLSSocket`][sockkit.tls.TLSSocket].

        The `TLSSocket` owns this socket from then on (a failed handshake closes it);
        ``tls.unwrap()`` gives it back for plaintext.  See
        [`TLSSocket.start`][sockkit.tls.TLSSocket.start] for the arguments and errors.

        Raises:
            CertificateVerifyError: the peer's certificate did not verify.
            TLSHandshakeError: the handshake failed.
        """
        from sockkit.tls import TLSSocket  # noqa: PLC0415  (tls sits above socket)

        return TLSSocket.start(
            self,
            context,
            server_hostname=server_hostname,
            server_side=server_side,
            suppress_ragged_eofs=suppress_ragged_eofs,
            do_handshake=do_handshake,
        )

    # ------------------------------------------------------------------ state

    @property
    def family(self) -> AddressFamily | int:
        """The address family (an `AddressFamily`, or an int the enum lacks)."""
        return _enum_or_int(AddressFamily, self._family)  # type: ignore[no-any-return]

    @property
    def type(self) -> SocketType | int:
        """The socket type (a `SocketType`, or an int the enum lacks)."""
        return _enum_or_int(SocketType, self._type)  # type: ignore[no-any-return]

    @property
    def protocol(self) -> Protocol | int:
        """The protocol the OS reports (``SO_PROTOCOL``), or the one given at creation.

        Raises:
            SocketClosedError: the socket is closed.
        """
        sock = self._sock
        if sock is _CLOSED:
            raise SocketClosedError("protocol")
        number: int = sock.proto
        if _SO_PROTOCOL is not None:
            try:
                number = self._io("protocol", None, sock.getsockopt, _s.SOL_SOCKET, _SO_PROTOCOL)
            except SocketError as exc:
                if isinstance(exc, SocketClosedError):
                    raise
        return _enum_or_int(Protocol, number)  # type: ignore[no-any-return]

    @property
    def blocking(self) -> bool:
        """Whether calls wait (``True``) or fail with `WouldBlock` at once (``False``)."""
        return bool(self._sock.getblocking())

    @blocking.setter
    def blocking(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise TypeError(f"blocking must be a bool, got {value.__class__.__name__}")
        self._io("setblocking", None, self._sock.setblocking, value)

    @property
    def timeout(self) -> float | None:
        """Seconds a call may wait: ``None`` blocks, ``0.0`` never waits.

        A call that runs out of time raises `TimedOut`.  Receives with a timeout
        wait in sockkit, between tries that are the system call alone: a socket that
        ``poll(2)`` calls readable with nothing to receive (an error queue of
        `IPOption.RECVERR` reports) costs no CPU while it waits, and a datagram
        socket shut down for reading returns the end of data at once, as a blocking
        receive does.  Sends with a timeout try first too, and wait only when there is
        no room: a send that has room costs no ``poll(2)``.
        """
        value: float | None = self._sock.gettimeout()
        return value

    @timeout.setter
    def timeout(self, value: float | None) -> None:
        self._io("settimeout", None, self._sock.settimeout, check_timeout(value))

    @property
    def local_address(self) -> Address | None:
        """The address the socket is bound to (``getsockname``).

        ``None`` for an unnamed Unix socket.

        Raises:
            SocketClosedError: the socket is closed.
        """
        raw = self._io("getsockname", None, self._sock.getsockname)
        return from_sockaddr(self._family, raw)

    @property
    def peer_address(self) -> Address | None:
        """The address of the connected peer (``getpeername``).

        Raises:
            NotConnected: the socket is not connected.
            SocketClosedError: the socket is closed.
        """
        raw = self._io("getpeername", None, self._sock.getpeername)
        return from_sockaddr(self._family, raw)

    @property
    def last_error(self) -> int:
        """The errno of this socket's last failure, 0 if none (see `clear_error`)."""
        return self._last_error

    def clear_error(self) -> None:
        """Reset `last_error` to 0."""
        self._last_error = 0

    def atmark(self) -> bool:
        """Whether the read position is at the out-of-band mark (``sockatmark(3)``).

        Raises:
            OperationNotSupported: the platform has no ``SIOCATMARK``.
            SocketClosedError: the socket is closed.
        """
        if self._sock is _CLOSED:
            raise SocketClosedError("atmark")
        if _SIOCATMARK is None:
            raise from_errno(_errno.EOPNOTSUPP, "atmark")
        import fcntl  # noqa: PLC0415 - POSIX only, and atmark is rare
        import struct  # noqa: PLC0415

        # The ioctl uses the number: kept this socket's meanwhile (not interrupting:
        # the ioctl does not block, so a close meanwhile has nothing to wake).
        fd = self.retain(interrupt=False)
        try:
            raw = fcntl.ioctl(fd, _SIOCATMARK, bytes(4))
        except OSError as exc:
            raise self._error(exc, "atmark") from None
        finally:
            self.release(interrupt=False)
        return bool(struct.unpack("i", raw)[0])

    def __repr__(self) -> str:
        family = getattr(self.family, "name", self._family)
        kind = getattr(self.type, "name", self._type)
        sock = self._sock
        if sock is _CLOSED or sock.fileno() < 0:
            return f"<Socket {family} {kind} closed>"
        parts = [f"<Socket {family} {kind} fd={sock.fileno()}"]
        for label, getter in (("local", sock.getsockname), ("peer", sock.getpeername)):
            try:
                address = from_sockaddr(self._family, getter())
            except (OSError, ValueError):
                continue
            parts.append(f"{label}={address if address is not None else '<unnamed>'}")
        return " ".join(parts) + ">"

    # ------------------------------------------------------------------ errors

    def _error(self, exc: OSError, operation: str, address: object = None) -> SocketError:
        """Turn an ``OSError`` from the socket module into the typed exception."""
        if isinstance(exc, SocketError):
            if isinstance(exc, SocketClosedError) and self._sock is _CLOSED:
                return SocketClosedError(operation)  # (the stand-in named its own method)
            return exc
        if self._sock is _CLOSED:
            # Closed by another thread during the call: never report the OS's EBADF.
            return SocketClosedError(operation)
        return self._note(from_oserror(exc, operation, address))

    def _note(self, error: SocketError) -> SocketError:
        """Record a typed failure as `last_error`; return it.  `_error` passes every
        failure of the socket module here, ``sockkit.batch`` those it types itself
        from the errno its system calls return."""
        if error.errno:
            error._replaced = self._last_error  # for _unnote
            self._last_error = error.errno
        return error

    def _unnote(self, error: SocketError) -> None:
        """Take back `_note` of ``error``, a try's failure that was not the caller's
        (``sockkit.aio`` waits after a try's `WouldBlock` and tries again: a call
        that waited is no failure, as a blocking call's internal waits are none)."""
        if self._last_error == error.errno:
            self._last_error = getattr(error, "_replaced", self._last_error)

    def _flagged(self, name: str, flags: object, *args: Any, operation: str = "") -> Any:
        """``self._sock.<name>(*args)`` for a send given ``flags``, or a send of a socket
        whose sends wait here, inside its count.

        The socket module waits for readiness, up to the timeout, before every call
        on a socket with one, ``MSG_DONTWAIT`` or not (and retries on ``EAGAIN``
        until the timeout).  A send with ``MSG_DONTWAIT`` on such a socket is made
        through the no-wait view (`_view`), whose call is the system call alone.  A
        send without it waits in `_send_waiting` on a socket with a timeout, and on a
        blocking Unix datagram socket; its errors name ``operation`` (the caller's
        method, when not ``name``).
        """
        sock = self._sock
        if sock is _CLOSED:
            return getattr(sock, name)(*args)
        dontwait = _asks_dontwait(flags)
        timeout = sock.timeout
        if (
            not dontwait
            and name in _FLAGS_AT
            and (timeout or (timeout is None and self._waits_for(name, args)))
        ):
            return self._send_waiting(sock, name, args, operation or name, timeout)
        if not dontwait or not timeout:
            return getattr(sock, name)(*args)
        return getattr(self._view(sock), name)(*args)

    def _view(self, sock: _s.socket) -> _NoWaitView:
        """The no-wait view of ``sock`` (this socket's Python socket, which has a
        timeout): a second socket object over its descriptor, without a timeout, whose
        calls are the system call alone.  Made by the first call that needs it, inside
        that call's count (two threads may both make one: the view stored last is
        kept, and the other closes nothing when it goes).

        Its making leaves the descriptor's mode alone.  Under a default timeout
        (``socket.setdefaulttimeout``) a socket object made over a descriptor makes it
        non-blocking, and that mode is the descriptor's, shared with ``sock``: made so,
        the view would undo a change to blocking that another thread had just made.
        ``SOCK_NONBLOCK`` in the type gives the view its timeout of 0.0 instead (where
        the platform has no such flag, the race remains under a default timeout).
        """
        view = self._nowait
        if view is None:
            kind = self._type | _NONBLOCK_TYPE
            view = _NoWaitView(self._family, kind, sock.proto, sock.fileno())
            if view.timeout:  # no SOCK_NONBLOCK, and a default timeout: not here
                view.settimeout(0.0)
            self._nowait = view
        return view

    def _timed(
        self,
        sock: _s.socket,
        name: str,
        args: tuple[Any, ...],
        got: list[Any] | None = None,
        operation: str = "",
    ) -> Any:
        """``sock.<name>(*args)``, a receive on a socket with a timeout, waited for here,
        inside the caller's count.  With ``got``, the result is stored there by C code
        (a message's descriptors never pass through Python code) and None returned.

        The socket module waits for readiness before such a receive, and again after
        every ``EAGAIN`` until its timeout, so it spins a CPU where poll calls the
        socket readable while nothing can be received: an error queue alone
        (``IPOption.RECVERR`` reports), a datagram socket shut down for reading.  Here
        each try is the system call alone (``MSG_DONTWAIT``, through the no-wait view),
        and the waits between the tries are `_wait_again`'s, which pause where the
        readiness was false.  A wait that saw the socket shut down for reading and a try
        after it that would still block mean the end of data: the empty result that a
        blocking receive gives.  With ``MSG_DONTWAIT`` in its flags, one try.
        """
        timeout = sock.timeout  # as the call starts (another thread may change it)
        at, nothing = _RECEIVES[name]  # the flags come last, at ``at``
        if len(args) != at + 1:
            if not args or len(args) > at + 1:  # the socket module names what is wrong
                return getattr(sock, name)(*args)
            args = (*args, *(0,) * (at + 1 - len(args)))  # (a stdlib view's flags: 0)
        flags = _index(args[at])
        tried = (*args[:at], flags | _DONTWAIT)
        method = getattr(self._nowait or self._view(sock), name)
        deadline, kernel = 0.0, False
        false_ready = hung = 0
        while True:
            try:
                if got is None:
                    return method(*tried)
                got.extend(_starmap(method, (tried,)))
                return None
            except BlockingIOError:
                if flags & _DONTWAIT or timeout == 0.0:
                    raise
                if hung:  # shut down for reading: end of data
                    if got is None:
                        return nothing()
                    got.append(nothing())
                    return None
            if not deadline:  # the first wait (the clock is read only when one is needed)
                deadline, kernel = self._deadline(timeout, sending=False)
            ready, false_ready = _wait_again(
                self, sock.fileno(), _POLLIN, deadline, false_ready, operation=operation or name
            )
            if not ready:
                if kernel:  # (the timeout was taken away meanwhile: the kernel's ran out)
                    raise BlockingIOError(_errno.EAGAIN, os.strerror(_errno.EAGAIN))
                raise TimeoutError("timed out")
            hung = ready & _HANGUP

    def _receive(self, operation: str, name: str, *args: Any) -> Any:
        """``self._sock.<name>(*args)`` for a receive, inside the caller's count: waited
        for by `_timed` on a socket with a timeout (``operation`` names the caller's
        method in its errors)."""
        sock = self._sock
        if sock.timeout:
            return self._timed(sock, name, args, operation=operation)
        return getattr(sock, name)(*args)

    def _received_into(self, got: list[Any], name: str, args: tuple[Any, ...]) -> None:
        """`_receive`, its result stored in ``got`` by C code (see `_receive_message`)."""
        sock = self._sock
        if sock.timeout:
            self._timed(sock, name, args, got)
        else:
            got.extend(_starmap(getattr(sock, name), (args,)))

    def _waits_for(self, name: str, args: tuple[Any, ...]) -> bool:
        """Whether the send ``name(*args)`` waits in `_send_waiting`: on a Unix datagram
        socket, to its connected peer unless that peer is its pair's other end (see
        `pair`), and to any address given (the arguments after the flags)."""
        if self._sends_wait:
            return True
        addressed = len(args) > _FLAGS_AT[name] + 1
        return addressed and _unix_datagram(self._family, self._type)

    def _deadline(self, timeout: float | None, *, sending: bool) -> tuple[float, bool]:
        """When a call that waits in sockkit gives up: the socket's ``timeout`` from now,
        or on a blocking socket the kernel's own timeout for the direction
        (``SocketOption.SNDTIMEO``/``RCVTIMEO``, which a blocking call waiting in the
        kernel honours: `WouldBlock` when it runs out); whether it is the kernel's."""
        if timeout is not None:
            return time.monotonic() + timeout, False
        kernel: float = self.get_option(_SNDTIMEO if sending else _RCVTIMEO)
        return (time.monotonic() + kernel if kernel else math.inf), bool(kernel)

    def _send_first(self, sock: _s.socket, operation: str, data: Any, sockaddr: Any = None) -> int:
        """A send of ``data`` (``sendto`` when ``sockaddr`` is given), with no flag but
        ``MSG_NOSIGNAL``, on ``sock``, which has a timeout, inside the caller's count:
        first a try that is the system call alone (a send almost always has room: the
        socket module would wait for readiness first, one ``poll(2)`` more per call),
        then, when it would block, `_send_waiting`.  `_flagged` does the same for every
        other send; this is the hot paths' shorter way."""
        timeout = sock.timeout  # as the call starts (another thread may change it)
        view = self._nowait or self._view(sock)
        sent: int
        try:
            if sockaddr is None:
                sent = view.send(data, _NOSIGNAL_DONTWAIT)
            else:
                sent = view.sendto(data, _NOSIGNAL_DONTWAIT, sockaddr)
        except BlockingIOError:
            if sockaddr is None:
                sent = self._send_waiting(sock, "send", (data, _NOSIGNAL), operation, timeout)
            else:
                args = (data, _NOSIGNAL, sockaddr)
                sent = self._send_waiting(sock, "sendto", args, operation, timeout)
        return sent

    def _send_waiting(
        self,
        sock: _s.socket,
        name: str,
        args: tuple[Any, ...],
        operation: str,
        timeout: float | None,
    ) -> Any:
        """``sock.<name>(*args)``, a send that may wait, with the waiting done here
        (inside the caller's count): any send on a socket with a timeout, and a send of
        a blocking Unix datagram socket that `_waits_for`.

        With a timeout the socket module would wait for readiness before every send,
        one ``poll(2)`` more per call, though a send almost always has room: here the
        try comes first.  On a Unix datagram socket the kernel waits for room in the
        destination's queue on that queue, where no shutdown of this socket reaches
        it: a ``close()`` from another thread would not wake the send.  And
        ``poll(2)`` calls an unconnected sender writable whatever the destination's
        queue holds, so the socket module's timed wait would spin until its timeout.
        So each try is made with ``MSG_DONTWAIT`` (through the no-wait view on a
        socket with a timeout), and the waits between the tries are `_ready`'s (in
        slices: a close is seen), with pauses where the readiness was false
        (`_false_ready`), until ``timeout``: the socket's, read by the caller as the call
        started (0.0, set meanwhile by another thread: `WouldBlock` after the try).
        """
        at = _FLAGS_AT[name]
        tried = (*args[:at], args[at] | _DONTWAIT, *args[at + 1 :])
        deadline, kernel = 0.0, False
        false_ready = 0
        while True:
            try:
                if timeout is None:
                    return getattr(sock, name)(*tried)
                return getattr(self._view(sock), name)(*tried)
            except BlockingIOError:
                if timeout == 0.0:
                    raise
            if not deadline:  # the first wait (the clock is read only when one is needed)
                deadline, kernel = self._deadline(timeout, sending=True)
            ready, false_ready = _wait_again(
                self, sock.fileno(), _POLLOUT, deadline, false_ready, operation=operation
            )
            if not ready:
                if kernel:  # as the kernel's send timeout ends a blocking send
                    raise BlockingIOError(_errno.EAGAIN, os.strerror(_errno.EAGAIN))
                raise TimeoutError("timed out")

    # ------------------------------------------------------------------ connection

    def bind(self, address: object) -> None:
        """Bind the socket to ``address`` (``bind(2)``).

        Args:
            address: ``(host, port)`` for IPv4, ``(host, port[, flowinfo, scope_id])``
                for IPv6, a path (``str``) or abstract name (``bytes`` starting with
                ``b"\\0"``) for Unix sockets, or a typed address.

        Raises:
            ValueError: the address is malformed or of the wrong family (before any system call).
            AddressInUse: another socket is bound there.
            PermissionDenied: a privileged port or a protected path.
        """
        sockaddr = to_sockaddr(self._family, address)
        self._io("bind", sockaddr, self._sock.bind, sockaddr)

    def listen(self, backlog: int = _SOMAXCONN) -> None:
        """Mark the socket as accepting connections (``listen(2)``).

        Raises:
            TypeError: ``backlog`` is not an int.
            ValueError: ``backlog`` is negative.
        """
        self._io("listen", None, self._sock.listen, check_backlog(backlog))

    def accept(self) -> tuple[Socket, Address | None]:
        """Accept a connection (``accept(2)``): the new socket and the peer's address.

        The new socket is owned from the moment the OS hands it over: an exception
        (even ``KeyboardInterrupt``) before this method returns closes it.

        Raises:
            WouldBlock: a non-blocking listener has nothing pending.
            TimedOut: the socket's timeout expired.
            InvalidArgument: the socket is not listening.
        """
        # The new socket is stored by C code (list.extend over starmap) and adopted by
        # a wrapper made beforehand, so an exception at any point of this frame, or
        # on the way out of _io or _adopt, finds it here to close -- never a Python
        # socket or a Socket dropped unclosed.
        got: list[Any] = []
        new = Socket.__new__(Socket)
        new._sock = _CLOSED
        try:
            self._io("accept", None, got.extend, _starmap(self._sock.accept, ((),)))
            sock, raw = got[0]
            new._adopt(sock)
            return new, from_sockaddr(self._family, raw)
        except BaseException:
            new.close()
            for sock, _raw in got:
                sock.close()  # idempotent: closed once, whoever is first
            raise

    def connect(self, address: object) -> None:
        """Connect to ``address`` (``connect(2)``).

        For IP sockets the host may be a name, which the OS resolver looks up.

        Raises:
            ValueError: a malformed address, or a numeric one of the wrong family.
            ConnectionRefused: nothing listens there.
            InProgress: a non-blocking connect has started (wait for writability).
            TimedOut: the socket's timeout expired.
            LookupFailed: the host name could not be resolved.
        """
        sockaddr = to_sockaddr(self._family, address)
        self._sends_wait = _unix_datagram(self._family, self._type)  # (a new peer)
        self._io("connect", sockaddr, self._sock.connect, sockaddr)

    def shutdown(self, how: int = Shutdown.BOTH) -> None:
        """Shut down reading, writing or both (``shutdown(2)``).

        Raises:
            ValueError: ``how`` is not a `Shutdown` value.
            NotConnected: the socket is not connected.
        """
        if how not in (0, 1, 2) or isinstance(how, bool):
            check_int(how, "how", 0, 2)  # a TypeError for a non-int
            raise ValueError(f"how must be Shutdown.READ, WRITE or BOTH, got {how!r}")
        self._io("shutdown", None, self._sock.shutdown, how)

    # ------------------------------------------------------------------ the one I/O path

    def _io(self, operation: str, address: object, method: Callable[..., _R], *args: Any) -> _R:
        """Make one call of the Python socket, counted as in flight.

        Every call of this class that reaches the OS passes here, or (on the hot
        paths: ``recv``, ``recv_into``, ``read``, ``send``, ``write``) makes the same
        three steps inline, to save a frame per call: count, call, uncount.  ``method`` is a
        bound method of ``self._sock`` read by the caller, before the call is
        counted: a ``close()`` in between finds no call in flight and releases the
        descriptor at once, so the socket is checked again once the call is
        counted (the inline paths read ``self._sock`` only then).  ``sockkit.batch``
        passes a function of its own instead, which reads the descriptor number
        (``fileno()``) only inside the count.  Once the call
        is counted, ``close()`` sees it: it shuts the connection down to wake it
        and leaves releasing the descriptor to it (`_settle`), so the number the
        call uses cannot name another file before the call has left.

        An empty result (``b""``, 0, ``None``) from a socket closed meanwhile is the
        wake-up, not an answer: it raises `SocketClosedError`.
        """
        calls = self._calls
        try:
            # Counted inside the try: a signal handler raising as append returns (the
            # interpreter checks for signals after a C call) must not leave the count
            # one too high, which would defer this socket's close for ever.
            calls.append(_generation)
            if self._sock is _CLOSED:
                raise SocketClosedError(operation)  # closed before it was counted
            result = method(*args)
        except OSError as exc:
            raise self._error(exc, operation, address) from None
        finally:
            try:
                calls.pop()
            finally:  # also when a raising signal handler strikes as pop returns
                if self._sock is _CLOSED:
                    self._settle()
        if not result and self._sock is _CLOSED:
            raise SocketClosedError(operation)
        return result

    def _io_nowait(self, operation: str, method: Callable[..., _R], *args: Any) -> _R | None:
        """`_io` for the hot path of a non-blocking socket: ``None`` where the call would block.

        Counted exactly as `_io` is; only ``EAGAIN`` (``BlockingIOError``) is answered
        with ``None`` instead of a typed `WouldBlock`, whose building and raising
        costs more than the system call (``sockkit.aio`` tries every call first and
        waits only when it would block).
        """
        calls = self._calls
        try:
            calls.append(_generation)  # inside the try, as in _io
            if self._sock is _CLOSED:
                raise SocketClosedError(operation)  # closed before it was counted
            result = method(*args)
        except BlockingIOError:
            result = None
        except OSError as exc:
            raise self._error(exc, operation) from None
        finally:
            try:
                calls.pop()
            finally:
                if self._sock is _CLOSED:
                    self._settle()
        if not result and self._sock is _CLOSED:
            raise SocketClosedError(operation)
        return result

    # ------------------------------------------------------------------ data

    def recv(self, length: int, flags: int = 0) -> bytes:
        """Receive up to ``length`` bytes (``recv(2)``); ``b""`` means end of stream.

        Raises:
            ValueError: ``length`` is negative.
            WouldBlock: non-blocking, or ``MsgFlag.DONTWAIT`` given, and nothing to
                read (``DONTWAIT`` never waits, also on a socket with a timeout).
            TimedOut: the timeout expired.
            ConnectionReset: the peer reset the connection.
        """
        if self._lines is not None:
            kept = self._kept(length, flags)
            if kept is not None:
                return kept
        # _io's steps, inlined on this hot path (one frame less): count, call, uncount.
        calls = self._calls
        try:
            calls.append(_generation)
            sock = self._sock
            # Each argument the socket module parses costs: the usual call passes none.
            data: bytes = (
                (sock.recv(length) if flags == 0 else sock.recv(length, flags))
                if not sock.timeout
                else self._timed(sock, "recv", (length, flags))
            )
        except OSError as exc:
            raise self._error(exc, "recv") from None
        except (ValueError, OverflowError, TypeError) as exc:
            raise _bad_receive(exc, length, flags) from None
        finally:
            try:
                calls.pop()
            finally:
                if self._sock is _CLOSED:
                    self._settle()
        if not data and self._sock is _CLOSED:
            raise SocketClosedError("recv")  # the wake-up of a close, not an end of stream
        return data

    def recv_into(self, buffer: Buffer, nbytes: int = 0, flags: int = 0) -> int:
        """Receive into ``buffer`` (up to ``nbytes``, or its size when 0); return the count.

        Raises:
            ValueError: ``nbytes`` is negative or larger than the buffer.
            WouldBlock, TimedOut, ConnectionReset: as for `recv`.
        """
        if self._lines is not None:
            view = memoryview(buffer).cast("B")
            kept = self._kept(nbytes or len(view), flags)
            if kept is not None:
                view[: len(kept)] = kept
                return len(kept)
        calls = self._calls  # _io's steps, inlined on this hot path
        try:
            calls.append(_generation)
            sock = self._sock
            count: int = (
                sock.recv_into(buffer, nbytes, flags)
                if not sock.timeout
                else self._timed(sock, "recv_into", (buffer, nbytes, flags))
            )
        except OSError as exc:
            raise self._error(exc, "recv_into") from None
        except (ValueError, OverflowError, TypeError) as exc:
            raise _bad_receive(exc, nbytes, flags, "nbytes") from None
        finally:
            try:
                calls.pop()
            finally:
                if self._sock is _CLOSED:
                    self._settle()
        if not count and self._sock is _CLOSED:
            raise SocketClosedError("recv_into")  # the wake-up of a close
        return count

    def recvfrom(self, length: int, flags: int = 0) -> tuple[bytes, Address | None]:
        """Receive a datagram and its sender's address (``None`` for an unnamed sender).

        Raises:
            ValueError: ``length`` is negative.
            WouldBlock, TimedOut: as for `recv`.
        """
        if self._lines is not None:
            kept = self._kept(length, flags)
            if kept is not None:
                return kept, None
        calls = self._calls  # _io's steps, inlined on this hot path
        try:
            calls.append(_generation)
            sock = self._sock
            data, raw = (
                (sock.recvfrom(length) if flags == 0 else sock.recvfrom(length, flags))
                if not sock.timeout
                else self._timed(sock, "recvfrom", (length, flags))
            )
        except OSError as exc:
            raise self._error(exc, "recvfrom") from None
        except (ValueError, OverflowError, TypeError) as exc:
            raise _bad_receive(exc, length, flags) from None
        finally:
            try:
                calls.pop()
            finally:
                if self._sock is _CLOSED:
                    self._settle()
        if not data and self._sock is _CLOSED:
            raise SocketClosedError("recvfrom")  # closed by another thread while waiting
        heard = self._heard  # the last sender again: compared, not hashed
        if raw == heard[0]:
            return data, heard[1]
        # A connected stream socket has no sender address: Python gives None.
        if raw is None:
            return data, None
        try:
            address = self._senders.get(raw)  # converted for an earlier datagram
            if address is None:
                address = _sender_address(self._senders, self._family, raw)
        except (ValueError, TypeError):
            # A family with no typed address (netlink, packet...): the datagram is
            # the caller's all the same, with the address as the socket module gives it.
            return data, raw
        self._heard = (raw, address)
        return data, address

    def send(self, data: Buffer, flags: int = 0) -> int:
        """Send bytes (``send(2)``); returns how many were sent, which may be fewer.

        Raises:
            BrokenPipe: the peer has closed (never a ``SIGPIPE``).
            WouldBlock: non-blocking, or ``MsgFlag.DONTWAIT`` given, and the send
                buffer is full (``DONTWAIT`` never waits, also with a timeout).
        """
        # "flags | _NOSIGNAL" makes a new int (and runs the enum machinery, 0.6 µs,
        # for a MsgFlag): not for the usual 0.  (== 0, not truth: None is refused.)
        calls = self._calls  # _io's steps, inlined on this hot path
        try:
            calls.append(_generation)
            sock = self._sock
            if flags != 0 or self._sends_wait:
                count: int = self._flagged("send", flags, data, _index(flags) | _NOSIGNAL)
            else:
                count = (
                    sock.send(data, _NOSIGNAL)
                    if not sock.timeout
                    else self._send_first(sock, "send", data)
                )
        except OSError as exc:
            raise self._error(exc, "send") from None
        except (TypeError, OverflowError) as exc:
            raise _bad_send(exc, data, flags) from None
        finally:
            try:
                calls.pop()
            finally:
                if self._sock is _CLOSED:
                    self._settle()
        return count

    def sendto(self, data: Buffer, address: object, flags: int = 0) -> int:
        """Send a datagram to ``address``; returns the number of bytes sent.

        On a Unix datagram socket, a send that must wait for room in the
        destination's queue waits in sockkit rather than in the kernel (which waits
        on that queue, where no close of this socket reaches it): a ``close()`` from
        another thread wakes it, and its timeout (on a blocking socket,
        ``SocketOption.SNDTIMEO``) is kept without spinning.  The same holds for
        `send`, `write`, `write_all` and `sendmsg` (to a socket pair's other end,
        the kernel's wait, which a close wakes, is kept).

        Raises:
            ValueError: a malformed address or one of the wrong family.
            MessageTooLong: the datagram is larger than the protocol allows.
        """
        last = self._sent_to  # a loop sends to the same address object: checked once
        sockaddr = last[1] if address is last[0] else self._destination(address)
        calls = self._calls  # _io's steps, inlined on this hot path
        try:
            calls.append(_generation)
            sock = self._sock
            if flags != 0 or self._family == _AF_UNIX:  # (see _waits_for)
                count: int = self._flagged(
                    "sendto", flags, data, _index(flags) | _NOSIGNAL, sockaddr
                )
            else:
                count = (
                    sock.sendto(data, _NOSIGNAL, sockaddr)
                    if not sock.timeout
                    else self._send_first(sock, "sendto", data, sockaddr)
                )
        except OSError as exc:
            raise self._error(exc, "sendto", sockaddr) from None
        except (TypeError, OverflowError) as exc:
            raise _bad_send(exc, data, flags) from None
        finally:
            try:
                calls.pop()
            finally:
                if self._sock is _CLOSED:
                    self._settle()
        return count

    def _destination(self, address: object) -> SockAddr:
        """``to_sockaddr`` for `sendto`, remembered when ``address`` is sure to give it again.

        Raises:
            TypeError, ValueError: as `to_sockaddr`, naming the address.
        """
        sockaddr = to_sockaddr(self._family, address)
        # Only immutable values whose conversion depends on nothing else: a typed
        # address, or a tuple or path that to_sockaddr took as it is (not one that
        # went through parse_address, which may look up a scope's interface name).
        # The memo holds the object, so its identity cannot pass to another.
        if sockaddr is address or type(address) in _TYPED_ADDRESSES:
            self._sent_to = (address, sockaddr)
        return sockaddr

    def write(self, data: Buffer, length: int | None = None) -> int:
        """Write once, like PHP's ``socket_write``: at most ``length`` bytes, maybe fewer.

        Args:
            data: the bytes to write.
            length: write at most this many bytes (``None``: all of ``data``; more
                than its size is the same as its size).

        Returns:
            The number of bytes written, which may be less than asked.

        Raises:
            TypeError: ``data`` is not bytes-like (encode a ``str`` first).
            ValueError: ``length`` is negative.
            BrokenPipe, ConnectionReset, WouldBlock: as for `send`.
        """
        if length is not None:
            # length counts bytes, whatever the buffer's item size or shape.
            data = _bytes_view(data)[: check_size(length)]
        calls = self._calls  # _io's steps, inlined on this hot path
        try:
            calls.append(_generation)
            sock = self._sock
            count: int = (
                self._flagged("send", 0, data, _NOSIGNAL, operation="write")
                if self._sends_wait
                else sock.send(data, _NOSIGNAL)
                if not sock.timeout
                else self._send_first(sock, "write", data)
            )
        except OSError as exc:
            raise self._error(exc, "write") from None
        except TypeError as exc:
            raise _bad_send(exc, data, 0) from None
        finally:
            try:
                calls.pop()
            finally:
                if self._sock is _CLOSED:
                    self._settle()
        return count

    def write_all(self, data: Buffer) -> None:
        """Write all of ``data``, waiting as needed (``sendall``).

        Raises:
            BrokenPipe, ConnectionReset: the peer went away.
            TimedOut: the socket's timeout expired; some data may have been sent.
        """
        try:
            if self._sends_wait:  # one datagram, as sendall sends it: one send
                self._io(
                    "write_all",
                    None,
                    _partial(self._flagged, operation="write_all"),
                    "send",
                    0,
                    data,
                    _NOSIGNAL,
                )
            else:
                self._io("write_all", None, self._send_all, data)
        except TypeError as exc:
            raise _bad_send(exc, data, 0) from None

    def _send_all(self, data: Buffer) -> None:
        """``sendall`` with ``MSG_NOSIGNAL``, inside the caller's count.  On a socket with
        a timeout the first send is a try, the system call alone (see `_send_first`):
        most often it sends everything.  A rest is sent by `_send_waiting`, send after
        send, all within the timeout read as the call started (as ``sendall`` keeps
        it)."""
        sock = self._sock
        timeout = sock.timeout
        if not timeout:
            sock.sendall(data, _NOSIGNAL)
            return
        deadline = time.monotonic() + timeout
        try:
            sent: int = (self._nowait or self._view(sock)).send(data, _NOSIGNAL_DONTWAIT)
        except BlockingIOError:
            sent = -1  # nothing went, not even an empty datagram
        if sent == (len(data) if type(data) is bytes else memoryview(data).nbytes):
            return
        rest = _bytes_view(data)[max(sent, 0) :]
        while True:  # (at least one send: an empty datagram is one)
            left = deadline - time.monotonic()
            if left <= 0.0:
                raise TimeoutError("timed out")
            rest = rest[self._send_waiting(sock, "send", (rest, _NOSIGNAL), "write_all", left) :]
            if not rest:
                return

    def read(self, length: int, mode: int = ReadMode.BINARY) -> bytes:
        """Read like PHP's ``socket_read``.

        ``ReadMode.BINARY`` returns what one ``recv`` gives.  ``ReadMode.NORMAL``
        returns up to and including the first ``\\n`` or ``\\r``, never more than
        ``length`` bytes, and never a byte past the terminator.  On a blocking
        socket it waits for the rest of a line; a partial line at the end of the
        stream is returned, then ``b""``.  On a non-blocking socket it returns the
        part of a line that has arrived.

        Bytes a NORMAL read has taken off the socket are never lost: when the wait
        for the rest of a line times out they are returned; when it fails (the peer
        resets the connection) they are returned and the error is raised by the
        next receive on this socket; when a signal handler raises, the exception
        propagates and the bytes are returned by the next receive.

        Raises:
            ValueError: ``length`` is negative, or ``mode`` is not a `ReadMode`.
            WouldBlock: non-blocking and nothing has arrived.
            TimedOut: the timeout expired before any byte arrived.

        Example:
            >>> with Socket.pair() as (left, right):
            ...     left.write_all(b"ab\\r\\ncd")
            ...     left.shutdown(Shutdown.WRITE)
            ...     [right.read(100, ReadMode.NORMAL) for _ in range(4)]
            [b'ab\\r', b'\\n', b'cd', b'']
        """
        if mode == _NORMAL:
            return _LineReader.read(self, length)
        if mode != _BINARY:
            raise ValueError(f"mode must be ReadMode.BINARY or ReadMode.NORMAL, got {mode!r}")
        if self._lines is not None:
            kept = self._kept(length, 0)
            if kept is not None:
                return kept
        calls = self._calls  # _io's steps, inlined on this hot path
        try:
            calls.append(_generation)
            sock = self._sock
            data: bytes = (
                sock.recv(length)
                if not sock.timeout
                else self._timed(sock, "recv", (length, 0), operation="read")
            )
        except OSError as exc:
            raise self._error(exc, "read") from None
        except (ValueError, OverflowError, TypeError) as exc:
            raise _bad_receive(exc, length, 0) from None
        finally:
            try:
                calls.pop()
            finally:
                if self._sock is _CLOSED:
                    self._settle()
        if not data and self._sock is _CLOSED:
            raise SocketClosedError("read")  # the wake-up of a close
        return data

    def _kept(self, length: int, flags: int) -> bytes | None:
        """The gate of every receive path while the line reader holds state.

        Bytes a NORMAL read took off the socket and kept come first, then a kept
        error; a mere look-ahead is dropped (the receive is about to consume what
        it saw).  None: nothing kept, receive from the socket.
        """
        lines = self._lines
        if lines is None:
            return None
        if lines.kept:
            data = lines.kept[: check_size(length)]
            if not check_flags(flags) & _PEEK:
                lines.kept = lines.kept[length:]
                if not lines.kept and lines.error is None:
                    self._lines = None
            return data
        error = lines.error
        self._lines = None
        if error is not None:
            raise error
        return None

    def _keep(self, data: bytes) -> None:
        """Put bytes taken off the socket in front of whatever the next receive returns."""
        lines = self._lines
        if lines is None:
            lines = self._lines = _LineReader()
        lines.ahead = b""
        lines.kept = data + lines.kept

    def _keep_error(self, error: SocketError) -> None:
        """Have the next receive raise ``error`` (after any kept bytes)."""
        lines = self._lines
        if lines is None:
            lines = self._lines = _LineReader()
        lines.ahead = b""
        lines.error = error

    def sendfile(self, file: IO[bytes], offset: int = 0, count: int | None = None) -> int:
        """Send a regular file's contents (``sendfile(2)`` where possible).

        Args:
            file: a regular file opened in binary mode.
            offset: where to start in the file.
            count: how many bytes (``None``: to the end).

        Returns:
            The number of bytes sent.

        Raises:
            TypeError: ``file`` is not a binary file object.
            ValueError: negative ``offset`` or ``count``, or a text-mode file.
            BrokenPipe, ConnectionReset: the peer went away.
        """
        if isinstance(file, io.TextIOBase):
            raise ValueError("file must be opened in binary mode")
        if not callable(getattr(file, "read", None)):
            raise TypeError(f"file must be a binary file object, got {file.__class__.__name__}")
        check_size(offset, "offset")
        if count is not None:
            check_size(count, "count")
        if not offset and file.seekable():
            # The socket module's send() fallback (taken after sendfile(2) fails, e.g. on
            # EPIPE) reads from the current position when offset is 0: start at 0 too.
            file.seek(0)
        if _SIGPIPE is None or signal.getsignal(_SIGPIPE) is signal.SIG_IGN:
            return self._io("sendfile", None, self._sock.sendfile, file, offset, count)
        # sendfile(2) (and the socket module's send() fallback) cannot take
        # MSG_NOSIGNAL: hold SIGPIPE back in this thread and discard ours.
        pending = _SIGPIPE in signal.sigpending()
        signal.pthread_sigmask(signal.SIG_BLOCK, (_SIGPIPE,))
        try:
            return self._io("sendfile", None, self._sock.sendfile, file, offset, count)
        finally:
            if not pending and _SIGPIPE in signal.sigpending():
                signal.sigtimedwait((_SIGPIPE,), 0)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, (_SIGPIPE,))

    def sendmsg(self, message: Message, flags: int = 0) -> int:
        """Send one message (``sendmsg(2)``): its buffers gathered, with its control data.

        ``message.address`` is the destination (for an unconnected datagram
        socket); ``message.flags`` is ignored, as by ``sendmsg(2)``.  Descriptors
        of a `Rights` are read from its sockets and files now, at send time.

        Args:
            message: the buffers, control messages and address to send.
            flags: ``MsgFlag`` values (``MSG_NOSIGNAL`` is always added).

        Returns:
            The number of bytes sent; a stream socket may send fewer than all.

        Raises:
            TypeError: ``message`` is not a `Message`, or holds a value of the wrong type.
            ValueError: a malformed address or control message (before any system call).
            SocketClosedError: a `Rights` holds a socket that is closed.
            BrokenPipe: the peer has closed (never a ``SIGPIPE``).
            InvalidArgument: the kernel refused the control data.

        Example:
            >>> with Socket.pair() as (left, right):
            ...     left.sendmsg(Message([b"ab", b"cd"]))
            4
        """
        if not isinstance(message, Message):
            raise TypeError(f"message must be a Message, got {message.__class__.__name__}")
        address = message.address
        sockaddr = None if address is None else to_sockaddr(self._family, address)
        flags = check_flags(flags) | _NOSIGNAL  # any integer, as send takes; in range
        buffers, control = message.buffers, message.control
        if type(buffers) is not list or type(control) is not list:  # (no call otherwise)
            buffers, control = _contents(message)
        send: Callable[..., int] = (
            self._sock.sendmsg
            if not flags & _DONTWAIT
            and not self._sends_wait
            and (sockaddr is None or self._family != _AF_UNIX)  # (see _waits_for)
            and not self._sock.timeout  # (read again inside the count, by _flagged)
            else _partial(self._flagged, "sendmsg", flags)
        )
        held, ancdata = _outgoing(control) if control else ((), ())
        try:
            if sockaddr is None:
                return self._io("sendmsg", None, send, buffers, ancdata, flags)
            return self._io("sendmsg", sockaddr, send, buffers, ancdata, flags, sockaddr)
        finally:
            for source in held:
                source.release(interrupt=False)

    def recvmsg(self, bufsize: int, ancbufsize: int = 0, flags: int = 0) -> Message:
        """Receive one message (``recvmsg(2)``) with up to ``bufsize`` bytes of data.

        Size ``ancbufsize`` with `cmsg_space` (added up for several control
        messages).  Received descriptors arrive close-on-exec in an owning `Rights`;
        if the control data was truncated (``MsgFlag.CTRUNC`` in ``flags``) they
        are all closed and left out, and so they are if anything (even
        ``KeyboardInterrupt``) interrupts their hand-over.

        Args:
            bufsize: the most data bytes to receive.
            ancbufsize: the room for control data (0: none).
            flags: ``MsgFlag`` values such as ``PEEK`` or ``DONTWAIT``.

        Returns:
            A `Message` with one buffer, its control messages, the sender's
            address and the flags the kernel reported.

        Raises:
            ValueError: ``bufsize`` or ``ancbufsize`` is negative.
            WouldBlock: non-blocking and nothing to read.
            TimedOut: the timeout expired.

        Example:
            >>> with Socket.pair() as (left, right):
            ...     left.send(b"hi")
            ...     right.recvmsg(10).data
            2
            b'hi'
        """
        if type(flags) is not int:  # any integer, as recv takes: the call adds bits to it
            flags = check_flags(flags)
        if self._lines is not None:
            check_int(ancbufsize, "ancbufsize", 0)  # checked as it is without kept bytes
            kept = self._kept(bufsize, flags)
            if kept is not None:
                return Message([kept], nbytes=len(kept))
        out: list[Message] = []
        try:
            self._receive_message(out, "recvmsg", (bufsize, ancbufsize, flags | _CLOEXEC), None)
        except (ValueError, OverflowError, TypeError) as exc:
            _close_messages(out)
            raise _bad_message_receive(exc, bufsize, ancbufsize, flags) from None
        except BaseException:
            _close_messages(out)
            raise
        return out[0]

    def recvmsg_into(self, buffers: _Buffers, ancbufsize: int = 0, flags: int = 0) -> Message:
        """Receive one message into the caller's writable buffers, filled in order.

        As `recvmsg`, but the data lands in ``buffers`` (one writable buffer or a
        list of them) and ``Message.nbytes`` says how many bytes arrived.

        Args:
            buffers: a writable bytes-like object (``bytearray``, ``memoryview``…)
                or a list of them.
            ancbufsize: the room for control data (0: none).
            flags: ``MsgFlag`` values.

        Returns:
            A `Message` whose ``buffers`` are the caller's buffers.

        Raises:
            TypeError: a buffer is not writable.
            ValueError: ``ancbufsize`` is negative.
            WouldBlock, TimedOut: as for `recvmsg`.

        Example:
            >>> head, tail = bytearray(2), bytearray(8)
            >>> with Socket.pair() as (left, right):
            ...     left.send(b"hello")
            ...     right.recvmsg_into([head, tail]).nbytes
            5
            5
        """
        if type(flags) is not int:  # as in recvmsg
            flags = check_flags(flags)
        if isinstance(buffers, (bytearray, memoryview)):
            buffers = [buffers]
        elif not isinstance(buffers, list):
            buffers = list(buffers)  # type: ignore[arg-type]
        if self._lines is not None:
            check_int(ancbufsize, "ancbufsize", 0)  # checked as it is without kept bytes
            kept = self._kept(sum(memoryview(b).nbytes for b in buffers), flags)
            if kept is not None:
                return Message(buffers, nbytes=_scatter(kept, buffers))
        out: list[Message] = []
        try:
            self._receive_message(
                out, "recvmsg_into", (buffers, ancbufsize, flags | _CLOEXEC), buffers
            )
        except (ValueError, OverflowError, TypeError) as exc:
            _close_messages(out)
            raise _bad_message_receive(exc, 0, ancbufsize, flags) from None
        except BaseException:
            _close_messages(out)
            raise
        return out[0]

    def _receive_message(
        self,
        out: list[Message],
        operation: str,
        args: tuple[Any, ...],
        buffers: Any,
    ) -> None:
        """``recvmsg``/``recvmsg_into`` with the received descriptors owned at every moment.

        The result is stored by C code (``list.extend`` over ``starmap``) before any
        Python bytecode runs, so an exception raised by a signal handler right after
        the system call (``KeyboardInterrupt``) still finds it here, and the
        descriptors it carries are closed instead of lost.  The message goes into
        the caller's ``out`` rather than being returned: an exception on the way out
        of this frame would drop a returned value, and the caller closes what is in
        ``out`` then.
        """
        got: list[Any] = []
        cells: list[list[int]] | None = None
        try:
            self._io(operation, None, self._received_into, got, operation, args)
            payload, ancdata, msg_flags, raw = got[0]
            nbytes: int = len(payload) if buffers is None else payload
            if buffers is None:
                buffers = [payload]
            if ancdata:
                cells = _received_fds(ancdata)[0]
            out.append(
                _received(
                    buffers, nbytes, ancdata, msg_flags, raw, family=self._family, cells=cells
                )
            )
        except BaseException:
            if got:
                _abandon(got[0][1], cells)
            raise

    def send_batch(self, messages: Iterable[Message | Buffer], flags: int = 0) -> int:
        """Send several messages with one system call per batch (`sockkit.batch.send_batch`).

        Returns:
            How many messages were sent (an error after the first is raised next time).

        Example:
            >>> sock.send_batch([b"one", Message([b"two"], address=peer)])  # doctest: +SKIP
            2
        """
        sent: int = (_batch or _load_batch()).send_batch(self, messages, flags)
        return sent

    def recv_batch(
        self, count: int, bufsize: int, ancbufsize: int = 0, flags: int = 0
    ) -> list[Message]:
        """Receive up to ``count`` messages at once (`sockkit.batch.recv_batch`).

        Returns:
            The messages queued (at least one, unless shut down), each with its
            address, flags and control data.

        Example:
            >>> [m.data for m in sock.recv_batch(32, 2048)]  # doctest: +SKIP
            [b'one', b'two']
        """
        # Filled in place, not returned up through the batch module's frames: an
        # interrupt on the way finds every message received here, to close.
        got: list[Message] = []
        try:
            (_batch or _load_batch())._receive_into(
                got, self, count, bufsize, ancbufsize=ancbufsize, flags=flags
            )
        except BaseException:
            _close_messages(got)
            raise
        return got

    # ------------------------------------------------------------------ options

    def get_option(self, option: Option) -> Any:
        """Read a socket option, decoded to its typed value.

        Args:
            option: a member of `SocketOption`, `TCPOption`, `UDPOption`,
                `IPOption` or `IPv6Option`.

        Raises:
            TypeError: ``option`` is not an option member (use `get_option_raw` for numbers).
            ValueError: the option is write-only.
            ProtocolNotAvailable: the OS does not know the option for this socket.

        Example:
            >>> with Socket() as sock:
            ...     sock.get_option(SocketOption.TYPE)
            <SocketType.STREAM: 1>
        """
        if not isinstance(option, _OptionBase):
            raise TypeError(
                f"option must be an option enum member, got {option.__class__.__name__}"
                " (use get_option_raw for a level and number)"
            )
        if not option.readable:
            raise ValueError(f"{option.__class__.__name__}.{option.name} is write-only")
        codec = option.codec
        operation = f"getsockopt({option.name})"
        if codec.buflen is None:
            raw = self._io(operation, None, self._sock.getsockopt, option.level, option)
        else:
            raw = self._io(
                operation, None, self._sock.getsockopt, option.level, option, codec.buflen
            )
        return codec.decode(raw)

    def set_option(self, option: Option, value: Any) -> None:
        """Set a socket option from its typed value.

        Raises:
            TypeError: ``option`` is not an option member, or ``value`` has the wrong type.
            ValueError: the option is read-only, or ``value`` is out of range.
            SocketError: the OS refused, typed by errno (e.g. ``PermissionDenied``).

        Example:
            >>> with Socket() as sock:
            ...     sock.set_option(SocketOption.LINGER, Linger(True, 0))
            ...     sock.get_option(SocketOption.LINGER)
            Linger(enabled=True, seconds=0)
        """
        if not isinstance(option, _OptionBase):
            raise TypeError(
                f"option must be an option enum member, got {option.__class__.__name__}"
                " (use set_option_raw for a level and number)"
            )
        if not option.writable:
            raise ValueError(f"{option.__class__.__name__}.{option.name} is read-only")
        encoded = option.codec.encode(value)
        self._io(
            f"setsockopt({option.name})", None, self._sock.setsockopt, option.level, option, encoded
        )

    def get_option_raw(self, level: int, name: int, buflen: int | None = None) -> int | bytes:
        """Read an option by number: an int without ``buflen``, else up to ``buflen`` bytes.

        Raises:
            ValueError: ``buflen`` is not 1-1024.
            SocketError: typed by errno.
        """
        level, name = check_int(level, "level"), check_int(name, "name")
        if buflen is None:
            number: int = self._io("getsockopt", None, self._sock.getsockopt, level, name)
            return number
        buflen = check_int(buflen, "buflen", 1, 1024)
        # (typeshed's first overload of getsockopt is the int one: say which this is)
        data = self._io("getsockopt", None, self._sock.getsockopt, level, name, buflen)
        return cast("bytes", data)

    def set_option_raw(self, level: int, name: int, value: int | Buffer) -> None:
        """Set an option by number from an int or raw bytes.

        Raises:
            TypeError: ``value`` is neither an int nor bytes-like.
            SocketError: typed by errno.
        """
        level, name = check_int(level, "level"), check_int(name, "name")
        if isinstance(value, int):
            value = check_int(value, "value")
        self._io("setsockopt", None, self._sock.setsockopt, level, name, value)


# ---------------------------------------------------------------------- package-internal
# Non-raising forms of Socket's hot receive and send, for sockkit.aio: the same
# gate, checks and counted call as the methods, with None for "would block".


# Seconds a waiting call pauses between tries while poll(2) calls its socket ready
# and the try still finds nothing to do (see _false_ready), where a wait for readiness
# would return at once: 50 us, growing to 10 ms.  The short first pauses keep a sender
# to a full Unix queue as fast as its reader empties it (measured: a reader thread in
# the same process, 1 ms first pauses halved the rate); the long ones keep an error
# queue that stays from costing more than a few per cent of a CPU.
_FALSE_READY_PAUSES: Final = (0.00005, 0.0002, 0.001, 0.002, 0.005, 0.01)


def _false_ready_pause(tries: int) -> float:
    """The pause before the ``tries``-th try in a row (1, 2, ...) after a readiness
    the try before found false (`_false_ready`)."""
    return _FALSE_READY_PAUSES[min(tries, len(_FALSE_READY_PAUSES)) - 1]


def _false_ready(events: int, wanted: int) -> bool:
    """Whether ``events``, the socket's ``poll(2)`` events, may go on calling it
    ready for ``wanted`` (``POLLIN``, ``POLLOUT``) while a try finds nothing to do,
    so that a call waiting for readiness would spin rather than wait.

    Asked of the events a wait returned (the try after it would block again) or of
    the events now (after a try that would block).  Two cases:

    - ``POLLERR`` without ``wanted``: an error queue (``IP_RECVERR`` reports,
      ``MSG_ZEROCOPY`` completions, until read with ``MsgFlag.ERRQUEUE``), which
      no wait can leave out;
    - ``POLLOUT`` for a send: writability is the sender's own buffer, and a
      datagram to an unconnected Unix socket whose queue is full finds no room
      whatever that buffer holds.  (Elsewhere a send that poll calls writable
      finds room, unless another thread took it first: a pause then costs that
      send at most the pause.)

    A receive's ``POLLIN`` is not one: a datagram that poll sees is there to be
    received, or was received by another thread or dropped (a bad checksum), and
    the next wait then waits.
    """
    if wanted == _POLLOUT and events & _POLLOUT:
        return True
    return bool(events & _POLLERR) and not events & wanted


def _ready(sock: Socket, fd: int, event: int, deadline: float, operation: str) -> int:
    """Wait until ``fd`` is ready for ``event``; return the poll events (0: out of time).

    Waits in slices, so that a close() by another thread is seen even where it could
    not wake the poll by shutting the descriptor down.
    """
    # A receive also watches for the socket shut down for reading (where a datagram
    # socket's receive says "would block" for ever); a send sees a hang-up anyway.
    events = event | _HANGUP if event == _POLLIN else event
    while True:
        if sock.closed:
            raise SocketClosedError(operation)
        wait = _SLICE if deadline == math.inf else min(_SLICE, deadline - time.monotonic())
        if wait <= 0:
            return 0
        found = _poll_fd(fd, events, wait)
        if sock.closed:
            raise SocketClosedError(operation)
        if found:
            return found


def _wait_again(
    sock: Socket, fd: int, event: int, deadline: float, false_ready: int, *, operation: str
) -> tuple[int, int]:
    """One wait of a loop that tries, waits and tries again until ``deadline``: the
    pause called for by ``false_ready`` waits in a row whose readiness the try after
    them found false (`_false_ready`: the wait would end at once, the try fail
    again), then `_ready`.

    Returns:
        The poll events (0: out of time), and the count of such waits to pass to
        the next one (this one counts if the try after it fails too).
    """
    if false_ready:
        time.sleep(min(_false_ready_pause(false_ready), max(0.0, deadline - time.monotonic())))
    ready = _ready(sock, fd, event, deadline, operation)
    return ready, false_ready + 1 if _false_ready(ready, event) else 0


def _unix_datagram(family: int, kind: int) -> bool:
    """Whether sends of a socket of this family and type may wait on their
    destination's queue (see `Socket._send_waiting`)."""
    return family == _AF_UNIX and kind == _SOCK_DGRAM


def _asks_dontwait(flags: object) -> bool:
    """Whether ``flags`` (an int, or any integer with ``__index__``) has ``MSG_DONTWAIT``;
    flags of another type do not: the call they go to names them."""
    try:
        return bool(_index(flags) & _DONTWAIT)  # type: ignore[arg-type]
    except TypeError:
        return False


def _poll_fd(fd: int, events: int, seconds: float) -> int:
    """The ``poll(2)`` events of descriptor ``fd`` for ``events``, waiting up to
    ``seconds`` (0: none), with those poll reports unasked (``POLLERR``,
    ``POLLHUP``).  Where the OS has no ``poll``, ``POLLIN`` and ``POLLOUT`` alone,
    by ``select``.  The caller holds the descriptor."""
    if _POLL is None:
        reading = [fd] if events & _POLLIN else []
        writing = [fd] if events & _POLLOUT else []
        readable, writable, _ = select.select(reading, writing, [], seconds)
        return (_POLLIN if readable else 0) | (_POLLOUT if writable else 0)
    poller = _POLL()
    poller.register(fd, events)
    ready = poller.poll(seconds * 1000)
    return ready[0][1] if ready else 0


def _poll_now(sock: Socket, events: int) -> int:
    """`_poll_fd` of ``sock``'s descriptor, without waiting: a pending error makes a
    socket ready.

    The descriptor is held for the poll (`Socket.retain`), so the number polled
    names this socket.

    Raises:
        SocketClosedError: the socket is closed.
    """
    fd = sock.retain(interrupt=False)  # a poll that does not wait: nothing to wake
    try:
        return _poll_fd(fd, events, 0)
    finally:
        sock.release(interrupt=False)


def _recv_nowait(sock: Socket, length: int, flags: int = 0) -> bytes | None:
    """`Socket.recv` on a non-blocking socket; ``None`` instead of raising `WouldBlock`.

    `Socket._io_nowait`'s steps, inlined: this is every awaited receive's path.
    """
    if sock._lines is not None:
        kept = sock._kept(length, flags)
        if kept is not None:
            return kept
    calls = sock._calls
    try:
        calls.append(_generation)
        data: bytes | None = sock._sock.recv(length, flags)
    except BlockingIOError:
        data = None
    except OSError as exc:
        raise sock._error(exc, "recv") from None
    except (ValueError, OverflowError, TypeError) as exc:
        raise _bad_receive(exc, length, flags) from None
    finally:
        try:
            calls.pop()
        finally:
            if sock._sock is _CLOSED:
                sock._settle()
    if not data and sock._sock is _CLOSED:
        raise SocketClosedError("recv")
    return data


def _recv_into_nowait(sock: Socket, buffer: Buffer, nbytes: int = 0, flags: int = 0) -> int | None:
    """`Socket.recv_into` on a non-blocking socket; ``None`` instead of raising `WouldBlock`."""
    if sock._lines is not None:
        view = memoryview(buffer).cast("B")
        kept = sock._kept(nbytes or len(view), flags)
        if kept is not None:
            view[: len(kept)] = kept
            return len(kept)
    try:
        return sock._io_nowait("recv_into", sock._sock.recv_into, buffer, nbytes, flags)
    except (ValueError, OverflowError, TypeError) as exc:
        raise _bad_receive(exc, nbytes, flags, "nbytes") from None


def _send_nowait(sock: Socket, data: Buffer, operation: str = "send") -> int | None:
    """`Socket.send` (no flags) on a non-blocking socket; ``None`` instead of `WouldBlock`.

    `Socket._io_nowait`'s steps, inlined: this is every awaited send's path.
    """
    calls = sock._calls
    try:
        calls.append(_generation)
        sent: int | None = sock._sock.send(data, _NOSIGNAL)
    except BlockingIOError:
        sent = None
    except OSError as exc:
        raise sock._error(exc, operation) from None
    except (TypeError, OverflowError) as exc:
        raise _bad_send(exc, data, 0) from None
    finally:
        try:
            calls.pop()
        finally:
            if sock._sock is _CLOSED:
                sock._settle()
    if not sent and sock._sock is _CLOSED:
        raise SocketClosedError(operation)
    return sent


def _line_end(data: bytes) -> int:
    """One past the first ``\\n`` or ``\\r`` in ``data``, or 0 when there is none."""
    newline = data.find(b"\n")
    carriage = data.find(b"\r", 0, newline if newline >= 0 else len(data))
    if carriage >= 0:
        return carriage + 1
    return newline + 1


def _check_kind(family: object, kind: object, protocol: object) -> tuple[int, int, int]:
    """``socket(2)``'s three numbers, checked before the call (C ints; no negative family)."""
    return (
        check_int(family, "family", 0),
        check_int(kind, "type", 0),
        check_int(protocol, "protocol", 0),
    )


def _bytes_view(data: object) -> memoryview:
    """``data`` as a flat view of bytes, or a TypeError naming ``data``."""
    try:
        return memoryview(data).cast("B")  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"data must be bytes-like, got {type_name(data)}") from None


def _bad_receive(exc: Exception, length: object, flags: object, name: str = "length") -> Exception:
    """The error for a receive the socket module refused before the call: name the argument."""
    try:
        check_size(length, name)
        check_flags(flags)
    except (TypeError, ValueError) as precise:
        return precise
    return exc


def _bad_message_receive(
    exc: Exception, bufsize: object, ancbufsize: object, flags: object
) -> Exception:
    """As `_bad_receive`, for ``recvmsg``'s sizes."""
    try:
        check_size(bufsize, "bufsize")
        check_int(ancbufsize, "ancbufsize", 0)
        check_flags(flags)
    except (TypeError, ValueError) as precise:
        return precise
    return exc


def _bad_send(exc: Exception, data: object, flags: object) -> Exception:
    """The error for a send the socket module refused before the call: name the argument."""
    try:
        _bytes_view(data)
        check_flags(flags)
    except (TypeError, ValueError) as precise:
        return precise
    return exc


def _close_messages(messages: list[Message]) -> None:
    """A receive was interrupted after its message was made: close the descriptors it holds."""
    for message in messages:
        message.close()


def _scatter(data: bytes, buffers: list[Any]) -> int:
    """Copy ``data`` into ``buffers`` in order; return how many bytes were copied."""
    at = 0
    for buffer in buffers:
        view = memoryview(buffer).cast("B")
        part = data[at : at + len(view)]
        view[: len(part)] = part
        at += len(part)
    return at


class _LineReader:
    """NORMAL-mode state of one `Socket`, and the reads that use it.

    A NORMAL read peeks, then receives exactly up to the terminator.  What the peek
    saw beyond the line stays queued in the kernel and is remembered here
    (``ahead``), so the next line costs one ``recv`` instead of a peek and a recv.
    Every other receive path of the socket passes the gate (`Socket._kept`), which
    drops the look-ahead before it consumes anything.

    The look-ahead is only a prediction: another reader of the descriptor (a
    ``dup``, a forked child) may have taken bytes meanwhile.  So the bytes received
    are compared with the prediction; when they differ, the read keeps what it took
    beyond its terminator (``kept``) for the next receive, and falls back to peeking.
    ``kept`` also holds the bytes of a partial line when a signal handler raises,
    and ``error`` an error met after a partial line was returned: the next receive
    of any kind returns the bytes, then raises the error.
    """

    __slots__ = ("ahead", "at", "cr", "error", "kept")

    def __init__(self) -> None:
        self.ahead = b""  # peeked bytes still queued in the kernel
        self.at = 0  # where the next line starts in them
        self.cr = _NO_CR  # where their next \r is
        self.kept = b""  # bytes taken off the socket that belong to the next receive
        self.error: SocketError | None = None

    @staticmethod
    def read(sock: Socket, length: int) -> bytes:
        """``sock.read(length, ReadMode.NORMAL)``."""
        # (check_size raises for a bad length; a zero one reads nothing)
        if (length.__class__ is not int or length <= 0) and not check_size(length):
            return b""
        lines = sock._lines
        if lines is not None:
            if lines.kept or lines.error is not None:
                return _LineReader._from_kept(sock, length)
            line = lines._from_ahead(sock, length)
            if line is not None:
                return line
        return _LineReader._peek_line(sock, b"", length)

    def _from_ahead(self, sock: Socket, length: int) -> bytes | None:
        """The next line from the look-ahead with one exact recv; None: not in there."""
        ahead, at = self.ahead, self.at
        limit = at + length
        newline = ahead.find(b"\n", at, limit)
        end = self.cr
        if end < limit and (newline < 0 or end < newline):
            end += 1
            carriage = ahead.find(b"\r", end)
            self.cr = carriage if carriage >= 0 else _NO_CR
        elif newline >= 0:
            end = newline + 1
        else:
            sock._lines = None  # no whole line in it: peek afresh
            return None
        sock._lines = None  # dropped while the recv runs: a failure leaves no stale state
        line: bytes = sock._io("read", None, sock._receive, "read", "recv", end - at)
        if line == ahead[at:end]:
            if end < len(ahead):
                self.at = end
                sock._lines = self
            return line
        # The stream moved under the prediction (another reader took bytes): what
        # arrived is this read's, cut at its own terminator.
        return _LineReader._peek_line(sock, line, length, moved=True)

    @staticmethod
    def _from_kept(sock: Socket, length: int) -> bytes:
        lines = sock._lines
        assert lines is not None
        kept = lines.kept
        if not kept:
            sock._lines = None
            error, lines.error = lines.error, None
            assert error is not None
            raise error
        end = _line_end(kept[:length])
        if end or len(kept) >= length or lines.error is not None:
            # A whole line, a full one, or a partial one before a kept error (which
            # the next receive raises).
            take = end or length
            lines.kept = kept[take:]
            if not lines.kept and lines.error is None:
                sock._lines = None
            return kept[:take]
        sock._lines = None  # a partial line was kept: the rest comes from the socket
        return _LineReader._peek_line(sock, kept, length, moved=True)

    @staticmethod
    def _peek_line(sock: Socket, got: bytes, length: int, *, moved: bool = False) -> bytes:
        """Read the rest of a line after ``got``: peek, then take exactly up to the terminator.

        With ``moved``, ``got`` was taken off the socket without a peek and may hold
        a terminator, or bytes past one, which are kept for the next receive.
        """
        while True:
            if moved:
                end = _line_end(got)
                if end:
                    if end < len(got):
                        sock._keep(got[end:])
                    return got[:end]
                if len(got) >= length or sock._sock.gettimeout() == 0.0:
                    return got  # full, or non-blocking: what has arrived
            try:
                receive = sock._receive
                peeked: bytes = sock._io(
                    "read", None, receive, "read", "recv", length - len(got), _PEEK
                )
                if not peeked:
                    return got  # end of stream: the partial line, then b"" next time
                end = _line_end(peeked)
                data: bytes = sock._io("read", None, receive, "read", "recv", end or len(peeked))
            except (ValueError, OverflowError, TypeError) as exc:
                raise _bad_receive(exc, length, 0) from None
            except BaseException as exc:
                return _LineReader._interrupted(sock, got, exc)
            if end and data == peeked[:end]:
                if end < len(peeked) and not got and sock._type == _STREAM:
                    lines = _LineReader()
                    lines.ahead, lines.at = peeked, end
                    carriage = peeked.find(b"\r", end)
                    lines.cr = carriage if carriage >= 0 else _NO_CR
                    sock._lines = lines
                return got + data
            if not data:
                return got
            got += data
            moved = True

    @staticmethod
    def _interrupted(sock: Socket, got: bytes, exc: BaseException) -> bytes:
        """A receive failed after ``got`` was taken off the socket: lose nothing."""
        if not got:
            raise exc
        if isinstance(exc, (TimeoutError, BlockingIOError)):
            return got  # what has arrived is the answer; the next read reports the wait
        if isinstance(exc, SocketError) and not isinstance(exc, SocketClosedError):
            sock._keep_error(exc)  # e.g. the peer reset: this line first, the error next
            return got
        sock._keep(got)  # a signal handler raised: the bytes wait for the next receive
        raise exc


class _NoWaitView(_s.SocketType):
    """A socket object over a descriptor that another owns (see `Socket._view`).

    Freed, it closes nothing, however it goes: its finaliser stands in for the socket
    module's, which would close the number (by then, perhaps, another file's).  So
    whatever interrupts its making or its use (a raising signal handler at any
    bytecode) cannot make it close the number.
    """

    __slots__ = ()

    def __del__(self) -> None:
        pass


class _StdlibView(_s.socket):
    """What ``Socket.to_stdlib()`` returns: a Python socket that is a view of a `Socket`.

    It holds no descriptor of its own (its C-level descriptor stays -1, so a method
    not routed here fails with ``EBADF`` instead of reaching a reused number).
    Every call goes through the owning `Socket`: counted as in flight, woken by its
    close, receives passing the line reader's gate.  Closing or detaching the view
    closes or detaches the `Socket`.
    """

    __slots__ = ("_owner",)
    _owner: Socket

    def __init__(self, owner: Socket) -> None:  # no super().__init__(): no descriptor
        self._owner = owner

    family = property(lambda self: self._owner.family)
    type = property(lambda self: self._owner.type)
    proto = property(lambda self: self._owner._sock.proto)
    timeout = property(lambda self: self._owner.timeout)

    def fileno(self) -> int:
        return self._owner.fileno()

    def close(self) -> None:
        self._owner.close()

    def __exit__(self, *exc_info: object) -> None:
        self._owner.close()

    def detach(self) -> int:
        return self._owner.detach()

    def gettimeout(self) -> float | None:
        return self._owner.timeout

    def getblocking(self) -> bool:
        return self._owner.blocking

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        return self._owner.recv(bufsize, flags)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        return self._owner.recv_into(buffer, nbytes, flags)

    def recvfrom(self, bufsize: int, flags: int = 0) -> tuple[bytes, Any]:
        owner = self._owner
        kept = owner._kept(bufsize, flags)
        if kept is not None:
            return kept, None
        got: tuple[bytes, Any] = owner._io(
            "recvfrom", None, owner._receive, "recvfrom", "recvfrom", bufsize, flags
        )
        return got

    def recvmsg(self, *args: Any) -> Any:
        owner = self._owner
        if owner._lines is not None:
            owner._lines = None if owner._kept(0, _PEEK) is None else owner._lines
        return owner._io("recvmsg", None, owner._receive, "recvmsg", "recvmsg", *args)

    def accept(self) -> tuple[_s.socket, Any]:
        owner = self._owner
        sock, address = owner._io("accept", None, owner._sock.accept)
        return Socket._wrap(sock).to_stdlib(), address

    def makefile(self, mode: str = "r", buffering: int | None = None, **text: Any) -> Any:
        return self._owner.makefile(mode, buffering, **text)

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        return self._owner.sendfile(file, offset, count)

    def __repr__(self) -> str:
        return f"<stdlib view of {self._owner!r}>"

    def __getstate__(self) -> NoReturn:
        raise TypeError(f"cannot pickle {self.__class__.__name__!r} object")


def _view_owner(view: _StdlibView) -> Socket:
    """The `Socket` a ``to_stdlib()`` view is of (a selector registering the view
    registers that socket, whose close must unregister it)."""
    return view._owner


def _routed(name: str) -> Callable[..., Any]:
    """A method of `_StdlibView` that makes the same call on the owner's socket, counted."""

    def method(self: _StdlibView, *args: Any) -> Any:
        owner = self._owner
        return owner._io(name, None, getattr(owner._sock, name), *args)

    method.__name__ = method.__qualname__ = name
    return method


def _routed_receive(name: str) -> Callable[..., Any]:
    """`_routed` for a receive: made by the owner's `Socket._receive` (its timeout honoured
    without spinning)."""

    def method(self: _StdlibView, *args: Any) -> Any:
        owner = self._owner
        if name == "recvmsg_into" and args:  # (see _once)
            args = (_once(args[0]), *args[1:])
        return owner._io(name, None, owner._receive, name, name, *args)

    method.__name__ = method.__qualname__ = name
    return method


def _once(value: Any) -> Any:
    """An iterable argument (``sendmsg``'s buffers and control data, ``recvmsg_into``'s
    buffers) as a list, unless it is a list or tuple already: the socket module reads
    it once per call, and sockkit may try a call more than once (an iterator would be
    used up by the first try).  What is not iterable is returned as it is, for the
    socket module to name."""
    if isinstance(value, (list, tuple)):
        return value
    try:
        items = iter(value)
    except TypeError:
        return value
    return list(items)  # (what the caller's iterable raises, the caller gets)


def _routed_send(name: str) -> Callable[..., Any]:
    """`_routed` for a send: made by the owner's `Socket._flagged`, as the owner's own
    sends are (``MSG_DONTWAIT`` answered at once on a socket with a timeout; a send that
    must wait waits in sockkit, where a close wakes it).  The flags the socket module
    lets a call leave out are 0."""
    at = _FLAGS_AT[name]

    def method(self: _StdlibView, *args: Any) -> Any:
        owner = self._owner
        if name == "sendto" and len(args) == 2:  # sendto(data, address)
            args = (args[0], 0, args[1])
        elif len(args) <= at and args and name != "sendto":  # send(data), sendmsg(buffers…)
            args = (*args, *((),) * (at - len(args)), 0)
        try:
            flags = _index(args[at])
        except (IndexError, TypeError):  # the socket module names what is wrong
            return owner._io(name, None, getattr(owner._sock, name), *args)
        if name == "sendmsg":  # (iterables a try may use up: read once, as the module does)
            args = (_once(args[0]), _once(args[1]), *args[2:])
        return owner._io(name, None, owner._flagged, name, flags, *args)

    method.__name__ = method.__qualname__ = name
    return method


for _name in ("recvfrom_into", "recvmsg_into"):
    setattr(_StdlibView, _name, _routed_receive(_name))
for _name in _FLAGS_AT:
    setattr(_StdlibView, _name, _routed_send(_name))
for _name in (
    "bind",
    "connect",
    "connect_ex",
    "getpeername",
    "getsockname",
    "getsockopt",
    "listen",
    "sendall",
    "setblocking",
    "setsockopt",
    "settimeout",
    "shutdown",
):
    setattr(_StdlibView, _name, _routed(_name))
del _name


class SocketPair(NamedTuple):
    """Two connected sockets from [`Socket.pair`][sockkit.socket.Socket.pair].

    Unpacks like a tuple, and as a context manager closes both.
    """

    left: Socket
    right: Socket

    def __enter__(self) -> SocketPair:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close both sockets."""
        self.left.close()
        self.right.close()


def _sockets_of(fds: tuple[int, ...], made: list[Socket]) -> None:
    """`Rights.sockets`: put a `Socket` owning each of ``fds`` into ``made``, in order.

    The caller's `Rights` keeps the numbers until this returns.  Each `Socket` is in
    ``made`` before it adopts its descriptor, and each Python socket is stored by C
    code (``list.extend`` over ``starmap``) as it is made, so whatever interrupts,
    every descriptor taken so far is in an object this finds to detach: none is
    closed by a dropped socket while the `Rights` still holds its number.

    Raises:
        NotASocket: a descriptor is not a socket.
        BadFileDescriptor: a descriptor is not open.
    """
    pythons: list[_s.socket] = []
    try:
        for fd in fds:
            new = Socket.__new__(Socket)
            new._sock = _CLOSED
            made.append(new)
            pythons.extend(_starmap(_s.socket, ((-1, -1, -1, fd),)))
            new._adopt(pythons[-1])
    except BaseException as exc:
        for sock in made:
            sock._sock = _CLOSED  # closed without closing: the descriptor is not its
        made.clear()
        for python in pythons:
            python.detach()
        if isinstance(exc, OSError):
            raise from_oserror(exc, "socket(fileno)") from None
        raise


# Rights.sockets() (sockkit.message) wraps received descriptors with this; message.py
# cannot import this module (it is imported by it), so the factory is handed down.
_install_socket_factory(_sockets_of)
