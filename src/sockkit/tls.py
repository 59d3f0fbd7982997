"""TLS over a sockkit socket: [`TLSSocket`][sockkit.tls.TLSSocket] and its async twin.

TLS runs in ``ssl.SSLObject`` with two ``ssl.MemoryBIO``s; the encrypted bytes travel
through the socket's own public ``recv``/``send``, never through ``ssl.SSLSocket``.  So
readiness stays exact (``pending`` tells what is decrypted and waiting) and every error
is a typed sockkit error that names the operation and the peer.

The record pumping is written once, in ``_TLSCore``, free of I/O.  Its steps are single
calls of the ``SSLObject`` (decrypt what has arrived, encrypt, advance the handshake)
that return ``None`` when the network must answer first.  Its operations are generators
looping over those steps: they *yield* what they need from the network — an ``int`` *n*
("receive up to *n* bytes and send me what came, ``b""`` at end of stream") or a
``memoryview`` ("send these bytes and tell me how many went") — and get the answer back
(or the network's exception thrown in).  [`TLSSocket`][sockkit.tls.TLSSocket] answers
with a blocking or non-blocking `Socket`; [`AsyncTLSSocket`][sockkit.tls.AsyncTLSSocket]
answers with awaits.  While the connection is steady (handshake done, nothing held back,
stream open) both drivers call the steps themselves, without a generator per call.

Example:
    >>> import ssl
    >>> from sockkit import Socket
    >>> def connect(port: int) -> bytes:  # doctest: +SKIP
    ...     context = ssl.create_default_context()
    ...     with Socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
    ...         tls = sock.start_tls(context, server_hostname="localhost")
    ...         with tls:
    ...             tls.write_all(b"HELLO\\r\\n")
    ...             return tls.read(2048, ReadMode.NORMAL)
"""

from __future__ import annotations

import contextlib
import io
import socket as _s
import ssl
from collections.abc import Awaitable, Callable, Generator
from typing import IO, TYPE_CHECKING, Any, Final, Protocol, TypeVar

from typing_extensions import Buffer, override

from sockkit.enums import ReadMode, SocketType
from sockkit.errors import BusyError, SocketClosedError, SocketError

if TYPE_CHECKING:
    import asyncio

    from typing_extensions import Self

    from sockkit.address import Address
    from sockkit.socket import Socket

__all__ = [
    "AsyncTLSSocket",
    "AsyncTransport",
    "CertificateVerifyError",
    "TLSError",
    "TLSHandshakeError",
    "TLSRaggedEOF",
    "TLSSocket",
]

# --------------------------------------------------------------------------------------------
# TLS errors.  They live here, not in sockkit.errors, because they subclass ssl's
# exceptions and `import ssl` is not free: `import sockkit` loads them (and ssl) only
# when a program first names one (sockkit.__getattr__).
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


class TLSRaggedEOF(TLSError, ssl.SSLEOFError):  # noqa: N818 - the pinned name
    """The peer closed the connection without TLS's ``close_notify`` (a truncation risk).

    Not raised when the `TLSSocket` was made with ``suppress_ragged_eofs=True``: then the
    end of the connection reads as an end of stream (``b""``).
    """


_T = TypeVar("_T")
# A core operation: it yields requests to its driver (an int n: "receive up to n bytes";
# a memoryview: "send these") and gets the replies (bytes received; a count sent).
_Pump = Generator[Any, Any, _T]

_NORMAL: Final = ReadMode.NORMAL
# Several full TLS records (16 KiB of plaintext each) per system call, and below malloc's
# mmap threshold (128 KiB): a larger receive buffer costs an mmap/mremap/munmap per call.
_RECV_SIZE: Final = 65536
# A bulk receiver's own buffer (see TLSSocket._receive): 16 full records per system call.
_BULK_RECV_SIZE: Final = 262144
# Plaintext encrypted per step of a write: large enough for bulk speed, small enough that
# the ciphertext held in memory stays bounded whatever the caller hands over.
_WRITE_CHUNK: Final = 262144
_HEADER: Final = 5  # a TLS record header: type, version (2), length (2)
_DONTWAIT: Final = int(getattr(_s, "MSG_DONTWAIT", 0))
_EMPTY: Final = memoryview(b"")
_WANT_READ: Final = ssl.SSLWantReadError
# Why the stream ended: not yet, with close_notify, or without it (a possible truncation).
_OPEN, _CLEAN, _RAGGED = 0, 1, 2


def _ssl_text(exc: ssl.SSLError) -> str:
    """OpenSSL's message without Python's ``[SSL: X]`` prefix and ``(_ssl.c:N)`` suffix."""
    text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    if text.startswith("[") and "] " in text:
        text = text.split("] ", 1)[1]
    if text.endswith(")") and " (_ssl.c:" in text:
        text = text.rsplit(" (_ssl.c:", 1)[0]
    return text


