"""The ``sockkit`` command line (also ``python -m sockkit``).

Subcommands:

* ``sockkit demo``: a talkback server and a scripted client on loopback; prints
  the conversation and exits.
* ``sockkit serve``: the talkback server, for trying with ``nc`` or ``telnet``;
  it serves every client at once, and removes its Unix socket file on exit
  (``--tls-cert FILE --tls-key FILE``: over TLS, for ``openssl s_client``).
* ``sockkit demo --tls``: the demo over TLS, with a throwaway self-signed certificate.
* ``sockkit strerror CODE``: one errno or Winsock code (or symbol) from the error
  catalog: its symbol, exception class and description.
* ``sockkit errors``: the whole error catalog as a table.
* ``sockkit options [--level LEVEL]``: the option table, with value types and
  whether each option may be read and written.
* ``sockkit lookup HOST [SERVICE]``: name resolution results as a table.

The table commands take ``--json`` for machine-readable output.

Exit codes: 0 success, 1 a failure (a socket error, a failed lookup, a code not
in the catalog), 2 a usage error (a bad option or argument, including a value
sockkit refuses before any system call, such as a port outside 0-65535).
Failures print one line on stderr; ``--debug`` shows the traceback.

The row builders [`option_rows`][sockkit.cli.option_rows] and
[`error_rows`][sockkit.cli.error_rows] also feed the tables of the documentation
site, so the command line and the docs never disagree.
"""

from __future__ import annotations

import argparse
import contextlib
import errno as _errno
import json
import os
import shlex
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from sockkit import talkback
from sockkit.address import Inet6Address
from sockkit.enums import AddressFamily, AIFlag, Level, ReadMode, SocketType
from sockkit.errors import (
    CATALOG,
    AddressInUse,
    ConnectionRefused,
    ErrorEntry,
    SocketError,
    by_errno,
    by_symbol,
    by_winsock,
)
from sockkit.options import (
    IPOption,
    IPv6Option,
    Option,
    SocketOption,
    TCPOption,
    UDPOption,
    all_options,
)
from sockkit.socket import Socket
from sockkit.tls import TLSSocket

if TYPE_CHECKING:
    import ssl

__all__ = [
    "LEVEL_CHOICES",
    "ErrorRow",
    "OptionRow",
    "build_parser",
    "error_rows",
    "exception_bases",
    "find_error",
    "main",
    "option_c_name",
    "option_rows",
]

_DEMO_SCRIPT = ("hello", "sockets are fun", "quit")
_DEMO_TIMEOUT = 10.0
_WINSOCK_BASE = 10000
"""WSABASEERR: Winsock's error codes start here."""
_PROBE_TIMEOUT = 2.0
_MAX_PORT = 65535

Out = Callable[[str], None]


class _FailureError(Exception):
    """A failure the command reports as one line and exit code 1."""


class _UsageError(Exception):
    """A bad argument the parser could not catch: one line and exit code 2."""


