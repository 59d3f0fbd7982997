# The pinned design names the error classes for what happened (``AddressInUse``, ``TimedOut``),
# not with an ``Error`` suffix, so pep8-naming's N818 does not apply to this module.
# ruff: noqa: N818
"""Typed socket errors and the error catalog.

Everything sockkit raises for an OS-level failure is a [`SocketError`][sockkit.errors.SocketError]
or one of its subclasses. There is one subclass per row of [`CATALOG`][sockkit.errors.CATALOG],
the single data table that relates a symbol (``EADDRINUSE``), its errno value on this OS, its
Winsock code and name (``10048`` / ``WSAEADDRINUSE``), a one-line description and the exception
class. Each class also subclasses the builtin that Python's own ``OSError`` picks for that errno
(PEP 3151), so code written against the standard ``socket`` module keeps working:

    >>> import errno
    >>> exc = from_errno(errno.ECONNREFUSED, "connect", ("127.0.0.1", 9))
    >>> type(exc).__name__, isinstance(exc, ConnectionRefusedError)
    ('ConnectionRefused', True)
    >>> str(exc)
    'connect(127.0.0.1:9) failed: [Errno 111] Connection refused'

Conversion happens only in ``except`` blocks (``raise from_oserror(e, "recv") from e``); nothing
in this module runs on the success path.
"""

from __future__ import annotations

import errno as _errno
import os
import socket
import ssl
import sys
from typing import Any, Final

import attrs
from typing_extensions import override

__all__ = [
    # infrastructure
    "CATALOG",
    "EAI_MESSAGES",
    "ErrorEntry",
    "LookupFailed",
    "SocketClosedError",
    "SocketError",
    "SocketWarning",
    "TLSError",
    "TLSHandshakeError",
    "CertificateVerifyError",
    "TLSRaggedEOF",
    "by_errno",
    "by_symbol",
    "by_winsock",
    "eai_message",
    "from_errno",
    "from_oserror",
    "lookup_failed",
    # catalog classes, in catalog order
    "OperationNotPermitted",
    "FileNotFound",
    "Interrupted",
    "InputOutputFailure",
    "NoSuchDeviceOrAddress",
    "ArgumentListTooLong",
    "BadFileDescriptor",
    "WouldBlock",
    "OutOfMemory",
    "PermissionDenied",
    "BadAddress",
    "NotABlockDevice",
    "ResourceBusy",
    "FileExists",
    "CrossDeviceLink",
    "NoSuchDevice",
    "NotADirectory",
    "IsADirectory",
    "InvalidArgument",
    "TooManyOpenFilesInSystem",
    "TooManyOpenFiles",
    "InappropriateIoctl",
    "NoSpaceOnDevice",
    "IllegalSeek",
    "ReadOnlyFileSystem",
    "TooManyLinks",
    "BrokenPipe",
    "NameTooLong",
    "NoLocksAvailable",
    "FunctionNotImplemented",
    "DirectoryNotEmpty",
    "TooManySymbolicLinks",
    "NoMessage",
    "IdentifierRemoved",
    "ChannelOutOfRange",
    "Level2NotSynchronized",
    "Level3Halted",
    "Level3Reset",
    "LinkNumberOutOfRange",
    "ProtocolDriverNotAttached",
    "NoCSIStructure",
    "Level2Halted",
    "InvalidExchange",
    "InvalidRequestDescriptor",
    "ExchangeFull",
    "NoAnode",
    "InvalidRequestCode",
    "InvalidSlot",
    "NotAStream",
    "NoDataAvailable",
    "TimerExpired",
    "OutOfStreamsResources",
    "MachineNotOnNetwork",
    "ObjectIsRemote",
    "LinkSevered",
    "AdvertiseFailure",
    "SrmountFailure",
    "CommunicationFailure",
    "ProtocolFailure",
    "MultihopAttempted",
    "BadMessage",
    "NameNotUnique",
    "FileDescriptorBadState",
    "RemoteAddressChanged",
    "ShouldRestart",
    "StreamsPipeFailure",
    "TooManyUsers",
    "NotASocket",
    "DestinationAddressRequired",
    "MessageTooLong",
    "WrongProtocolType",
    "ProtocolNotAvailable",
    "ProtocolNotSupported",
    "SocketTypeNotSupported",
    "OperationNotSupported",
    "ProtocolFamilyNotSupported",
    "AddressFamilyNotSupported",
    "AddressInUse",
    "AddressNotAvailable",
    "NetworkDown",
    "NetworkUnreachable",
    "NetworkReset",
    "ConnectionAborted",
    "ConnectionReset",
    "NoBufferSpace",
    "AlreadyConnected",
    "NotConnected",
    "ShutDown",
    "TooManyReferences",
    "TimedOut",
    "ConnectionRefused",
    "HostDown",
    "HostUnreachable",
    "AlreadyInProgress",
    "InProgress",
    "IsANamedTypeFile",
    "RemoteIOFailure",
    "DiskQuotaExceeded",
    "NoMediumFound",
    "WrongMediumType",
    "StaleFileHandle",
    "TooManyProcesses",
    "SystemNotReady",
    "VersionNotSupported",
    "NotInitialised",
    "GracefulDisconnect",
    "NoMoreResults",
    "CallCancelled",
    "InvalidProcedureTable",
    "InvalidServiceProvider",
    "ProviderInitFailed",
    "SystemCallFailure",
    "ServiceNotFound",
    "ClassTypeNotFound",
    "QueryRefused",
    "HostNotFound",
    "LookupTryAgain",
    "LookupNoRecovery",
    "NoDataRecord",
]


def _format_address(address: object) -> str:
    """Render an address for an error message.

    Typed address objects format themselves (``str(address)``); a plain ``(host, port, ...)``
    tuple becomes ``host:port``, with IPv6 hosts in brackets (``[::1]:80``).
    """
    if (
        isinstance(address, tuple)
        and len(address) >= 2
        and isinstance(address[0], str)
        and isinstance(address[1], int)
    ):
        host, port = address[0], address[1]
        if ":" in host:
            return f"[{host}]:{port}"
        return f"{host}:{port}"
    return str(address)


