"""STARTTLS on a line protocol: plaintext, TLS, then plaintext again on one connection.

Lines end with ``\n`` (a NORMAL read stops at ``\r`` too, so ``\r\n`` lines would
leave their ``\n`` for the next read: never read past a terminator before TLS
starts).  A small server (in a thread) greets in plaintext, upgrades on ``STARTTLS``, answers
lines over TLS, and on ``STOPTLS`` goes back to plaintext; the client walks through
all three phases on the same `Socket`::

    python examples/starttls.py --cert cert.pem --key key.pem --cafile ca.pem

Without ``--cert`` a throwaway self-signed certificate is made with ``openssl req``.
"""

from __future__ import annotations

import argparse
import os
import ssl
import subprocess
import tempfile
import threading

from sockkit import ReadMode, Socket

LINE = 1024


# --8<-- [start:server]
def server(listener: Socket, context: ssl.SSLContext) -> None:
    conn, _peer = listener.accept()
    with conn:
        conn.timeout = 10
        conn.write_all(b"220 ready\n")
        while line := conn.read(LINE, ReadMode.NORMAL):
            if line.strip() == b"STARTTLS":
                conn.write_all(b"220 go ahead\n")
                tls = conn.start_tls(context, server_side=True)
                while (line := tls.read(LINE, ReadMode.NORMAL)).strip() != b"STOPTLS":
                    tls.write_all(b"250 " + line)
                tls.write_all(b"200 plaintext from now on\n")
                assert tls.recv(1) == b""  # the client's close_notify
                tls.unwrap()  # our close_notify: conn speaks plaintext again
            elif line.strip():
                conn.write_all(b"250 " + line)


# --8<-- [end:server]


# --8<-- [start:client]
def client(address: object, context: ssl.SSLContext) -> None:
    with Socket.create_connection(address, timeout=10) as sock:
        print("plain>", sock.read(LINE, ReadMode.NORMAL).decode().strip())
        sock.write_all(b"STARTTLS\n")
        print("plain>", sock.read(LINE, ReadMode.NORMAL).decode().strip())
        tls = sock.start_tls(context, server_hostname="localhost")
        print(f"upgraded to {tls.version}")
        for command in (b"EHLO example", b"NOOP"):
            tls.write_all(command + b"\n")
            print("tls>  ", tls.read(LINE, ReadMode.NORMAL).decode().strip())
        tls.write_all(b"STOPTLS\n")
        print("tls>  ", tls.read(LINE, ReadMode.NORMAL).decode().strip())
        assert tls.unwrap() is sock  # the same socket, plaintext again
        sock.write_all(b"QUIT\n")
        print("plain>", sock.read(LINE, ReadMode.NORMAL).decode().strip())


# --8<-- [end:client]


def throwaway_certificate(directory: str) -> tuple[str, str]:
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", help="the server's certificate (PEM)")
    parser.add_argument("--key", help="its private key (PEM)")
    parser.add_argument("--cafile", help="the CA the client trusts (default: --cert)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        cert, key = (args.cert, args.key) if args.cert else throwaway_certificate(directory)
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_context.load_cert_chain(cert, key)
        client_context = ssl.create_default_context(cafile=args.cafile or cert)
        with Socket.create_server(("127.0.0.1", 0)) as listener:
            thread = threading.Thread(target=server, args=(listener, server_context))
            thread.start()
            try:
                client(listener.local_address, client_context)
            finally:
                thread.join(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