# --------------------------------------------------------------------- tables


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Align ``rows`` under ``headers`` in columns two spaces apart."""
    widths = [len(header) for header in headers]
    for row in rows:
        for column, cell in enumerate(row):
            widths[column] = max(widths[column], len(cell))
    lines = []
    for row in (headers, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _print_json(value: object, out: Out) -> None:
    out(json.dumps(value, indent=2))


# --------------------------------------------------------------------- options

LEVEL_CHOICES: dict[str, Level] = {
    "socket": Level.SOCKET,
    "tcp": Level.TCP,
    "udp": Level.UDP,
    "ip": Level.IP,
    "ipv6": Level.IPV6,
}
"""``--level`` names of ``sockkit options`` and the levels they select."""

_LEVEL_C_NAMES: dict[Level, str] = {
    Level.SOCKET: "SOL_SOCKET",
    Level.TCP: "IPPROTO_TCP",
    Level.UDP: "IPPROTO_UDP",
    Level.IP: "IPPROTO_IP",
    Level.IPV6: "IPPROTO_IPV6",
}

_C_PREFIXES: dict[type[Any], str] = {
    SocketOption: "SO_",
    TCPOption: "TCP_",
    UDPOption: "UDP_",
    IPOption: "IP_",
    IPv6Option: "IPV6_",
}


def option_c_name(option: Option) -> str:
    """Return the C name of an option member, e.g. ``SO_REUSEADDR`` or ``MCAST_JOIN_GROUP``.

    Example:
        >>> option_c_name(TCPOption.NODELAY)
        'TCP_NODELAY'
    """
    if option.name.startswith("MCAST_"):
        return option.name
    return _C_PREFIXES[type(option)] + option.name


class OptionRow(NamedTuple):
    """One row of the option table.

    Attributes:
        option: the option member.
        name: the member's Python name, e.g. ``"SocketOption.REUSEADDR"``.
        c_name: the C name, e.g. ``"SO_REUSEADDR"``.
        level: the C name of the level, e.g. ``"SOL_SOCKET"``.
        value: the option number on this OS.
        value_type: the Python type of the option's value, in words.
        readable: whether ``get_option`` may read it.
        writable: whether ``set_option`` may write it.
    """

    option: Option
    name: str
    c_name: str
    level: str
    value: int
    value_type: str
    readable: bool
    writable: bool


def option_rows(level: Level | None = None) -> list[OptionRow]:
    """Return the option table (every level, or just ``level``).

    The rows come from [`all_options`][sockkit.options.all_options], in its order.

    Example:
        >>> [row.c_name for row in option_rows(Level.TCP)][:2]
        ['TCP_NODELAY', 'TCP_MAXSEG']
    """
    rows = []
    for option in all_options():
        if level is not None and option.level != level:
            continue
        rows.append(
            OptionRow(
                option=option,
                name=f"{type(option).__name__}.{option.name}",
                c_name=option_c_name(option),
                level=_LEVEL_C_NAMES.get(option.level, option.level.name),
                value=int(option),
                value_type=option.codec.name,
                readable=option.readable,
                writable=option.writable,
            )
        )
    return rows


def _options(args: argparse.Namespace, out: Out) -> int:
    level = None if args.level is None else LEVEL_CHOICES[args.level]
    rows = option_rows(level)
    if args.json:
        _print_json(
            [
                {
                    "name": row.name,
                    "c_name": row.c_name,
                    "level": row.level,
                    "value": row.value,
                    "type": row.value_type,
                    "get": row.readable,
                    "set": row.writable,
                }
                for row in rows
            ],
            out,
        )
        return 0
    cells = [
        [
            row.name,
            row.c_name,
            row.level,
            str(row.value),
            row.value_type,
            "yes" if row.readable else "no",
            "yes" if row.writable else "no",
        ]
        for row in rows
    ]
    for line in _table(["OPTION", "C NAME", "LEVEL", "VALUE", "TYPE", "GET", "SET"], cells):
        out(line)
    return 0


# --------------------------------------------------------------------- errors


def exception_bases(exception: type[BaseException]) -> list[str]:
    """Return the names of an exception class's direct bases.

    Example:
        >>> from sockkit.errors import ConnectionRefused
        >>> exception_bases(ConnectionRefused)
        ['SocketError', 'ConnectionRefusedError']
    """
    return [base.__name__ for base in exception.__bases__]


class ErrorRow(NamedTuple):
    """One row of the error catalog as the tables show it.

    Attributes:
        entry: the catalog entry.
        errno: the errno on this OS as text, ``"-"`` when the OS has none.
        winsock: the Winsock code as text, ``"-"`` when Winsock has none.
        exception: the exception class's name.
        bases: the names of the exception class's direct bases.
    """

    entry: ErrorEntry
    errno: str
    winsock: str
    exception: str
    bases: list[str]


def error_rows() -> list[ErrorRow]:
    """Return one row per entry of [`CATALOG`][sockkit.errors.CATALOG], in catalog order.

    Example:
        >>> row = next(r for r in error_rows() if r.entry.symbol == "ECONNREFUSED")
        >>> row.winsock, row.exception
        ('10061', 'ConnectionRefused')
    """
    return [
        ErrorRow(
            entry=entry,
            errno="-" if entry.errno is None else str(entry.errno),
            winsock="-" if entry.winsock is None else str(entry.winsock),
            exception=entry.exception.__name__,
            bases=exception_bases(entry.exception),
        )
        for entry in CATALOG
    ]


def _entry_json(entry: ErrorEntry) -> dict[str, object]:
    return {
        "symbol": entry.symbol,
        "errno": entry.errno,
        "winsock": entry.winsock,
        "winsock_name": entry.winsock_name,
        "class": entry.exception.__name__,
        "bases": exception_bases(entry.exception),
        "description": entry.description,
    }


def _errors(args: argparse.Namespace, out: Out) -> int:
    rows = error_rows()
    if args.json:
        _print_json([_entry_json(row.entry) for row in rows], out)
        return 0
    cells = [
        [row.entry.symbol, row.errno, row.winsock, row.exception, row.entry.description]
        for row in rows
    ]
    for line in _table(["SYMBOL", "ERRNO", "WINSOCK", "CLASS", "DESCRIPTION"], cells):
        out(line)
    return 0


def find_error(code: str) -> tuple[ErrorEntry | None, int | None]:
    """Find a catalog entry by errno, Winsock code or symbol.

    Args:
        code: ``"98"``, ``"10048"``, ``"EADDRINUSE"``, ``"WSAEADDRINUSE"`` or
            PHP's ``"SOCKET_EADDRINUSE"`` (case does not matter).

    Returns:
        ``(entry, number)``: the entry (``None`` when a number is not in the
        catalog) and the number given (``None`` when a symbol was given).

    Raises:
        ValueError: ``code`` is neither a number nor a catalog symbol.

    Example:
        >>> find_error("10061")[0].symbol
        'ECONNREFUSED'
    """
    text = code.strip()
    try:
        number = int(text)
    except ValueError:
        pass
    else:
        entry = by_winsock(number) if number >= _WINSOCK_BASE else by_errno(number)
        return entry, number
    symbol = text.upper()
    try:
        return by_symbol(symbol), None
    except KeyError:
        pass
    for entry in CATALOG:
        if entry.winsock_name == symbol:
            return entry, None
    raise ValueError(f"{code!r} is neither a number nor a symbol of the error catalog")


def _winsock_span() -> range:
    """The codes that are Winsock's: from WSABASEERR to the catalog's highest Winsock code."""
    codes = [entry.winsock for entry in CATALOG if entry.winsock is not None]
    return range(_WINSOCK_BASE, max(codes, default=_WINSOCK_BASE) + 1)


def _not_in_catalog(number: int) -> str:
    """Why ``number`` has no catalog entry, in words."""
    tail = "; sockkit raises it as SocketError"
    if 0 < number < _WINSOCK_BASE:
        return (
            f"errno {number} is not in the error catalog (the OS says: {os.strerror(number)})"
            + (tail)
        )
    if number in _winsock_span():
        return f"Winsock code {number} is not in the error catalog" + tail
    return f"{number} is neither an errno nor a Winsock code: no error has that number"


def _strerror(args: argparse.Namespace, out: Out) -> int:
    try:
        entry, number = find_error(args.code)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    if entry is None:
        assert number is not None
        raise _FailureError(_not_in_catalog(number))
    if args.json:
        _print_json(_entry_json(entry), out)
        return 0
    aliases = [
        other.symbol
        for other in CATALOG
        if other is not entry and other.errno is not None and other.errno == entry.errno
    ]
    out(f"{entry.symbol}: {entry.description}")
    errno_text = "none on this OS" if entry.errno is None else str(entry.errno)
    if aliases:
        errno_text += f" (also {', '.join(aliases)})"
    out(f"  errno    {errno_text}")
    if entry.winsock is None:
        out("  winsock  none")
    else:
        out(f"  winsock  {entry.winsock} {entry.winsock_name}")
    bases = ", ".join(exception_bases(entry.exception))
    out(f"  class    sockkit.{entry.exception.__name__} ({bases})")
    if entry.errno is not None and entry.errno in _errno.errorcode:
        out(f"  OS says  {os.strerror(entry.errno)}")
    return 0


# --------------------------------------------------------------------- lookup

_FAMILIES: dict[str, int] = {
    "any": 0,
    "inet": AddressFamily.INET,
    "inet6": AddressFamily.INET6,
}
_TYPES: dict[str, int] = {
    "any": 0,
    "stream": SocketType.STREAM,
    "dgram": SocketType.DGRAM,
    "raw": SocketType.RAW,
}


def _name(value: int) -> str:
    """An enum member's name, or the plain number."""
    name = getattr(value, "name", None)
    return name if isinstance(name, str) and name else str(int(value))