class _TLSCore:
    """The TLS state machine of one connection, free of I/O (see the module docstring)."""

    __slots__ = (
        "_eof",
        "_exact",
        "_in",
        "_lines",
        "_obj",
        "_out",
        "_record",
        "_unsent",
        "handshake_done",
        "peer",
        "suppress_ragged_eofs",
    )

    def __init__(
        self,
        context: ssl.SSLContext,
        *,
        server_side: bool,
        server_hostname: str | None,
        suppress_ragged_eofs: bool,
        peer: object,
    ) -> None:
        self._in = ssl.MemoryBIO()
        self._out = ssl.MemoryBIO()
        self._obj = context.wrap_bio(
            self._in, self._out, server_side=server_side, server_hostname=server_hostname
        )
        self._unsent: memoryview = _EMPTY  # ciphertext taken from the BIO, not yet sent
        self._lines = bytearray()  # plaintext decrypted but not yet returned
        self._eof = _OPEN
        self._exact = False  # receive whole records only (while unwrapping)
        self._record = bytearray()  # the part of a record received in exact mode
        self.handshake_done = False
        self.peer = peer
        self.suppress_ragged_eofs = suppress_ragged_eofs

    # ------------------------------------------------------------------ errors

    def _tls_error(self, exc: ssl.SSLError, operation: str) -> TLSError:
        if isinstance(exc, TLSError):
            return exc
        text = _ssl_text(exc)
        common: dict[str, Any] = {
            "library": getattr(exc, "library", None),
            "reason": getattr(exc, "reason", None),
        }
        if isinstance(exc, ssl.SSLCertVerificationError):
            return CertificateVerifyError(
                exc.errno,
                text,
                operation,
                self.peer,
                verify_code=exc.verify_code,
                verify_message=exc.verify_message,
                **common,
            )
        if self.handshake_done:
            return TLSError(exc.errno, text, operation, self.peer, **common)
        if isinstance(exc, ssl.SSLEOFError):
            text = "the peer closed the connection during the handshake"
        return TLSHandshakeError(exc.errno, text, operation, self.peer, **common)

    def _network_error(self, exc: OSError, operation: str) -> OSError:
        """What the network's failure means here: a reset mid-handshake is a handshake error."""
        if self.handshake_done or not isinstance(exc, ConnectionError):
            return exc
        text = f"the connection failed during the handshake: {exc.strerror or exc}"
        return TLSHandshakeError(exc.errno, text, operation, self.peer)

    # ------------------------------------------------------------------ the steps

    # A step is one call of the SSLObject, free of I/O: it returns its result, or None
    # when the network must answer first.  The generator operations below loop over the
    # steps (`_pump`); the drivers call them directly (`read_now`, `encrypt_now`, `feed`,
    # `hold`) while the connection is `steady`, which spares them the generators.

    def taken(self, count: int) -> None:
        """The first ``count`` held bytes went to a send that goes on by itself."""
        rest = self._unsent[count:]
        self._unsent = rest if rest else _EMPTY

    def holding(self) -> bool:
        """Whether ciphertext is held, waiting to be sent before anything new."""
        return bool(self._unsent)

    def steady(self) -> bool:
        """Whether the steps alone can serve a call, without the generator operations.

        True once the handshake is done, while nothing waits to be sent or returned (no
        held ciphertext, no line bytes) and the stream runs normally (not ended, not
        unwrapping).  Every path that leaves OpenSSL's output in the outgoing BIO moves
        it to the held ciphertext (`_hold_output`), so a steady core has none there.
        """
        return (
            self.handshake_done
            and not self._unsent
            and not self._lines
            and not self._eof
            and not self._exact
        )

    def _hold_output(self) -> None:
        """Put what OpenSSL wrote behind the ciphertext already held (sent first)."""
        more = self._out.read()
        if more:
            self._unsent = memoryview(self._unsent.tobytes() + more if self._unsent else more)

    def _failed(self, exc: ssl.SSLError, operation: str) -> TLSError:
        # An alert OpenSSL wrote for the peer is held: the driver sends it, best effort.
        self._hold_output()
        return self._tls_error(exc, operation)

    def _read_step(self, size: int, buffer: Buffer | None, operation: str) -> Any:
        """Plaintext (bytes, or the count read into ``buffer``); empty once the stream ended."""
        incoming = self._in
        if not incoming.pending and not incoming.eof and not self._obj.pending():
            # Nothing to decrypt: the network first, without the certain SSLWantReadError
            # (an exception per receive).  A record OpenSSL still needs (a TLS 1.3 session
            # ticket, a partial record) is read on the next try, with what arrives.
            return None
        return self._decrypt_step(size, buffer, operation)

    def _decrypt_step(self, size: int, buffer: Buffer | None, operation: str) -> Any:
        """`_read_step` once there is something to decrypt."""
        try:
            result = self._obj.read(size, buffer)
        except _WANT_READ:
            return None
        except ssl.SSLError as exc:
            return self._read_ended(exc, buffer, operation)
        if result:
            return result
        self._eof = _CLEAN  # the stdlib returns empty for a close_notify, once it has one
        return b"" if buffer is None else 0

    def _read_ended(self, exc: ssl.SSLError, buffer: Buffer | None, operation: str) -> Any:
        """A read's end of stream (empty), with or without close_notify; else its error."""
        if isinstance(exc, ssl.SSLZeroReturnError):
            self._eof = _CLEAN
        elif isinstance(exc, ssl.SSLEOFError):
            self._eof = _RAGGED
        else:
            raise self._failed(exc, operation) from None
        return b"" if buffer is None else 0

    def _write_step(self, data: memoryview | bytes, operation: str) -> int | None:
        """Encrypt ``data`` into the outgoing BIO; the plaintext count taken."""
        try:
            count: int = self._obj.write(data)
        except _WANT_READ:
            return None
        except ssl.SSLError as exc:
            raise self._failed(exc, operation) from None
        return count

    def _step(self, call: Callable[[], object], operation: str) -> bool | None:
        """The handshake's or the shutdown's step: True once ``call`` has completed."""
        try:
            call()
        except _WANT_READ:
            return None
        except ssl.SSLError as exc:
            raise self._failed(exc, operation) from None
        return True

    def _do_handshake(self) -> None:
        self._obj.do_handshake()
        self.handshake_done = True  # what remains to send is no longer the handshake's

    def feed(self, data: Buffer) -> None:
        """Give TLS the ciphertext received from the network (``b""``: its end)."""
        if data:
            self._in.write(data)
        else:
            self._in.write_eof()

    def hold(self, ciphertext: memoryview) -> None:
        """Keep ciphertext from `encrypt_now` that the network did not take: it goes first.

        First even before an answer a receive held meanwhile (it was made after it).
        """
        if self._unsent:
            ciphertext = memoryview(ciphertext.tobytes() + self._unsent.tobytes())
        self._unsent = ciphertext

    # The three fast methods below are the steady state's whole path: each inlines
    # `steady` and its step (`_read_step`, `_write_step`) because a Python call per
    # check cost a fifth of a 64-byte TLS round trip.  Their logic is the steps'.

    def read_now(self, size: int, buffer: Buffer | None, operation: str) -> Any:
        """The drivers' fast receive: plaintext that needs no network, or None.

        Args:
            size: at most this many bytes (positive).
            buffer: read into it (and return the count) instead of returning bytes.
            operation: named by errors.

        Returns:
            Plaintext (or its count); None when the core is `steady` and only the network
            can help (receive, then `read_after` with what came); empty (``b""`` or 0)
            when a generator operation must serve the call instead (the core is not
            steady, the stream ended, TLS has something to send first).
        """
        if (
            size <= 0
            or not self.handshake_done
            or self._unsent
            or self._lines
            or self._eof
            or self._exact
        ):
            return b"" if buffer is None else 0
        incoming = self._in
        if not incoming.pending and not incoming.eof and not self._obj.pending():
            return None  # as in _read_step: the network first
        result = self._decrypt_step(size, buffer, operation)
        if self._out.pending:
            return self._answered(result, buffer)
        return result

    def _answered(self, result: Any, buffer: Buffer | None) -> Any:
        """A fast read made TLS write (an answer, e.g. a refusal): hold it, to be sent
        first by the next call and before any wait, which the generators do.  So the
        read's plaintext is returned, but a wait for the network goes to the generators."""
        self._hold_output()
        return result or (b"" if buffer is None else 0)

    def read_after(
        self, ciphertext: Buffer, size: int, buffer: Buffer | None, operation: str
    ) -> Any:
        """`read_now` once the network has answered: `feed` ``ciphertext``, then read.

        Returns what `read_now` returns.  The core was steady when `read_now` sent the
        driver to the network, and receiving changes nothing of that.
        """
        result: Any
        if ciphertext:
            self._in.write(ciphertext)
            try:  # _decrypt_step, inlined
                result = self._obj.read(size, buffer)
            except _WANT_READ:
                result = None  # a partial record: the network again
            except ssl.SSLError as exc:
                result = self._read_ended(exc, buffer, operation)
            else:
                if not result:
                    self._eof = _CLEAN
                    result = b"" if buffer is None else 0
        else:
            self._in.write_eof()
            result = self._decrypt_step(size, buffer, operation)
        if self._out.pending:
            return self._answered(result, buffer)
        return result

    def encrypt_now(self, data: memoryview | bytes, operation: str) -> tuple[int, bytes] | None:
        """The drivers' fast send: encrypt a chunk of ``data`` when the core is `steady`.

        Returns:
            The plaintext count taken and the ciphertext to send (what the network does
            not take goes to `hold`); None when the generator ``write`` must serve the
            call instead (not steady, nothing to send, or TLS needs the network).
        """
        if (
            not data
            or not self.handshake_done
            or self._unsent
            or self._lines
            or self._eof
            or self._exact
        ):
            return None
        if len(data) > _WRITE_CHUNK:
            data = data[:_WRITE_CHUNK]
        try:
            count: int = self._obj.write(data)
        except _WANT_READ:
            return None
        except ssl.SSLError as exc:
            raise self._failed(exc, operation) from None
        return count, self._out.read()

    # ------------------------------------------------------------------ the pump

    def _flush(self, operation: str) -> _Pump[None]:
        """Send every byte of ciphertext held, oldest first.

        The driver answers a send with the count sent, or None when another send of its
        own is under way and will carry these bytes (an async receive answering the
        peer while another task sends).  ``_unsent`` is read afresh after each send:
        bytes held meanwhile go behind the ones sent.
        """
        self._hold_output()
        while self._unsent:
            try:
                sent = yield self._unsent
            except OSError as exc:
                raise self._network_error(exc, operation) from None
            if sent is None:
                return
            rest = self._unsent[sent:]
            self._unsent = rest if rest else _EMPTY  # the sent buffer is not kept alive

    def _fill(self, operation: str) -> _Pump[None]:
        """Receive ciphertext into the incoming BIO (whole records only in exact mode)."""
        record = self._record
        if self._exact:
            have = len(record)
            size = _HEADER - have
            if have >= _HEADER:
                size = _HEADER + int.from_bytes(record[3:5], "big") - have
        else:
            size = _RECV_SIZE
        try:
            data = yield size
        except OSError as exc:
            raise self._network_error(exc, operation) from None
        if not data or not self._exact:
            self.feed(data)
        else:
            record += data
            if len(record) >= _HEADER and len(record) == _HEADER + int.from_bytes(
                record[3:5], "big"
            ):
                self._in.write(record)
                record.clear()

    def _pump(
        self, operation: str, step: Callable[..., Any], args: tuple[Any, ...], settle: bool
    ) -> _Pump[Any]:
        """Run ``step(*args)``, feeding it the network until it has its result.

        With ``settle`` false the ciphertext it produced may stay held when the socket
        would block: the step's result is not lost, and the bytes go first next time.
        """
        while True:
            result = step(*args)
            if result is not None:
                break
            if self._unsent or self._out.pending:
                yield from self._flush(operation)  # the peer may need them to answer
            yield from self._fill(operation)
        if self._unsent or self._out.pending:
            if settle:
                yield from self._flush(operation)
            else:
                # (Not contextlib.suppress: a context manager per send on this path.)
                try:  # noqa: SIM105
                    yield from self._flush(operation)
                except BlockingIOError:
                    # The rest stays in _unsent and goes out first on the next call:
                    # the result in hand is not lost.
                    pass
        return result

    # ------------------------------------------------------------------ operations

    def handshake(self) -> _Pump[None]:
        """Run (or finish) the handshake; afterwards only flushes what is held."""
        try:
            if not self.handshake_done:
                step = (self._do_handshake, "handshake")
                yield from self._pump("handshake", self._step, step, True)
            elif self._unsent:
                yield from self._flush("handshake")
        except BrokenPipeError:
            if not self.handshake_done:
                raise
            # The peer stopped reading after the handshake (a TLS 1.3 server's session
            # tickets find it gone): what it sent before can still be read.
            self._unsent = _EMPTY

    def flush(self, operation: str) -> _Pump[None]:
        """Send the ciphertext held back by a socket that would have blocked."""
        if self._unsent or self._out.pending:
            yield from self._flush(operation)

    def _end(self, operation: str) -> bytes:
        """What a read returns once the stream has ended: ``b""``, or the ragged EOF."""
        if self._eof == _RAGGED and not self.suppress_ragged_eofs:
            raise TLSRaggedEOF(
                None, "the peer closed the connection without close_notify", operation, self.peer
            )
        return b""

    def _decrypt(self, size: int, operation: str) -> _Pump[bytes]:
        """Plaintext from the SSLObject (waiting for the network as needed); b"" at the end."""
        if not self.handshake_done:
            yield from self.handshake()
        if self._eof:
            return b""
        data: bytes = yield from self._pump(
            operation, self._read_step, (size, None, operation), False
        )
        return data

    def recv(self, size: int, operation: str) -> _Pump[bytes]:
        """Up to ``size`` bytes of plaintext; ``b""`` at the end of the stream."""
        if size <= 0:
            if size < 0:
                raise ValueError(f"length must be >= 0, got {size}")
            return b""
        lines = self._lines
        if lines:
            data = bytes(lines[:size])
            del lines[:size]
            return data
        data = yield from self._decrypt(size, operation)
        return data or self._end(operation)

    def recv_into(self, buffer: memoryview, operation: str) -> _Pump[int]:
        """Plaintext into ``buffer``; 0 at the end of the stream."""
        lines = self._lines
        if lines:
            count = min(len(lines), len(buffer))
            buffer[:count] = lines[:count]
            del lines[:count]
            return count
        if not buffer:
            return 0
        if not self.handshake_done:
            yield from self.handshake()
        count = 0
        if not self._eof:
            step = (len(buffer), buffer, operation)
            count = yield from self._pump(operation, self._read_step, step, False)
        if not count:
            self._end(operation)
        return count

    def read_line(self, length: int, operation: str) -> _Pump[bytes]:
        """Up to and including the first ``\\n`` or ``\\r``; never more than ``length``.

        Bytes after the terminator stay in ``_lines``.  When the network would block or
        time out mid-line, the part of the line received is returned.
        """
        if length <= 0:
            if length < 0:
                raise ValueError(f"length must be >= 0, got {length}")
            return b""
        lines = self._lines
        searched = 0
        while True:
            end = _line_end(lines, searched, length)
            if end:
                line = bytes(lines[:end])
                del lines[:end]
                return line
            searched = len(lines)
            try:
                data = yield from self._decrypt(_RECV_SIZE, operation)
            except (BlockingIOError, TimeoutError):
                if not lines:
                    raise
                data = b""  # what has arrived is the answer; the next call reports the wait
            if not data:
                if not lines:
                    return self._end(operation)
                line = bytes(lines)
                lines.clear()
                return line
            lines += data

    def write(self, data: memoryview, operation: str, settle: bool) -> _Pump[int]:
        """Encrypt and send at most one chunk of ``data``; return how much was taken."""
        if not self.handshake_done:
            yield from self.handshake()
        if self._unsent:
            yield from self._flush(operation)  # nothing new is taken while old bytes wait
        if not data:
            return 0
        if len(data) > _WRITE_CHUNK:
            data = data[:_WRITE_CHUNK]
        count: int = yield from self._pump(operation, self._write_step, (data, operation), settle)
        return count

    def write_all(self, data: memoryview, operation: str) -> _Pump[None]:
        """Encrypt and send all of ``data``."""
        if not self.handshake_done:
            yield from self.handshake()
        while data:
            count = yield from self.write(data, operation, True)
            data = data[count:]

    def unwrap(self) -> _Pump[bytes]:
        """Exchange ``close_notify``; return any bytes that came after the peer's."""
        if not self.handshake_done:
            yield from self.handshake()
        self._exact = True
        yield from self._pump("unwrap", self._step, (self._obj.unwrap, "unwrap"), True)
        return self._in.read()

    def goodbye(self) -> bytes:
        """The ciphertext to send, best effort, when closing: what is held and a close_notify."""
        if self.handshake_done:
            # The peer's close_notify is not awaited (WantRead), or the connection failed.
            with contextlib.suppress(ssl.SSLError):
                self._obj.unwrap()
        data = self._unsent.tobytes() + self._out.read()
        self._unsent = _EMPTY
        return data

    def pending(self) -> int:
        """Plaintext bytes ready without the network, decrypting what the BIO holds."""
        held = len(self._lines) + self._obj.pending()
        if held or not self._in.pending or not self.handshake_done or self._eof:
            return held
        try:
            data = self._read_step(_RECV_SIZE, None, "pending")
        except ssl.SSLError:
            return 0  # a failure the next read reports
        finally:
            self._hold_output()  # an answer (a refusal, say), sent first by the next call
        if not data:
            return 0  # an incomplete record, or the end of the stream
        self._lines += data
        return len(data)

    @property
    def obj(self) -> ssl.SSLObject:
        return self._obj


