"""sockkit's benchmarks: sockkit (OO and compat) against raw Python and PHP, in one run.

Every workload runs each of its variants in turn, pass after pass
(A B C A B C …; the first pass is discarded as warm-up), every measurement in
fresh processes pinned to one CPU (both processes of a pair on the same CPU), and
reports medians, their spread and time ratios; then checks sockkit's performance
targets.  Each worker checks what it received as it runs.

Run:
    python -m benchmarks                 # the full run (several minutes)
    python -m benchmarks --quick         # smaller sizes, fewer passes: under a minute
    python benchmarks/run.py --json results.json --plot docs/img/performance.png

Workloads:
    calls                         64-byte write+read pairs in one process: the cost per call
    calls-timed                   the same, both ends with a timeout (the timed receive path)
    pingpong-unix, pingpong-tcp   64-byte round trips between two processes
    bulk                          1 GiB one way in 64 KiB chunks, receiver reusing its buffer
    tls-pingpong, tls-bulk        the same over TLS 1.3 on TCP loopback: TLSSocket, SSLSocket,
                                  and a hand-written SSLObject + MemoryBIO loop
    tls-handshakes                full TLS 1.3 handshakes per second (no session tickets)
    lines                         100,000 lines of 40 bytes read with NORMAL mode
    datagrams                     1,200-byte UDP datagrams one way over loopback: rate and loss
    select-N                      static select, N sockets, one readable (N = 100, 1,000, 10,000)
    registered-N                  a registered selector's select(0), same N
    memory                        bytes per Socket and per registered idle socket
    async-pingpong-unix, async-pingpong-tcp, async-bulk-unix, async-bulk-tcp, async-lines
                                  the same with both sides on an event loop: AsyncSocket
                                  against loop.sock_* and asyncio streams, on asyncio and uvloop
    imports                       `import sockkit` and `import sockkit.compat` in a fresh
                                  interpreter, bytecode cached, against `import socket`
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.workers import GSO_SEGMENTS

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PHP_DIR = HERE / "php"

# Variant names as shown, in the order each workload runs them.
LABELS = {
    "raw": "raw Python",
    "raw-fd": "raw Python, os.read/os.write",
    "raw-wrapper": "raw Python in a 2-line class",
    "raw-recv": "raw Python, recv() (new bytes)",
    "raw-buffered": "raw Python, makefile().readline()",
    "raw-select": "raw Python select.select",
    "raw-poll": "raw Python select.poll (registered)",
    "raw-selectors": "raw Python selectors.DefaultSelector",
    "oo": "sockkit",
    "compat": "sockkit.compat",
    "php": "PHP",
    "aio": "AsyncSocket, asyncio",
    "aio-sock": "loop.sock_*, asyncio",
    "aio-streams": "asyncio streams, asyncio",
    "aio-uvloop": "AsyncSocket, uvloop",
    "aio-sock-uvloop": "loop.sock_*, uvloop",
    "aio-streams-uvloop": "asyncio streams, uvloop",
    "batch": "sockkit send_batch/recv_batch (32)",
    "gso": f"sockkit GSO+GRO ({GSO_SEGMENTS} segments)",
    "ctypes": "hand-written ctypes loop (32)",
    "c": "C sendmmsg/recvmmsg (32)",
    "tls-sockkit": "sockkit TLSSocket",
    "tls-stdlib": "stdlib ssl.SSLSocket",
    "tls-sslobject": "hand-written SSLObject + MemoryBIO loop",
    "import-socket": "import socket",
    "import-sockkit": "import sockkit",
    "import-compat": "import sockkit.compat",
}
ASYNC_VARIANTS = (
    "aio",
    "aio-sock",
    "aio-streams",
    "aio-uvloop",
    "aio-sock-uvloop",
    "aio-streams-uvloop",
)
TLS_VARIANTS = ("tls-sockkit", "tls-stdlib", "tls-sslobject")
COMPAT_FUNCTIONS = ("socket_read", "socket_write", "socket_recv", "socket_send", "socket_select")
MEASUREMENT_TIMEOUT = 600.0


# ---------------------------------------------------------------------- what can run here


@dataclass
class Availability:
    """Which optional variants this machine can run, and why not."""

    php: str | None  # None when usable, else the reason it is not
    compat: str | None
    php_version: str = ""
    uvloop: str | None = None
    c: str | None = None

    def reason(self, variant: str) -> str | None:
        if variant == "php":
            return self.php
        if variant == "c":
            return self.c
        if variant == "compat":
            return self.compat
        if variant.endswith("-uvloop"):
            return self.uvloop
        return None


def _has_compat(compat: Any, name: str) -> bool:
    if hasattr(compat, name):
        return True
    # socket_select lives in sockkit.compat.select until the package re-exports it.
    try:
        return hasattr(importlib.import_module(f"sockkit.compat.{name.split('_')[1]}"), name)
    except ImportError:
        return False


def probe() -> Availability:
    """Find out whether PHP (with sockets) and sockkit.compat are there."""
    php_reason: str | None = None
    version = ""
    if shutil.which("php") is None:
        php_reason = "php-cli is not installed"
    else:
        check = subprocess.run(
            ["php", "-r", 'echo PHP_VERSION, " ", extension_loaded("sockets") ? "yes" : "no";'],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        version, _, sockets = check.stdout.strip().partition(" ")
        if check.returncode != 0 or sockets != "yes":
            php_reason = "PHP's sockets extension is not loaded"
    compat_reason: str | None = None
    sys.path.insert(0, str(ROOT / "src"))
    try:
        compat = importlib.import_module("sockkit.compat")
    except ImportError:
        compat_reason = "sockkit.compat does not exist yet"
    else:
        missing = [name for name in COMPAT_FUNCTIONS if not _has_compat(compat, name)]
        if missing:
            compat_reason = "sockkit.compat lacks " + ", ".join(missing)
    uvloop_reason = None if importlib.util.find_spec("uvloop") else "uvloop is not installed"
    c_reason = None if shutil.which("cc") else "no C compiler (cc)"
    return Availability(php_reason, compat_reason, version, uvloop_reason, c_reason)


# ---------------------------------------------------------------------- processes


def _python(workload: str, variant: str, role: str, parameters: dict[str, Any]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "benchmarks.workers",
        workload,
        variant,
        role,
        json.dumps(parameters),
    ]


PHP_SCRIPTS = {
    "calls": "calls",
    "pingpong": "pingpong",
    "bulk": "bulk",
    "lines": "lines",
    "select_static": "select",
}


def command(workload: str, variant: str, role: str, parameters: dict[str, Any]) -> list[str]:
    """The command line of one worker process."""
    if variant == "php":
        script = PHP_DIR / f"{PHP_SCRIPTS[workload]}.php"
        return ["php", str(script), role, json.dumps(parameters)]
    if variant == "c":
        where = parameters["fd"] if role == "receive" else parameters["port"]
        return [str(c_program(workload)), role, str(where), *_c_arguments(parameters)]
    return _python(workload, variant, role, parameters)


def _c_arguments(parameters: dict[str, Any]) -> list[str]:
    return [str(parameters["count"]), str(parameters["size"]), str(parameters["credit"])]


_C_PROGRAMS: dict[str, Path] = {}


def c_program(workload: str) -> Path:
    """``benchmarks/c/WORKLOAD.c``, compiled with ``cc -O2`` once per run."""
    if workload not in _C_PROGRAMS:
        import tempfile  # noqa: PLC0415 - only when a C variant runs

        binary = Path(tempfile.mkdtemp(prefix="sockkit-bench-")) / workload
        source = HERE / "c" / f"{workload}.c"
        subprocess.run(["cc", "-O2", "-o", str(binary), str(source)], check=True, timeout=120)
        _C_PROGRAMS[workload] = binary
    return _C_PROGRAMS[workload]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(ROOT / "src"), str(ROOT)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def spawn(argv: list[str], fds: Sequence[int] = ()) -> subprocess.Popen[str]:
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env=_environment(),
        pass_fds=tuple(fds),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# What a time is: "cpu", the CPU time (user + system) of the processes doing the work, or
# "wall", elapsed time.  CPU time is the default: it does not count the time other
# programs on a shared machine take the CPU away, which wall-clock time does.
METRIC: dict[str, str] = {"name": "cpu"}


class WorkerError(Exception):
    """A worker exited badly: a wrong result, or a crash."""


def collect(process: subprocess.Popen[str], timeout: float = MEASUREMENT_TIMEOUT) -> dict[str, Any]:
    """Wait for a worker and parse its JSON line."""
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise WorkerError(f"timed out after {timeout:.0f} s") from None
    if process.returncode != 0:
        lines = [line for line in err.strip().splitlines() if line.strip()]
        raise WorkerError(lines[-1] if lines else f"exit status {process.returncode}")
    try:
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise WorkerError(f"no result: {out[-200:]!r} {err[-200:]!r}") from None
    return result


def _finish(processes: Sequence[subprocess.Popen[str]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate()


# ---------------------------------------------------------------------- connections


def tcp_pair() -> tuple[socket.socket, socket.socket]:
    """A connected TCP pair on 127.0.0.1 with TCP_NODELAY on both ends."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname()[:2])
        conn, _peer = server.accept()
    for end in (client, conn):
        end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client, conn