def _lookup(args: argparse.Namespace, out: Out) -> int:
    # Imported here: only this command needs the resolver layer.
    from sockkit.addrinfo import AddrInfo  # noqa: PLC0415

    flags = AIFlag(0)
    if args.passive:
        flags |= AIFlag.PASSIVE
    if args.canonname:
        flags |= AIFlag.CANONNAME
    if args.numeric:
        flags |= AIFlag.NUMERICHOST
    service: str | None = args.service
    infos = AddrInfo.lookup(
        args.host,
        service,
        family=_FAMILIES[args.family],
        type=_TYPES[args.type],
        flags=flags,
    )
    if args.json:
        records = []
        for info in infos:
            address = info.address
            record: dict[str, object] = {
                "family": _name(info.family),
                "type": _name(info.type),
                "protocol": _name(info.protocol),
                "canonname": info.canonname,
                "host": address.host,
                "port": address.port,
            }
            if isinstance(address, Inet6Address):
                record["flowinfo"] = address.flowinfo
                record["scope_id"] = address.scope_id
            record["flags"] = int(info.flags)
            records.append(record)
        _print_json(records, out)
        return 0
    cells = [
        [
            _name(info.family),
            _name(info.type),
            _name(info.protocol),
            str(info.address),
            info.canonname,
        ]
        for info in infos
    ]
    for line in _table(["FAMILY", "TYPE", "PROTOCOL", "ADDRESS", "CANONNAME"], cells):
        out(line)
    return 0