def _line_end(data: bytearray, start: int, limit: int) -> int:
    """One past the first terminator before ``limit`` (searching from ``start``), or
    ``limit`` when that much is held without one, else 0."""
    newline = data.find(b"\n", start, limit)
    carriage = data.find(b"\r", start, limit if newline < 0 else newline)
    if carriage >= 0:
        return carriage + 1
    if newline >= 0:
        return newline + 1
    return limit if len(data) >= limit else 0


def _check_arguments(
    context: object, server_hostname: object, server_side: object, suppress: object
) -> None:
    if not isinstance(context, ssl.SSLContext):
        raise TypeError(f"context must be an ssl.SSLContext, got {context.__class__.__name__}")
    if server_hostname is not None and not isinstance(server_hostname, str):
        raise TypeError(
            f"server_hostname must be a str or None, got {server_hostname.__class__.__name__}"
        )
    for name, value in (("server_side", server_side), ("suppress_ragged_eofs", suppress)):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be a bool, got {value.__class__.__name__}")
    if server_side and server_hostname is not None:
        raise ValueError("server_hostname is for clients: server_side must be False")
    if not server_side and server_hostname is None and context.check_hostname:
        raise ValueError("check_hostname requires server_hostname (or context.check_hostname off)")


def _refuse_renegotiation(context: ssl.SSLContext) -> None:
    # Renegotiation (TLS 1.2 and older) lets a peer restart the handshake mid-stream: a
    # known attack surface that TLS 1.3 removed.  A peer asking for it gets a
    # no_renegotiation alert and the connection goes on unchanged.
    option = getattr(ssl, "OP_NO_RENEGOTIATION", 0)
    if option and not context.options & option:
        context.options |= option