class SocketError(OSError):
    """Base class of every error sockkit raises for an OS-level socket failure.

    Its ``args`` are ``(errno, strerror)`` like a plain ``OSError``, so pickling and the usual
    ``OSError`` attributes behave as expected. The subclasses in [`CATALOG`][sockkit.errors.CATALOG]
    name what happened; an errno outside the catalog is raised as ``SocketError`` itself.

    Args:
        errno: The OS error number, or ``None`` when there is none.
        strerror: The OS message for ``errno``.
        operation: The operation that failed (``"bind"``, ``"recv"``, ...), if known.
        address: The address involved, if any (a typed address or a ``(host, port)`` tuple).

    Attributes:
        errno: The OS error number (``None`` when there is none).
        strerror: The OS message.
        operation: The operation that failed, or ``None``.
        address: The address involved, or ``None``.

    Example:
        >>> str(SocketError(13, "Permission denied", "bind", ("127.0.0.1", 80)))
        'bind(127.0.0.1:80) failed: [Errno 13] Permission denied'
        >>> str(SocketError(104, "Connection reset by peer", "recv"))
        'recv() failed: [Errno 104] Connection reset by peer'
    """

    operation: str | None
    address: object | None
    # Set by Socket.create_connection when every attempt failed: each attempt's error in
    # the order the attempts started (the raised one last), and the same as an
    # ExceptionGroup on Python 3.11+.
    attempts: list[SocketError]
    group: BaseException | None

    def __init__(
        self,
        errno: int | None,
        strerror: str | None,
        operation: str | None = None,
        address: object | None = None,
    ) -> None:
        super().__init__(errno, strerror)
        self.operation = operation
        self.address = address

    def _reason(self) -> str:
        """The ``[Errno N] message`` part of the message."""
        if self.errno is None:
            return self.strerror or "unknown error"
        return f"[Errno {self.errno}] {self.strerror}"

    def _subject(self) -> str:
        """What goes between the parentheses after the operation name."""
        return "" if self.address is None else _format_address(self.address)

    @override
    def __str__(self) -> str:
        if self.operation is None:
            if self.address is None:
                return self._reason()
            return f"{_format_address(self.address)}: {self._reason()}"
        if self.address is None and self.operation.endswith(")"):
            # The operation already names its argument, e.g. "setsockopt(TCP_NODELAY)".
            return f"{self.operation} failed: {self._reason()}"
        return f"{self.operation}({self._subject()}) failed: {self._reason()}"


# --------------------------------------------------------------------------------------------
# One class per catalog row. The builtin second base is the one Python's own OSError picks for
# the errno (PEP 3151); tests/test_errors.py checks every pairing against the running Python.
# --------------------------------------------------------------------------------------------


class OperationNotPermitted(SocketError, PermissionError):
    """The operation is not permitted (``EPERM``)."""


class FileNotFound(SocketError, FileNotFoundError):
    """No such file or directory, e.g. a missing Unix socket path (``ENOENT``)."""


class Interrupted(SocketError, InterruptedError):
    """The call was interrupted by a signal (``EINTR`` / ``WSAEINTR``)."""


class InputOutputFailure(SocketError):
    """A low-level input/output error occurred (``EIO``)."""


class NoSuchDeviceOrAddress(SocketError):
    """No such device or address (``ENXIO``)."""


class ArgumentListTooLong(SocketError):
    """The argument list is too long (``E2BIG``)."""


class BadFileDescriptor(SocketError):
    """The file descriptor is not valid (``EBADF`` / ``WSAEBADF``)."""


class WouldBlock(SocketError, BlockingIOError):
    """The operation would block on a non-blocking socket (``EAGAIN``/``EWOULDBLOCK``)."""


class OutOfMemory(SocketError):
    """The kernel could not allocate memory (``ENOMEM``)."""


class PermissionDenied(SocketError, PermissionError):
    """Permission denied, e.g. binding a privileged port (``EACCES`` / ``WSAEACCES``)."""


class BadAddress(SocketError):
    """A buffer or address argument points outside the process (``EFAULT`` / ``WSAEFAULT``)."""


class NotABlockDevice(SocketError):
    """A block device is required (``ENOTBLK``)."""


class ResourceBusy(SocketError):
    """The device or resource is busy (``EBUSY``)."""


class FileExists(SocketError, FileExistsError):
    """The file exists, e.g. a Unix socket path already taken (``EEXIST``)."""


class CrossDeviceLink(SocketError):
    """The link crosses devices (``EXDEV``)."""


class NoSuchDevice(SocketError):
    """No such device, e.g. an unknown interface (``ENODEV``)."""


class NotADirectory(SocketError, NotADirectoryError):
    """A path component is not a directory (``ENOTDIR``)."""


class IsADirectory(SocketError, IsADirectoryError):
    """The path is a directory (``EISDIR``)."""


class InvalidArgument(SocketError):
    """An argument is invalid (``EINVAL`` / ``WSAEINVAL``)."""


class TooManyOpenFilesInSystem(SocketError):
    """The system-wide limit on open files was reached (``ENFILE``)."""


class TooManyOpenFiles(SocketError):
    """The per-process limit on open files was reached (``EMFILE`` / ``WSAEMFILE``)."""


class InappropriateIoctl(SocketError):
    """The ioctl is not appropriate for this device (``ENOTTY``)."""


class NoSpaceOnDevice(SocketError):
    """No space is left on the device (``ENOSPC``)."""


class IllegalSeek(SocketError):
    """Seeking is not possible on this descriptor (``ESPIPE``)."""


class ReadOnlyFileSystem(SocketError):
    """The file system is read-only (``EROFS``)."""


class TooManyLinks(SocketError):
    """Too many links (``EMLINK``)."""


class BrokenPipe(SocketError, BrokenPipeError):
    """Writing to a connection the peer has closed (``EPIPE``)."""


class NameTooLong(SocketError):
    """A name is too long, e.g. a Unix socket path (``ENAMETOOLONG`` / ``WSAENAMETOOLONG``)."""


class NoLocksAvailable(SocketError):
    """No locks are available (``ENOLCK``)."""


class FunctionNotImplemented(SocketError):
    """The system call is not implemented (``ENOSYS``)."""


class DirectoryNotEmpty(SocketError):
    """The directory is not empty (``ENOTEMPTY`` / ``WSAENOTEMPTY``)."""


class TooManySymbolicLinks(SocketError):
    """Too many levels of symbolic links (``ELOOP`` / ``WSAELOOP``)."""


