"""PHP's sockets extension, flat and PHP-named: port ``socket_*`` code line by line.

``from sockkit.compat import *`` gives PHP's functions and constants::

    from sockkit.compat import *

    sock = socket_create(AF_INET, SOCK_STREAM, SOL_TCP)
    if sock is False or not socket_connect(sock, "127.0.0.1", 8080):
        print(socket_strerror(socket_last_error()))
    socket_write(sock, "GET / HTTP/1.0\\r\\n\\r\\n")
    buf = Ref()
    while socket_recv(sock, buf, 2048, 0):
        print(buf.value)
    socket_close(sock)

The conventions are PHP's (see the porting guide, ``docs/porting.md``):

* a failure returns ``False`` (``None`` where PHP returns ``null``), records the errno
  as the socket's and the thread's last error (`socket_last_error`), and emits a
  ``sockkit.SocketWarning`` with PHP's text; ``EAGAIN``/``EWOULDBLOCK``/``EINPROGRESS``
  are recorded without a warning.  `silenced` stands in for PHP's ``@``;
* argument errors raise ``ValueError``/``TypeError`` with PHP 8's text; using a closed
  socket raises ``sockkit.SocketClosedError`` with PHP's "has already been closed" text;
* typed parameters are coerced as in PHP's default mode (``"10"`` and ``10.0`` are
  ``int`` 10, ``12345`` is the string ``"12345"``), with PHP's deprecations as
  `PHPDeprecationWarning`; ``strict_types(True)`` gives ``declare(strict_types=1)``;
  missing or extra arguments raise `ArgumentCountError` with PHP's text;
* by-reference scalars take a `Ref`; by-reference arrays are lists/dicts changed in place;
* data read is ``bytes``; data written may be ``bytes`` or ``str`` (UTF-8); addresses are ``str``;
* sockets are ``sockkit.Socket`` objects (PHP 8's ``Socket`` class).

DEVIATIONS:
    Where PHP 8.2 loses data, hangs, leaks or silently truncates a value, compat does
    the safe thing instead:

    * a port outside 0-65535 is a ``ValueError`` (8.2 keeps the low 16 bits);
    * ``socket_read(..., PHP_NORMAL_READ)``: at the end of a stream a pending partial
      line is returned, then ``False`` with ``[104]: Connection reset by peer`` (8.2
      drops the partial line); on a non-blocking socket the part of a line that has
      arrived is returned and nothing-yet is ``False`` with ``EAGAIN`` recorded
      silently (8.2 spins); an expiring ``SO_RCVTIMEO`` returns the bytes read so far,
      or ``False`` with ``EAGAIN`` recorded silently (8.2 spins forever);
    * ``socket_create_listen`` closes a socket whose bind/listen failed once (8.2 twice);
    * a Unix path containing a NUL after its first byte is a ``ValueError`` (the
      kernel would cut it there); an empty one too (Linux would autobind);
      ``socket_sendto`` checks the path as ``socket_bind`` does (8.2 silently cuts
      it at 107 bytes or the first NUL);
    * abstract Unix names are ``str`` starting with ``"\\0"``, passed and reported byte
      for byte (8.2 reports them as ``""`` and cannot ``socket_sendto`` them);
    * ``socket_set_option`` refuses what 8.2 would truncate: an ``int`` value outside
      the C ``int`` range, ``l_onoff``/``l_linger`` outside 0-65535 (8.2 casts to
      ``unsigned short``), ``"sec"`` outside 0-2147483647 or ``"usec"`` outside
      0-999999, an interface or congestion-control name of 16 bytes or more;
    * ``socket_get_option(..., SO_BINDTODEVICE)`` returns the interface name (8.2
      returns uninitialised memory as an ``int``, or fails with ``EINVAL``);
    * a failed host lookup records the code of that lookup (``-10001`` for an unknown
      host); 8.2's ``AF_INET`` path records whatever ``h_errno`` an earlier lookup left;
    * a negative ``socket_listen`` backlog asks for the system maximum, as the kernel
      reads it (Python's ``listen()`` alone would make it 0);
    * ``socket_last_error()`` without a socket is per thread (PHP: per request), and
      `silenced` is per thread;
    * ``socket_atmark`` (PHP 8.3) is provided;
    * ``socket_select`` works above ``FD_SETSIZE`` and keeps a dict's keys (a list is
      compacted); ``socket_sendmsg`` sends ``SCM_RIGHTS`` sockets unshifted;
      ``socket_recvmsg`` closes descriptors it cannot hand over intact
      (``MSG_CTRUNC``, a conversion error); the iovec API and
      ``socket_wsaprotocol_info_*`` are provided everywhere.  Each function's
      docstring and the porting page list the details.
"""

