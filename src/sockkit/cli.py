"""The ``sockkit`` command line (also ``python -m sockkit``).

Subcommands:

* ``sockkit demo``: a talkback server and a scripted client on loopback; prints
  the conversation and exits.
* ``sockkit serve``: the talkback server, for trying with ``nc`` or ``telnet``.

Exit codes: 0 success, 1 a socket failure, 2 a usage error.  Failures print one
line on stderr; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Sequence

from sockkit import talkback
from sockkit.enums import ReadMode
from sockkit.errors import SocketError
from sockkit.socket import Socket

__all__ = ["main"]

_DEMO_SCRIPT = ("hello", "sockets are fun", "quit")
_DEMO_TIMEOUT = 10.0


def _demo(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    with Socket.create_server((args.host, 0)) as listener:
        address = listener.local_address
        assert address is not None
        out(f"talkback server listening on {address}")
        failures: list[SocketError] = []
        server = threading.Thread(
            target=_serve_once, args=(listener, failures), name="sockkit-demo-server", daemon=True
        )
        server.start()
        with Socket.create_connection(address, timeout=_DEMO_TIMEOUT) as client:
            out(f"client connected from {client.local_address}")
            _print_until_prompt(client, out)
            for line in _DEMO_SCRIPT:
                out(f"client> {line}")
                client.write_all(line.encode() + b"\n")
                reply = client.read(2048, ReadMode.NORMAL)
                if reply:
                    out(f"server> {reply.decode().rstrip()}")
        server.join(_DEMO_TIMEOUT)
        if failures:
            raise failures[0]
    out("connection closed; demo finished")
    return 0


def _serve_once(listener: Socket, failures: list[SocketError]) -> None:
    try:
        conn, _peer = listener.accept()
        with conn:
            talkback.handle_client(conn)
    except SocketError as exc:
        failures.append(exc)


def _print_until_prompt(client: Socket, out: Callable[[str], None]) -> None:
    """Print the welcome text, which ends with the line about 'shutdown'."""
    for _ in range(10):
        line = client.read(2048, ReadMode.NORMAL).decode().rstrip()
        if line:
            out(f"server> {line}")
        if "shutdown" in line:
            return


def _serve(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    address: object = args.unix if args.unix else (args.host, args.port)
    with Socket.create_server(address) as listener:
        out(f"talkback server listening on {listener.local_address} (Ctrl-C stops it)")
        try:
            talkback.serve(
                listener,
                log=lambda text: out(f"client> {text}"),
                on_error=lambda exc: out(f"client dropped: {exc}"),
            )
        except KeyboardInterrupt:
            out("stopped")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``sockkit`` command."""
    parser = argparse.ArgumentParser(
        prog="sockkit", description="BSD sockets made pleasant and safe: tools and demos."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on failure")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo", help="run a talkback server and a client on loopback and show their talk"
    )
    demo.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    demo.set_defaults(run=_demo)

    serve = commands.add_parser("serve", help="run the talkback server until Ctrl-C or 'shutdown'")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=10000, help="port to listen on (default 10000)")
    serve.add_argument("--unix", metavar="PATH", help="listen on a Unix socket at PATH instead")
    serve.set_defaults(run=_serve)
    return parser


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
    except (SocketError, ValueError, TypeError) as exc:
        if args.debug:
            raise
        print(f"sockkit {args.command}: {exc}", file=sys.stderr)
        return 1
    return code