class NoMessage(SocketError):
    """No message of the desired type (``ENOMSG``)."""


class IdentifierRemoved(SocketError):
    """The identifier was removed (``EIDRM``)."""


class ChannelOutOfRange(SocketError):
    """The channel number is out of range (``ECHRNG``)."""


class Level2NotSynchronized(SocketError):
    """Level 2 is not synchronized (``EL2NSYNC``)."""


class Level3Halted(SocketError):
    """Level 3 halted (``EL3HLT``)."""


class Level3Reset(SocketError):
    """Level 3 reset (``EL3RST``)."""


class LinkNumberOutOfRange(SocketError):
    """The link number is out of range (``ELNRNG``)."""


class ProtocolDriverNotAttached(SocketError):
    """The protocol driver is not attached (``EUNATCH``)."""


class NoCSIStructure(SocketError):
    """No CSI structure is available (``ENOCSI``)."""


class Level2Halted(SocketError):
    """Level 2 halted (``EL2HLT``)."""


class InvalidExchange(SocketError):
    """Invalid exchange (``EBADE``)."""


class InvalidRequestDescriptor(SocketError):
    """Invalid request descriptor (``EBADR``)."""


class ExchangeFull(SocketError):
    """The exchange is full (``EXFULL``)."""


class NoAnode(SocketError):
    """No anode (``ENOANO``)."""


class InvalidRequestCode(SocketError):
    """Invalid request code (``EBADRQC``)."""


class InvalidSlot(SocketError):
    """Invalid slot (``EBADSLT``)."""


class NotAStream(SocketError):
    """The device is not a STREAM (``ENOSTR``)."""


class NoDataAvailable(SocketError):
    """No data is available (``ENODATA``)."""


class TimerExpired(SocketError):
    """A STREAMS timer expired (``ETIME``)."""


class OutOfStreamsResources(SocketError):
    """Out of STREAMS resources (``ENOSR``)."""


class MachineNotOnNetwork(SocketError):
    """The machine is not on the network (``ENONET``)."""


class ObjectIsRemote(SocketError):
    """The object is remote (``EREMOTE`` / ``WSAEREMOTE``)."""


class LinkSevered(SocketError):
    """The link has been severed (``ENOLINK``)."""


class AdvertiseFailure(SocketError):
    """Advertise error (``EADV``)."""


class SrmountFailure(SocketError):
    """Srmount error (``ESRMNT``)."""


class CommunicationFailure(SocketError):
    """A communication error occurred on send (``ECOMM``)."""


class ProtocolFailure(SocketError):
    """A protocol error occurred (``EPROTO``)."""


class MultihopAttempted(SocketError):
    """A multihop was attempted (``EMULTIHOP``)."""


class BadMessage(SocketError):
    """The message is malformed (``EBADMSG``)."""


class NameNotUnique(SocketError):
    """The name is not unique on the network (``ENOTUNIQ``)."""


class FileDescriptorBadState(SocketError):
    """The file descriptor is in a bad state (``EBADFD``)."""


class RemoteAddressChanged(SocketError):
    """The remote address changed (``EREMCHG``)."""


class ShouldRestart(SocketError):
    """The interrupted system call should be restarted (``ERESTART``)."""


class StreamsPipeFailure(SocketError):
    """A STREAMS pipe error occurred (``ESTRPIPE``)."""


class TooManyUsers(SocketError):
    """Too many users (``EUSERS`` / ``WSAEUSERS``)."""


class NotASocket(SocketError):
    """The descriptor is not a socket (``ENOTSOCK`` / ``WSAENOTSOCK``)."""


class DestinationAddressRequired(SocketError):
    """A destination address is required (``EDESTADDRREQ`` / ``WSAEDESTADDRREQ``)."""


class MessageTooLong(SocketError):
    """The message is too long for the socket (``EMSGSIZE`` / ``WSAEMSGSIZE``)."""


class WrongProtocolType(SocketError):
    """The protocol is the wrong type for the socket (``EPROTOTYPE`` / ``WSAEPROTOTYPE``)."""


class ProtocolNotAvailable(SocketError):
    """The socket option is not available (``ENOPROTOOPT`` / ``WSAENOPROTOOPT``)."""


class ProtocolNotSupported(SocketError):
    """The protocol is not supported (``EPROTONOSUPPORT`` / ``WSAEPROTONOSUPPORT``)."""


class SocketTypeNotSupported(SocketError):
    """The socket type is not supported (``ESOCKTNOSUPPORT`` / ``WSAESOCKTNOSUPPORT``)."""


class OperationNotSupported(SocketError):
    """The operation is not supported on the socket (``EOPNOTSUPP`` / ``WSAEOPNOTSUPP``)."""


class ProtocolFamilyNotSupported(SocketError):
    """The protocol family is not supported (``EPFNOSUPPORT`` / ``WSAEPFNOSUPPORT``)."""


class AddressFamilyNotSupported(SocketError):
    """The address family is not supported (``EAFNOSUPPORT`` / ``WSAEAFNOSUPPORT``)."""


class AddressInUse(SocketError):
    """The local address is already in use (``EADDRINUSE`` / ``WSAEADDRINUSE``)."""


class AddressNotAvailable(SocketError):
    """The address is not available on this host (``EADDRNOTAVAIL`` / ``WSAEADDRNOTAVAIL``)."""


class NetworkDown(SocketError):
    """The network is down (``ENETDOWN`` / ``WSAENETDOWN``)."""


class NetworkUnreachable(SocketError):
    """The network is unreachable (``ENETUNREACH`` / ``WSAENETUNREACH``)."""


class NetworkReset(SocketError):
    """The network dropped the connection on reset (``ENETRESET`` / ``WSAENETRESET``)."""


class ConnectionAborted(SocketError, ConnectionAbortedError):
    """The connection was aborted locally (``ECONNABORTED`` / ``WSAECONNABORTED``)."""


class ConnectionReset(SocketError, ConnectionResetError):
    """The connection was reset by the peer (``ECONNRESET`` / ``WSAECONNRESET``)."""


class NoBufferSpace(SocketError):
    """No buffer space is available (``ENOBUFS`` / ``WSAENOBUFS``)."""


class AlreadyConnected(SocketError):
    """The socket is already connected (``EISCONN`` / ``WSAEISCONN``)."""


