"""``socket_select``: PHP's ``select()`` over [`Selector.wait`][sockkit.selector.Selector.wait].

The caller's arrays are filtered in place, as PHP's by-reference arrays are: a list
keeps the ready sockets in their order (compacted: a list cannot keep PHP's keys), a
dict keeps the keys of the ready sockets.  ``Selector.wait`` waits with epoll (a
registration kept per thread; ``selectors`` elsewhere), so there is no
``FD_SETSIZE`` ceiling: any number of sockets, any descriptor number (PHP 8.2
refuses descriptors of 1024 and above).
"""

from __future__ import annotations

import errno as _errno
from typing import Any, Final, Literal

from sockkit.compat import _messages as M
from sockkit.compat._coerce import REQUIRED, arguments, php_signature
from sockkit.compat._state import arg_error, fail, php_type
from sockkit.errors import SocketError
from sockkit.selector import Selector, _known_sockets
from sockkit.socket import Socket

__all__ = ["socket_select"]

_FUNCTION: Final = "socket_select"
_ARRAYS: Final = ((1, "read"), (2, "write"), (3, "except"))
_USEC: Final = 1_000_000
_REFUSED: Final = -1  # a timeout select() refuses with EINVAL
_LIST_OR_NONE: Final = frozenset({list, type(None)})


def _sockets(value: list[Any] | dict[Any, Any] | None) -> list[Any] | None:
    """The items of one array argument (``None`` for PHP's ``null``)."""
    if value is None or isinstance(value, list):
        return value
    return list(value.values())


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


def _check_sets(sets: list[list[Any] | None]) -> list[list[Any] | None]:
    """Every element a `Socket`, open, and at least one in all (PHP's checks, in its order)."""
    # The very Sockets of this thread's last wait, none closed since, need no check again:
    # a loop over the same sets then costs O(ready sockets), not O(sockets).
    known = _known_sockets(*(items or () for items in sets))
    total = 0
    for (position, name), items in zip(_ARRAYS, sets, strict=True):
        if items:
            if not known:
                _check_elements(position, name, items)
            total += len(items)
    if not total:
        raise ValueError(M.SELECT_NO_ARRAYS.format(function=_FUNCTION))
    return sets


def _timeout(sec: int | None, usec: int) -> float | None:
    """The wait in seconds: ``None`` for ever, `_REFUSED` for a negative time.

    Microseconds of a second or more are carried into the seconds, as PHP does.
    """
    if sec is None:
        return None
    if usec > _USEC - 1:
        sec, usec = sec + usec // _USEC, usec % _USEC
    if sec < 0 or usec < 0:
        return _REFUSED
    return sec + usec / _USEC if usec else sec


def _wait(
    arrays: tuple[Any, Any, Any], sets: tuple[Any, Any, Any], timeout: float | None
) -> int | Literal[False]:
    """Wait on ``sets``, then filter each array given down to its ready sockets."""
    try:
        ready = Selector.wait(*sets, timeout)
    except SocketError as exc:
        # A socket closed by another thread meanwhile, or the OS refusing the wait.
        fail(_FUNCTION, M.SELECT_FAILED, exc.errno or _errno.EBADF, None)
        return False
    count = 0
    for array, found in zip(arrays, ready, strict=True):
        if array is not None:
            count += _keep(array, found)
    return count


@php_signature
def socket_select(
    read: list[Socket] | dict[Any, Socket] | None = REQUIRED,
    write: list[Socket] | dict[Any, Socket] | None = REQUIRED,
    except_: list[Socket] | dict[Any, Socket] | None = REQUIRED,
    seconds: int | None = REQUIRED,
    microseconds: int = 0,
    *extra: object,
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
        ArgumentCountError: too few or too many arguments (PHP's texts).
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
        type(read) in _LIST_OR_NONE
        and type(write) in _LIST_OR_NONE
        and type(except_) in _LIST_OR_NONE
        and (seconds is None or (type(seconds) is int and seconds >= 0))
        and type(microseconds) is int
        and microseconds == 0
        and not extra
    ):
        # The loop's common call: lists of the very Sockets this thread waited on last,
        # none closed since (so every check below would pass), a whole-second timeout.
        sets_now: tuple[Any, Any, Any] = (read or (), write or (), except_ or ())
        if _known_sockets(*sets_now):
            return _wait((read, write, except_), sets_now, seconds)
    return _checked_select((read, write, except_, seconds, microseconds), extra)


def _checked_select(values: tuple[Any, ...], extra: tuple[Any, ...]) -> int | Literal[False]:
    """`socket_select` with every argument checked and coerced, as PHP checks them."""
    read, write, except_, sec, usec = arguments(_FUNCTION, values, extra)
    arrays = (read, write, except_)
    rs, ws, xs = _check_sets([_sockets(array) for array in arrays])
    timeout = _timeout(sec, usec)
    if timeout == _REFUSED:
        fail(_FUNCTION, M.SELECT_FAILED, _errno.EINVAL, None)
        return False
    return _wait(arrays, (rs or (), ws or (), xs or ()), timeout)