from __future__ import annotations

from sockkit.addrinfo import AddrInfo
from sockkit.compat import constants
from sockkit.compat._coerce import ArgumentCountError, strict_types
from sockkit.compat._state import PHPDeprecationWarning, Ref, silenced
from sockkit.compat.addrinfo import (
    socket_addrinfo_bind,
    socket_addrinfo_connect,
    socket_addrinfo_explain,
    socket_addrinfo_lookup,
)
from sockkit.compat.constants import *  # noqa: F403 - PHP's constants, as the OS defines them
from sockkit.compat.functions import (
    socket_accept,
    socket_atmark,
    socket_bind,
    socket_clear_error,
    socket_close,
    socket_connect,
    socket_create,
    socket_create_listen,
    socket_create_pair,
    socket_export_stream,
    socket_get_option,
    socket_getopt,
    socket_getpeername,
    socket_getsockname,
    socket_import_stream,
    socket_last_error,
    socket_listen,
    socket_read,
    socket_recv,
    socket_recvfrom,
    socket_send,
    socket_sendto,
    socket_set_block,
    socket_set_nonblock,
    socket_set_option,
    socket_setopt,
    socket_shutdown,
    socket_strerror,
    socket_write,
)
from sockkit.compat.msg import (
    IOVec,
    socket_cmsg_space,
    socket_iovec_add,
    socket_iovec_alloc,
    socket_iovec_delete,
    socket_iovec_fetch,
    socket_iovec_free,
    socket_iovec_set,
    socket_readv,
    socket_recvmsg,
    socket_sendmsg,
    socket_writev,
)
from sockkit.compat.select import socket_select
from sockkit.compat.wsa import (
    socket_wsaprotocol_info_export,
    socket_wsaprotocol_info_import,
    socket_wsaprotocol_info_release,
)
from sockkit.socket import Socket

__all__ = [
    "ArgumentCountError",
    "PHPDeprecationWarning",
    "Ref",
    "Socket",
    "silenced",
    "strict_types",
    "socket_accept",
    "socket_atmark",
    "socket_bind",
    "socket_clear_error",
    "socket_close",
    "socket_connect",
    "socket_create",
    "socket_create_listen",
    "socket_create_pair",
    "socket_export_stream",
    "socket_get_option",
    "socket_getopt",
    "socket_getpeername",
    "socket_getsockname",
    "socket_import_stream",
    "socket_last_error",
    "socket_listen",
    "socket_read",
    "socket_recv",
    "socket_recvfrom",
    "socket_send",
    "socket_sendto",
    "socket_set_block",
    "socket_set_nonblock",
    "socket_set_option",
    "socket_setopt",
    "socket_shutdown",
    "socket_strerror",
    "socket_write",
    # Part two: select, addrinfo, sendmsg/recvmsg/cmsg_space, the iovec API, wsaprotocol_info.
    "AddrInfo",
    "IOVec",
    "socket_addrinfo_bind",
    "socket_addrinfo_connect",
    "socket_addrinfo_explain",
    "socket_addrinfo_lookup",
    "socket_cmsg_space",
    "socket_iovec_add",
    "socket_iovec_alloc",
    "socket_iovec_delete",
    "socket_iovec_fetch",
    "socket_iovec_free",
    "socket_iovec_set",
    "socket_readv",
    "socket_recvmsg",
    "socket_select",
    "socket_sendmsg",
    "socket_writev",
    "socket_wsaprotocol_info_export",
    "socket_wsaprotocol_info_import",
    "socket_wsaprotocol_info_release",
]
# PHP's constants: which exist depends on the OS (a constant the OS lacks is absent).
__all__ += constants.__all__
