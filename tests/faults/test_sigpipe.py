"""Writing to a closed peer is a BrokenPipe exception, even where SIGPIPE would kill the process."""

from __future__ import annotations

import json
import signal

import pytest

from .helpers import run_python

# Runs in a subprocess whose SIGPIPE disposition is the default one (terminate), as in a
# process embedded in a C program or started by a shell that reset it.  Every way of
# writing must fail with BrokenPipe and the process must live to print its report.
SCRIPT = r"""
import json, signal, tempfile
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
from sockkit import AddressFamily, BrokenPipe, ConnectionReset, Linger, Socket, SocketOption
from sockkit.message import Message

def unix_peer_gone():
    left, right = Socket.pair()
    right.close()
    return left

def tcp_peer_gone():
    with Socket.create_server(("127.0.0.1", 0)) as listener:
        client = Socket.create_connection(("127.0.0.1", listener.local_address.port))
        server, _ = listener.accept()
    server.close()
    try:                       # the first write after FIN draws the peer's RST ...
        client.send(b"x")
        client.recv(1)
    except (ConnectionReset, BrokenPipe):
        pass
    return client             # ... so from now on the pipe is broken

with tempfile.TemporaryFile() as file:
    file.write(b"f" * 100_000)
    file.flush()
    writes = {
        "send": lambda s: s.send(b"x"),
        "write": lambda s: s.write(b"x"),
        "write_all": lambda s: s.write_all(b"x" * 1_000_000),
        "sendmsg": lambda s: s.sendmsg(Message([b"x", b"y"])),
        "sendfile": lambda s: s.sendfile(file),
    }
    report = {}
    for peer_name, make in (("unix", unix_peer_gone), ("tcp", tcp_peer_gone)):
        for name, write in writes.items():
            for timeout in (None, 5.0):  # blocking, and timed (whose sends try first)
                sock = make()
                sock.timeout = timeout
                try:
                    write(sock)
                    outcome = "no error"
                except Exception as exc:
                    outcome = type(exc).__name__
                finally:
                    sock.close()
                report[f"{peer_name} {name} {timeout}"] = outcome
report["pending"] = sorted(int(s) for s in signal.sigpending())
report["blocked"] = sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, []))
print(json.dumps(report))
"""


def test_no_sigpipe_with_default_disposition() -> None:
    result = run_python(SCRIPT)
    assert result.returncode == 0, (
        f"the process died (return code {result.returncode}): {result.stderr[-2000:]}"
    )
    report = json.loads(result.stdout)
    assert report.pop("pending") == []  # no SIGPIPE left queued
    assert report.pop("blocked") == []  # and the signal mask is as it was
    assert report == {key: "BrokenPipe" for key in report}
    assert len(report) == 20


def test_control_the_raw_socket_module_is_killed() -> None:
    # Proves the subprocess really has SIGPIPE's default action: without MSG_NOSIGNAL the
    # same write kills it.  (What sockkit protects against.)
    result = run_python(
        "import signal, socket\n"
        "signal.signal(signal.SIGPIPE, signal.SIG_DFL)\n"
        "a, b = socket.socketpair()\n"
        "b.close()\n"
        "a.send(b'x')\n"
        "print('survived')\n"
    )
    assert result.returncode == -signal.SIGPIPE
    assert "survived" not in result.stdout


@pytest.mark.parametrize("handler", ["python", "ignore"])
def test_sendfile_leaves_signal_state_untouched(handler: str) -> None:
    # With a Python handler installed, sockkit's own EPIPE must not run it; with the
    # handler ignored (Python's default) sendfile takes the plain path.
    result = run_python(
        "import json, signal, tempfile\n"
        "from sockkit import BrokenPipe, Socket\n"
        "hits = []\n"
        f"if {handler!r} == 'python':\n"
        "    signal.signal(signal.SIGPIPE, lambda *args: hits.append(args))\n"
        "left, right = Socket.pair()\n"
        "right.close()\n"
        "with tempfile.TemporaryFile() as file, left:\n"
        "    file.write(b'f' * 100_000); file.flush()\n"
        "    outcome = 'no error'\n"
        "    try:\n"
        "        left.sendfile(file)\n"
        "    except BrokenPipe:\n"
        "        outcome = 'BrokenPipe'\n"
        "print(json.dumps([outcome, len(hits), sorted(map(int, signal.sigpending())),\n"
        "                  sorted(map(int, signal.pthread_sigmask(signal.SIG_BLOCK, [])))]))\n"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == ["BrokenPipe", 0, [], []]
