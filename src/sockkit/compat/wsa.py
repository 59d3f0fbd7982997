"""``socket_wsaprotocol_info_*``: hand a socket to another process, by an id string.

On Windows this is PHP's mechanism: the bytes of ``socket.share()``
(``WSADuplicateSocket``) in the exporting process, kept in a named file mapping
called by the id, and ``socket.fromshare()`` in the importing process.

On POSIX the id is the token of ``sockkit._share.share`` (a hand-over server that
passes the descriptor to the target process only, checked with ``SO_PEERCRED``); these
functions translate its arguments, errors and warnings to PHP's.
"""

from __future__ import annotations

import errno as _errno
import itertools
import sys
import threading
from typing import Any, Final, Literal

from sockkit import _share
from sockkit._checks import INT_MAX
from sockkit.compat import _messages as M
from sockkit.compat._coerce import REQUIRED, arguments, php_signature
from sockkit.compat._state import strerror, warn
from sockkit.errors import SocketError
from sockkit.socket import Socket

__all__ = [
    "socket_wsaprotocol_info_export",
    "socket_wsaprotocol_info_import",
    "socket_wsaprotocol_info_release",
]

_PREFIX: Final = "php_wsa_for_"
_WINDOWS: Final = sys.platform == "win32"
_MAPPING_SIZE: Final = 4096  # Windows: room for the length and the shared bytes

_counter = itertools.count()
_lock = threading.Lock()
_mappings: dict[str, Any] = {}  # Windows: id -> the file mapping holding the shared bytes


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
    if not 0 < pid <= INT_MAX:
        return _export_failed(function, _errno.EINVAL)
    try:
        return _share.share(sock, pid, prefix=_PREFIX).decode()
    except SocketError as exc:
        return _export_failed(function, exc.errno or _errno.EINVAL)


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
    try:
        return Socket.from_stdlib(_share.from_share(text.encode()))
    except SocketError as exc:
        if exc.errno == _errno.ENOENT:
            warn(function, M.WSA_OPEN_FAILED.format(code=_errno.ENOENT))
            return False
        return _import_failed(function, exc.errno or _errno.EPROTO)


@php_signature
def socket_wsaprotocol_info_release(info_id: str = REQUIRED, *extra: object) -> bool:
    """Release an id this process exported: ``True`` if it was exported, else ``False``.

    PHP (Windows): ``socket_wsaprotocol_info_release(string $info_id): bool``

    The exported socket itself stays open in both processes.
    """
    text: str
    (text,) = arguments("socket_wsaprotocol_info_release", (info_id,), extra)
    if _WINDOWS:  # pragma: no cover - Windows
        with _lock:
            mapping = _mappings.pop(text, None)
        if mapping is None:
            return False
        mapping.close()
        return True
    return _share.release_share(text)


# --------------------------------------------------------------------- Windows


def _export_windows(  # pragma: no cover - Windows
    function: str, sock: Socket, pid: int
) -> str | Literal[False]:
    import mmap  # noqa: PLC0415

    try:
        shared = _share.share(sock, pid)
    except SocketError as exc:
        return _export_failed(function, exc.errno or 0)
    info_id = f"{_PREFIX}{next(_counter)}"
    try:
        mapping = mmap.mmap(-1, _MAPPING_SIZE, tagname=info_id)  # type: ignore[call-arg]
    except OSError as exc:
        code = getattr(exc, "winerror", None) or exc.errno or 0
        warn(function, M.WSA_CREATE_FAILED.format(code=code))
        return False
    mapping.write(len(shared).to_bytes(4, "little") + shared)
    with _lock:
        _mappings[info_id] = mapping
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
        return Socket.from_stdlib(_share.from_share(shared))
    except OSError as exc:
        code = getattr(exc, "winerror", None) or exc.errno or 0
        warn(function, M.WSA_IMPORT_FAILED.format(code=code, text=exc.strerror or ""))
        return False