def _file_chunks(file: IO[bytes], offset: int, count: int | None) -> Generator[bytes, None, None]:
    """The bytes ``sendfile`` sends, in chunks; the file is left just after them."""
    if offset < 0 or (count is not None and count < 0):
        raise ValueError("offset and count must be >= 0")
    if isinstance(file, io.TextIOBase):
        raise ValueError("file must be opened in binary mode")
    file.seek(offset)
    left = count
    while left is None or left > 0:
        chunk = file.read(_WRITE_CHUNK if left is None else min(left, _WRITE_CHUNK))
        if not chunk:
            return
        if left is not None:
            left -= len(chunk)
        yield chunk


def _bytes_view(data: Buffer, name: str = "data") -> memoryview:
    try:
        view = memoryview(data)
    except TypeError:
        raise TypeError(
            f"{name} must be bytes-like, got {data.__class__.__name__} (encode a str first)"
        ) from None
    return view if view.format == "B" and view.c_contiguous else view.cast("B")


# ====================================================================== the sync driver


class _Negotiated:
    """What the handshake settled, read from the core: shared by both TLS sockets."""

    __slots__ = ()
    _core: _TLSCore

    @property
    def version(self) -> str | None:
        """The protocol version (``"TLSv1.3"``…), ``None`` before the handshake."""
        return self._core.obj.version()

    @property
    def cipher(self) -> tuple[str, str, int] | None:
        """The stdlib's ``(name, protocol, secret bits)`` of the cipher in use."""
        return self._core.obj.cipher()

    @property
    def alpn_protocol(self) -> str | None:
        """The protocol ALPN selected, or ``None``."""
        return self._core.obj.selected_alpn_protocol()

    @property
    def peer_certificate(self) -> dict[str, Any] | None:
        """The peer's certificate as the stdlib decodes it; ``None`` when it sent none.

        An empty dict means the peer sent one that was not verified (``CERT_NONE``).
        """
        return self._core.obj.getpeercert()


