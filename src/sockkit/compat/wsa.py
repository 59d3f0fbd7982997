"""``socket_wsaprotocol_info_*``: hand a socket to another process, by an id string.

On Windows this is PHP's mechanism: ``socket.share()`` (``WSADuplicateSocket``) in the
exporting process, the shared bytes in a named file mapping called by the id, and
``socket.fromshare()`` in the importing process.

On POSIX the same contract is kept with the tools POSIX has.  Exporting duplicates the
descriptor and starts a small server on a Unix socket named by the id (an abstract
name on Linux); importing connects to it, and the exporter passes the descriptor over
``SCM_RIGHTS`` once it has checked, with ``SO_PEERCRED``, that the importer is the
target process (the importer checks the exporter the same way).  An id serves one
import; releasing it stops the server and closes the duplicate.
"""

from __future__ import annotations

import atexit
import contextlib
import errno as _errno
import itertools
import os
import re
import secrets
import socket as _s
import sys
import threading
from typing import Any, Final, Literal

import attrs

from sockkit.compat import _messages as M
from sockkit.compat._coerce import REQUIRED, arguments, php_signature
from sockkit.compat._state import strerror, warn
from sockkit.errors import SocketError
from sockkit.message import Message, Rights, cmsg_space
from sockkit.options import SocketOption
from sockkit.socket import Socket

__all__ = [
    "socket_wsaprotocol_info_export",
    "socket_wsaprotocol_info_import",
    "socket_wsaprotocol_info_release",
]

_PREFIX: Final = "php_wsa_for_"
_ID: Final = re.compile(_PREFIX + r"([0-9]+)_[0-9]+_[0-9a-f]{16}")
_WINDOWS: Final = sys.platform == "win32"
_ABSTRACT: Final = sys.platform.startswith("linux")
_TIMEOUT: Final = 10.0  # seconds a hand-over may take
# What the exporter answers before closing the connection.
_GRANTED: Final = b"\0"  # with the descriptor
_REFUSED: Final = b"\1"  # the importer is not the target process
_USED: Final = b"\2"  # the id has already served its import
_MAPPING_SIZE: Final = 4096  # Windows: room for the length and the shared bytes

_counter = itertools.count()
_lock = threading.Lock()
_exports: dict[str, Any] = {}


def _address(info_id: str) -> str | bytes:
    """Where the exporter of ``info_id`` listens."""
    if _ABSTRACT:
        return b"\0" + info_id.encode()
    return os.path.join("/tmp", info_id + ".sock")  # pragma: no cover - not Linux


@attrs.define
class _Export:
    """One exported socket: the duplicate descriptor and the server that hands it over."""

    info_id: str
    target_pid: int
    fd: int  # the duplicate, -1 once handed over or released
    listener: Socket
    stop: threading.Event = attrs.field(factory=threading.Event)
    thread: threading.Thread | None = None

    def serve(self) -> None:
        """Answer importers until released (runs in its own daemon thread)."""
        while not self.stop.is_set():
            try:
                conn, _peer = self.listener.accept()
            except SocketError:
                if self.stop.is_set():
                    return
                continue
            with conn:
                if self.stop.is_set():
                    return
                self._answer(conn)

    def _answer(self, conn: Socket) -> None:
        try:
            conn.timeout = _TIMEOUT
            peer = conn.get_option(SocketOption.PEERCRED).pid
        except SocketError:
            return
        with _lock:
            # Take the descriptor out under the lock: release() closes what is left.
            fd = -1
            if peer != self.target_pid:
                answer = _REFUSED
            elif self.fd < 0:
                answer = _USED
            else:
                answer, fd, self.fd = _GRANTED, self.fd, -1
        try:
            if fd < 0:
                conn.send(answer)
            else:
                conn.sendmsg(Message([_GRANTED], [Rights([fd])]))
        except SocketError:
            if fd >= 0:
                with _lock:
                    if self.fd < 0 and not self.stop.is_set():
                        self.fd, fd = fd, -1  # not handed over: the id still serves
        if fd >= 0:
            os.close(fd)  # the importer has its own descriptor now

    def close(self) -> None:
        """Stop the server and close the duplicate (the exported socket is untouched)."""
        self.stop.set()
        thread = self.thread
        with contextlib.suppress(SocketError):
            self.listener.shutdown()  # wakes accept() on Linux
        if thread is not None:
            thread.join(0.5)
            if thread.is_alive():  # pragma: no cover - where shutdown() does not wake it
                with contextlib.suppress(SocketError), Socket(_s.AF_UNIX, _s.SOCK_STREAM) as waker:
                    waker.connect(_address(self.info_id))
                thread.join(_TIMEOUT)
        self.listener.close()
        with _lock:
            if self.fd >= 0:
                os.close(self.fd)
                self.fd = -1
        if not _ABSTRACT:  # pragma: no cover - not Linux
            with contextlib.suppress(OSError):
                os.unlink(_address(self.info_id))