class NotConnected(SocketError):
    """The socket is not connected (``ENOTCONN`` / ``WSAENOTCONN``)."""


class ShutDown(SocketError, BrokenPipeError):
    """Sending after the socket was shut down (``ESHUTDOWN`` / ``WSAESHUTDOWN``)."""


class TooManyReferences(SocketError):
    """Too many references, cannot splice (``ETOOMANYREFS`` / ``WSAETOOMANYREFS``)."""


class TimedOut(SocketError, TimeoutError):
    """The operation timed out (``ETIMEDOUT`` / ``WSAETIMEDOUT``)."""


class ConnectionRefused(SocketError, ConnectionRefusedError):
    """The peer refused the connection (``ECONNREFUSED`` / ``WSAECONNREFUSED``)."""


class HostDown(SocketError):
    """The remote host is down (``EHOSTDOWN`` / ``WSAEHOSTDOWN``)."""


class HostUnreachable(SocketError):
    """There is no route to the host (``EHOSTUNREACH`` / ``WSAEHOSTUNREACH``)."""


class AlreadyInProgress(SocketError, BlockingIOError):
    """An operation is already in progress on the socket (``EALREADY`` / ``WSAEALREADY``)."""


class InProgress(SocketError, BlockingIOError):
    """A non-blocking operation is now in progress (``EINPROGRESS`` / ``WSAEINPROGRESS``)."""


class IsANamedTypeFile(SocketError):
    """The file is a named type file (``EISNAM``)."""


class RemoteIOFailure(SocketError):
    """A remote input/output error occurred (``EREMOTEIO``)."""


class DiskQuotaExceeded(SocketError):
    """The disk quota was exceeded (``EDQUOT`` / ``WSAEDQUOT``)."""


class NoMediumFound(SocketError):
    """No medium was found (``ENOMEDIUM``)."""


class WrongMediumType(SocketError):
    """The medium type is wrong (``EMEDIUMTYPE``)."""


class StaleFileHandle(SocketError):
    """The file handle is stale (``ESTALE`` / ``WSAESTALE``)."""


class TooManyProcesses(SocketError):
    """Too many processes (``EPROCLIM`` / ``WSAEPROCLIM``)."""


class SystemNotReady(SocketError):
    """The network subsystem is not ready (``WSASYSNOTREADY``, Winsock only)."""


class VersionNotSupported(SocketError):
    """The requested Winsock version is not supported (``WSAVERNOTSUPPORTED``, Winsock only)."""


class NotInitialised(SocketError):
    """Winsock has not been initialised (``WSANOTINITIALISED``, Winsock only)."""


class GracefulDisconnect(SocketError):
    """The peer is shutting down gracefully (``WSAEDISCON``, Winsock only)."""


class NoMoreResults(SocketError):
    """A lookup has no more results (``WSAENOMORE``/``WSA_E_NO_MORE``, Winsock only)."""


class CallCancelled(SocketError):
    """A lookup call was cancelled (``WSAECANCELLED``/``WSA_E_CANCELLED``, Winsock only)."""


class InvalidProcedureTable(SocketError):
    """A service provider's procedure table is invalid (``WSAEINVALIDPROCTABLE``, Winsock only)."""


class InvalidServiceProvider(SocketError):
    """A service provider is invalid (``WSAEINVALIDPROVIDER``, Winsock only)."""


class ProviderInitFailed(SocketError):
    """A service provider failed to initialise (``WSAEPROVIDERFAILEDINIT``, Winsock only)."""


class SystemCallFailure(SocketError):
    """A system call that should never fail failed (``WSASYSCALLFAILURE``, Winsock only)."""


class ServiceNotFound(SocketError):
    """The service is unknown in the given name space (``WSASERVICE_NOT_FOUND``, Winsock only)."""


class ClassTypeNotFound(SocketError):
    """The class type was not found (``WSATYPE_NOT_FOUND``, Winsock only)."""


class QueryRefused(SocketError):
    """A database query was refused (``WSAEREFUSED``, Winsock only)."""


class HostNotFound(SocketError):
    """No such host is known (``WSAHOST_NOT_FOUND``, Winsock only)."""


class LookupTryAgain(SocketError):
    """A non-authoritative lookup failed; try again (``WSATRY_AGAIN``, Winsock only)."""


class LookupNoRecovery(SocketError):
    """A lookup hit a non-recoverable error (``WSANO_RECOVERY``, Winsock only)."""


class NoDataRecord(SocketError):
    """The name is valid but has no record of the requested type (``WSANO_DATA``, Winsock only)."""


# --------------------------------------------------------------------------------------------
# The catalog
# --------------------------------------------------------------------------------------------


@attrs.frozen
class ErrorEntry:
    """One row of the error catalog.

    Attributes:
        symbol: The errno symbol, e.g. ``"EADDRINUSE"``; for Winsock-only codes the Winsock name,
            e.g. ``"WSAEDISCON"``.
        errno: The value of ``symbol`` in Python's ``errno`` module on this OS, or ``None`` when
            this OS does not define it.
        winsock: The Winsock error code, e.g. ``10048``, or ``None`` when Winsock has none.
        winsock_name: The Winsock name, e.g. ``"WSAEADDRINUSE"``, or ``None``.
        description: A one-line description of the error.
        exception: The [`SocketError`][sockkit.errors.SocketError] subclass raised for it.

    Example:
        >>> by_symbol("EADDRINUSE").winsock_name
        'WSAEADDRINUSE'
    """

    symbol: str
    errno: int | None
    winsock: int | None
    winsock_name: str | None
    description: str
    exception: type[SocketError]