def run_pair(
    workload: str,
    variant: str,
    roles: tuple[str, str],
    ends: tuple[socket.socket, socket.socket],
    parameters: dict[str, Any],
) -> dict[str, Any]:
    """Two processes over a connected pair: the first role's result is the measurement."""
    timed_role, helper_role = roles
    timed_end, helper_end = ends
    processes: list[subprocess.Popen[str]] = []
    try:
        helper = spawn(
            command(workload, variant, helper_role, {**parameters, "fd": helper_end.fileno()}),
            [helper_end.fileno()],
        )
        processes.append(helper)
        timed = spawn(
            command(workload, variant, timed_role, {**parameters, "fd": timed_end.fileno()}),
            [timed_end.fileno()],
        )
        processes.append(timed)
    finally:
        # The children hold their ends now: ours must go, so that end of stream reaches them.
        timed_end.close()
        helper_end.close()
    try:
        result = collect(timed)
        served = collect(helper)
    finally:
        _finish(processes)
    # Both processes' CPU time counts: the helper's work is part of every round trip.
    result["cpu"] = result.get("cpu", 0.0) + served.get("cpu", 0.0)
    return result


# ---------------------------------------------------------------------- measurements


def measure_pingpong(
    transport: str, workload: str = "pingpong"
) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    def measure(variant: str, parameters: dict[str, Any]) -> dict[str, Any]:
        ends = socket.socketpair() if transport == "unix" else tcp_pair()
        return run_pair(workload, variant, ("client", "echo"), ends, parameters)

    return measure


def measure_bulk(variant: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return run_pair("bulk", variant, ("receive", "send"), socket.socketpair(), parameters)


def measure_async_bulk(transport: str) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    def measure(variant: str, parameters: dict[str, Any]) -> dict[str, Any]:
        ends = socket.socketpair() if transport == "unix" else tcp_pair()
        return run_pair("async_bulk", variant, ("receive", "send"), ends, parameters)

    return measure


_LINES: dict[int, bytes] = {}


def line_data(count: int) -> bytes:
    """``count`` lines of 40 bytes: 39 digits of the line number and a newline."""
    if count not in _LINES:
        _LINES[count] = b"".join(b"%039d\n" % index for index in range(count))
    return _LINES[count]


def measure_lines(
    variant: str, parameters: dict[str, Any], workload: str = "lines"
) -> dict[str, Any]:
    """The runner sends the lines; the worker reads them one at a time, timed."""
    data = line_data(parameters["count"])
    ours, theirs = socket.socketpair()
    try:
        reader = spawn(
            command(workload, variant, "read", {**parameters, "fd": theirs.fileno()}),
            [theirs.fileno()],
        )
    finally:
        theirs.close()
    try:
        ours.settimeout(MEASUREMENT_TIMEOUT)
        if ours.recv(1) != b"g":
            raise WorkerError("the reader did not start: " + (reader.communicate()[1] or "")[-300:])
        ours.sendall(data)
        ours.shutdown(socket.SHUT_WR)
        return collect(reader)
    except OSError as exc:
        raise WorkerError(f"sending the lines failed: {exc}") from None
    finally:
        ours.close()
        _finish([reader])


def measure_datagrams(variant: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """A receiver on a UDP socket bound here (large SO_RCVBUF) and a sender to it.

    The result's rate is the receiver's (datagrams that arrived per second of its
    receiving); ``lost`` is the share of the datagrams sent that never arrived.
    """
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    credits = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)  # see workers.WINDOW
    plain = _plain(parameters)
    processes: list[subprocess.Popen[str]] = []
    try:
        _large_rcvbuf(receiver, parameters["rcvbuf"])
        receiver.bind(("127.0.0.1", 0))
        port = receiver.getsockname()[1]
        fd, credit = receiver.fileno(), credits[0].fileno()
        receive = {**plain, "fd": fd, "credit": credit}
        processes.append(spawn(command("datagrams", variant, "receive", receive), [fd, credit]))
        credit = credits[1].fileno()
        send = {**plain, "port": port, "credit": credit}
        processes.append(spawn(command("datagrams", variant, "send", send), [credit]))
        for sock in (receiver, *credits):
            sock.close()  # the workers' copies are theirs
        sent = collect(processes[1])
        result = collect(processes[0])
    finally:
        for sock in (receiver, *credits):
            sock.close()
        _finish(processes)
    result["cpu"] += sent["cpu"]
    result["lost"] = 1 - result["ops"] / sent["sent"] if sent["sent"] else 0.0
    if not result["ops"]:
        raise WorkerError("no datagram arrived")
    return result


def _large_rcvbuf(sock: socket.socket, size: int) -> None:
    """``SO_RCVBUF`` of ``size``: forced past ``net.core.rmem_max`` where allowed (root)."""
    force = getattr(socket, "SO_RCVBUFFORCE", None)
    if force is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, force, size)
            return
        except PermissionError:
            pass
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)


# The module each variant of the imports case imports, and the program that times it: the
# import alone, in a fresh interpreter, so nothing the benchmark itself loaded is shared.
IMPORTED = {
    "import-socket": "socket",
    "import-sockkit": "sockkit",
    "import-compat": "sockkit.compat",
}
IMPORT_TIMER = (
    "import time\n"
    "wall, cpu = time.perf_counter(), time.process_time()\n"
    "import {module}\n"
    "wall, cpu = time.perf_counter() - wall, time.process_time() - cpu\n"
    'print(\'{{"seconds": %r, "cpu": %r, "ops": 1}}\' % (wall, cpu))\n'
)
_BYTECODE: dict[str, str] = {}


def _bytecode_environment() -> dict[str, str]:
    """The workers' environment with bytecode written to and read from a cache of its own.

    An installed package has its bytecode compiled: an import timed without it would time
    the compiler.  The cache lives in a temporary directory, so the tree is left as it was.
    """
    if "prefix" not in _BYTECODE:
        import tempfile  # noqa: PLC0415 - only when the imports case runs

        _BYTECODE["prefix"] = tempfile.mkdtemp(prefix="sockkit-bench-pyc-")
    env = _environment()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _BYTECODE["prefix"]
    return env