def _export_failed(function: str, code: int) -> Literal[False]:
    warn(function, M.WSA_EXPORT_FAILED.format(code=code, text=strerror(code)))
    return False


@php_signature
def socket_wsaprotocol_info_export(
    socket: Socket = REQUIRED,
    target_pid: int = REQUIRED,
    *extra: object,
) -> str | Literal[False]:
    """Export ``socket`` for the process ``target_pid``; return the id it imports it by.

    PHP (Windows): ``socket_wsaprotocol_info_export(Socket $socket, int $target_pid):
    string|false``

    The id is valid for the process ``target_pid`` only, and for one import.  The
    exporting process keeps its own socket; call `socket_wsaprotocol_info_release`
    once the other process has imported it.  Fails with ``False`` and the warning
    ``Unable to export WSA protocol info [0x00000003]: No such process`` when no
    process ``target_pid`` exists.

    POSIX: the exporter serves the id from a background thread, which passes a
    duplicate of the descriptor over a Unix socket named by the id to the target
    process (checked with ``SO_PEERCRED``).
    """
    function = "socket_wsaprotocol_info_export"
    sock: Socket
    sock, pid = arguments(function, (socket, target_pid), extra)
    if _WINDOWS:  # pragma: no cover - Windows
        return _export_windows(function, sock, pid)
    if pid <= 0:
        return _export_failed(function, _errno.EINVAL)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return _export_failed(function, _errno.ESRCH)
    except PermissionError:
        pass  # it exists (another user's): it may still connect
    except OverflowError:
        return _export_failed(function, _errno.EINVAL)
    info_id = f"{_PREFIX}{os.getpid()}_{next(_counter)}_{secrets.token_hex(8)}"
    try:
        fd = os.dup(sock.fileno())
    except OSError as exc:
        return _export_failed(function, exc.errno or _errno.EBADF)
    try:
        listener = Socket(_s.AF_UNIX, _s.SOCK_STREAM)
    except SocketError as exc:
        os.close(fd)
        return _export_failed(function, exc.errno or _errno.EMFILE)
    try:
        listener.bind(_address(info_id))
        listener.listen(8)
    except SocketError as exc:
        listener.close()
        os.close(fd)
        return _export_failed(function, exc.errno or _errno.EADDRINUSE)
    export = _Export(info_id, pid, fd, listener)
    export.thread = threading.Thread(target=export.serve, name=info_id, daemon=True)
    with _lock:
        _exports[info_id] = export
    export.thread.start()
    return info_id


def _import_failed(function: str, code: int) -> Literal[False]:
    warn(function, M.WSA_IMPORT_FAILED.format(code=code, text=strerror(code)))
    return False