# symbol, Winsock code (None: none), class, description.
# A POSIX row's Winsock name is "WSA" + symbol; a Winsock-only row's symbol is its Winsock name.
# Rows sharing a class are true aliases (same meaning); the first row for an errno value wins.
_ROWS: Final[tuple[tuple[str, int | None, type[SocketError], str], ...]] = (
    ("EPERM", None, OperationNotPermitted, "Operation not permitted"),
    ("ENOENT", None, FileNotFound, "No such file or directory"),
    ("EINTR", 10004, Interrupted, "Interrupted system call"),
    ("EIO", None, InputOutputFailure, "Input/output error"),
    ("ENXIO", None, NoSuchDeviceOrAddress, "No such device or address"),
    ("E2BIG", None, ArgumentListTooLong, "Argument list too long"),
    ("EBADF", 10009, BadFileDescriptor, "Bad file descriptor"),
    ("EAGAIN", None, WouldBlock, "Resource temporarily unavailable"),
    ("ENOMEM", None, OutOfMemory, "Cannot allocate memory"),
    ("EACCES", 10013, PermissionDenied, "Permission denied"),
    ("EFAULT", 10014, BadAddress, "Bad address"),
    ("ENOTBLK", None, NotABlockDevice, "Block device required"),
    ("EBUSY", None, ResourceBusy, "Device or resource busy"),
    ("EEXIST", None, FileExists, "File exists"),
    ("EXDEV", None, CrossDeviceLink, "Invalid cross-device link"),
    ("ENODEV", None, NoSuchDevice, "No such device"),
    ("ENOTDIR", None, NotADirectory, "Not a directory"),
    ("EISDIR", None, IsADirectory, "Is a directory"),
    ("EINVAL", 10022, InvalidArgument, "Invalid argument"),
    ("ENFILE", None, TooManyOpenFilesInSystem, "Too many open files in system"),
    ("EMFILE", 10024, TooManyOpenFiles, "Too many open files"),
    ("ENOTTY", None, InappropriateIoctl, "Inappropriate ioctl for device"),
    ("ENOSPC", None, NoSpaceOnDevice, "No space left on device"),
    ("ESPIPE", None, IllegalSeek, "Illegal seek"),
    ("EROFS", None, ReadOnlyFileSystem, "Read-only file system"),
    ("EMLINK", None, TooManyLinks, "Too many links"),
    ("EPIPE", None, BrokenPipe, "Broken pipe"),
    ("ENAMETOOLONG", 10063, NameTooLong, "File name too long"),
    ("ENOLCK", None, NoLocksAvailable, "No locks available"),
    ("ENOSYS", None, FunctionNotImplemented, "Function not implemented"),
    ("ENOTEMPTY", 10066, DirectoryNotEmpty, "Directory not empty"),
    ("ELOOP", 10062, TooManySymbolicLinks, "Too many levels of symbolic links"),
    ("EWOULDBLOCK", 10035, WouldBlock, "Operation would block"),
    ("ENOMSG", None, NoMessage, "No message of desired type"),
    ("EIDRM", None, IdentifierRemoved, "Identifier removed"),
    ("ECHRNG", None, ChannelOutOfRange, "Channel number out of range"),
    ("EL2NSYNC", None, Level2NotSynchronized, "Level 2 not synchronized"),
    ("EL3HLT", None, Level3Halted, "Level 3 halted"),
    ("EL3RST", None, Level3Reset, "Level 3 reset"),
    ("ELNRNG", None, LinkNumberOutOfRange, "Link number out of range"),
    ("EUNATCH", None, ProtocolDriverNotAttached, "Protocol driver not attached"),
    ("ENOCSI", None, NoCSIStructure, "No CSI structure available"),
    ("EL2HLT", None, Level2Halted, "Level 2 halted"),
    ("EBADE", None, InvalidExchange, "Invalid exchange"),
    ("EBADR", None, InvalidRequestDescriptor, "Invalid request descriptor"),
    ("EXFULL", None, ExchangeFull, "Exchange full"),
    ("ENOANO", None, NoAnode, "No anode"),
    ("EBADRQC", None, InvalidRequestCode, "Invalid request code"),
    ("EBADSLT", None, InvalidSlot, "Invalid slot"),
    ("ENOSTR", None, NotAStream, "Device not a stream"),
    ("ENODATA", None, NoDataAvailable, "No data available"),
    ("ETIME", None, TimerExpired, "Timer expired"),
    ("ENOSR", None, OutOfStreamsResources, "Out of streams resources"),
    ("ENONET", None, MachineNotOnNetwork, "Machine is not on the network"),
    ("EREMOTE", 10071, ObjectIsRemote, "Object is remote"),
    ("ENOLINK", None, LinkSevered, "Link has been severed"),
    ("EADV", None, AdvertiseFailure, "Advertise error"),
    ("ESRMNT", None, SrmountFailure, "Srmount error"),
    ("ECOMM", None, CommunicationFailure, "Communication error on send"),
    ("EPROTO", None, ProtocolFailure, "Protocol error"),
    ("EMULTIHOP", None, MultihopAttempted, "Multihop attempted"),
    ("EBADMSG", None, BadMessage, "Bad message"),
    ("ENOTUNIQ", None, NameNotUnique, "Name not unique on network"),
    ("EBADFD", None, FileDescriptorBadState, "File descriptor in bad state"),
    ("EREMCHG", None, RemoteAddressChanged, "Remote address changed"),
    ("ERESTART", None, ShouldRestart, "Interrupted system call should be restarted"),
    ("ESTRPIPE", None, StreamsPipeFailure, "Streams pipe error"),
    ("EUSERS", 10068, TooManyUsers, "Too many users"),
    ("ENOTSOCK", 10038, NotASocket, "Socket operation on non-socket"),
    ("EDESTADDRREQ", 10039, DestinationAddressRequired, "Destination address required"),
    ("EMSGSIZE", 10040, MessageTooLong, "Message too long"),
    ("EPROTOTYPE", 10041, WrongProtocolType, "Protocol wrong type for socket"),
    ("ENOPROTOOPT", 10042, ProtocolNotAvailable, "Protocol not available"),
    ("EPROTONOSUPPORT", 10043, ProtocolNotSupported, "Protocol not supported"),
    ("ESOCKTNOSUPPORT", 10044, SocketTypeNotSupported, "Socket type not supported"),
    ("EOPNOTSUPP", 10045, OperationNotSupported, "Operation not supported"),
    ("EPFNOSUPPORT", 10046, ProtocolFamilyNotSupported, "Protocol family not supported"),
    ("EAFNOSUPPORT", 10047, AddressFamilyNotSupported, "Address family not supported by protocol"),
    ("EADDRINUSE", 10048, AddressInUse, "Address already in use"),
    ("EADDRNOTAVAIL", 10049, AddressNotAvailable, "Cannot assign requested address"),
    ("ENETDOWN", 10050, NetworkDown, "Network is down"),
    ("ENETUNREACH", 10051, NetworkUnreachable, "Network is unreachable"),
    ("ENETRESET", 10052, NetworkReset, "Network dropped connection on reset"),
    ("ECONNABORTED", 10053, ConnectionAborted, "Software caused connection abort"),
    ("ECONNRESET", 10054, ConnectionReset, "Connection reset by peer"),
    ("ENOBUFS", 10055, NoBufferSpace, "No buffer space available"),
    ("EISCONN", 10056, AlreadyConnected, "Transport endpoint is already connected"),
    ("ENOTCONN", 10057, NotConnected, "Transport endpoint is not connected"),
    ("ESHUTDOWN", 10058, ShutDown, "Cannot send after transport endpoint shutdown"),
    ("ETOOMANYREFS", 10059, TooManyReferences, "Too many references: cannot splice"),
    ("ETIMEDOUT", 10060, TimedOut, "Connection timed out"),
    ("ECONNREFUSED", 10061, ConnectionRefused, "Connection refused"),
    ("EHOSTDOWN", 10064, HostDown, "Host is down"),
    ("EHOSTUNREACH", 10065, HostUnreachable, "No route to host"),
    ("EALREADY", 10037, AlreadyInProgress, "Operation already in progress"),
    ("EINPROGRESS", 10036, InProgress, "Operation now in progress"),
    ("EISNAM", None, IsANamedTypeFile, "Is a named type file"),
    ("EREMOTEIO", None, RemoteIOFailure, "Remote I/O error"),
    ("EDQUOT", 10069, DiskQuotaExceeded, "Disk quota exceeded"),
    ("ENOMEDIUM", None, NoMediumFound, "No medium found"),
    ("EMEDIUMTYPE", None, WrongMediumType, "Wrong medium type"),
    ("ESTALE", 10070, StaleFileHandle, "Stale file handle"),
    ("EPROCLIM", 10067, TooManyProcesses, "Too many processes"),
    ("WSASYSNOTREADY", 10091, SystemNotReady, "Network subsystem is unavailable"),
    ("WSAVERNOTSUPPORTED", 10092, VersionNotSupported, "Winsock version out of range"),
    ("WSANOTINITIALISED", 10093, NotInitialised, "WSAStartup not yet performed"),
    ("WSAEDISCON", 10101, GracefulDisconnect, "Graceful shutdown in progress"),
    ("WSAENOMORE", 10102, NoMoreResults, "No more results"),
    ("WSAECANCELLED", 10103, CallCancelled, "Call has been cancelled"),
    ("WSAEINVALIDPROCTABLE", 10104, InvalidProcedureTable, "Procedure call table is invalid"),
    ("WSAEINVALIDPROVIDER", 10105, InvalidServiceProvider, "Service provider is invalid"),
    ("WSAEPROVIDERFAILEDINIT", 10106, ProviderInitFailed, "Service provider failed to initialize"),
    ("WSASYSCALLFAILURE", 10107, SystemCallFailure, "System call failure"),
    ("WSASERVICE_NOT_FOUND", 10108, ServiceNotFound, "Service not found"),
    ("WSATYPE_NOT_FOUND", 10109, ClassTypeNotFound, "Class type not found"),
    ("WSA_E_NO_MORE", 10110, NoMoreResults, "No more results"),
    ("WSA_E_CANCELLED", 10111, CallCancelled, "Call was cancelled"),
    ("WSAEREFUSED", 10112, QueryRefused, "Database query was refused"),
    ("WSAHOST_NOT_FOUND", 11001, HostNotFound, "Host not found"),
    ("WSATRY_AGAIN", 11002, LookupTryAgain, "Nonauthoritative host not found"),
    ("WSANO_RECOVERY", 11003, LookupNoRecovery, "This is a nonrecoverable error"),
    ("WSANO_DATA", 11004, NoDataRecord, "Valid name, no data record of requested type"),
)


