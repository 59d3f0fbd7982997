"""Generate ``src/sockkit/_error_classes.py``: one exception class per error-catalog row.

The table below is the error catalog's single source: each row gives the errno symbol
(or, for a Winsock-only code, its Winsock name), the Winsock code, the exception class,
the builtin that Python's own ``OSError`` picks for that errno (PEP 3151), the catalog
description and the class docstring. A row whose docstring is ``None`` reuses the class
of an earlier row (``EWOULDBLOCK`` raises ``WouldBlock`` like ``EAGAIN``).

The generated module holds real ``class`` statements (so type checkers and IDEs see every
class), its ``__all__`` and the rows with the classes in place, so importing it does no
work the generator could do ahead of time. ``sockkit.errors`` builds ``CATALOG`` from it.

Usage::

    python tools/gen_errors.py           # rewrite the file
    python tools/gen_errors.py --check   # exit 1 if the file is out of date

``tests/test_errors.py`` runs the check.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "sockkit" / "_error_classes.py"

# symbol, Winsock code (None: none), class, builtin base (None: none), description, docstring.
# A POSIX row's Winsock name is "WSA" + symbol; a Winsock-only row's symbol is its Winsock name.
# Rows sharing a class are true aliases (same meaning); the first row for an errno value wins.
_TABLE: tuple[tuple[str, int | None, str, str | None, str, str | None], ...] = (
    (
        "EPERM",
        None,
        "OperationNotPermitted",
        "PermissionError",
        "Operation not permitted",
        "The operation is not permitted (``EPERM``).",
    ),
    (
        "ENOENT",
        None,
        "FileNotFound",
        "FileNotFoundError",
        "No such file or directory",
        "No such file or directory, e.g. a missing Unix socket path (``ENOENT``).",
    ),
    (
        "EINTR",
        10004,
        "Interrupted",
        "InterruptedError",
        "Interrupted system call",
        "The call was interrupted by a signal (``EINTR`` / ``WSAEINTR``).",
    ),
    (
        "EIO",
        None,
        "InputOutputFailure",
        None,
        "Input/output error",
        "A low-level input/output error occurred (``EIO``).",
    ),
    (
        "ENXIO",
        None,
        "NoSuchDeviceOrAddress",
        None,
        "No such device or address",
        "No such device or address (``ENXIO``).",
    ),
    (
        "E2BIG",
        None,
        "ArgumentListTooLong",
        None,
        "Argument list too long",
        "The argument list is too long (``E2BIG``).",
    ),
    (
        "EBADF",
        10009,
        "BadFileDescriptor",
        None,
        "Bad file descriptor",
        "The file descriptor is not valid (``EBADF`` / ``WSAEBADF``).",
    ),
    (
        "EAGAIN",
        None,
        "WouldBlock",
        "BlockingIOError",
        "Resource temporarily unavailable",
        "The operation would block on a non-blocking socket (``EAGAIN``/``EWOULDBLOCK``).",
    ),
    (
        "ENOMEM",
        None,
        "OutOfMemory",
        None,
        "Cannot allocate memory",
        "The kernel could not allocate memory (``ENOMEM``).",
    ),
    (
        "EACCES",
        10013,
        "PermissionDenied",
        "PermissionError",
        "Permission denied",
        "Permission denied, e.g. binding a privileged port (``EACCES`` / ``WSAEACCES``).",
    ),
    (
        "EFAULT",
        10014,
        "BadAddress",
        None,
        "Bad address",
        "A buffer or address argument points outside the process (``EFAULT`` / ``WSAEFAULT``).",
    ),
    (
        "ENOTBLK",
        None,
        "NotABlockDevice",
        None,
        "Block device required",
        "A block device is required (``ENOTBLK``).",
    ),
    (
        "EBUSY",
        None,
        "ResourceBusy",
        None,
        "Device or resource busy",
        "The device or resource is busy (``EBUSY``).",
    ),
    (
        "EEXIST",
        None,
        "FileExists",
        "FileExistsError",
        "File exists",
        "The file exists, e.g. a Unix socket path already taken (``EEXIST``).",
    ),
    (
        "EXDEV",
        None,
        "CrossDeviceLink",
        None,
        "Invalid cross-device link",
        "The link crosses devices (``EXDEV``).",
    ),
    (
        "ENODEV",
        None,
        "NoSuchDevice",
        None,
        "No such device",
        "No such device, e.g. an unknown interface (``ENODEV``).",
    ),
    (
        "ENOTDIR",
        None,
        "NotADirectory",
        "NotADirectoryError",
        "Not a directory",
        "A path component is not a directory (``ENOTDIR``).",
    ),
    (
        "EISDIR",
        None,
        "IsADirectory",
        "IsADirectoryError",
        "Is a directory",
        "The path is a directory (``EISDIR``).",
    ),
    (
        "EINVAL",
        10022,
        "InvalidArgument",
        None,
        "Invalid argument",
        "An argument is invalid (``EINVAL`` / ``WSAEINVAL``).",
    ),
    (
        "ENFILE",
        None,
        "TooManyOpenFilesInSystem",
        None,
        "Too many open files in system",
        "The system-wide limit on open files was reached (``ENFILE``).",
    ),
    (
        "EMFILE",
        10024,
        "TooManyOpenFiles",
        None,
        "Too many open files",
        "The per-process limit on open files was reached (``EMFILE`` / ``WSAEMFILE``).",
    ),
    (
        "ENOTTY",
        None,
        "InappropriateIoctl",
        None,
        "Inappropriate ioctl for device",
        "The ioctl is not appropriate for this device (``ENOTTY``).",
    ),
    (
        "ENOSPC",
        None,
        "NoSpaceOnDevice",
        None,
        "No space left on device",
        "No space is left on the device (``ENOSPC``).",
    ),
    (
        "ESPIPE",
        None,
        "IllegalSeek",
        None,
        "Illegal seek",
        "Seeking is not possible on this descriptor (``ESPIPE``).",
    ),
    (
        "EROFS",
        None,
        "ReadOnlyFileSystem",
        None,
        "Read-only file system",
        "The file system is read-only (``EROFS``).",
    ),
    ("EMLINK", None, "TooManyLinks", None, "Too many links", "Too many links (``EMLINK``)."),
    (
        "EPIPE",
        None,
        "BrokenPipe",
        "BrokenPipeError",
        "Broken pipe",
        "Writing to a connection the peer has closed (``EPIPE``).",
    ),
    (
        "ENAMETOOLONG",
        10063,
        "NameTooLong",
        None,
        "File name too long",
        "A name is too long, e.g. a Unix socket path (``ENAMETOOLONG`` / ``WSAENAMETOOLONG``).",
    ),
    (
        "ENOLCK",
        None,
        "NoLocksAvailable",
        None,
        "No locks available",
        "No locks are available (``ENOLCK``).",
    ),
    (
        "ENOSYS",
        None,
        "FunctionNotImplemented",
        None,
        "Function not implemented",
        "The system call is not implemented (``ENOSYS``).",
    ),
    (
        "ENOTEMPTY",
        10066,
        "DirectoryNotEmpty",
        None,
        "Directory not empty",
        "The directory is not empty (``ENOTEMPTY`` / ``WSAENOTEMPTY``).",
    ),
    (
        "ELOOP",
        10062,
        "TooManySymbolicLinks",
        None,
        "Too many levels of symbolic links",
        "Too many levels of symbolic links (``ELOOP`` / ``WSAELOOP``).",
    ),
    ("EWOULDBLOCK", 10035, "WouldBlock", None, "Operation would block", None),
    (
        "ENOMSG",
        None,
        "NoMessage",
        None,
        "No message of desired type",
        "No message of the desired type (``ENOMSG``).",
    ),
    (
        "EIDRM",
        None,
        "IdentifierRemoved",
        None,
        "Identifier removed",
        "The identifier was removed (``EIDRM``).",
    ),
    (
        "ECHRNG",
        None,
        "ChannelOutOfRange",
        None,
        "Channel number out of range",
        "The channel number is out of range (``ECHRNG``).",
    ),
    (
        "EL2NSYNC",
        None,
        "Level2NotSynchronized",
        None,
        "Level 2 not synchronized",
        "Level 2 is not synchronized (``EL2NSYNC``).",
    ),
    ("EL3HLT", None, "Level3Halted", None, "Level 3 halted", "Level 3 halted (``EL3HLT``)."),
    ("EL3RST", None, "Level3Reset", None, "Level 3 reset", "Level 3 reset (``EL3RST``)."),
    (
        "ELNRNG",
        None,
        "LinkNumberOutOfRange",
        None,
        "Link number out of range",
        "The link number is out of range (``ELNRNG``).",
    ),
    (
        "EUNATCH",
        None,
        "ProtocolDriverNotAttached",
        None,
        "Protocol driver not attached",
        "The protocol driver is not attached (``EUNATCH``).",
    ),
    (
        "ENOCSI",
        None,
        "NoCSIStructure",
        None,
        "No CSI structure available",
        "No CSI structure is available (``ENOCSI``).",
    ),
    ("EL2HLT", None, "Level2Halted", None, "Level 2 halted", "Level 2 halted (``EL2HLT``)."),
    ("EBADE", None, "InvalidExchange", None, "Invalid exchange", "Invalid exchange (``EBADE``)."),
    (
        "EBADR",
        None,
        "InvalidRequestDescriptor",
        None,
        "Invalid request descriptor",
        "Invalid request descriptor (``EBADR``).",
    ),
    ("EXFULL", None, "ExchangeFull", None, "Exchange full", "The exchange is full (``EXFULL``)."),
    ("ENOANO", None, "NoAnode", None, "No anode", "No anode (``ENOANO``)."),
    (
        "EBADRQC",
        None,
        "InvalidRequestCode",
        None,
        "Invalid request code",
        "Invalid request code (``EBADRQC``).",
    ),
    ("EBADSLT", None, "InvalidSlot", None, "Invalid slot", "Invalid slot (``EBADSLT``)."),
    (
        "ENOSTR",
        None,
        "NotAStream",
        None,
        "Device not a stream",
        "The device is not a STREAM (``ENOSTR``).",
    ),
    (
        "ENODATA",
        None,
        "NoDataAvailable",
        None,
        "No data available",
        "No data is available (``ENODATA``).",
    ),
    ("ETIME", None, "TimerExpired", None, "Timer expired", "A STREAMS timer expired (``ETIME``)."),
    (
        "ENOSR",
        None,
        "OutOfStreamsResources",
        None,
        "Out of streams resources",
        "Out of STREAMS resources (``ENOSR``).",
    ),
    (
        "ENONET",
        None,
        "MachineNotOnNetwork",
        None,
        "Machine is not on the network",
        "The machine is not on the network (``ENONET``).",
    ),
    (
        "EREMOTE",
        10071,
        "ObjectIsRemote",
        None,
        "Object is remote",
        "The object is remote (``EREMOTE`` / ``WSAEREMOTE``).",
    ),
    (
        "ENOLINK",
        None,
        "LinkSevered",
        None,
        "Link has been severed",
        "The link has been severed (``ENOLINK``).",
    ),
    ("EADV", None, "AdvertiseFailure", None, "Advertise error", "Advertise error (``EADV``)."),
    ("ESRMNT", None, "SrmountFailure", None, "Srmount error", "Srmount error (``ESRMNT``)."),
    (
        "ECOMM",
        None,
        "CommunicationFailure",
        None,
        "Communication error on send",
        "A communication error occurred on send (``ECOMM``).",
    ),
    (
        "EPROTO",
        None,
        "ProtocolFailure",
        None,
        "Protocol error",
        "A protocol error occurred (``EPROTO``).",
    ),
    (
        "EMULTIHOP",
        None,
        "MultihopAttempted",
        None,
        "Multihop attempted",
        "A multihop was attempted (``EMULTIHOP``).",
    ),
    ("EBADMSG", None, "BadMessage", None, "Bad message", "The message is malformed (``EBADMSG``)."),
    (
        "ENOTUNIQ",
        None,
        "NameNotUnique",
        None,
        "Name not unique on network",
        "The name is not unique on the network (``ENOTUNIQ``).",
    ),
    (
        "EBADFD",
        None,
        "FileDescriptorBadState",
        None,
        "File descriptor in bad state",
        "The file descriptor is in a bad state (``EBADFD``).",
    ),
    (
        "EREMCHG",
        None,
        "RemoteAddressChanged",
        None,
        "Remote address changed",
        "The remote address changed (``EREMCHG``).",
    ),
    (
        "ERESTART",
        None,
        "ShouldRestart",
        None,
        "Interrupted system call should be restarted",
        "The interrupted system call should be restarted (``ERESTART``).",
    ),
    (
        "ESTRPIPE",
        None,
        "StreamsPipeFailure",
        None,
        "Streams pipe error",
        "A STREAMS pipe error occurred (``ESTRPIPE``).",
    ),
    (
        "EUSERS",
        10068,
        "TooManyUsers",
        None,
        "Too many users",
        "Too many users (``EUSERS`` / ``WSAEUSERS``).",
    ),
    (
        "ENOTSOCK",
        10038,
        "NotASocket",
        None,
        "Socket operation on non-socket",
        "The descriptor is not a socket (``ENOTSOCK`` / ``WSAENOTSOCK``).",
    ),
    (
        "EDESTADDRREQ",
        10039,
        "DestinationAddressRequired",
        None,
        "Destination address required",
        "A destination address is required (``EDESTADDRREQ`` / ``WSAEDESTADDRREQ``).",
    ),
    (
        "EMSGSIZE",
        10040,
        "MessageTooLong",
        None,
        "Message too long",
        "The message is too long for the socket (``EMSGSIZE`` / ``WSAEMSGSIZE``).",
    ),
    (
        "EPROTOTYPE",
        10041,
        "WrongProtocolType",
        None,
        "Protocol wrong type for socket",
        "The protocol is the wrong type for the socket (``EPROTOTYPE`` / ``WSAEPROTOTYPE``).",
    ),
    (
        "ENOPROTOOPT",
        10042,
        "ProtocolNotAvailable",
        None,
        "Protocol not available",
        "The socket option is not available (``ENOPROTOOPT`` / ``WSAENOPROTOOPT``).",
    ),
    (
        "EPROTONOSUPPORT",
        10043,
        "ProtocolNotSupported",
        None,
        "Protocol not supported",
        "The protocol is not supported (``EPROTONOSUPPORT`` / ``WSAEPROTONOSUPPORT``).",
    ),
    (
        "ESOCKTNOSUPPORT",
        10044,
        "SocketTypeNotSupported",
        None,
        "Socket type not supported",
        "The socket type is not supported (``ESOCKTNOSUPPORT`` / ``WSAESOCKTNOSUPPORT``).",
    ),
    (
        "EOPNOTSUPP",
        10045,
        "OperationNotSupported",
        None,
        "Operation not supported",
        "The operation is not supported on the socket (``EOPNOTSUPP`` / ``WSAEOPNOTSUPP``).",
    ),
    (
        "EPFNOSUPPORT",
        10046,
        "ProtocolFamilyNotSupported",
        None,
        "Protocol family not supported",
        "The protocol family is not supported (``EPFNOSUPPORT`` / ``WSAEPFNOSUPPORT``).",
    ),
    (
        "EAFNOSUPPORT",
        10047,
        "AddressFamilyNotSupported",
        None,
        "Address family not supported by protocol",
        "The address family is not supported (``EAFNOSUPPORT`` / ``WSAEAFNOSUPPORT``).",
    ),
    (
        "EADDRINUSE",
        10048,
        "AddressInUse",
        None,
        "Address already in use",
        "The local address is already in use (``EADDRINUSE`` / ``WSAEADDRINUSE``).",
    ),
    (
        "EADDRNOTAVAIL",
        10049,
        "AddressNotAvailable",
        None,
        "Cannot assign requested address",
        "The address is not available on this host (``EADDRNOTAVAIL`` / ``WSAEADDRNOTAVAIL``).",
    ),
    (
        "ENETDOWN",
        10050,
        "NetworkDown",
        None,
        "Network is down",
        "The network is down (``ENETDOWN`` / ``WSAENETDOWN``).",
    ),
    (
        "ENETUNREACH",
        10051,
        "NetworkUnreachable",
        None,
        "Network is unreachable",
        "The network is unreachable (``ENETUNREACH`` / ``WSAENETUNREACH``).",
    ),
    (
        "ENETRESET",
        10052,
        "NetworkReset",
        None,
        "Network dropped connection on reset",
        "The network dropped the connection on reset (``ENETRESET`` / ``WSAENETRESET``).",
    ),
    (
        "ECONNABORTED",
        10053,
        "ConnectionAborted",
        "ConnectionAbortedError",
        "Software caused connection abort",
        "The connection was aborted locally (``ECONNABORTED`` / ``WSAECONNABORTED``).",
    ),
    (
        "ECONNRESET",
        10054,
        "ConnectionReset",
        "ConnectionResetError",
        "Connection reset by peer",
        "The connection was reset by the peer (``ECONNRESET`` / ``WSAECONNRESET``).",
    ),
    (
        "ENOBUFS",
        10055,
        "NoBufferSpace",
        None,
        "No buffer space available",
        "No buffer space is available (``ENOBUFS`` / ``WSAENOBUFS``).",
    ),
    (
        "EISCONN",
        10056,
        "AlreadyConnected",
        None,
        "Transport endpoint is already connected",
        "The socket is already connected (``EISCONN`` / ``WSAEISCONN``).",
    ),
    (
        "ENOTCONN",
        10057,
        "NotConnected",
        None,
        "Transport endpoint is not connected",
        "The socket is not connected (``ENOTCONN`` / ``WSAENOTCONN``).",
    ),
    (
        "ESHUTDOWN",
        10058,
        "ShutDown",
        "BrokenPipeError",
        "Cannot send after transport endpoint shutdown",
        "Sending after the socket was shut down (``ESHUTDOWN`` / ``WSAESHUTDOWN``).",
    ),
    (
        "ETOOMANYREFS",
        10059,
        "TooManyReferences",
        None,
        "Too many references: cannot splice",
        "Too many references, cannot splice (``ETOOMANYREFS`` / ``WSAETOOMANYREFS``).",
    ),
    (
        "ETIMEDOUT",
        10060,
        "TimedOut",
        "TimeoutError",
        "Connection timed out",
        "The operation timed out (``ETIMEDOUT`` / ``WSAETIMEDOUT``).",
    ),
    (
        "ECONNREFUSED",
        10061,
        "ConnectionRefused",
        "ConnectionRefusedError",
        "Connection refused",
        "The peer refused the connection (``ECONNREFUSED`` / ``WSAECONNREFUSED``).",
    ),
    (
        "EHOSTDOWN",
        10064,
        "HostDown",
        None,
        "Host is down",
        "The remote host is down (``EHOSTDOWN`` / ``WSAEHOSTDOWN``).",
    ),
    (
        "EHOSTUNREACH",
        10065,
        "HostUnreachable",
        None,
        "No route to host",
        "There is no route to the host (``EHOSTUNREACH`` / ``WSAEHOSTUNREACH``).",
    ),
    (
        "EALREADY",
        10037,
        "AlreadyInProgress",
        "BlockingIOError",
        "Operation already in progress",
        "An operation is already in progress on the socket (``EALREADY`` / ``WSAEALREADY``).",
    ),
    (
        "EINPROGRESS",
        10036,
        "InProgress",
        "BlockingIOError",
        "Operation now in progress",
        "A non-blocking operation is now in progress (``EINPROGRESS`` / ``WSAEINPROGRESS``).",
    ),
    (
        "EISNAM",
        None,
        "IsANamedTypeFile",
        None,
        "Is a named type file",
        "The file is a named type file (``EISNAM``).",
    ),
    (
        "EREMOTEIO",
        None,
        "RemoteIOFailure",
        None,
        "Remote I/O error",
        "A remote input/output error occurred (``EREMOTEIO``).",
    ),
    (
        "EDQUOT",
        10069,
        "DiskQuotaExceeded",
        None,
        "Disk quota exceeded",
        "The disk quota was exceeded (``EDQUOT`` / ``WSAEDQUOT``).",
    ),
    (
        "ENOMEDIUM",
        None,
        "NoMediumFound",
        None,
        "No medium found",
        "No medium was found (``ENOMEDIUM``).",
    ),
    (
        "EMEDIUMTYPE",
        None,
        "WrongMediumType",
        None,
        "Wrong medium type",
        "The medium type is wrong (``EMEDIUMTYPE``).",
    ),
    (
        "ESTALE",
        10070,
        "StaleFileHandle",
        None,
        "Stale file handle",
        "The file handle is stale (``ESTALE`` / ``WSAESTALE``).",
    ),
    (
        "EPROCLIM",
        10067,
        "TooManyProcesses",
        None,
        "Too many processes",
        "Too many processes (``EPROCLIM`` / ``WSAEPROCLIM``).",
    ),
    (
        "WSASYSNOTREADY",
        10091,
        "SystemNotReady",
        None,
        "Network subsystem is unavailable",
        "The network subsystem is not ready (``WSASYSNOTREADY``, Winsock only).",
    ),
    (
        "WSAVERNOTSUPPORTED",
        10092,
        "VersionNotSupported",
        None,
        "Winsock version out of range",
        "The requested Winsock version is not supported (``WSAVERNOTSUPPORTED``, Winsock only).",
    ),
    (
        "WSANOTINITIALISED",
        10093,
        "NotInitialised",
        None,
        "WSAStartup not yet performed",
        "Winsock has not been initialised (``WSANOTINITIALISED``, Winsock only).",
    ),
    (
        "WSAEDISCON",
        10101,
        "GracefulDisconnect",
        None,
        "Graceful shutdown in progress",
        "The peer is shutting down gracefully (``WSAEDISCON``, Winsock only).",
    ),
    (
        "WSAENOMORE",
        10102,
        "NoMoreResults",
        None,
        "No more results",
        "A lookup has no more results (``WSAENOMORE``/``WSA_E_NO_MORE``, Winsock only).",
    ),
    (
        "WSAECANCELLED",
        10103,
        "CallCancelled",
        None,
        "Call has been cancelled",
        "A lookup call was cancelled (``WSAECANCELLED``/``WSA_E_CANCELLED``, Winsock only).",
    ),
    (
        "WSAEINVALIDPROCTABLE",
        10104,
        "InvalidProcedureTable",
        None,
        "Procedure call table is invalid",
        "A service provider's procedure table is invalid (``WSAEINVALIDPROCTABLE``, Winsock only).",
    ),
    (
        "WSAEINVALIDPROVIDER",
        10105,
        "InvalidServiceProvider",
        None,
        "Service provider is invalid",
        "A service provider is invalid (``WSAEINVALIDPROVIDER``, Winsock only).",
    ),
    (
        "WSAEPROVIDERFAILEDINIT",
        10106,
        "ProviderInitFailed",
        None,
        "Service provider failed to initialize",
        "A service provider failed to initialise (``WSAEPROVIDERFAILEDINIT``, Winsock only).",
    ),
    (
        "WSASYSCALLFAILURE",
        10107,
        "SystemCallFailure",
        None,
        "System call failure",
        "A system call that should never fail failed (``WSASYSCALLFAILURE``, Winsock only).",
    ),
    (
        "WSASERVICE_NOT_FOUND",
        10108,
        "ServiceNotFound",
        None,
        "Service not found",
        "The service is unknown in the given name space (``WSASERVICE_NOT_FOUND``, Winsock only).",
    ),
    (
        "WSATYPE_NOT_FOUND",
        10109,
        "ClassTypeNotFound",
        None,
        "Class type not found",
        "The class type was not found (``WSATYPE_NOT_FOUND``, Winsock only).",
    ),
    ("WSA_E_NO_MORE", 10110, "NoMoreResults", None, "No more results", None),
    ("WSA_E_CANCELLED", 10111, "CallCancelled", None, "Call was cancelled", None),
    (
        "WSAEREFUSED",
        10112,
        "QueryRefused",
        None,
        "Database query was refused",
        "A database query was refused (``WSAEREFUSED``, Winsock only).",
    ),
    (
        "WSAHOST_NOT_FOUND",
        11001,
        "HostNotFound",
        None,
        "Host not found",
        "No such host is known (``WSAHOST_NOT_FOUND``, Winsock only).",
    ),
    (
        "WSATRY_AGAIN",
        11002,
        "LookupTryAgain",
        None,
        "Nonauthoritative host not found",
        "A non-authoritative lookup failed; try again (``WSATRY_AGAIN``, Winsock only).",
    ),
    (
        "WSANO_RECOVERY",
        11003,
        "LookupNoRecovery",
        None,
        "This is a nonrecoverable error",
        "A lookup hit a non-recoverable error (``WSANO_RECOVERY``, Winsock only).",
    ),
    (
        "WSANO_DATA",
        11004,
        "NoDataRecord",
        None,
        "Valid name, no data record of requested type",
        "The name is valid but has no record of the requested type (``WSANO_DATA``, Winsock only).",
    ),
)

_HEADER = '''\
# Generated by tools/gen_errors.py from its catalog table: edit the table, then run it.
# The design names the error classes for what happened, not with an ``Error`` suffix.
# ruff: noqa: N818
"""The error catalog's exception classes, one per row (generated; see ``sockkit.errors``)."""