# --------------------------------------------------------------------- demo and serve


def _demo(args: argparse.Namespace, out: Out) -> int:
    with contextlib.ExitStack() as stack:
        contexts = _demo_contexts(stack) if args.tls else None
        listener = stack.enter_context(Socket.create_server((args.host, 0)))
        address = listener.local_address
        assert address is not None
        out(f"talkback server listening on {address}" + (" (TLS)" if contexts else ""))
        failures: list[SocketError] = []
        server = threading.Thread(
            target=_serve_once,
            args=(listener, failures, contexts[0] if contexts else None),
            name="sockkit-demo-server",
            daemon=True,
        )
        server.start()
        sock = Socket.create_connection(address, timeout=_DEMO_TIMEOUT)
        with sock:
            out(f"client connected from {sock.local_address}")
            client: Socket | TLSSocket = sock
            if contexts:
                client = sock.start_tls(contexts[1], server_hostname="localhost")
                out(f"TLS: {client.version}, {client.cipher[0] if client.cipher else '?'}")
            _talk(client, out)
            client.close()
        server.join(_DEMO_TIMEOUT)
        if failures:
            raise failures[0]
    out("connection closed; demo finished")
    return 0


def _talk(client: Socket | TLSSocket, out: Out) -> None:
    _print_until_prompt(client, out)
    for line in _DEMO_SCRIPT:
        out(f"client> {line}")
        client.write_all(line.encode() + b"\n")
        reply = client.read(2048, ReadMode.NORMAL)
        if reply:
            out(f"server> {reply.decode().rstrip()}")


def _demo_contexts(stack: contextlib.ExitStack) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    import ssl  # noqa: PLC0415 - only with --tls: ssl is not free to import
    import subprocess  # noqa: PLC0415

    """A throwaway self-signed certificate for localhost: the server's and client's contexts."""
    directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="sockkit-demo-"))
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    command = [
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=_DEMO_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as exc:
        raise _FailureError(f"cannot make a certificate with openssl: {exc}") from None
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=cert)
    return server, client


def _serve_once(
    listener: Socket, failures: list[SocketError], context: ssl.SSLContext | None
) -> None:
    try:
        conn, _peer = listener.accept()
        with conn:
            if context is None:
                talkback.handle_client(conn)
            else:
                with conn.start_tls(context, server_side=True) as tls:
                    talkback.handle_client(tls)
    except SocketError as exc:
        failures.append(exc)