def _build_catalog() -> tuple[ErrorEntry, ...]:
    entries = []
    for symbol, winsock, exception, description in _ROWS:
        winsock_only = symbol.startswith("WSA")
        entries.append(
            ErrorEntry(
                symbol=symbol,
                errno=getattr(_errno, symbol, None),
                winsock=winsock,
                winsock_name=(
                    None if winsock is None else symbol if winsock_only else "WSA" + symbol
                ),
                description=description,
                exception=exception,
            )
        )
    return tuple(entries)


CATALOG: Final[tuple[ErrorEntry, ...]] = _build_catalog()
"""The error catalog: one [`ErrorEntry`][sockkit.errors.ErrorEntry] per known error.

Covers every ``SOCKET_E*`` constant of PHP's sockets extension and every code of the Winsock
error list (``WSAEINTR`` 10004 ... ``WSAEREFUSED`` 10112, ``WSAHOST_NOT_FOUND`` ... ``WSANO_DATA``
11001-11004). ``EAGAIN`` and ``EWOULDBLOCK`` have a row each; both raise
[`WouldBlock`][sockkit.errors.WouldBlock].
"""


def _index_by_code() -> dict[int, ErrorEntry]:
    """Errno value on this OS (and, on Windows, Winsock code) -> entry; first row wins."""
    index: dict[int, ErrorEntry] = {}
    for entry in CATALOG:
        if entry.errno is not None:
            index.setdefault(entry.errno, entry)
    if sys.platform == "win32":
        for entry in CATALOG:
            if entry.winsock is not None:
                index.setdefault(entry.winsock, entry)
    return index


_BY_CODE: Final[dict[int, ErrorEntry]] = _index_by_code()
_BY_SYMBOL: Final[dict[str, ErrorEntry]] = {entry.symbol: entry for entry in CATALOG}
_BY_WINSOCK: Final[dict[int, ErrorEntry]] = {
    entry.winsock: entry for entry in reversed(CATALOG) if entry.winsock is not None
}


def by_symbol(symbol: str) -> ErrorEntry:
    """Return the catalog entry for an errno or Winsock-only symbol.

    Args:
        symbol: ``"EADDRINUSE"``, ``"EWOULDBLOCK"``, ``"WSAEDISCON"``, ... A ``SOCKET_`` prefix
            (PHP's spelling) is accepted and ignored.

    Returns:
        The matching [`ErrorEntry`][sockkit.errors.ErrorEntry].

    Raises:
        KeyError: No catalog row has that symbol.

    Example:
        >>> by_symbol("SOCKET_ECONNREFUSED").exception.__name__
        'ConnectionRefused'
    """
    return _BY_SYMBOL[symbol.removeprefix("SOCKET_")]