from __future__ import annotations

from typing import Final

from sockkit._error_base import SocketError
'''


# Tracebacks and reprs name the public module, where every class is re-exported.
_MODULE = '    __module__ = "sockkit.errors"'


def _classes() -> list[tuple[str, str | None, str]]:
    """(class, builtin base, docstring) for every row that defines a class, in table order."""
    defined: list[tuple[str, str | None, str]] = []
    names: set[str] = set()
    for symbol, _winsock, name, builtin, _description, doc in _TABLE:
        if doc is None:
            if name not in names:
                raise SystemExit(f"{symbol}: {name} is used before a row defines it")
            continue
        if name in names:
            raise SystemExit(f"{symbol}: {name} is defined twice")
        names.add(name)
        defined.append((name, builtin, doc))
    return defined


def render() -> str:
    """The generated module's text, formatted as ``ruff format`` leaves it."""
    classes = _classes()
    lines = [_HEADER, "__all__ = ["]
    lines += [f'    "{name}",' for name, _builtin, _doc in classes]
    lines.append("]")
    for name, builtin, doc in classes:
        bases = "SocketError" if builtin is None else f"SocketError, {builtin}"
        lines += ["", "", f"class {name}({bases}):", f'    """{doc}"""', "", _MODULE]
    lines += [
        "",
        "",
        "# symbol, Winsock code (None: none), class, description; read by sockkit.errors.",
        "ROWS: Final[tuple[tuple[str, int | None, type[SocketError], str], ...]] = (",
    ]
    lines += [
        f"    ({symbol!r}, {winsock!r}, {name}, {description!r}),"
        for symbol, winsock, name, _builtin, description, _doc in _TABLE
    ]
    lines.append(")")
    return _format("\n".join(lines) + "\n")


def _format(text: str) -> str:
    """Run ``ruff format`` on ``text`` so the file passes the repository's format check."""
    result = subprocess.run(
        ["ruff", "format", "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return result.stdout


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is out of date: run python tools/gen_errors.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
