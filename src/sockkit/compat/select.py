"""``socket_select``: PHP's ``select()`` over [`Selector.wait`][sockkit.selector.Selector.wait].

The caller's arrays are filtered in place, as PHP's by-reference arrays are: a list
keeps the ready sockets in their order (compacted: a list cannot keep PHP's keys), a
dict keeps the keys of the ready sockets.  ``Selector.wait`` uses ``poll(2)``, so
there is no ``FD_SETSIZE`` ceiling: any number of sockets, any descriptor number
(PHP 8.2 refuses descriptors of 1024 and above).
"""

from __future__ import annotations

import errno as _errno
from typing import Any, Final, Literal

from sockkit.compat import _messages as M
from sockkit.compat._state import (
    arg_error,
    check_int,
    check_optional_int,
    fail,
    php_type,
)
from sockkit.errors import SocketError
from sockkit.selector import Selector, _known_sockets
from sockkit.socket import Socket

__all__ = ["socket_select"]

_FUNCTION: Final = "socket_select"
_ARRAYS: Final = ((1, "read"), (2, "write"), (3, "except"))
_USEC: Final = 1_000_000


def _sockets(position: int, name: str, value: object) -> list[Socket] | None:
    """The sockets of one array argument (``None`` for PHP's ``null``), type-checked."""
    if value is None:
        return None
    if isinstance(value, list):
        items: list[Any] = value
    elif isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, tuple):
        # A tuple cannot be filtered in place: PHP's error for a literal array.
        raise TypeError(arg_error(_FUNCTION, position, name, M.NOT_BY_REFERENCE))
    else:
        text = M.MUST_BE_TYPE.format(expected="?array", given=php_type(value))
        raise TypeError(arg_error(_FUNCTION, position, name, text))
    return items


def _check_elements(position: int, name: str, items: list[Any]) -> None:
    for item in items:
        if not isinstance(item, Socket):
            text = M.SELECT_ELEMENT_TYPE.format(given=php_type(item))
            raise TypeError(arg_error(_FUNCTION, position, name, text))
        if item.closed:
            raise TypeError(arg_error(_FUNCTION, position, name, M.SELECT_CLOSED))


def _keep(array: object, ready: list[Socket]) -> int:
    """Filter ``array`` in place down to ``ready``; return how many descriptors are ready."""
    if isinstance(array, list):
        array[:] = ready
    elif isinstance(array, dict) and len(ready) != len(array):
        wanted = {id(sock) for sock in ready}
        for key in [key for key, sock in array.items() if id(sock) not in wanted]:
            del array[key]
    if len(ready) < 2:
        return len(ready)
    # select() counts descriptors: a socket listed twice is ready once.
    return len({sock.fileno() for sock in ready})


def socket_select(
    read: list[Socket] | dict[Any, Socket] | None,
    write: list[Socket] | dict[Any, Socket] | None,
    except_: list[Socket] | dict[Any, Socket] | None,
    seconds: int | None,
    microseconds: int = 0,
) -> int | Literal[False]:
    """Wait until some of the given sockets are ready; keep only those in the arrays.

    PHP: ``socket_select(?array &$read, ?array &$write, ?array &$except, ?int $seconds,
    int $microseconds = 0): int|false``

    ``read``, ``write`` and ``except_`` (PHP's ``$except``) are lists or dicts of
    sockets, or ``None`` to leave a set out.  Each is filtered in place: a list keeps
    its ready sockets in order, a dict the keys of its ready sockets.  ``seconds=None``
    waits for ever; ``microseconds`` of a second or more are carried into
    ``seconds``.  Returns how many descriptors are ready (0 on timeout).

    A negative timeout fails as ``select()`` does: ``False`` and the warning
    ``Unable to select [22]: Invalid argument``, recorded as the thread's last error
    only.

    DEVIATIONS:
        Any number of sockets and any descriptor number works (``poll``, not
        ``select``); PHP 8.2 fails for a descriptor of ``FD_SETSIZE`` (1024) or more.
        A list cannot keep PHP's keys, so it is compacted; pass a dict to keep them.

    Raises:
        TypeError: an array holds something other than a `Socket`, or a closed one
            (PHP's texts); an argument of the wrong type.
        ValueError: no array holds any socket.

    Example:
        >>> from sockkit.compat import AF_UNIX, SOCK_STREAM, socket_create_pair, socket_write
        >>> pair = []
        >>> socket_create_pair(AF_UNIX, SOCK_STREAM, 0, pair)
        True
        >>> socket_write(pair[0], "ping")
        4
        >>> read = {"left": pair[0], "right": pair[1]}
        >>> socket_select(read, None, None, 0)
        1
        >>> list(read)
        ['right']
        >>> for sock in pair: sock.close()
    """
    if (
        (type(read) is list or read is None)
        and (type(write) is list or write is None)
        and (type(except_) is list or except_ is None)
        and (seconds is None or (type(seconds) is int and seconds >= 0))
        and type(microseconds) is int
        and microseconds == 0
    ):
        # The loop's common call: lists of the very Sockets this thread waited on last,
        # none closed since (so every check below would pass), a whole-second timeout.
        sets_now = (read or (), write or (), except_ or ())
        if _known_sockets(*sets_now):
            try:
                now = Selector.wait(*sets_now, seconds)
            except SocketError as exc:
                fail(_FUNCTION, M.SELECT_FAILED, exc.errno or _errno.EBADF, None)
                return False
            count = 0 if read is None else _keep(read, now[0])
            if write is not None:
                count += _keep(write, now[1])
            if except_ is not None:
                count += _keep(except_, now[2])
            return count
    arrays = (read, write, except_)
    sets = [
        _sockets(position, name, value)
        for (position, name), value in zip(_ARRAYS, arrays, strict=True)
    ]
    sec = check_optional_int(_FUNCTION, 4, "seconds", seconds)
    usec = check_int(_FUNCTION, 5, "microseconds", microseconds)
    rs, ws, xs = sets
    # The very Sockets of this thread's last wait, none closed since, need no check again:
    # a loop over the same sets then costs O(ready sockets), not O(sockets).
    known = _known_sockets(rs or (), ws or (), xs or ())
    total = 0
    for (position, name), items in zip(_ARRAYS, sets, strict=True):
        if items:
            if not known:
                _check_elements(position, name, items)
            total += len(items)
    if not total:
        raise ValueError(M.SELECT_NO_ARRAYS.format(function=_FUNCTION))
    timeout: float | None = None
    if sec is not None:
        if usec > _USEC - 1:
            sec, usec = sec + usec // _USEC, usec % _USEC
        if sec < 0 or usec < 0:
            fail(_FUNCTION, M.SELECT_FAILED, _errno.EINVAL, None)
            return False
        timeout = sec + usec / _USEC if usec else sec
    try:
        ready = Selector.wait(rs or (), ws or (), xs or (), timeout)
    except SocketError as exc:
        # A socket closed by another thread meanwhile, or the OS refusing the wait.
        fail(_FUNCTION, M.SELECT_FAILED, exc.errno or _errno.EBADF, None)
        return False
    count = 0
    for array, items, found in zip(arrays, sets, ready, strict=True):
        if items is not None:
            count += _keep(array, found)
    return count