def by_errno(errno: int) -> ErrorEntry | None:
    """Return the catalog entry for an error number on this OS, or ``None``.

    On Windows, Winsock codes are accepted too. Where two symbols share a value
    (``EAGAIN``/``EWOULDBLOCK``) the first catalog row is returned.

    Args:
        errno: The error number, as in ``OSError.errno``.

    Returns:
        The entry, or ``None`` when the number is not in the catalog.
    """
    return _BY_CODE.get(errno)


def by_winsock(code: int) -> ErrorEntry | None:
    """Return the catalog entry for a Winsock error code (on any OS), or ``None``.

    Args:
        code: A Winsock code such as ``10048``.

    Returns:
        The entry, or ``None`` when the code is not in the catalog.

    Example:
        >>> by_winsock(10048).symbol
        'EADDRINUSE'
    """
    return _BY_WINSOCK.get(code)


def _strerror(code: int) -> str:
    """The OS message for ``code``, falling back to the catalog description."""
    try:
        message = os.strerror(code)
    except (ValueError, OverflowError):
        message = ""
    if not message or message.startswith("Unknown error"):
        entry = _BY_CODE.get(code)
        if entry is not None:
            return entry.description
        return message or f"Unknown error {code}"
    return message


def _make(
    code: int, strerror: str | None, operation: str | None, address: object | None
) -> SocketError:
    entry = _BY_CODE.get(code)
    cls = SocketError if entry is None else entry.exception
    return cls(code, _strerror(code) if strerror is None else strerror, operation, address)


def from_errno(
    errno: int, operation: str | None = None, address: object | None = None
) -> SocketError:
    """Build the typed exception for an error number.

    The class comes from [`CATALOG`][sockkit.errors.CATALOG] by this OS's errno value (on Windows
    also by Winsock code); the message from ``os.strerror``. This returns the exception, it
    does not raise it.

    Args:
        errno: The error number, e.g. ``errno.EADDRINUSE``.
        operation: The operation that failed (``"bind"``, ``"recv"``, ...), if known.
        address: The address involved, if any.

    Returns:
        An instance of the catalog class, or of [`SocketError`][sockkit.errors.SocketError]
        itself when the number is not in the catalog.

    Example:
        >>> import errno
        >>> exc = from_errno(errno.EADDRINUSE, "bind", ("::1", 80))
        >>> type(exc).__name__, str(exc)
        ('AddressInUse', 'bind([::1]:80) failed: [Errno 98] Address already in use')
    """
    return _make(errno, None, operation, address)


def from_oserror(
    exc: OSError, operation: str | None = None, address: object | None = None
) -> SocketError:
    """Convert an ``OSError`` raised by Python's ``socket`` module into a typed error.

    - an existing [`SocketError`][sockkit.errors.SocketError] is returned unchanged;
    - ``socket.gaierror`` becomes [`LookupFailed`][sockkit.errors.LookupFailed] (``address``, if a
      ``(host, service)`` tuple or a host string, fills ``host``/``service``);
    - Python's own socket timeout (``TimeoutError`` without an errno) becomes
      [`TimedOut`][sockkit.errors.TimedOut] with errno ``ETIMEDOUT`` and message ``"timed out"``;
    - anything else goes through the catalog by ``exc.errno``, keeping the OS message.

    The result is returned, not raised; chain it yourself: ``raise from_oserror(e, "recv") from e``.

    Args:
        exc: The exception caught.
        operation: The operation that failed (``"connect"``, ``"recv"``, ...), if known.
        address: The address involved, if any.

    Returns:
        The typed exception.
    """
    if isinstance(exc, SocketError):
        return exc
    if isinstance(exc, socket.gaierror):
        host: object | None = None
        service: object | None = None
        if isinstance(address, tuple) and len(address) == 2:
            host, service = address
        elif address is not None:
            host = address
        code = exc.errno if exc.errno is not None else socket.EAI_FAIL
        return LookupFailed(code, exc.strerror, host, service, operation or "getaddrinfo")
    if exc.errno is None:
        if isinstance(exc, TimeoutError):
            return TimedOut(_errno.ETIMEDOUT, "timed out", operation, address)
        return SocketError(None, exc.strerror or str(exc) or None, operation, address)
    return _make(exc.errno, exc.strerror, operation, address)


# --------------------------------------------------------------------------------------------
# Errors outside the catalog
# --------------------------------------------------------------------------------------------


class SocketClosedError(SocketError):
    """Raised for any operation on a ``Socket`` that has already been closed.

    sockkit raises this itself instead of passing a stale descriptor number to the OS (which may
    already have reused it). ``errno`` is ``EBADF`` so errno-based code still works, but the
    message says what happened rather than echoing an OS message the OS never produced.

    Args:
        operation: The operation attempted (``"recv"``, ...), if known.
        message: Replaces the whole ``str()`` of the exception (``compat`` uses it for PHP's
            exact wording).

    Example:
        >>> str(SocketClosedError("recv"))
        'recv() failed: socket is closed'
        >>> msg = "socket_write(): Argument #1 ($socket) has already been closed"
        >>> str(SocketClosedError("socket_write", message=msg)) == msg
        True
    """

    message: str | None

    def __init__(self, operation: str | None = None, *, message: str | None = None) -> None:
        super().__init__(_errno.EBADF, "socket is closed", operation)
        self.message = message

    @override
    def _reason(self) -> str:
        return "socket is closed"

    @override
    def __str__(self) -> str:
        if self.message is not None:
            return self.message
        return super().__str__()

    @override
    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.operation,), dict(self.__dict__))


# --------------------------------------------------------------------------------------------
# TLS errors (raised by sockkit.tls)
# --------------------------------------------------------------------------------------------