def _print_until_prompt(client: Socket | TLSSocket, out: Out) -> None:
    """Print the welcome text, which ends with the line about 'shutdown'."""
    for _ in range(10):
        line = client.read(2048, ReadMode.NORMAL).decode().rstrip()
        if line:
            out(f"server> {line}")
        if "shutdown" in line:
            return


def _serve(args: argparse.Namespace, out: Out) -> int:
    if (args.tls_cert is None) != (args.tls_key is None):
        raise _UsageError("--tls-cert and --tls-key go together")
    context = None
    if args.tls_cert:
        import ssl  # noqa: PLC0415 - only with --tls-cert: ssl is not free to import

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    address: object = args.unix if args.unix else (args.host, args.port)
    try:
        listener = Socket.create_server(address)
    except AddressInUse:
        if args.unix:
            raise _FailureError(_unix_path_in_use(args.unix)) from None
        raise
    with listener, _removed_at_exit(args.unix):
        tls = " with TLS" if context else ""
        out(f"talkback server listening on {listener.local_address}{tls} (Ctrl-C stops it)")
        try:
            if context is None:
                talkback.serve(
                    listener,
                    log=lambda text: out(f"client> {text}"),
                    on_error=lambda exc: out(f"client dropped: {exc}"),
                )
            else:
                _serve_tls(listener, context, out)
        except KeyboardInterrupt:
            out("stopped")
        else:
            out("stopped: a client asked for shutdown")
    return 0


def _unix_path_in_use(path: str) -> str:
    """Why ``path`` cannot be bound, and what to do about it."""
    try:
        is_socket = stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        is_socket = False
    if not is_socket:
        return f"{path} exists and is not a socket: choose another path"
    try:
        with Socket(AddressFamily.UNIX, SocketType.STREAM) as probe:
            probe.timeout = _PROBE_TIMEOUT
            probe.connect(path)
    except ConnectionRefused:
        return (
            f"{path} is a socket file that no server listens on (left behind by a server"
            f" that did not remove it): remove it (rm {shlex.quote(path)}) and try again"
        )
    except SocketError:
        pass
    return f"{path} is in use: a server is listening there; stop it or choose another path"


@contextlib.contextmanager
def _removed_at_exit(path: str | None) -> Iterator[None]:
    """Remove the socket file ``path`` when done, if it is still the one bound here."""
    if not path or path.startswith("\0"):  # an abstract name has no file
        yield
        return
    made = os.stat(path)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            now = os.stat(path)
            if (now.st_dev, now.st_ino) == (made.st_dev, made.st_ino):
                os.unlink(path)


def _serve_tls(listener: Socket, context: ssl.SSLContext, out: Out) -> None:
    """The talkback server over TLS, a thread per client: a stalled or failed handshake
    holds up and drops that client only."""
    talkback.serve_threaded(
        listener,
        lambda conn: conn.start_tls(context, server_side=True),
        log=lambda text: out(f"client> {text}"),
        on_error=lambda exc: out(f"client dropped: {exc}"),
    )


# --------------------------------------------------------------------- parser


def _version() -> str:
    # Imported lazily: the package's __init__ imports everything, the CLI needs one string.
    from sockkit import __version__  # noqa: PLC0415

    return __version__


