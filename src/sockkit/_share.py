"""Hand a socket to another process: ``share(sock, pid) -> bytes`` and ``from_share(data)``.

On Windows this is ``socket.share`` (``WSADuplicateSocket``) and ``socket.fromshare``.

POSIX has no such call, so the same contract is kept with the tools it has: ``share``
duplicates the descriptor and starts a small server on a Unix socket named by the
returned token (an abstract name on Linux); ``from_share`` connects to it, and the
server passes the descriptor over ``SCM_RIGHTS`` once it has checked, with
``SO_PEERCRED``, that the importer is the target process (the importer checks the
exporter the same way). A token serves one import; a second import is refused.
[`release_share`][sockkit._share.release_share] stops the server and closes the
duplicate (every token is released when the process exits). The shared socket itself
stays open in both processes.

It sits below ``socket.py`` and works on descriptors and Python sockets, so
``Socket.share``/``Socket.from_share`` and ``compat``'s ``socket_wsaprotocol_info_*``
are thin calls of it.
"""

from __future__ import annotations

import atexit
import contextlib
import errno as _errno
import itertools
import os
import re
import socket as _s
import sys
import threading
from typing import Final

from sockkit._checks import INT_MAX, HasFileno, check_file, check_int, type_name
from sockkit._layouts import UCRED
from sockkit.errors import SocketError, from_errno, from_oserror

__all__ = ["from_share", "release_share", "share"]

_WINDOWS: Final = sys.platform == "win32"
_ABSTRACT: Final = sys.platform.startswith("linux")
_SO_PEERCRED: Final[int | None] = getattr(_s, "SO_PEERCRED", None)
_CLOEXEC: Final = int(getattr(_s, "MSG_CMSG_CLOEXEC", 0))
_PREFIX: Final = "sockkit_share_"
# prefix (letters and underscores), exporter pid, sequence number, random part
_TOKEN: Final = re.compile(r"[A-Za-z_]*?([0-9]+)_[0-9]+_[0-9a-f]{16}")
_TIMEOUT: Final = 10.0  # seconds a hand-over may take
# What the exporter answers before closing the connection.
_GRANTED: Final = b"\0"  # with the descriptor
_REFUSED: Final = b"\1"  # the importer is not the target process
_USED: Final = b"\2"  # the token has already served its import

_counter = itertools.count()
_lock = threading.Lock()
_exports: dict[str, _Export] = {}


def _address(token: str) -> str | bytes:
    """Where the exporter of ``token`` listens."""
    if _ABSTRACT:
        return b"\0" + token.encode()
    return os.path.join("/tmp", token + ".sock")  # pragma: no cover - not Linux


def _peer_pid(conn: _s.socket) -> int:
    """The process at the other end of a Unix stream connection (``SO_PEERCRED``)."""
    assert _SO_PEERCRED is not None
    raw = conn.getsockopt(_s.SOL_SOCKET, _SO_PEERCRED, UCRED.size)
    pid: int = UCRED.unpack(raw)[0]
    return pid


class _Export:
    """One shared socket: the duplicate descriptor and the server that hands it over."""

    __slots__ = ("fd", "listener", "stop", "target_pid", "thread", "token")

    def __init__(self, token: str, target_pid: int, fd: int, listener: _s.socket) -> None:
        self.token = token
        self.target_pid = target_pid
        self.fd = fd  # the duplicate, -1 once handed over or released
        self.listener = listener
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, name=token, daemon=True)

    def _serve(self) -> None:
        """Answer importers until released (runs in its own daemon thread)."""
        while not self.stop.is_set():
            try:
                conn, _peer = self.listener.accept()
            except OSError:
                if self.stop.is_set():
                    return
                continue
            with conn:
                if self.stop.is_set():
                    return
                self._answer(conn)

    def _take(self, peer: int) -> tuple[bytes, int]:
        """The answer for ``peer`` and, when granted, the descriptor taken out (else -1)."""
        with _lock:  # release() closes what is left
            if peer != self.target_pid:
                return _REFUSED, -1
            if self.fd < 0:
                return _USED, -1
            fd, self.fd = self.fd, -1
            return _GRANTED, fd

    def _answer(self, conn: _s.socket) -> None:
        try:
            conn.settimeout(_TIMEOUT)
            answer, fd = self._take(_peer_pid(conn))
        except OSError:
            return
        try:
            if fd < 0:
                conn.sendall(answer)
            else:
                _s.send_fds(conn, [answer], [fd])
        except OSError:
            if fd >= 0:
                with _lock:
                    if self.fd < 0 and not self.stop.is_set():
                        self.fd, fd = fd, -1  # not handed over: the token still serves
        if fd >= 0:
            os.close(fd)  # the importer has its own descriptor now

    def close(self) -> None:
        """Stop the server and close the duplicate (the shared socket is untouched)."""
        self.stop.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(_s.SHUT_RDWR)  # wakes accept() on Linux
        if self.thread.ident is not None:
            self.thread.join(0.5)
            if self.thread.is_alive():  # pragma: no cover - where shutdown() does not wake it
                with contextlib.suppress(OSError), _s.socket(_s.AF_UNIX) as waker:
                    waker.connect(_address(self.token))
                self.thread.join(_TIMEOUT)
        self.listener.close()
        with _lock:
            if self.fd >= 0:
                os.close(self.fd)
                self.fd = -1
        if not _ABSTRACT:  # pragma: no cover - not Linux
            with contextlib.suppress(OSError):
                os.unlink(_address(self.token))