@php_signature
def socket_wsaprotocol_info_import(
    info_id: str = REQUIRED,
    *extra: object,
) -> Socket | Literal[False]:
    """Import the socket another process exported for this one.

    PHP (Windows): ``socket_wsaprotocol_info_import(string $info_id): Socket|false``

    Returns a new `Socket` on the same connection (or listening socket).  An id that
    no process serves warns ``Unable to open file mapping [0x00000002]`` and returns
    ``False``; an id exported for another process, or already imported, warns
    ``Unable to import WSA protocol info [0x...]: ...``.
    """
    function = "socket_wsaprotocol_info_import"
    text: str
    (text,) = arguments(function, (info_id,), extra)
    if _WINDOWS:  # pragma: no cover - Windows
        return _import_windows(function, text)
    match = _ID.fullmatch(text)
    if match is None:
        warn(function, M.WSA_OPEN_FAILED.format(code=_errno.ENOENT))
        return False
    exporter = int(match.group(1))
    try:
        client = Socket(_s.AF_UNIX, _s.SOCK_STREAM)
    except SocketError as exc:
        return _import_failed(function, exc.errno or _errno.EMFILE)
    with client:
        try:
            client.timeout = _TIMEOUT
            client.connect(_address(text))
        except SocketError:
            warn(function, M.WSA_OPEN_FAILED.format(code=_errno.ENOENT))
            return False
        try:
            if client.get_option(SocketOption.PEERCRED).pid != exporter:
                return _import_failed(function, _errno.EPERM)  # not the exporter
            space = cmsg_space(_s.SOL_SOCKET, _s.SCM_RIGHTS, 1)
            with client.recvmsg(1, space) as answer:
                rights = [item for item in answer.control if isinstance(item, Rights)]
                if answer.data == _GRANTED and len(rights) == 1 and len(rights[0]) == 1:
                    [sock] = rights[0].sockets()
                    return sock
                if answer.data == _REFUSED:
                    return _import_failed(function, _errno.EPERM)
                if answer.data == _USED:
                    return _import_failed(function, _errno.EINVAL)
                return _import_failed(function, _errno.EPROTO)
        except SocketError as exc:
            return _import_failed(function, exc.errno or _errno.EPROTO)


@php_signature
def socket_wsaprotocol_info_release(info_id: str = REQUIRED, *extra: object) -> bool:
    """Release an id this process exported: ``True`` if it was exported, else ``False``.

    PHP (Windows): ``socket_wsaprotocol_info_release(string $info_id): bool``

    The exported socket itself stays open in both processes.
    """
    text: str
    (text,) = arguments("socket_wsaprotocol_info_release", (info_id,), extra)
    with _lock:
        export = _exports.pop(text, None)
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


# --------------------------------------------------------------------- Windows


def _export_windows(  # pragma: no cover - Windows
    function: str, sock: Socket, pid: int
) -> str | Literal[False]:
    import mmap  # noqa: PLC0415

    try:
        shared: bytes = sock.to_stdlib().share(pid)  # type: ignore[attr-defined]
    except OSError as exc:
        code = getattr(exc, "winerror", None) or exc.errno or 0
        return _export_failed(function, code)
    info_id = f"{_PREFIX}{next(_counter)}"
    try:
        mapping = mmap.mmap(-1, _MAPPING_SIZE, tagname=info_id)  # type: ignore[call-arg]
    except OSError as exc:
        code = getattr(exc, "winerror", None) or exc.errno or 0
        warn(function, M.WSA_CREATE_FAILED.format(code=code))
        return False
    mapping.write(len(shared).to_bytes(4, "little") + shared)
    with _lock:
        _exports[info_id] = mapping
    return info_id


def _import_windows(  # pragma: no cover - Windows
    function: str, info_id: str
) -> Socket | Literal[False]:
    import mmap  # noqa: PLC0415

    try:
        mapping = mmap.mmap(-1, _MAPPING_SIZE, tagname=info_id)  # type: ignore[call-arg]
    except OSError as exc:
        code = getattr(exc, "winerror", None) or exc.errno or 0
        warn(function, M.WSA_OPEN_FAILED.format(code=code))
        return False
    with mapping:
        size = int.from_bytes(mapping[:4], "little")
        shared = mapping[4 : 4 + size]
    if not size:
        warn(function, M.WSA_OPEN_FAILED.format(code=2))  # ERROR_FILE_NOT_FOUND
        return False
    try:
        return Socket.from_stdlib(_s.fromshare(shared))  # type: ignore[attr-defined]
    except OSError as exc:
        code = getattr(exc, "winerror", None) or exc.errno or 0
        warn(function, M.WSA_IMPORT_FAILED.format(code=code, text=exc.strerror or ""))
        return False