def _port(text: str) -> int:
    """``--port``'s type: a number 0-65535, or argparse's usage error (exit code 2)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= _MAX_PORT:
        raise argparse.ArgumentTypeError(f"port must be 0-{_MAX_PORT}, got {port}")
    return port


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``sockkit`` command."""
    parser = argparse.ArgumentParser(
        prog="sockkit", description="BSD sockets made pleasant and safe: tools and demos."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on failure")
    parser.add_argument("--version", action="version", version=f"sockkit {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_servers(commands)
    _add_tables(commands)
    _add_lookup(commands)
    return parser


_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _add_servers(commands: _Commands) -> None:
    """``demo`` and ``serve``."""
    demo = commands.add_parser(
        "demo", help="run a talkback server and a client on loopback and show their talk"
    )
    demo.add_argument("--host", default="127.0.0.1", help="loopback address (default %(default)s)")
    demo.add_argument(
        "--tls", action="store_true", help="talk TLS (a throwaway self-signed certificate)"
    )
    demo.set_defaults(run=_demo)

    serve = commands.add_parser(
        "serve",
        help="run the talkback server until Ctrl-C or 'shutdown'",
        description="Run the talkback server: every client is greeted and each line it sends"
        " is answered; 'quit' ends a connection, 'shutdown' (or Ctrl-C) stops the server."
        " Clients are served at once, in one thread, with sockkit's Selector.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    serve.add_argument(
        "--port", type=_port, default=10000, help="port to listen on (default %(default)s)"
    )
    serve.add_argument(
        "--unix",
        metavar="PATH",
        help="listen on a Unix socket at PATH instead (the file is removed on exit)",
    )
    serve.add_argument("--tls-cert", metavar="FILE", help="serve TLS with this certificate (PEM)")
    serve.add_argument("--tls-key", metavar="FILE", help="the certificate's private key (PEM)")
    serve.set_defaults(run=_serve)


def _add_tables(commands: _Commands) -> None:
    """``strerror``, ``errors`` and ``options``: sockkit's tables."""
    strerror = commands.add_parser(
        "strerror",
        help="explain an errno or Winsock code: symbol, exception class, description",
        description="Look up one error in sockkit's error catalog.",
    )
    strerror.add_argument(
        "code",
        metavar="CODE",
        help="an errno (98), a Winsock code (10048) or a symbol (EADDRINUSE)",
    )
    strerror.add_argument("--json", action="store_true", help="print JSON")
    strerror.set_defaults(run=_strerror)

    errors = commands.add_parser(
        "errors",
        help="print the error catalog",
        description="Print every entry of the error catalog: symbol, errno on this OS, "
        "Winsock code, exception class and description.",
    )
    errors.add_argument("--json", action="store_true", help="print JSON")
    errors.set_defaults(run=_errors)

    options = commands.add_parser(
        "options",
        help="print the socket option table",
        description="Print every socket option this OS has: its level, number, value type "
        "and whether it can be read (get) and written (set).",
    )
    options.add_argument(
        "--level", choices=sorted(LEVEL_CHOICES), help="only the options of this level"
    )
    options.add_argument("--json", action="store_true", help="print JSON")
    options.set_defaults(run=_options)


def _add_lookup(commands: _Commands) -> None:
    """``lookup``."""
    lookup = commands.add_parser(
        "lookup",
        help="resolve a host (and service) with getaddrinfo",
        description="Resolve HOST and SERVICE with getaddrinfo and print the results.",
    )
    lookup.add_argument("host", metavar="HOST", help="a host name or numeric address")
    lookup.add_argument(
        "service", metavar="SERVICE", nargs="?", help="a port number or service name"
    )
    lookup.add_argument("--family", choices=list(_FAMILIES), default="any", help="address family")
    lookup.add_argument("--type", choices=list(_TYPES), default="any", help="socket type")
    lookup.add_argument("--passive", action="store_true", help="AI_PASSIVE: addresses to bind")
    lookup.add_argument("--canonname", action="store_true", help="AI_CANONNAME: canonical name")
    lookup.add_argument(
        "--numeric", action="store_true", help="AI_NUMERICHOST: HOST must be a numeric address"
    )
    lookup.add_argument("--json", action="store_true", help="print JSON")
    lookup.set_defaults(run=_lookup)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Example:
        >>> main(["demo"])  # doctest: +SKIP
        0
    """
    parser = build_parser()
    args = parser.parse_args(argv)

    def out(text: str) -> None:
        print(text, flush=True)

    try:
        code: int = args.run(args, out)
    except BrokenPipeError as exc:
        if isinstance(exc, SocketError):
            if args.debug:
                raise
            print(f"sockkit {args.command}: {exc}", file=sys.stderr)
            return 1
        # stdout went away (``sockkit errors | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 1
    except (_UsageError, ValueError, TypeError) as exc:
        # sockkit checks arguments before any system call: a ValueError or TypeError
        # is a value given on the command line that the library refused.
        if args.debug:
            raise
        print(f"sockkit {args.command}: {exc}", file=sys.stderr)
        return 2
    except (_FailureError, OSError) as exc:
        if args.debug:
            raise
        print(f"sockkit {args.command}: {exc}", file=sys.stderr)
        return 1
    return code
