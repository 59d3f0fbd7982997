"""TLS echo: a server that answers every line over TLS, and a client for it.

Start the server with a certificate and its key, then talk to it, trusting the
certificate's issuer (``--count`` bounds the server)::

    python examples/tls_echo.py --serve --cert cert.pem --key key.pem --port 8443 --count 1
    python examples/tls_echo.py --cafile ca.pem --port 8443 hello "over TLS"

``openssl s_client -connect 127.0.0.1:8443`` talks to the server too.
"""

from __future__ import annotations

import argparse
import ssl

from sockkit import ReadMode, Socket, SocketError, TLSError


# --8<-- [start:serve]
def serve(host: str, port: int, cert: str, key: str, count: int) -> int:
    """Echo lines over TLS for ``count`` clients (0: until Ctrl-C)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with Socket.create_server((host, port)) as listener:
        print(f"listening on {listener.local_address}", flush=True)
        served = 0
        while count == 0 or served < count:
            conn, peer = listener.accept()
            served += 1
            conn.timeout = 30
            try:
                with conn.start_tls(context, server_side=True) as tls:
                    print(f"{peer}: {tls.version} {tls.cipher[0] if tls.cipher else ''}")
                    while line := tls.read(4096, ReadMode.NORMAL):
                        tls.write_all(line)
            except TLSError as exc:  # a failed handshake has closed the connection
                print(f"{peer}: {exc}", flush=True)
    return 0


# --8<-- [end:serve]


# --8<-- [start:client]
def client(host: str, port: int, cafile: str | None, words: list[str]) -> int:
    """Send each word as a line and print the echo."""
    context = ssl.create_default_context(cafile=cafile)
    sock = Socket.create_connection((host, port), timeout=10)
    with sock.start_tls(context, server_hostname="localhost") as tls:  # owns sock now
        print(f"connected: {tls.version}, ALPN {tls.alpn_protocol}")
        for word in words:
            tls.write_all(word.encode() + b"\n")
            print(f"echo: {tls.read(4096, ReadMode.NORMAL).decode().rstrip()}")
    return 0


# --8<-- [end:client]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="run the server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--cert", help="server: the certificate (PEM)")
    parser.add_argument("--key", help="server: its private key (PEM)")
    parser.add_argument("--count", type=int, default=0, help="server: clients to serve (0: all)")
    parser.add_argument("--cafile", help="client: the CA to trust (default: the system's)")
    parser.add_argument("words", nargs="*", default=["hello"], help="client: lines to send")
    args = parser.parse_args()
    try:
        if args.serve:
            if not (args.cert and args.key):
                parser.error("--serve needs --cert and --key")
            return serve(args.host, args.port, args.cert, args.key, args.count)
        return client(args.host, args.port, args.cafile, args.words)
    except SocketError as exc:
        print(f"failed: {exc}")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