class TLSSocket(_Negotiated):
    """TLS over a connected `Socket`, with the data API of `Socket`.

    Made by [`Socket.start_tls`][sockkit.socket.Socket.start_tls] (or
    [`TLSSocket.start`][sockkit.tls.TLSSocket.start]).  The `TLSSocket` owns its socket:
    ``close()`` sends ``close_notify`` (best effort) and closes it; ``unwrap()`` hands it
    back, open, for plaintext (STARTTLS).  Blocking, timeouts and non-blocking mode are
    the socket's: on a non-blocking socket every call raises `WouldBlock` when TLS needs
    the network, and ``do_handshake()`` advances a handshake started with
    ``do_handshake=False``.  Like ``ssl.SSLObject``, it serves one thread at a time
    (OpenSSL's connection state is not safe to share): for full duplex use
    `AsyncTLSSocket`, or a lock.

    Example:
        >>> import ssl, trustme  # doctest: +SKIP
        >>> with Socket.create_connection(("127.0.0.1", port)) as sock:  # doctest: +SKIP
        ...     with sock.start_tls(context, server_hostname="localhost") as tls:
        ...         tls.write_all(b"GET / HTTP/1.0\\r\\n\\r\\n")
        ...         status = tls.read(2048, ReadMode.NORMAL)
    """

    __slots__ = ("_buffer", "_closed", "_core", "_sock")

    def __init__(self, sock: Socket, core: _TLSCore) -> None:
        """Use [`TLSSocket.start`][sockkit.tls.TLSSocket.start] or ``Socket.start_tls``."""
        self._buffer: memoryview | None = None  # see _receive
        self._sock = sock
        self._core = core
        self._closed = False

    @classmethod
    def start(
        cls,
        sock: Socket,
        context: ssl.SSLContext,
        *,
        server_hostname: str | None = None,
        server_side: bool = False,
        suppress_ragged_eofs: bool = False,
        do_handshake: bool = True,
    ) -> TLSSocket:
        """Start TLS on a connected stream socket (``Socket.start_tls`` calls this).

        The `TLSSocket` takes ownership of ``sock``: when the handshake fails, ``sock``
        is closed before the error is raised.  Renegotiation is refused (the context gets
        ``ssl.OP_NO_RENEGOTIATION``).

        Args:
            sock: a connected ``SocketType.STREAM`` socket.
            context: the ``ssl.SSLContext`` (certificates, verification, ALPN, versions).
            server_hostname: the name to send (SNI) and to check the certificate against.
            server_side: act as the server.
            suppress_ragged_eofs: read a close without ``close_notify`` as an end of stream
                instead of raising `TLSRaggedEOF`.
            do_handshake: run the handshake now (``False``: on the first call, or by
                ``do_handshake()``).

        Raises:
            TypeError: an argument of the wrong type (before anything else; ``sock`` is
                left as it was).
            ValueError: ``sock`` is not a stream socket, or the context refuses the
                arguments (``check_hostname`` without ``server_hostname``).
            CertificateVerifyError: the peer's certificate did not verify.
            TLSHandshakeError: the handshake failed (also an end of stream or a reset).
            TimedOut: the socket's timeout expired during the handshake.
            WouldBlock: a non-blocking socket: call ``do_handshake()`` when it is ready.
        """
        _check_arguments(context, server_hostname, server_side, suppress_ragged_eofs)
        if sock.type != SocketType.STREAM:
            raise ValueError(f"TLS needs a stream socket, got {sock.type!r}")
        _refuse_renegotiation(context)
        try:
            peer: object = sock.peer_address
        except OSError:
            peer = None  # the handshake's first receive reports what is wrong
        core = _TLSCore(
            context,
            server_side=server_side,
            server_hostname=server_hostname,
            suppress_ragged_eofs=suppress_ragged_eofs,
            peer=peer,
        )
        tls = cls(sock, core)
        if do_handshake:
            tls.do_handshake()
        return tls

    # ------------------------------------------------------------------ the driver

    def _run(self, pump: _Pump[_T], operation: str) -> _T:
        """Answer the core's requests with the socket until the operation is done."""
        if self._closed:
            pump.close()
            raise SocketClosedError(operation)
        sock = self._sock
        try:
            request = pump.send(None)
            while True:
                try:
                    if request.__class__ is int:
                        reply: Any = sock.recv(request)
                    else:
                        reply = sock.send(request)
                except OSError as exc:
                    request = pump.throw(exc)
                else:
                    request = pump.send(reply)
        except StopIteration as stop:
            result: _T = stop.value
            return result
        except TLSHandshakeError:
            self._abort()
            raise

    def _abort(self) -> None:
        """Close after a failed handshake: the alert OpenSSL wrote goes out first if it can."""
        if self._closed:
            return
        self._closed = True
        alert = self._core.goodbye() if not self._core.handshake_done else b""
        if alert:
            with contextlib.suppress(OSError):  # best effort: the peer may be gone
                self._sock.send(alert, _DONTWAIT)
        self._sock.close()

    def do_handshake(self) -> None:
        """Run the handshake, or advance one started with ``do_handshake=False``.

        On a non-blocking socket it raises `WouldBlock` until the handshake is done.
        Any other failure closes the socket before it is raised.

        Raises:
            WouldBlock: the handshake waits for the network; call again when ready.
            CertificateVerifyError, TLSHandshakeError, TimedOut: the handshake failed.
            SocketClosedError: the `TLSSocket` is closed.
        """
        try:
            self._run(self._core.handshake(), "handshake")
        except BlockingIOError:
            raise
        except BaseException:
            self._abort()
            raise

    # ------------------------------------------------------------------ data

    def recv(self, length: int, flags: int = 0) -> bytes:
        """Receive up to ``length`` bytes of plaintext; ``b""`` means end of stream.

        Raises:
            ValueError: ``length`` is negative, or ``flags`` are given (TLS takes none).
            WouldBlock: non-blocking and no plaintext is ready.
            TimedOut: the socket's timeout expired.
            TLSRaggedEOF: the peer closed without ``close_notify``.
            TLSError: the peer sent something TLS refuses.
        """
        if flags:
            raise ValueError("flags must be 0: TLS cannot pass flags to the system call")
        core = self._core
        if not self._closed:
            # The steady state's flat path (see _TLSCore.read_now); the generators otherwise.
            data = core.read_now(length, None, "recv")
            while data is None:
                # _receive, inlined on this hot path.
                bulk = self._buffer
                received: Buffer
                if bulk is None:
                    small = self._sock.recv(_RECV_SIZE)
                    if len(small) == _RECV_SIZE:
                        self._buffer = memoryview(bytearray(_BULK_RECV_SIZE))
                    received = small
                else:
                    received = bulk[: self._sock.recv_into(bulk)]
                data = core.read_after(received, length, None, "recv")
            if data:
                return data  # type: ignore[no-any-return]
        return self._run(core.recv(length, "recv"), "recv")

    def recv_into(self, buffer: Buffer, nbytes: int = 0, flags: int = 0) -> int:
        """Receive plaintext into ``buffer`` (up to ``nbytes``, or its size when 0).

        Raises:
            ValueError: ``nbytes`` negative or larger than the buffer; ``flags`` given.
            WouldBlock, TimedOut, TLSRaggedEOF, TLSError: as for `recv`.
        """
        if flags:
            raise ValueError("flags must be 0: TLS cannot pass flags to the system call")
        # A bytearray needs no view on the fast path (making one costs more than the read).
        view = buffer if buffer.__class__ is bytearray else _bytes_view(buffer, "buffer")
        size = nbytes or len(view)
        if nbytes < 0 or nbytes > len(view):
            raise ValueError(f"nbytes must be between 0 and {len(view)}, got {nbytes}")
        core = self._core
        if not self._closed:
            count = core.read_now(size, view, "recv_into")  # reads at most size
            while count is None:
                count = core.read_after(self._receive(), size, view, "recv_into")
            if count:
                return count  # type: ignore[no-any-return]
        return self._run(core.recv_into(memoryview(view)[:size], "recv_into"), "recv_into")

    def read(self, length: int, mode: int = ReadMode.BINARY) -> bytes:
        """Read like `Socket.read`, over the plaintext.

        ``ReadMode.NORMAL`` returns up to and including the first ``\\n`` or ``\\r``
        (never more than ``length`` bytes); plaintext after the terminator stays in the
        `TLSSocket` for the next read.  A blocking socket waits for the rest of a line;
        a non-blocking one (or a timeout mid-line) returns the part that has arrived.

        Raises:
            ValueError: ``length`` is negative.
            WouldBlock: non-blocking and nothing has arrived.
            TimedOut, TLSRaggedEOF, TLSError: as for `recv`.
        """
        core = self._core
        if mode == _NORMAL:
            return self._run(core.read_line(length, "read"), "read")
        if not self._closed:
            data = core.read_now(length, None, "read")
            while data is None:
                data = core.read_after(self._receive(), length, None, "read")
            if data:
                return data  # type: ignore[no-any-return]
        return self._run(core.recv(length, "read"), "read")

    def send(self, data: Buffer, flags: int = 0) -> int:
        """Encrypt and send some of ``data``; return how many plaintext bytes were taken.

        On a non-blocking socket the bytes taken may not all be on the wire yet: they go
        out first on the next call (or `flush`).

        Raises:
            TypeError: ``data`` is not bytes-like.
            ValueError: ``flags`` given.
            WouldBlock: non-blocking and earlier bytes still wait for the socket.
            BrokenPipe, ConnectionReset, TimedOut: as for `Socket.send`.
        """
        if flags:
            raise ValueError("flags must be 0: TLS cannot pass flags to the system call")
        view = data if data.__class__ is bytes else _bytes_view(data)  # bytes: no view needed
        core = self._core
        if not self._closed:
            sealed = core.encrypt_now(view, "send")
            if sealed is not None:
                self._ship(sealed[1], "send", False)
                return sealed[0]
        return self._run(core.write(view, "send", False), "send")  # type: ignore[arg-type]

    def write(self, data: Buffer, length: int | None = None) -> int:
        """Write once, like `Socket.write`: at most ``length`` bytes; returns the count.

        Raises:
            TypeError: ``data`` is not bytes-like.
            ValueError: ``length`` is negative.
            WouldBlock, BrokenPipe, ConnectionReset, TimedOut: as for `send`.
        """
        view = _bytes_view(data)
        if length is not None:
            if length < 0:
                raise ValueError(f"length must be >= 0, got {length}")
            view = view[:length]
        core = self._core
        if not self._closed:
            sealed = core.encrypt_now(view, "write")
            if sealed is not None:
                self._ship(sealed[1], "write", False)
                return sealed[0]
        return self._run(core.write(view, "write", False), "write")

    def write_all(self, data: Buffer) -> None:
        """Encrypt and send all of ``data``, waiting as needed.

        Raises:
            TypeError: ``data`` is not bytes-like.
            BrokenPipe, ConnectionReset, TimedOut, WouldBlock: as for `Socket.write_all`.
        """
        view = _bytes_view(data)
        core = self._core
        if view and not self._closed:
            while view:
                sealed = core.encrypt_now(view, "write_all")
                if sealed is None:
                    break  # the generator serves the rest
                self._ship(sealed[1], "write_all", True)
                view = view[sealed[0] :]
            else:
                return
        self._run(core.write_all(view, "write_all"), "write_all")

    def _receive(self) -> Buffer:
        """Receive ciphertext for the fast path (valid until the next receive).

        A receive allocates its bytes, which suits small messages; once one fills
        ``_RECV_SIZE`` (a bulk transfer) the socket receives into a buffer of its own,
        ``_BULK_RECV_SIZE`` at a time: many records per system call, no allocation.
        """
        buffer = self._buffer
        if buffer is None:
            data = self._sock.recv(_RECV_SIZE)
            if len(data) == _RECV_SIZE:
                self._buffer = memoryview(bytearray(_BULK_RECV_SIZE))
            return data
        return buffer[: self._sock.recv_into(buffer)]

    def _ship(self, ciphertext: bytes, operation: str, settle: bool) -> None:
        """Send ciphertext from ``encrypt_now``; what the socket does not take is held.

        Held bytes go first on the next call.  With ``settle`` false, a socket that
        would block keeps them held and the call succeeds (the plaintext was taken).
        """
        try:
            sent = self._sock.send(ciphertext)
        except BlockingIOError:
            self._core.hold(memoryview(ciphertext))
            if settle:
                raise
            return
        except BaseException:
            self._core.hold(memoryview(ciphertext))
            raise
        if sent < len(ciphertext):
            self._core.hold(memoryview(ciphertext)[sent:])
            try:
                self._run(self._core.flush(operation), operation)
            except BlockingIOError:
                if settle:
                    raise

    def flush(self) -> None:
        """Send the ciphertext a non-blocking `send` had to hold back.

        Raises:
            WouldBlock: the socket still cannot take it all.
        """
        self._run(self._core.flush("flush"), "flush")

    def sendfile(self, file: IO[bytes], offset: int = 0, count: int | None = None) -> int:
        """Send a file's contents through `send` (TLS encrypts in user space).

        Args:
            file: a file opened in binary mode.
            offset: where to start in the file.
            count: how many bytes (``None``: to the end).

        Returns:
            The number of bytes sent; the file is left just after them.

        Raises:
            ValueError: negative ``offset`` or ``count``, or a text-mode file.
            BrokenPipe, ConnectionReset, TimedOut: the peer or the timeout.
        """
        total = 0
        for chunk in _file_chunks(file, offset, count):
            view = memoryview(chunk)
            while view:
                sent = self.send(view)
                view = view[sent:]
                total += sent
        return total

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Send ``close_notify`` (best effort, without waiting) and close the socket.

        Closing twice is harmless.
        """
        if self._closed:
            return
        self._closed = True
        try:
            goodbye = self._core.goodbye()
            if goodbye and not self._sock.closed:
                self._sock.send(goodbye, _DONTWAIT)
        except OSError:
            pass  # best effort: a peer that is gone or a full buffer loses the courtesy
        finally:
            self._sock.close()

    def unwrap(self) -> Socket:
        """Exchange ``close_notify`` with the peer and return the socket for plaintext.

        The returned object is the very `Socket` TLS ran over, open; the `TLSSocket` is
        closed from then on.  Bytes the peer sent after its ``close_notify`` stay in the
        socket (records are read exactly while unwrapping).

        Raises:
            TLSError: the exchange failed (the socket is then closed), or plaintext
                arrived before it ended (the peer spoke too early).
            WouldBlock, TimedOut: the peer's ``close_notify`` has not come yet.
        """
        leftover = self._run(self._core.unwrap(), "unwrap")
        self._closed = True
        if leftover:
            self._sock.close()
            raise TLSError(
                None,
                f"{len(leftover)} bytes arrived after close_notify before the exchange ended",
                "unwrap",
                self._core.peer,
            )
        return self._sock

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        """Whether the `TLSSocket` is closed (also after ``unwrap()``)."""
        return self._closed or self._sock.closed

    def fileno(self) -> int:
        """The socket's descriptor, or -1 once closed."""
        return -1 if self._closed else self._sock.fileno()

    # ------------------------------------------------------------------ state

    @property
    def pending(self) -> int:
        """Plaintext bytes ready to read without the network (including a line reader's)."""
        return 0 if self._closed else self._core.pending()

    @property
    def socket(self) -> Socket:
        """The `Socket` TLS runs over (its options and addresses; its close ends the TLS)."""
        return self._sock

    @property
    def server_side(self) -> bool:
        """Whether this end is the server."""
        return self._core.obj.server_side

    @property
    def timeout(self) -> float | None:
        """The socket's timeout (``None`` blocks, ``0.0`` never waits)."""
        return self._sock.timeout

    @timeout.setter
    def timeout(self, value: float | None) -> None:
        self._sock.timeout = value

    @property
    def blocking(self) -> bool:
        """Whether the socket's calls wait (see `Socket.blocking`)."""
        return self._sock.blocking

    @blocking.setter
    def blocking(self, value: bool) -> None:
        self._sock.blocking = value

    @property
    def local_address(self) -> Address | None:
        """The socket's local address."""
        return self._sock.local_address

    @property
    def peer_address(self) -> Address | None:
        """The socket's peer address."""
        return self._sock.peer_address

    def __repr__(self) -> str:
        state = "closed" if self.closed else (self.version or "handshaking")
        return f"<TLSSocket {state} over {self._sock!r}>"