def _import_once(program: str, env: dict[str, str]) -> dict[str, Any]:
    process = subprocess.Popen(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return collect(process, timeout=120)


def measure_imports(variant: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The fastest of ``count`` imports of one module, each in a fresh interpreter."""
    program = IMPORT_TIMER.format(module=IMPORTED[variant])
    env = _bytecode_environment()
    _import_once(program, env)  # writes the bytecode cache on the first pass
    runs = [_import_once(program, env) for _ in range(parameters["count"])]
    return {
        "seconds": min(run["seconds"] for run in runs),
        "cpu": min(run["cpu"] for run in runs),
        "ops": 1,
    }


def _plain(parameters: dict[str, Any]) -> dict[str, Any]:
    return {"count": parameters["count"], "size": parameters["size"]}


_CERTIFICATE: dict[str, str] = {}


def tls_certificate() -> dict[str, str]:
    """A throwaway self-signed certificate for localhost (``openssl req``), made once."""
    if not _CERTIFICATE:
        import atexit  # noqa: PLC0415
        import tempfile  # noqa: PLC0415

        directory = tempfile.mkdtemp(prefix="sockkit-bench-")
        atexit.register(shutil.rmtree, directory, True)
        cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
             "-addext", "subjectAltName=DNS:localhost"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        _CERTIFICATE.update(cert=cert, key=key)
    return _CERTIFICATE


def measure_tls(workload: str) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """TLS 1.3 over a TCP loopback pair: the timed role first, as in ``run_pair``."""
    roles = {"tls_pingpong": ("client", "echo"), "tls_bulk": ("receive", "send")}[workload]

    def measure(variant: str, parameters: dict[str, Any]) -> dict[str, Any]:
        return run_pair(workload, variant, roles, tcp_pair(), parameters | tls_certificate())

    return measure


def measure_handshakes(variant: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """A server process on a loopback listener, a client process connecting ``count`` times."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    common = parameters | tls_certificate() | {"port": port}
    processes: list[subprocess.Popen[str]] = []
    try:
        server = spawn(
            command("tls_handshakes", variant, "serve", common | {"fd": listener.fileno()}),
            [listener.fileno()],
        )
        processes.append(server)
        client = spawn(command("tls_handshakes", variant, "connect", common | {"fd": -1}))
        processes.append(client)
    finally:
        listener.close()
    try:
        result = collect(client)
        served = collect(server)
    finally:
        _finish(processes)
    result["cpu"] = result.get("cpu", 0.0) + served.get("cpu", 0.0)
    return result


def measure_single(workload: str) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    def measure(variant: str, parameters: dict[str, Any]) -> dict[str, Any]:
        return collect(spawn(command(workload, variant, "run", parameters)))

    return measure


# ---------------------------------------------------------------------- the cases


@dataclass
class Case:
    """One workload at one size: its variants, its parameters and how to show a time."""

    name: str
    title: str
    variants: tuple[str, ...]
    measure: Callable[[str, dict[str, Any]], dict[str, Any]]
    parameters: dict[str, Any]
    unit: str  # "us" per op, "MB/s", "lines/s", "handshakes/s"
    reference: str = "raw"
    # Passes for this case per pass asked for: round trips and bulk transfers swing more
    # from pass to pass on a shared machine (scheduling, memory bandwidth): they get more.
    weight: int = 1
    label: str = ""  # the case's name in the plot (default: its name)


@dataclass
class Sizes:
    calls: int
    pingpong: int
    warmup: int
    bulk: int
    lines: int
    select: tuple[int, ...]
    waits: dict[int, int]
    registered_waits: int
    memory: int
    datagrams: int = 2_000
    tls_pingpong: int = 20_000
    tls_bulk: int = 1 << 30
    tls_handshakes: int = 2_000
    imports: int = 10  # fresh interpreters per variant and pass; the fastest counts


FULL = Sizes(
    calls=200_000,
    pingpong=20_000,
    warmup=1_000,
    bulk=1 << 30,
    lines=100_000,
    select=(100, 1_000, 10_000),
    waits={100: 40_000, 1_000: 5_000, 10_000: 300},
    registered_waits=100_000,
    memory=10_000,
    datagrams=1_000_000,
)
QUICK = Sizes(
    calls=40_000,
    pingpong=4_000,
    warmup=300,
    bulk=64 << 20,
    lines=20_000,
    select=(100, 1_000, 10_000),
    waits={100: 10_000, 1_000: 1_500, 10_000: 60},
    registered_waits=20_000,
    memory=2_000,
    datagrams=200_000,
    tls_pingpong=3_000,
    tls_bulk=64 << 20,
    tls_handshakes=300,
)
TINY = Sizes(
    calls=50,
    pingpong=50,
    warmup=5,
    bulk=1 << 20,
    lines=300,
    select=(4, 1_100),
    waits={4: 20, 1_100: 5},
    registered_waits=20,
    memory=200,
    tls_pingpong=20,
    tls_bulk=1 << 20,
    tls_handshakes=3,
    imports=2,
)


def cases(sizes: Sizes) -> list[Case]:
    pingpong = {"count": sizes.pingpong, "warmup": sizes.warmup}
    # With floors: what raw Python pays for the shape of PHP's API (raw-fd, raw-recv),
    # and what any Python class around a socket costs (raw-wrapper).
    round_trips = ("raw", "raw-fd", "raw-wrapper", "oo", "compat", "php")
    transfers = ("raw", "raw-recv", "raw-wrapper", "oo", "compat", "php")
    made = [
        Case(
            "calls",
            "write+read pairs in one process, 64 bytes (AF_UNIX): the cost of a call",
            ("raw", "raw-fd", "raw-wrapper", "oo", "compat", "php"),
            measure_single("calls"),
            {"count": sizes.calls, "warmup": sizes.warmup},
            "us",
            weight=2,
            label="write+read, one process",
        ),
        Case(
            "calls-timed",
            "write+read pairs in one process, 64 bytes (AF_UNIX), both ends with a timeout",
            ("raw", "raw-wrapper", "oo"),
            measure_single("calls"),
            {"count": sizes.calls, "warmup": sizes.warmup, "timeout": 5.0},
            "us",
            weight=2,
            label="write+read, timeout",
        ),
        Case(
            "pingpong-unix",
            "ping-pong, AF_UNIX socketpair, 64 bytes",
            round_trips,
            measure_pingpong("unix"),
            pingpong,
            "us",
            weight=4,
            label="ping-pong, AF_UNIX",
        ),
        Case(
            "pingpong-tcp",
            "ping-pong, TCP 127.0.0.1 + TCP_NODELAY, 64 bytes",
            round_trips,
            measure_pingpong("tcp"),
            pingpong,
            "us",
            weight=4,
            label="ping-pong, TCP",
        ),
        Case(
            "bulk",
            f"bulk, {sizes.bulk >> 20} MiB in 64 KiB chunks (AF_UNIX)",
            transfers,
            measure_bulk,
            {"total": sizes.bulk},
            "MB/s",
            weight=4,
            label=f"bulk, {sizes.bulk >> 20} MiB",
        ),
        Case(
            "lines",
            f"line reads, {sizes.lines:,} lines of 40 bytes, NORMAL mode (AF_UNIX)",
            ("raw", "raw-buffered", "oo", "compat", "php"),
            measure_lines,
            {"count": sizes.lines},
            "lines/s",
            label="line reads (÷ peek+recv)",
        ),
        Case(
            "datagrams",
            f"datagrams, {sizes.datagrams:,} of 1,200 bytes one way, UDP 127.0.0.1, rate and loss",
            ("raw", "oo", "batch", "gso", "ctypes", "c"),
            measure_datagrams,
            {"count": sizes.datagrams, "size": 1200, "rcvbuf": 32 << 20},
            "datagrams/s",
            label="datagrams received/s",
        ),
    ]
    made += async_cases(sizes, pingpong)
    made.append(
        Case(
            "imports",
            f"import in a fresh interpreter, bytecode cached, fastest of {sizes.imports}",
            ("import-socket", "import-sockkit", "import-compat"),
            measure_imports,
            {"count": sizes.imports},
            "ms",
            reference="import-socket",
            label="import (÷ import socket)",
        )
    )
    for n in sizes.select:
        made.append(
            Case(
                f"select-{n}",
                f"static select, {n:,} sockets, one readable, timeout 0",
                ("raw-select", "raw-poll", "oo", "compat", "php"),
                measure_single("select_static"),
                {"n": n, "waits": sizes.waits[n]},
                "us",
                reference="raw-select",
            )
        )
    for n in sizes.select:
        made.append(
            Case(
                f"registered-{n}",
                f"registered selector, {n:,} sockets, one readable, select(0)",
                ("raw-selectors", "oo"),
                measure_single("select_registered"),
                {"n": n, "waits": sizes.registered_waits},
                "us",
                label=f"registered, N = {n:,} (÷ selectors)",
                reference="raw-selectors",
            )
        )
    made += tls_cases(sizes)
    return made


def async_cases(sizes: Sizes, pingpong: dict[str, Any]) -> list[Case]:
    """Both sides on an event loop: AsyncSocket against loop.sock_* (the reference) and
    asyncio streams, on asyncio's default loop and on uvloop."""
    made = []
    for transport, shown in (("unix", "AF_UNIX socketpair"), ("tcp", "TCP 127.0.0.1")):
        made.append(
            Case(
                f"async-pingpong-{transport}",
                f"async ping-pong, {shown}, 64 bytes",
                ASYNC_VARIANTS,
                measure_pingpong(transport, "async_pingpong"),
                pingpong,
                "us",
                reference="aio-sock",
                weight=4,
                label=f"async ping-pong, {transport}",
            )
        )
    for transport, shown in (("unix", "AF_UNIX"), ("tcp", "TCP 127.0.0.1")):
        made.append(
            Case(
                f"async-bulk-{transport}",
                f"async bulk, {sizes.bulk >> 20} MiB in 64 KiB chunks ({shown})",
                ASYNC_VARIANTS,
                measure_async_bulk(transport),
                {"total": sizes.bulk},
                "MB/s",
                reference="aio-sock",
                weight=4,
                label=f"async bulk, {transport}",
            )
        )
    made.append(
        Case(
            "async-lines",
            f"async line reads, {sizes.lines:,} lines of 40 bytes (AF_UNIX):"
            " read(NORMAL) vs StreamReader.readline (reads ahead)",
            ("aio", "aio-streams", "aio-uvloop", "aio-streams-uvloop"),
            lambda variant, parameters: measure_lines(variant, parameters, "async_lines"),
            {"count": sizes.lines},
            "lines/s",
            reference="aio-streams",
            label="async line reads",
        )
    )
    return made


def tls_cases(sizes: Sizes) -> list[Case]:
    """TLS 1.3 on TCP loopback: TLSSocket, SSLSocket and the SSLObject loop it is built on."""
    if shutil.which("openssl") is None:  # the throwaway certificate comes from openssl req
        return []
    return [
        Case(
            "tls-pingpong",
            "TLS 1.3 ping-pong, TCP 127.0.0.1 + TCP_NODELAY, 64 bytes",
            TLS_VARIANTS,
            measure_tls("tls_pingpong"),
            {"count": sizes.tls_pingpong, "warmup": sizes.warmup},
            "us",
            reference="tls-stdlib",
            weight=4,
            label="TLS ping-pong (÷ SSLSocket)",
        ),
        Case(
            "tls-bulk",
            f"TLS 1.3 bulk, {sizes.tls_bulk >> 20} MiB in 64 KiB writes (TCP 127.0.0.1)",
            TLS_VARIANTS,
            measure_tls("tls_bulk"),
            {"total": sizes.tls_bulk},
            "MB/s",
            reference="tls-stdlib",
            weight=4,
            label=f"TLS bulk, {sizes.tls_bulk >> 20} MiB (÷ SSLSocket)",
        ),
        Case(
            "tls-handshakes",
            "TLS 1.3 full handshakes (no session tickets), new TCP connection each",
            TLS_VARIANTS,
            measure_handshakes,
            {"count": sizes.tls_handshakes},
            "handshakes/s",
            reference="tls-stdlib",
            label="TLS handshakes (÷ SSLSocket)",
        ),
    ]


# ---------------------------------------------------------------------- statistics


@dataclass
class Outcome:
    """Every kept sample of one variant of one case (seconds per operation)."""

    samples: list[float] = field(default_factory=list)  # seconds per op, by METRIC
    wall: list[float] = field(default_factory=list)  # wall-clock seconds per op
    cpu: list[float] = field(default_factory=list)  # CPU seconds (user + system) per op
    cpus: list[int | None] = field(default_factory=list)  # the CPU of each kept sample
    lost: list[float] = field(default_factory=list)  # share of datagrams lost, per sample
    failed: str | None = None  # the variant cannot do it (a result, shown as a failure)
    broken: str | None = None  # a wrong result or a crash
    unavailable: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples and self.ok else None

    @property
    def spread(self) -> float | None:
        """(max - min) / median of the kept samples."""
        median = self.median
        if median is None or len(self.samples) < 2:
            return None
        return (max(self.samples) - min(self.samples)) / median

    @property
    def ok(self) -> bool:
        return not (self.failed or self.broken or self.unavailable)

    @property
    def status(self) -> str:
        if self.unavailable:
            return f"n/a: {self.unavailable}"
        if self.broken:
            return f"BROKEN: {self.broken}"
        if self.failed:
            return f"FAILS: {self.failed}"
        return "ok"


def show(seconds_per_op: float, unit: str, case: Case) -> str:
    if unit == "ms":
        return f"{seconds_per_op * 1e3:10.1f} ms"
    if unit == "us":
        return f"{seconds_per_op * 1e6:10.2f} µs"
    if unit == "MB/s":
        return f"{1 / seconds_per_op / 1e6:10.0f} MB/s"
    return f"{1 / seconds_per_op:10,.0f} {unit}"


def run_case(
    case: Case,
    passes: int,
    available: Availability,
    *,
    discard: int = 1,
    echo: bool = True,
    cpu: int | None = None,
    pin: bool = True,
) -> dict[str, Outcome]:
    """All passes of one case, variants interleaved; the first ``discard`` passes dropped.

    Each pass runs pinned to one CPU: ``cpu``, or (``None``) the idlest one just then.
    """
    outcomes = {variant: Outcome() for variant in case.variants}
    for variant, outcome in outcomes.items():
        outcome.unavailable = available.reason(variant)
    for number in range(passes + discard):
        where = (cpu if cpu is not None else idlest_cpu()) if pin else None
        # A B C, then B C A, …: no variant always runs right after the same other one.
        order = list(outcomes)
        order = order[number % len(order) :] + order[: number % len(order)]
        with pinned(where):
            for variant in order:
                outcome = outcomes[variant]
                if not outcome.ok:
                    continue
                try:
                    result = case.measure(variant, case.parameters)
                except WorkerError as exc:
                    outcome.broken = str(exc)
                    continue
                if "failed" in result:
                    outcome.failed = str(result["failed"])
                    continue
                if number >= discard:
                    wall = result["seconds"] / result["ops"]
                    cpu_time = result["cpu"] / result.get("cpu_ops", result["ops"])
                    outcome.wall.append(wall)
                    outcome.cpu.append(cpu_time)
                    outcome.samples.append(cpu_time if METRIC["name"] == "cpu" else wall)
                    outcome.cpus.append(where)
                    if "lost" in result:
                        outcome.lost.append(result["lost"])
    if echo:
        print_case(case, outcomes)
    return outcomes


def ratio(outcomes: dict[str, Outcome], variant: str, against: str) -> float | None:
    mine, theirs = outcomes.get(variant), outcomes.get(against)
    if mine is None or theirs is None or mine.median is None or theirs.median is None:
        return None
    return mine.median / theirs.median


def print_case(case: Case, outcomes: dict[str, Outcome]) -> None:
    print(f"\n{case.title}")
    against = "÷ " + case.reference
    header = (
        f"  {'variant':<38} {METRIC['name'] + ' median':>16} {'spread':>7} {against:>14}"
        f" {'÷ PHP':>7} {'(wall median)':>16}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for variant, outcome in outcomes.items():
        label = LABELS[variant]
        if outcome.median is None:
            print(f"  {label:<38} {outcome.status}")
            continue
        spread = outcome.spread
        vs_ref = ratio(outcomes, variant, case.reference)
        vs_php = ratio(outcomes, variant, "php")
        print(
            f"  {label:<38} {show(outcome.median, case.unit, case):>16}"
            f" {'' if spread is None else f'{spread:6.1%}':>7}"
            f" {'' if vs_ref is None else f'{vs_ref:.3f}x':>14}"
            f" {'' if vs_php is None else f'{vs_php:.3f}x':>7}"
            f" {show(statistics.median(outcome.wall), case.unit, case):>16}"
            + (f"  lost {statistics.median(outcome.lost):.1%}" if outcome.lost else "")
        )


# ---------------------------------------------------------------------- targets


@dataclass
class Target:
    """``variant``'s median time over ``against``'s, at most ``limit``, in ``case``.

    With ``absolute``, ``limit`` is the most seconds ``variant``'s median may take.
    """

    case: str
    variant: str
    against: str
    limit: float
    text: str
    max_lost: float | None = None  # and the share of datagrams lost below this
    absolute: bool = False


def targets(sizes: Sizes) -> list[Target]:
    made: list[Target] = []
    for transport in ("unix", "tcp"):
        case = f"pingpong-{transport}"
        made += [
            Target(case, "oo", "raw", 1.05, "≤ 1.05 x raw Python"),
            Target(case, "compat", "raw", 1.10, "≤ 1.10 x raw Python"),
            Target(case, "compat", "php", 1.00, "≤ 1.00 x PHP"),
        ]
    made += [
        Target("bulk", "oo", "raw", 1.02, "≤ 1.02 x raw Python"),
        Target("bulk", "compat", "raw", 1.02, "≤ 1.02 x raw Python"),
        # ≥ 10 x PHP's lines per second is ≤ 0.1 x PHP's time per line.
        Target("lines", "oo", "php", 0.10, "≥ 10 x PHP's lines/s"),
        Target("lines", "compat", "php", 0.10, "≥ 10 x PHP's lines/s"),
        # Datagrams: rates are per CPU second, so a time ratio is the inverse rate ratio.
        Target("datagrams", "oo", "raw", 1.05, "≤ 1.05 x raw Python per datagram"),
        Target("datagrams", "batch", "c", 1.10, "within 1.10 x C sendmmsg/recvmmsg"),
        Target("datagrams", "gso", "raw", 0.20, "≥ 5 x raw Python's datagrams/s, lost < 1 %", 0.01),
    ]
    for transport in ("unix", "tcp"):
        for loop in ("", "-uvloop"):
            made += [
                Target(
                    f"async-pingpong-{transport}",
                    f"aio{loop}",
                    f"aio-sock{loop}",
                    1.05,
                    "≤ 1.05 x loop.sock_* on the same loop",
                ),
                Target(
                    f"async-pingpong-{transport}",
                    f"aio{loop}",
                    f"aio-streams{loop}",
                    1.00,
                    "faster than asyncio streams",
                ),
                Target(
                    f"async-bulk-{transport}",
                    f"aio{loop}",
                    f"aio-sock{loop}",
                    1.05,
                    "≤ 1.05 x loop.sock_* on the same loop",
                ),
            ]
    made += [
        Target("tls-bulk", "tls-sockkit", "tls-sslobject", 1.03, "≤ 1.03 x SSLObject loop"),
        Target("tls-bulk", "tls-sockkit", "tls-stdlib", 1.10, "≤ 1.10 x SSLSocket"),
        Target("tls-pingpong", "tls-sockkit", "tls-stdlib", 1.15, "≤ 1.15 x SSLSocket"),
    ]
    small, *_rest, largest = sorted(sizes.select)
    for n in sorted(sizes.select):
        case = f"select-{n}"
        if n == largest and n > 1024:
            made += [
                Target(case, "oo", "raw-poll", 1.20, "works, ≤ 1.2 x registered select.poll"),
                Target(case, "compat", "raw-poll", 1.20, "works, ≤ 1.2 x registered select.poll"),
            ]
        else:
            made += [
                Target(case, "oo", "php", 1.00, "≤ 1.00 x PHP socket_select"),
                Target(case, "oo", "raw-select", 0.50, "≤ 0.5 x select.select"),
                Target(case, "compat", "php", 1.00, "≤ 1.00 x PHP socket_select"),
                Target(case, "compat", "raw-select", 0.50, "≤ 0.5 x select.select"),
            ]
        made.append(
            Target(f"registered-{n}", "oo", "raw-selectors", 1.10, "≤ 1.10 x DefaultSelector")
        )
    made.append(
        Target(f"registered-{largest}", "oo", f"registered-{small}", 1.25, "flat in N (≤ 1.25x)")
    )
    # A short script pays the import on every run (PHP starts and runs one in ~27 ms).
    made += [
        Target("imports", "import-sockkit", "", 0.040, "≤ 40 ms", absolute=True),
        Target("imports", "import-compat", "", 0.060, "≤ 60 ms", absolute=True),
    ]
    return made


@dataclass
class Verdict:
    target: Target
    value: float | None
    met: bool | None  # None: could not be measured here
    why: str = ""


def judge(target: Target, results: dict[str, dict[str, Outcome]]) -> Verdict:
    outcomes = results.get(target.case)
    if outcomes is None:
        return Verdict(target, None, None, "not run")
    if target.absolute:
        mine = outcomes.get(target.variant)
        if mine is None or mine.median is None:
            return Verdict(target, None, None, "not measured" if mine is None else mine.status)
        return Verdict(target, mine.median, mine.median <= target.limit)
    if target.against.startswith("registered-"):  # the same variant at another size
        small = results.get(target.against, {}).get(target.variant)
        mine = outcomes.get(target.variant)
        if small is None or mine is None or small.median is None or mine.median is None:
            return Verdict(target, None, None, "not measured")
        value = mine.median / small.median
        return Verdict(target, value, value <= target.limit)
    mine = outcomes.get(target.variant)
    theirs = outcomes.get(target.against)
    if mine is None or theirs is None:
        return Verdict(target, None, None, "not run")
    if not mine.ok:
        return Verdict(target, None, None if mine.unavailable else False, mine.status)
    if theirs.failed:
        # The reference cannot do it at all (PHP/select above FD_SETSIZE): sockkit works.
        return Verdict(target, None, True, f"{LABELS[target.against]} fails")
    if not theirs.ok:
        return Verdict(target, None, None, f"{LABELS[target.against]}: {theirs.status}")
    value = ratio(outcomes, target.variant, target.against)
    assert value is not None
    if target.max_lost is not None and mine.lost:
        lost = statistics.median(mine.lost)
        if lost >= target.max_lost:
            return Verdict(target, value, False, f"lost {lost:.1%}")
    return Verdict(target, value, value <= target.limit)


# Where a target is missed, what the remaining cost is and why it cannot go lower: said
# with this run's own figures.  The "calls" case (write+read pairs in one process) prices
# one send and one recv for every API; ping-pong and bulk are made of such calls.

Results = dict[str, dict[str, Outcome]]


def _median(results: Results, case: str, variant: str) -> float | None:
    outcome = results.get(case, {}).get(variant)
    return None if outcome is None else outcome.median


def _pair_costs(results: Results) -> dict[str, float] | None:
    """µs per write+read pair that each variant adds to raw Python's (the calls case)."""
    raw = _median(results, "calls", "raw")
    if raw is None:
        return None
    costs = {"raw": raw * 1e6}
    for variant in ("raw-fd", "raw-wrapper", "oo", "compat", "php"):
        median = _median(results, "calls", variant)
        if median is not None:
            costs[variant] = median * 1e6 - raw * 1e6
    return costs if {"raw-wrapper", "oo", "compat"} <= costs.keys() else None


def _method_cost(costs: dict[str, float], variant: str) -> str:
    extra = costs[variant] - costs["raw-wrapper"]
    who = "sockkit's Socket methods" if variant == "oo" else "compat's functions"
    checks = (
        ", and PHP's argument checks, which must refuse a wrong argument before any system call"
        if variant == "compat"
        else ""
    )
    return (
        f"{who} add {costs[variant]:.2f} µs per write+read pair to raw Python's"
        f" {costs['raw']:.2f} µs (calls case, one process), and {costs['raw-wrapper']:.2f} µs"
        f" of that is what any Python method around a socket costs (a two-line class"
        f" calling the socket's method); what sockkit does beyond it (typed errors,"
        f" MSG_NOSIGNAL, the look-ahead reset{checks})"
        f" is {extra:.2f} µs"
    )


def _beyond_the_floor(target: Target, results: Results, raw: float, what: str) -> str:
    """How the variant compares with the two-line class on the target's own workload."""
    wrapper = _median(results, target.case, "raw-wrapper")
    mine = _median(results, target.case, target.variant)
    if wrapper is None or mine is None:
        return ""
    return (
        f"; on this {what} a two-line class around the socket measured"
        f" {wrapper / raw:.3f} x raw Python, the floor for any Python class, and"
        f" {LABELS[target.variant]} {mine / raw:.3f} x: {(mine - wrapper) / raw:.1%} of a"
        f" {what} is what it does beyond a bare method"
    )


def _explain_round_trip(target: Target, results: Results) -> str:
    costs = _pair_costs(results)
    raw = _median(results, target.case, "raw")
    if costs is None or raw is None:
        return "a Python method around each send and recv (run the calls case to price it)"
    pair = costs[target.variant]
    text = (
        _method_cost(costs, target.variant)
        + f"; a round trip is two such pairs, one per process: {2 * pair:.2f} µs of"
        f" {raw * 1e6:.2f} µs ({2 * pair / (raw * 1e6):.1%}) in a hot loop, more between"
        " two processes, whose switches leave the caches cold for each call"
    )
    return text + _beyond_the_floor(target, results, raw, "round trip")


def _explain_php_round_trip(target: Target, results: Results) -> str:
    floor = _median(results, target.case, "raw-fd")
    php = _median(results, target.case, "php")
    costs = _pair_costs(results)
    if floor is None or php is None or costs is None or "php" not in costs:
        return "CPython spends more per system call than PHP's engine (run the calls case)"
    fd_pair = costs["raw"] + costs.get("raw-fd", 0.0)
    php_pair = costs["raw"] + costs["php"]
    return (
        "no Python code reaches PHP here: the floor, raw Python over os.read/os.write on"
        f" the descriptor with no socket object at all, measured {floor / php:.3f} x PHP on"
        f" this round trip, and {fd_pair:.2f} µs per write+read pair against PHP's"
        f" {php_pair:.2f} µs (calls case): CPython's own cost per system call (a call"
        " through the interpreter, a new bytes object, the GIL released and taken back)"
        " is above PHP's before any compat code runs.  That descriptor-level path is"
        f" {costs['raw'] - fd_pair:.2f} µs per pair cheaper than the socket's methods and"
        " would cost MSG_NOSIGNAL, socket timeouts and the close() wake-up, so compat"
        " calls the socket's methods, inline (no Socket frame), after a few type tests"
    )


def _explain_bulk(target: Target, results: Results) -> str:
    costs = _pair_costs(results)
    raw = _median(results, "bulk", "raw")
    if costs is None or raw is None:
        return "a Python method around each 64 KiB send and recv (run the calls case)"
    chunk = raw * 65536 * 1e6  # µs of both processes' CPU per 64 KiB
    pair = costs[target.variant]
    text = (
        _method_cost(costs, target.variant)
        + f"; a 64 KiB chunk is one send and about one recv, {chunk:.1f} µs of CPU for raw"
        f" Python, so {pair:.2f} µs per chunk is {pair / chunk:.1%} in a hot loop; with"
        " sender and receiver on one CPU a slower call also shifts when each blocks and"
        " wakes, and the passes swing with the machine's memory bandwidth"
    )
    text += _beyond_the_floor(target, results, raw, "transfer")
    fresh = _median(results, "bulk", "raw-recv")
    if target.variant == "compat" and fresh is not None:
        text += (
            "; and PHP's socket_recv returns a new string per call: raw Python doing the"
            f" same (recv(), no sockkit code) measured {fresh / raw:.3f} x raw Python's"
            " recv_into in this run"
        )
    return text


def _per_datagram(results: Results, *variants: str) -> list[float] | None:
    """µs of both processes' CPU per datagram, per variant (None: one is missing)."""
    medians = [_median(results, "datagrams", variant) for variant in variants]
    return None if None in medians else [m * 1e6 for m in medians if m is not None]


def _explain_datagram_loop(target: Target, results: Results) -> str:
    costs = _per_datagram(results, "raw", target.variant)
    if costs is None:
        return "a Python method around each sendto and recvfrom"
    raw, mine = costs
    return (
        f"raw Python's loop costs {raw:.2f} µs of both processes' CPU per datagram and"
        f" sockkit's {mine:.2f} µs: {mine - raw:.2f} µs for a method around each send and"
        " recvfrom and the sender's typed address (a comparison with the last sender),"
        f" where the target leaves {(target.limit - 1) * raw:.2f} µs; on a machine where"
        " system calls are cheaper the same Python work weighs more in the ratio"
    )


def _explain_datagram_batches(target: Target, results: Results) -> str:
    costs = _per_datagram(results, "c", "ctypes", target.variant)
    if costs is None:
        return "Python's share of a batch (run the ctypes variant to price it)"
    c, floor, mine = costs
    verdict = (
        "so no Python code meets the target here"
        if floor / c > target.limit
        else "so the target is within Python's reach here"
    )
    return (
        f"C's batches cost {c:.2f} µs of both processes' CPU per datagram, C's very loop"
        f" written in Python (ctypes, no object per datagram) {floor:.2f} µs"
        f" ({floor / c:.2f} x C: {verdict}), and sockkit's {mine:.2f} µs ({mine / floor:.2f} x"
        " that floor).  Both processes share one CPU, so each sendmmsg wakes the"
        " receiver, and a switch between two Python processes costs more than one between"
        " two small C programs.  What sockkit adds over the floor is a Message per"
        " datagram received and each call's checks and ownership (docs/performance.md"
        " prices each part)"
    )


def _explain_gso(target: Target, results: Results) -> str:
    costs = _per_datagram(results, "raw", target.variant)
    if costs is None:
        return "Python's work per 64 KiB message"
    raw, mine = costs
    return (
        f"GSO+GRO cost {mine:.3f} µs of both processes' CPU per datagram, {raw / mine:.2f} x"
        f" raw Python's rate: with {GSO_SEGMENTS} datagrams per message that is"
        f" {mine * GSO_SEGMENTS:.1f} µs per 64 KiB message: the kernel's work for it and"
        " Python's (the message encoded for sendmmsg, received into a Message, split into"
        " its datagrams), which the kernel's copy of 64 KiB leaves with cold caches each"
        " time (docs/performance.md prices each part)"
    )


def _explain_tls(target: Target, results: Results) -> str:
    case = target.case
    floor = _median(results, case, "tls-sslobject")
    stdlib = _median(results, case, "tls-stdlib")
    mine = _median(results, case, target.variant)
    if floor is None or stdlib is None or mine is None:
        return "Python calls per TLS record (run every TLS variant to price them)"
    return (
        "the hand-written loop driving ssl.SSLObject with two MemoryBIOs (no error"
        " mapping, no line reader), the floor of any design on SSLObject, measured"
        f" {floor / stdlib:.3f} x SSLSocket in this run, and TLSSocket {mine / floor:.3f} x"
        " that floor: SSLSocket runs from the call to the system call in C, while an"
        " SSLObject design makes Python calls per record (the BIO writes and reads, the"
        " socket calls), which weigh more where system calls are cheap"
    )


EXPLANATIONS: dict[tuple[str, str, str], Callable[[Target, Results], str]] = {
    ("pingpong", "oo", "raw"): _explain_round_trip,
    ("pingpong", "compat", "raw"): _explain_round_trip,
    ("pingpong", "compat", "php"): _explain_php_round_trip,
    ("bulk", "oo", "raw"): _explain_bulk,
    ("bulk", "compat", "raw"): _explain_bulk,
    ("datagrams", "oo", "raw"): _explain_datagram_loop,
    ("datagrams", "batch", "c"): _explain_datagram_batches,
    ("datagrams", "gso", "raw"): _explain_gso,
    ("tls", "tls-sockkit", "tls-stdlib"): _explain_tls,
    ("tls", "tls-sockkit", "tls-sslobject"): _explain_tls,
}


def explain(target: Target, results: Results) -> str | None:
    """What remains of a missed target's cost, and why it cannot go lower, in figures."""
    explanation = EXPLANATIONS.get((target.case.split("-")[0], target.variant, target.against))
    return None if explanation is None else explanation(target, results)


def _measured(value: float | None, absolute: bool) -> str:
    if value is None:
        return ""
    return f"{value * 1e3:.1f} ms" if absolute else f"{value:.3f}"


def print_verdicts(
    verdicts: list[Verdict], memory: dict[str, Any] | None, results: Results
) -> None:
    print("\nTargets")
    header = f"  {'case':<16} {'variant':<15} {'target':<42} {'measured':>10}  verdict"
    print(header)
    print("  " + "-" * (len(header) - 2))
    for verdict in verdicts:
        target = verdict.target
        measured = _measured(verdict.value, target.absolute)
        if measured and not target.absolute:
            measured += "x"
        state = {True: "met", False: "MISSED", None: "not measured"}[verdict.met]
        note = f" ({verdict.why})" if verdict.why else ""
        print(
            f"  {target.case:<16} {LABELS[target.variant]:<15} {target.text:<42}"
            f" {measured:>10}  {state}{note}"
        )
        explanation = explain(target, results)
        if verdict.met is False and explanation:
            print(f"      why: {explanation}")
    if memory:
        for line in memory_lines(memory):
            print("  " + line)


# ---------------------------------------------------------------------- memory


def measure_memory(sizes: Sizes) -> dict[str, Any]:
    ours = collect(spawn(command("memory", "oo", "run", {"n": sizes.memory})))
    theirs = collect(spawn(command("memory", "raw", "run", {"n": sizes.memory})))
    return {
        "n": sizes.memory,
        "socket_overhead_bytes": ours["wrapper_bytes"],
        "socket_getsizeof": ours["getsizeof"],
        "registered_bytes_sockkit": ours["registered_bytes"],
        "registered_bytes_selectors": theirs["registered_bytes"],
    }


def memory_lines(memory: dict[str, Any]) -> list[str]:
    overhead = memory["socket_overhead_bytes"]
    registered = memory["registered_bytes_sockkit"]
    return [
        f"{'memory':<16} {'sockkit':<15} {'Socket over its Python socket ≤ 200 B':<42}"
        f" {overhead:>8.0f} B  {'met' if overhead <= 200 else 'MISSED'}"
        f" (getsizeof {memory['socket_getsizeof']} B)",
        f"{'memory':<16} {'sockkit':<15} {'registered idle socket ≤ 2 KiB':<42}"
        f" {registered:>8.0f} B  {'met' if registered <= 2048 else 'MISSED'}"
        f" (selectors + socket.socket: {memory['registered_bytes_selectors']:.0f} B;"
        f" N = {memory['n']:,})",
    ]


# ---------------------------------------------------------------------- the machine


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine(available: Availability, cpu: int | None) -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "pinned_cpu": cpu,
        "python": platform.python_version(),
        "php": available.php_version or None,
        "kernel": platform.release(),
        "loadavg_start": list(os.getloadavg()),
    }


@contextlib.contextmanager
def pinned(cpu: int | None) -> Iterator[int | None]:
    """Pin this process (and so every worker it starts) to one CPU."""
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        yield None
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield cpu
    finally:
        os.sched_setaffinity(0, before)


def _cpu_times() -> dict[int, tuple[int, int]]:
    """(busy, total) clock ticks per CPU from /proc/stat."""
    times: dict[int, tuple[int, int]] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/stat").read_text().splitlines():
            name, *fields = line.split()
            if name.startswith("cpu") and name[3:].isdigit():
                ticks = [int(field) for field in fields]
                idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
                times[int(name[3:])] = (sum(ticks) - idle, sum(ticks))
    return times


def idlest_cpu(interval: float = 0.2) -> int | None:
    """The allowed CPU that was least busy over the last ``interval`` seconds."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    allowed = sorted(BASE_AFFINITY or os.sched_getaffinity(0))
    before = _cpu_times()
    time.sleep(interval)
    after = _cpu_times()

    def busy(cpu: int) -> float:
        if cpu not in before or cpu not in after:
            return 0.0
        spent = after[cpu][1] - before[cpu][1]
        return (after[cpu][0] - before[cpu][0]) / spent if spent else 0.0

    return min(allowed, key=lambda cpu: (busy(cpu), -cpu))


# The CPUs this process may use, from before any pinning.
BASE_AFFINITY: set[int] = (
    set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else set()
)


def raise_fd_limit(wanted: int) -> None:
    """Raise the soft descriptor limit (inherited by the workers) towards ``wanted``."""
    if resource is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


# ---------------------------------------------------------------------- the run


def run(
    sizes: Sizes,
    passes: int,
    *,
    only: Sequence[str] = (),
    cpu: int | None = None,
    discard: int = 1,
    echo: bool = True,
    metric: str = "cpu",
    max_weight: int | None = None,
) -> dict[str, Any]:
    """Run the cases (all, or those whose name starts with one of ``only``).

    ``max_weight`` caps how many passes a case gets per pass asked for (``--quick``).
    """
    METRIC["name"] = metric
    available = probe()
    raise_fd_limit(max(sizes.select) + 256)
    report: dict[str, Any] = {
        "passes": passes,
        "discarded": discard,
        "metric": metric,
        "sizes": sizes.__dict__ | {"waits": {str(k): v for k, v in sizes.waits.items()}},
        "cases": {},
    }
    results: dict[str, dict[str, Outcome]] = {}
    report["machine"] = machine(available, cpu)
    if echo:
        info = report["machine"]
        print(
            f"sockkit benchmarks: Python {info['python']}, PHP {info['php'] or '-'},"
            f" {info['cpus']} x {info['cpu_model']},"
            f" pinned to CPU {'(the idlest, per pass)' if cpu is None else cpu},"
            f" load average {info['loadavg_start'][0]:.2f}"
        )
        what = (
            "CPU time (user + system) of the working processes" if metric == "cpu" else "wall time"
        )
        print(f"{passes} passes kept per variant after {discard} discarded; medians of {what}")
        for variant in ("php", "compat"):
            reason = available.reason(variant)
            if reason:
                print(f"  {LABELS[variant]} variants not run: {reason}")
    chosen = [c for c in cases(sizes) if not only or any(c.name.startswith(o) for o in only)]
    for case in chosen:
        weight = case.weight if max_weight is None else min(case.weight, max_weight)
        outcomes = run_case(case, passes * weight, available, discard=discard, echo=echo, cpu=cpu)
        results[case.name] = outcomes
        report["cases"][case.name] = {
            "title": case.title,
            "label": case.label or case.name,
            "unit": case.unit,
            "reference": case.reference,
            "parameters": case.parameters,
            "variants": {
                variant: {
                    "label": LABELS[variant],
                    "samples": outcome.samples,
                    "wall_samples": outcome.wall,
                    "cpu_samples": outcome.cpu,
                    "wall_median": statistics.median(outcome.wall) if outcome.wall else None,
                    "cpus": outcome.cpus,
                    "lost": statistics.median(outcome.lost) if outcome.lost else None,
                    "median": outcome.median,
                    "spread": outcome.spread,
                    "status": outcome.status,
                    "ratio_reference": ratio(outcomes, variant, case.reference),
                    "ratio_php": ratio(outcomes, variant, "php"),
                }
                for variant, outcome in outcomes.items()
            },
        }
    memory = None
    if not only or any("memory".startswith(o) for o in only):
        with pinned(cpu if cpu is not None else idlest_cpu()):
            memory = measure_memory(sizes)
        report["memory"] = memory
    report["machine"]["loadavg_end"] = list(os.getloadavg())
    verdicts = [judge(target, results) for target in targets(sizes) if target.case in results]
    report["targets"] = [
        {
            "case": v.target.case,
            "variant": v.target.variant,
            "against": v.target.against,
            "target": v.target.text,
            "limit": v.target.limit,
            "absolute": v.target.absolute,
            "ratio": v.value,
            "met": v.met,
            "note": v.why,
            "explanation": explain(v.target, results) if v.met is False else None,
        }
        for v in verdicts
    ]
    if echo:
        print_verdicts(verdicts, memory, results)
        load = report["machine"]["loadavg_end"][0]
        print(f"\nload average at the end: {load:.2f}")
    return report


# ---------------------------------------------------------------------- markdown


def _show_md(seconds: float | None, unit: str) -> str:
    if seconds is None:
        return ""
    if unit == "ms":
        return f"{seconds * 1e3:,.1f} ms"
    if unit == "us":
        return f"{seconds * 1e6:,.2f} µs"
    if unit == "MB/s":
        return f"{1 / seconds / 1e6:,.0f} MB/s"
    return f"{1 / seconds:,.0f} {unit}"


def markdown(report: dict[str, Any]) -> str:
    """The results and the targets as Markdown tables (for docs/performance.md)."""
    lines = [
        "| workload | variant | median | spread | ÷ reference | ÷ PHP | wall median |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for case in report["cases"].values():
        first = True
        for data in case["variants"].values():
            title = ""
            if first:
                title = f"{case['title']} (reference: {LABELS[case['reference']]})"
                first = False
            if data["median"] is None:
                lines.append(f"| {title} | {data['label']} | {data['status']} | | | | |")
                continue
            spread = "" if data["spread"] is None else f"{data['spread']:.1%}"
            vs_ref = "" if data["ratio_reference"] is None else f"{data['ratio_reference']:.3f}"
            vs_php = "" if data["ratio_php"] is None else f"{data['ratio_php']:.3f}"
            lost = "" if data.get("lost") is None else f" (lost {data['lost']:.1%})"
            lines.append(
                f"| {title} | {data['label']} | {_show_md(data['median'], case['unit'])}{lost}"
                f" | {spread} | {vs_ref} | {vs_php}"
                f" | {_show_md(data.get('wall_median'), case['unit'])} |"
            )
    lines += ["", "| workload | variant | target | measured | verdict |", "|---|---|---|--:|---|"]
    for target in report["targets"]:
        measured = _measured(target["ratio"], target.get("absolute", False))
        verdict = {True: "met", False: "**missed**", None: "not measured"}[target["met"]]
        note = f" ({target['note']})" if target["note"] else ""
        lines.append(
            f"| {target['case']} | {LABELS[target['variant']]} | {target['target']}"
            f" | {measured} | {verdict}{note} |"
        )
    memory = report.get("memory")
    if memory:
        overhead = memory["socket_overhead_bytes"]
        registered = memory["registered_bytes_sockkit"]
        lines.append(
            f"| memory | sockkit | a Socket adds ≤ 200 B to its Python socket | {overhead:.0f} B"
            f" | {'met' if overhead <= 200 else '**missed**'} |"
        )
        lines.append(
            f"| memory | sockkit | ≤ 2 KiB per registered idle socket | {registered:.0f} B"
            f" | {'met' if registered <= 2048 else '**missed**'}"
            f" (selectors: {memory['registered_bytes_selectors']:.0f} B) |"
        )
    missed = [t for t in report["targets"] if t["met"] is False]
    if missed:
        lines.append("")
        for target in missed:
            why = target.get("explanation") or "not yet explained"
            measured = _measured(target["ratio"], target.get("absolute", False))
            lines.append(
                f"- **{target['case']}, {LABELS[target['variant']]}, {target['target']}**"
                f" ({measured}): {why}."
            )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- the plot


def plot(report: dict[str, Any], path: Path) -> None:
    """Time ratios per case (log scale) and static-select scaling, as PNG or SVG."""
    import matplotlib  # noqa: PLC0415 - optional: the ``bench`` extra

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    cases_ = report["cases"]
    colours = {
        "raw": "#7f7f7f",
        "raw-fd": "#d62728",
        "raw-wrapper": "#ff7f0e",
        "raw-recv": "#e377c2",
        "raw-selectors": "#7f7f7f",
        "raw-buffered": "#c7c7c7",
        "raw-select": "#7f7f7f",
        "raw-poll": "#bcbd22",
        "oo": "#1f77b4",
        "compat": "#17becf",
        "php": "#9467bd",
        "import-socket": "#7f7f7f",
        "import-sockkit": "#1f77b4",
        "import-compat": "#17becf",
    }
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 6), width_ratios=(3, 2))
    names = [name for name in cases_ if not name.startswith("select-")]
    rows: list[tuple[str, str, float]] = []
    for name in names:
        for variant, data in cases_[name]["variants"].items():
            if data["ratio_reference"] is not None and variant != cases_[name]["reference"]:
                rows.append((name, variant, data["ratio_reference"]))
    labels_seen: set[str] = set()
    height = 0.8 / max(len([row for row in rows if row[0] == name]) for name in names)
    for index, name in enumerate(names):
        variants = [row for row in rows if row[0] == name]
        for slot, (_name, variant, value) in enumerate(variants):
            label = LABELS[variant] if variant not in labels_seen else None
            labels_seen.add(variant)
            y = index + (slot - (len(variants) - 1) / 2) * height
            left.barh(y, value, height=height, color=colours[variant], label=label)
            left.text(value * 1.03, y, f"{value:.2f}", va="center", fontsize="x-small")
    left.axvline(1.0, color="black", linewidth=0.8)
    left.set_xscale("log")
    left.set_yticks(range(len(names)), [cases_[name].get("label", name) for name in names])
    left.invert_yaxis()
    left.set_xlabel("time ÷ raw Python (median; < 1 is faster)")
    left.set_title("Time relative to raw Python")
    left.legend(loc="lower right", fontsize="small")
    for variant in ("raw-select", "raw-poll", "oo", "compat", "php"):
        xs, ys = [], []
        for name, data in cases_.items():
            if name.startswith("select-"):
                entry = data["variants"].get(variant)
                if entry and entry["median"] is not None:
                    xs.append(data["parameters"]["n"])
                    ys.append(entry["median"] * 1e6)
        if xs:
            right.plot(xs, ys, marker="o", color=colours[variant], label=LABELS[variant])
    failures = [
        (data["parameters"]["n"], LABELS[variant])
        for name, data in cases_.items()
        if name.startswith("select-")
        for variant, entry in data["variants"].items()
        if entry["status"].startswith("FAILS")
    ]
    for row, (n, label) in enumerate(sorted(failures)):
        right.annotate(
            f"{label}: fails at N = {n:,} (FD_SETSIZE)",
            xy=(0.03, 0.70 - 0.05 * row),
            xycoords="axes fraction",
            ha="left",
            fontsize="x-small",
            color="firebrick",
        )
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("sockets in the set (one readable)")
    right.set_ylabel("µs per wait (median)")
    right.set_title("Static select: one wait, timeout 0")
    right.legend(fontsize="small")
    right.grid(True, which="both", alpha=0.3)
    info = report["machine"]
    figure.suptitle(
        f"sockkit benchmarks — {info['cpus']} x {info['cpu_model']}, Python {info['python']},"
        f" PHP {info['php'] or 'absent'}, pinned to one CPU"
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


# ---------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, 2 passes (< 1 min)")
    parser.add_argument("--passes", type=int, help="passes kept per variant (default 7, quick 2)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    parser.add_argument("--plot", type=Path, metavar="PATH", help="write the plot (PNG or SVG)")
    parser.add_argument(
        "--markdown", type=Path, metavar="PATH", help="write the tables as Markdown"
    )
    parser.add_argument(
        "--cpu", type=int, help="pin every pass to this CPU (default: the idlest CPU, per pass)"
    )
    parser.add_argument(
        "--metric",
        choices=("cpu", "wall"),
        default="cpu",
        help="what medians and ratios use: CPU time of the processes (default) or wall time",
    )
    parser.add_argument(
        "--only", nargs="+", default=(), metavar="CASE", help="run only cases starting so"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    passes = args.passes or (2 if args.quick else 7)
    started = time.monotonic()
    report = run(
        sizes,
        passes,
        only=args.only,
        cpu=args.cpu,
        metric=args.metric,
        max_weight=2 if args.quick else None,
    )
    report["wall_seconds"] = time.monotonic() - started
    print(f"wall time: {report['wall_seconds']:.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"results written to {args.json}")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(report))
        print(f"tables written to {args.markdown}")
    if args.plot:
        try:
            plot(report, args.plot)
        except ImportError:
            print("no plot: matplotlib is not installed (pip install -e '.[bench]')")
            return 1
        print(f"plot written to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