class TLSError(SocketError, ssl.SSLError):
    """A TLS failure on a [`TLSSocket`][sockkit.tls.TLSSocket]; also an ``ssl.SSLError``.

    ``errno`` is the OpenSSL error class (``ssl.SSL_ERROR_*``) as ``ssl.SSLError`` gives it;
    ``library`` and ``reason`` are OpenSSL's (``"SSL"``, ``"WRONG_VERSION_NUMBER"``), or
    ``None``. The message names the operation and the peer.

    Example:
        >>> str(TLSError(1, "wrong version number", "handshake", ("127.0.0.1", 443)))
        'handshake(127.0.0.1:443) failed: wrong version number'
    """

    def __init__(
        self,
        errno: int | None,
        strerror: str | None,
        operation: str | None = None,
        address: object | None = None,
        *,
        library: str | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(errno, strerror, operation, address)
        # None when OpenSSL names none, as the stdlib's own SSLError has it (typeshed says str).
        self.library = library  # type: ignore[assignment]
        self.reason = reason  # type: ignore[assignment]

    @override
    def _reason(self) -> str:
        return self.strerror or "TLS failure"


class TLSHandshakeError(TLSError):
    """The TLS handshake failed, including an end of stream or a reset during it.

    The socket has been closed when this is raised.
    """


class CertificateVerifyError(TLSHandshakeError, ssl.SSLCertVerificationError):
    """The peer's certificate did not verify (also an ``ssl.SSLCertVerificationError``).

    Attributes:
        verify_code: OpenSSL's ``X509_V_ERR_*`` number (10: expired, 20: unknown issuer,
            62: host name mismatch, ...).
        verify_message: OpenSSL's text for it (``"certificate has expired"``).
    """

    verify_code: int
    verify_message: str

    def __init__(
        self,
        errno: int | None,
        strerror: str | None,
        operation: str | None = None,
        address: object | None = None,
        *,
        library: str | None = None,
        reason: str | None = None,
        verify_code: int = 0,
        verify_message: str = "",
    ) -> None:
        super().__init__(errno, strerror, operation, address, library=library, reason=reason)
        self.verify_code = verify_code
        self.verify_message = verify_message


class TLSRaggedEOF(TLSError, ssl.SSLEOFError):
    """The peer closed the connection without TLS's ``close_notify`` (a truncation risk).

    Not raised when the `TLSSocket` was made with ``suppress_ragged_eofs=True``: then the
    end of the connection reads as an end of stream (``b""``).
    """


_EAI_ROWS: Final[tuple[tuple[str, str], ...]] = (
    ("EAI_BADFLAGS", "Bad value for ai_flags"),
    ("EAI_NONAME", "Name or service not known"),
    ("EAI_AGAIN", "Temporary failure in name resolution"),
    ("EAI_FAIL", "Non-recoverable failure in name resolution"),
    ("EAI_NODATA", "No address associated with hostname"),
    ("EAI_FAMILY", "ai_family not supported"),
    ("EAI_SOCKTYPE", "ai_socktype not supported"),
    ("EAI_SERVICE", "Servname not supported for ai_socktype"),
    ("EAI_ADDRFAMILY", "Address family for hostname not supported"),
    ("EAI_MEMORY", "Memory allocation failure"),
    ("EAI_SYSTEM", "System error"),
    ("EAI_OVERFLOW", "Argument buffer overflow"),
    ("EAI_BADHINTS", "Invalid value for hints"),
    ("EAI_PROTOCOL", "Resolved protocol is unknown"),
)


def _eai_messages() -> dict[int, str]:
    messages: dict[int, str] = {}
    for name, message in _EAI_ROWS:
        code = getattr(socket, name, None)
        if isinstance(code, int):
            messages.setdefault(code, message)
    return messages


EAI_MESSAGES: Final[dict[int, str]] = _eai_messages()
"""Resolver messages keyed by this OS's ``socket.EAI_*`` values (e.g. ``-2`` on Linux)."""


def eai_message(code: int) -> str:
    """Return the resolver message for a ``getaddrinfo`` error code.

    Args:
        code: A ``socket.EAI_*`` value.

    Returns:
        The message, or ``"Unknown resolver error N"`` for a code this OS does not define.

    Example:
        >>> import socket
        >>> eai_message(socket.EAI_NONAME)
        'Name or service not known'
    """
    return EAI_MESSAGES.get(code, f"Unknown resolver error {code}")


class LookupFailed(SocketError, socket.gaierror):
    """Name resolution (``getaddrinfo``/``getnameinfo``) failed.

    Also a ``socket.gaierror``, so ``except socket.gaierror:`` keeps working.

    Args:
        eai_code: The resolver error code as Python's ``socket.EAI_*`` gives it.
        strerror: The resolver message; looked up in
            [`EAI_MESSAGES`][sockkit.errors.EAI_MESSAGES] when ``None``.
        host: The host that was looked up, if any.
        service: The service (port) that was looked up, if any.
        operation: The resolver call, ``"getaddrinfo"`` by default.

    Attributes:
        eai_code: The resolver error code (the same as ``errno``).
        host: The host that was looked up, or ``None``.
        service: The service that was looked up, or ``None``.

    Example:
        >>> import socket
        >>> str(LookupFailed(socket.EAI_NONAME, host="example", service=80))
        'getaddrinfo(example, 80) failed: [Errno -2] Name or service not known'
    """

    host: object | None
    service: object | None

    def __init__(
        self,
        eai_code: int,
        strerror: str | None = None,
        host: object | None = None,
        service: object | None = None,
        operation: str | None = "getaddrinfo",
    ) -> None:
        super().__init__(
            eai_code, eai_message(eai_code) if strerror is None else strerror, operation
        )
        self.host = host
        self.service = service

    @property
    def eai_code(self) -> int:
        """The resolver error code (``socket.EAI_*``), the same as ``errno``."""
        return self.errno if self.errno is not None else socket.EAI_FAIL

    @override
    def _subject(self) -> str:
        return ", ".join(str(part) for part in (self.host, self.service) if part is not None)


def lookup_failed(
    code: int,
    host: object | None = None,
    service: object | None = None,
    message: str | None = None,
) -> LookupFailed:
    """Build a [`LookupFailed`][sockkit.errors.LookupFailed] for ``getaddrinfo``.

    Args:
        code: The ``socket.EAI_*`` error code.
        host: The host that was looked up.
        service: The service that was looked up.
        message: The resolver message; defaults to
            [`eai_message(code)`][sockkit.errors.eai_message].

    Returns:
        The exception (not raised).
    """
    return LookupFailed(code, message, host, service)


class SocketWarning(UserWarning):
    """Warning category that ``sockkit.compat`` emits where PHP emits an ``E_WARNING``.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", SocketWarning)
        ...     warnings.warn("socket_bind(): unable to bind address", SocketWarning)
    """