def _check_target(pid: int) -> None:
    """Raise the typed error for a target process that does not exist."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        raise from_errno(_errno.ESRCH, "share") from None
    except PermissionError:
        pass  # it exists (another user's): it may still connect


def _listen(token: str) -> _s.socket:
    listener = _s.socket(_s.AF_UNIX, _s.SOCK_STREAM)
    try:
        listener.bind(_address(token))
        listener.listen(8)
    except BaseException:
        listener.close()
        raise
    return listener


def share(sock: HasFileno | int, pid: int, *, prefix: str = _PREFIX) -> bytes:
    """Share ``sock`` with the process ``pid``; return the bytes it imports it by.

    The calling process keeps its own socket. On POSIX a background thread serves the
    token until [`release_share`][sockkit._share.release_share] (or exit).

    Args:
        sock: a socket (anything with ``fileno()``) or a descriptor number.
        pid: the process that will call [`from_share`][sockkit._share.from_share].
        prefix: letters and underscores that start the token (``compat`` keeps PHP's).

    Raises:
        TypeError, ValueError: a bad ``sock`` or ``pid`` (``pid`` must be 1-2147483647).
        SocketError: no process ``pid`` (``errno`` ``ESRCH``), or the OS refused a step;
            ``OperationNotSupported`` where the OS cannot tell a peer's process.
    """
    fd = check_file(sock, "sock")
    pid = check_int(pid, "pid", 1, INT_MAX)
    if _WINDOWS:  # pragma: no cover - Windows
        return _share_windows(sock, pid)
    if _SO_PEERCRED is None:  # pragma: no cover - no SO_PEERCRED (macOS)
        raise from_errno(_errno.EOPNOTSUPP, "share")
    _check_target(pid)
    # os.urandom is what secrets.token_hex draws from; importing secrets (hashlib, hmac)
    # would cost every `import sockkit.compat` a few milliseconds.
    token = f"{prefix}{os.getpid()}_{next(_counter)}_{os.urandom(8).hex()}"
    try:
        duplicate = os.dup(fd)
    except OSError as exc:
        raise from_oserror(exc, "share") from None
    try:
        listener = _listen(token)
    except OSError as exc:
        os.close(duplicate)
        raise from_oserror(exc, "share") from None
    export = _Export(token, pid, duplicate, listener)
    with _lock:
        _exports[token] = export
    export.thread.start()
    return token.encode()


def _token(data: object) -> str:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data).decode("ascii", "replace")
    if isinstance(data, str):
        return data
    raise TypeError(f"data must be the bytes share() returned, got {type_name(data)}")


def _receive(client: _s.socket) -> _s.socket:
    """Read the exporter's answer: the socket, or the typed error for a refusal."""
    answer, fds, flags, _ = _s.recv_fds(client, 1, 1, _CLOEXEC)
    if answer == _GRANTED and len(fds) == 1 and not flags & getattr(_s, "MSG_CTRUNC", 0):
        return _s.socket(fileno=fds[0])
    for fd in fds:
        os.close(fd)
    code = {_REFUSED: _errno.EPERM, _USED: _errno.EINVAL}.get(answer, _errno.EPROTO)
    raise from_errno(code, "from_share")


def from_share(data: bytes) -> _s.socket:
    """Import the socket another process shared with this one.

    Args:
        data: the bytes [`share`][sockkit._share.share] returned in the other process.

    Returns:
        A new Python socket on the same connection (or listening socket).

    Raises:
        TypeError: ``data`` is not bytes.
        SocketError: ``FileNotFound`` (``ENOENT``) when nothing serves ``data``; errno
            ``EPERM`` when it was shared with another process or the server is not the
            process that shared it; ``EINVAL`` when it has already been imported.
    """
    token = _token(data)
    if _WINDOWS:  # pragma: no cover - Windows
        return _s.fromshare(bytes(data))  # type: ignore[attr-defined,no-any-return]
    match = _TOKEN.fullmatch(token)
    if match is None or "\0" in token:
        raise from_errno(_errno.ENOENT, "from_share")
    exporter = int(match.group(1))
    with _s.socket(_s.AF_UNIX, _s.SOCK_STREAM) as client:
        client.settimeout(_TIMEOUT)
        try:
            client.connect(_address(token))
        except OSError:
            raise from_errno(_errno.ENOENT, "from_share") from None
        try:
            if _peer_pid(client) != exporter:
                raise from_errno(_errno.EPERM, "from_share")  # not the exporter
            return _receive(client)
        except SocketError:
            raise
        except OSError as exc:
            raise from_oserror(exc, "from_share") from None


def release_share(data: bytes | str) -> bool:
    """Stop serving a token this process shared: ``True`` if it was being served.

    The shared socket itself stays open in both processes.
    """
    token = _token(data)
    with _lock:
        export = _exports.pop(token, None)
    if export is None:
        return False
    export.close()
    return True


@atexit.register
def _release_all() -> None:
    with _lock:
        pending = list(_exports.values())
        _exports.clear()
    for export in pending:
        export.close()


def _share_windows(sock: HasFileno | int, pid: int) -> bytes:  # pragma: no cover - Windows
    if isinstance(sock, _s.socket):
        return sock.share(pid)  # type: ignore[attr-defined,no-any-return]
    borrowed = _s.socket(fileno=sock if isinstance(sock, int) else sock.fileno())
    try:
        return borrowed.share(pid)  # type: ignore[attr-defined,no-any-return]
    except OSError as exc:
        raise from_oserror(exc, "share") from None
    finally:
        borrowed.detach()  # the caller keeps its socket