# ====================================================================== the async driver


class AsyncTransport(Protocol):
    """What [`AsyncTLSSocket`][sockkit.tls.AsyncTLSSocket] runs over (e.g. ``AsyncSocket``).

    ``recv(n)`` returns ``b""`` at end of stream; ``close()`` is plain.  An optional
    ``socket`` attribute (the wrapped `Socket`) lets a plain ``close()`` send
    ``close_notify`` without waiting; an optional ``peer_address`` names the peer in errors.
    """

    def recv(self, length: int) -> Awaitable[bytes]: ...

    def write_all(self, data: Buffer) -> Awaitable[None]: ...

    def close(self) -> None: ...


class AsyncTLSSocket(_Negotiated):
    """TLS over an [`AsyncTransport`][sockkit.tls.AsyncTransport]: `TLSSocket`, awaited.

    Made by ``await AsyncSocket.start_tls(...)`` (or
    [`AsyncTLSSocket.start`][sockkit.tls.AsyncTLSSocket.start]).  The same state machine
    as `TLSSocket` drives it.  ``close()`` is plain (``close_notify`` best effort),
    ``await aclose()`` waits until ``close_notify`` is sent, and ``async with`` awaits
    ``aclose()``.  Cancelling a call that was sending leaves the TLS stream unusable
    (part of a record may have gone); cancelling a receive loses nothing.

    One task may receive while another sends, as on an `AsyncSocket`; a second task
    that starts to send while one is sending raises `BusyError`.  A receive sometimes
    has to send (post-handshake authentication, a refusal of renegotiation; OpenSSL
    answers a KeyUpdate with the next write instead): while a task is sending, the answer is
    left to it (it goes out after the record in flight, before the sender returns);
    otherwise the receive sends it itself, and a task that starts to send meanwhile
    waits for it.  So records leave in the order TLS made them, whole.
    """

    __slots__ = ("_answering", "_closed", "_core", "_receiving", "_sending", "_transport")

    def __init__(self, transport: AsyncTransport, core: _TLSCore) -> None:
        """Use [`AsyncTLSSocket.start`][sockkit.tls.AsyncTLSSocket.start]."""
        self._transport = transport
        self._core = core
        self._closed = False
        # A task's send is under way (a write, the handshake, unwrap, aclose): the only
        # one that sends, but for a receive's answer already in flight, which it awaits.
        self._sending = False
        self._answering: asyncio.Future[None] | None = None  # a receive's answer being sent
        self._receiving = False  # a task's receive is under way (the only one)

    @classmethod
    async def start(
        cls,
        transport: AsyncTransport,
        context: ssl.SSLContext,
        *,
        server_hostname: str | None = None,
        server_side: bool = False,
        suppress_ragged_eofs: bool = False,
        do_handshake: bool = True,
    ) -> AsyncTLSSocket:
        """Start TLS over ``transport`` (``AsyncSocket.start_tls`` calls this).

        Takes ownership of ``transport``: a failed handshake closes it before raising.
        Arguments and errors as for [`TLSSocket.start`][sockkit.tls.TLSSocket.start].
        """
        _check_arguments(context, server_hostname, server_side, suppress_ragged_eofs)
        _refuse_renegotiation(context)
        try:
            peer: object = getattr(transport, "peer_address", None)
        except OSError:
            peer = None
        core = _TLSCore(
            context,
            server_side=server_side,
            server_hostname=server_hostname,
            suppress_ragged_eofs=suppress_ragged_eofs,
            peer=peer,
        )
        tls = cls(transport, core)
        if do_handshake:
            await tls.do_handshake()
        return tls

    async def _run(self, pump: _Pump[_T], operation: str, sends: bool = True) -> _T:
        """Answer the core's requests with awaits until the operation is done.

        ``sends`` is false for a receive: what it has to send goes through `_answer`.
        """
        if self._closed:
            pump.close()
            raise SocketClosedError(operation)
        transport = self._transport
        try:
            request = pump.send(None)
            while True:
                try:
                    if request.__class__ is int:
                        reply: Any = await transport.recv(request)
                    elif sends:
                        await transport.write_all(request)
                        reply = len(request)
                    else:
                        reply = await self._answer(request)
                except OSError as exc:
                    request = pump.throw(exc)
                else:
                    request = pump.send(reply)
        except StopIteration as stop:
            result: _T = stop.value
            return result
        except TLSHandshakeError:
            self._abort()
            raise

    async def _answer(self, ciphertext: memoryview) -> int | None:
        """Send what a receive made TLS write; None when the sending task will send it.

        The send runs as a task of its own, so that cancelling the receive does not cut
        it (a record half sent would end the stream): it goes on, and the next sender
        (or answer) waits for it.
        """
        import asyncio  # noqa: PLC0415 - loaded already: a loop is running this

        if self._answering is not None:  # a cancelled receive's answer, still going out
            await asyncio.shield(self._answering)
        if self._sending:
            return None  # held: the sender sends it after its record, before it returns
        sending = asyncio.ensure_future(self._transport.write_all(ciphertext))
        self._answering = sending
        sending.add_done_callback(self._answer_done)
        try:
            await asyncio.shield(sending)
        except asyncio.CancelledError:
            if not sending.done():  # the receive was cancelled, not the send
                self._core.taken(len(ciphertext))
            raise
        return len(ciphertext)

    def _answer_done(self, sending: asyncio.Future[None]) -> None:
        if self._answering is sending:
            self._answering = None
        if not sending.cancelled():
            # Retrieved here: the receive, or whoever waited for it, has seen a failure;
            # after a cancelled receive the next call meets the broken network itself.
            sending.exception()

    async def _claim(self, operation: str) -> None:
        """Become the sending task: `BusyError` if another is; await a receive's answer."""
        if self._sending:
            raise BusyError.another_task(operation, "sending")
        self._sending = True
        answering = self._answering
        if answering is not None:
            import asyncio  # noqa: PLC0415 - loaded already: a loop is running this

            try:
                await asyncio.shield(answering)  # (a cancelled sender leaves it going)
            except BaseException:
                self._sending = False
                raise

    async def _settle(self, operation: str) -> None:
        """Send the answers receives left to this sender, then stop being the sender."""
        try:
            if self._core.holding():
                await self._run(self._core.flush(operation), operation)
        finally:
            self._sending = False

    def _abort(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._transport.close()

    async def do_handshake(self) -> None:
        """Run the handshake (after ``do_handshake=False``); a failure closes the transport.

        Raises:
            BusyError: another task is receiving or sending on this `AsyncTLSSocket`.
        """
        if self._receiving:
            raise BusyError.another_task("handshake", "receiving")
        await self._claim("handshake")
        self._receiving = True
        try:
            await self._run(self._core.handshake(), "handshake")
        except BaseException:
            self._sending = False
            self._abort()
            raise
        finally:
            self._receiving = False
        await self._settle("handshake")

    async def recv(self, length: int) -> bytes:
        """Receive up to ``length`` bytes of plaintext; ``b""`` at end of stream.

        Raises:
            BusyError: another task is receiving on this `AsyncTLSSocket`.
        """
        if self._receiving:
            raise BusyError.another_task("recv", "receiving")
        self._receiving = True
        try:
            core = self._core
            if not self._closed:
                # The steady state's flat path (see _TLSCore.read_now); else the generators.
                data = core.read_now(length, None, "recv")
                while data is None:
                    ciphertext = await self._transport.recv(_RECV_SIZE)
                    data = core.read_after(ciphertext, length, None, "recv")
                if data:
                    return data  # type: ignore[no-any-return]
            return await self._run(core.recv(length, "recv"), "recv", False)
        finally:
            self._receiving = False

    async def recv_into(self, buffer: Buffer, nbytes: int = 0) -> int:
        """Receive plaintext into ``buffer`` (up to ``nbytes``, or its size when 0)."""
        view = buffer if buffer.__class__ is bytearray else _bytes_view(buffer, "buffer")
        size = nbytes or len(view)
        if nbytes < 0 or nbytes > len(view):
            raise ValueError(f"nbytes must be between 0 and {len(view)}, got {nbytes}")
        if self._receiving:
            raise BusyError.another_task("recv_into", "receiving")
        self._receiving = True
        try:
            core = self._core
            if not self._closed:
                count = core.read_now(size, view, "recv_into")  # reads at most size
                while count is None:
                    ciphertext = await self._transport.recv(_RECV_SIZE)
                    count = core.read_after(ciphertext, size, view, "recv_into")
                if count:
                    return count  # type: ignore[no-any-return]
            pump = core.recv_into(memoryview(view)[:size], "recv_into")
            return await self._run(pump, "recv_into", False)
        finally:
            self._receiving = False

    async def read(self, length: int, mode: int = ReadMode.BINARY) -> bytes:
        """Read like `TLSSocket.read`; a NORMAL read waits for the whole line."""
        if self._receiving:
            raise BusyError.another_task("read", "receiving")
        self._receiving = True
        try:
            core = self._core
            if mode == _NORMAL:
                return await self._run(core.read_line(length, "read"), "read", False)
            if not self._closed:
                data = core.read_now(length, None, "read")
                while data is None:
                    ciphertext = await self._transport.recv(_RECV_SIZE)
                    data = core.read_after(ciphertext, length, None, "read")
                if data:
                    return data  # type: ignore[no-any-return]
            return await self._run(core.recv(length, "read"), "read", False)
        finally:
            self._receiving = False

    async def send(self, data: Buffer) -> int:
        """Encrypt and send some of ``data``; return how many bytes were taken."""
        return await self._write(_bytes_view(data), "send")

    async def write(self, data: Buffer, length: int | None = None) -> int:
        """Write once: at most ``length`` bytes; returns the count."""
        view = _bytes_view(data)
        if length is not None:
            if length < 0:
                raise ValueError(f"length must be >= 0, got {length}")
            view = view[:length]
        return await self._write(view, "write")

    async def _write(self, view: memoryview, operation: str) -> int:
        if self._sending or self._answering is not None:
            await self._claim(operation)
        else:
            self._sending = True  # (_claim's common case, without a coroutine per send)
        try:
            core = self._core
            sealed = None if self._closed else core.encrypt_now(view, operation)
            if sealed is None:
                count = await self._run(core.write(view, operation, True), operation)
            else:
                await self._ship(sealed[1])
                count = sealed[0]
        except BaseException:
            self._sending = False
            raise
        if self._core.holding():
            await self._settle(operation)
        else:
            self._sending = False
        return count

    async def write_all(self, data: Buffer) -> None:
        """Encrypt and send all of ``data``."""
        view = _bytes_view(data)
        if self._sending or self._answering is not None:
            await self._claim("write_all")
        else:
            self._sending = True
        try:
            await self._write_all(view)
        except BaseException:
            self._sending = False
            raise
        if self._core.holding():
            await self._settle("write_all")
        else:
            self._sending = False

    async def _write_all(self, view: memoryview) -> None:
        core = self._core
        if view and not self._closed:
            while view:
                sealed = core.encrypt_now(view, "write_all")
                if sealed is None:
                    break  # the generator serves the rest
                await self._ship(sealed[1])
                view = view[sealed[0] :]
            else:
                return
        await self._run(core.write_all(view, "write_all"), "write_all")

    async def _ship(self, ciphertext: bytes) -> None:
        """Send ciphertext from ``encrypt_now``; held if the send fails or is cancelled."""
        try:
            await self._transport.write_all(ciphertext)
        except BaseException:
            # As the generators' flush leaves it: the next call sends it first (part may
            # have gone: a failed or cancelled send leaves the stream unusable).
            self._core.hold(memoryview(ciphertext))
            raise

    async def sendfile(self, file: IO[bytes], offset: int = 0, count: int | None = None) -> int:
        """Send a file's contents; returns the number of bytes sent."""
        total = 0
        await self._claim("sendfile")
        try:
            for chunk in _file_chunks(file, offset, count):
                await self._write_all(memoryview(chunk))
                total += len(chunk)
        except BaseException:
            self._sending = False
            raise
        await self._settle("sendfile")
        return total

    async def unwrap(self) -> AsyncTransport:
        """Exchange ``close_notify`` and return the transport for plaintext."""
        if self._receiving:
            raise BusyError.another_task("unwrap", "receiving")
        await self._claim("unwrap")
        self._receiving = True
        try:
            leftover = await self._run(self._core.unwrap(), "unwrap")
        finally:
            self._sending = self._receiving = False
        self._closed = True
        if leftover:
            self._transport.close()
            raise TLSError(
                None,
                f"{len(leftover)} bytes arrived after close_notify before the exchange ended",
                "unwrap",
                self._core.peer,
            )
        return self._transport

    def close(self) -> None:
        """Close now: ``close_notify`` goes out only if the socket takes it at once.

        Not while a task is in the middle of a send (its record may be half gone):
        the close then only wakes it, with `SocketClosedError`.
        """
        if self._closed:
            return
        self._closed = True
        try:
            goodbye = b"" if self._mid_send() else self._core.goodbye()
            sock = getattr(self._transport, "socket", None)
            if goodbye and sock is not None and not sock.closed:
                sock.send(goodbye, _DONTWAIT)
        except OSError:
            pass  # best effort
        finally:
            self._transport.close()

    async def aclose(self) -> None:
        """Send ``close_notify`` (waiting until it is sent) and close the transport.

        While another task is in the middle of a send, closes as `close` does.
        """
        if self._closed:
            return
        if self._mid_send():
            self.close()
            return
        self._closed = True
        self._sending = True  # a receive's answer must not go out beside the goodbye
        try:
            goodbye = self._core.goodbye()
            if goodbye:
                await self._transport.write_all(goodbye)
        except OSError:
            pass  # the peer is gone: nothing to say goodbye to
        finally:
            self._sending = False
            self._transport.close()

    def _mid_send(self) -> bool:
        return self._sending or self._answering is not None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def closed(self) -> bool:
        """Whether the `AsyncTLSSocket` is closed (also after ``unwrap()``)."""
        return self._closed

    @property
    def transport(self) -> AsyncTransport:
        """What TLS runs over."""
        return self._transport

    def fileno(self) -> int:
        """The transport's descriptor (-1 once closed or when it has none)."""
        fileno = getattr(self._transport, "fileno", None)
        return -1 if self._closed or fileno is None else int(fileno())

    @property
    def pending(self) -> int:
        """Plaintext bytes ready without the network."""
        return 0 if self._closed else self._core.pending()
