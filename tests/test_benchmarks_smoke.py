"""The benchmark suite runs: every workload once at tiny sizes, checked, never timed.

This keeps ``benchmarks/`` from rotting; it asserts correctness only (each worker
checks what it received), never speed.
"""

from __future__ import annotations

import gc
import json
import socket
import sys
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import run, workers  # noqa: E402


@pytest.fixture(scope="module")
def available() -> run.Availability:
    return run.probe()


@pytest.fixture(scope="module")
def results(available: run.Availability) -> Iterator[dict[str, dict[str, run.Outcome]]]:
    """Every case of the tiny sizes, once each (no pass discarded), two at a time."""
    run.raise_fd_limit(max(run.TINY.select) + 256)
    cases = run.cases(run.TINY)
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = pool.map(
            lambda case: run.run_case(case, 1, available, discard=0, echo=False, pin=False),
            cases,
        )
        yield {case.name: outcome for case, outcome in zip(cases, done, strict=True)}


def test_every_workload_is_present(results: dict[str, dict[str, run.Outcome]]) -> None:
    names = set(results)
    assert {
        "calls",
        "calls-timed",
        "pingpong-unix",
        "pingpong-tcp",
        "bulk",
        "lines",
        "imports",
    } <= names
    assert {f"select-{n}" for n in run.TINY.select} <= names
    assert {f"registered-{n}" for n in run.TINY.select} <= names


@pytest.mark.parametrize("name", [case.name for case in run.cases(run.TINY)])
def test_each_variant_runs_and_checks_out(
    name: str, results: dict[str, dict[str, run.Outcome]], available: run.Availability
) -> None:
    for variant, outcome in results[name].items():
        assert outcome.broken is None, f"{name} / {variant}: {outcome.broken}"
        if outcome.unavailable:
            # Only PHP and compat may be missing, and then for the reason given.
            assert outcome.unavailable == available.reason(variant)
            continue
        if outcome.failed:
            # Only select() over descriptors above FD_SETSIZE may fail, as PHP and
            # select.select do; sockkit never.
            assert variant in ("php", "raw-select"), f"{name} / {variant}: {outcome.failed}"
            assert name.startswith("select-")
            assert int(name.split("-")[1]) > 1024
            continue
        assert len(outcome.samples) == 1
        assert outcome.samples[0] > 0


def test_sockkit_works_above_fd_setsize(results: dict[str, dict[str, run.Outcome]]) -> None:
    big = max(run.TINY.select)
    assert big > 1024
    assert results[f"select-{big}"]["oo"].ok
    assert results[f"select-{big}"]["raw-select"].failed


def test_memory_is_measured() -> None:
    memory = run.measure_memory(run.TINY)
    assert 0 < memory["socket_overhead_bytes"] < 10_000
    assert 0 < memory["registered_bytes_sockkit"] < 100_000


def test_targets_and_report_shape(
    results: dict[str, dict[str, run.Outcome]], tmp_path: Path
) -> None:
    verdicts = [run.judge(target, results) for target in run.targets(run.TINY)]
    assert verdicts
    for verdict in verdicts:
        assert verdict.met in (True, False, None)
    run.print_verdicts(verdicts, None, results)  # prints without raising
    report = {"cases": {}, "machine": {"cpus": 1, "cpu_model": "x", "python": "3", "php": None}}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    assert json.loads(path.read_text()) == report


def test_every_explanation_is_told_in_this_runs_figures(
    results: dict[str, dict[str, run.Outcome]], available: run.Availability
) -> None:
    explained = [
        target
        for target in run.targets(run.TINY)
        if (target.case.split("-")[0], target.variant, target.against) in run.EXPLANATIONS
    ]
    # The three ping-pong explanations serve both transports, AF_UNIX and TCP, and the
    # one against SSLSocket both TLS cases.
    assert len(explained) == len(run.EXPLANATIONS) + 4
    figures = {"datagrams": "µs of both processes' CPU per datagram", "tls": "x SSLSocket in"}
    for target in explained:
        text = run.explain(target, results)
        kind = target.case.split("-")[0]
        if target.against == "php" and available.php:
            assert text and "PHP" in text  # no PHP here: no PHP figures to tell
        elif kind in figures:
            used = {target.variant, target.against}
            if kind == "tls":
                used |= {"tls-sslobject", "tls-stdlib"}
            if target.against == "c":  # the batches are told against Python's floor too
                used |= {"ctypes"}
            measured = all(results[target.case][variant].ok for variant in used)
            assert text is not None and (figures[kind] in text) == measured, text
        else:
            assert text is not None and "µs per write+read pair" in text, text
        # Without the calls case there are no figures, but still a reason.
        assert run.explain(target, {}) and "µs per" not in str(run.explain(target, {}))


def test_a_failing_worker_is_reported_as_broken() -> None:
    # A worker that fails (here: its descriptor is no socket) exits non-zero: BROKEN.
    process = run.spawn(run.command("lines", "raw", "read", {"count": 3, "fd": 0}))
    with pytest.raises(run.WorkerError):
        run.collect(process, timeout=60)


@pytest.mark.parametrize("variant", ["raw", "batch", "ctypes", "c"])
def test_a_datagram_receiver_waits_for_a_late_sender(
    variant: str, available: run.Availability
) -> None:
    """The receiver starts first; a sender starting after the idle time is still heard
    (a late start once made a whole variant "BROKEN: no datagram arrived")."""
    if available.reason(variant):
        pytest.skip(available.reason(variant))
    count, size = 64, 1200
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    credits = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    processes = []
    try:
        receiver.bind(("127.0.0.1", 0))
        fd, credit = receiver.fileno(), credits[0].fileno()
        parameters = {"count": count, "size": size, "fd": fd, "credit": credit}
        process = run.spawn(run.command("datagrams", variant, "receive", parameters), [fd, credit])
        processes.append(process)
        # Longer than a receiver's start (import included, under load) and its idle
        # time together, so that a receiver bounding its first wait by the idle time
        # has given up by then.
        time.sleep(6 * workers.DATAGRAM_IDLE)
        sender.connect(receiver.getsockname())
        for _ in range(count):
            sender.send(bytes(size))
        assert run.collect(process, timeout=60)["ops"] == count
    finally:
        for sock in (receiver, sender, *credits):
            sock.close()
        run._finish(processes)  # a failure above leaves no receiver waiting


def test_the_ctypes_receiver_keeps_the_buffers_its_headers_point_into() -> None:
    """The headers hold the data and iovecs by address only: the receive holds the loop
    (a closure over the headers alone let them be freed, and recvmmsg then wrote into
    freed memory or failed with EFAULT for ever)."""
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender,
    ):
        receiver.bind(("127.0.0.1", 0))
        loop = workers._CLoop(receiver, 2048)
        alive = weakref.ref(loop)
        receive = loop.receiver(1200)
        del loop
        gc.collect()
        assert alive() is not None
        for _ in range(3):
            sender.sendto(bytes(1200), receiver.getsockname())
        got = 0
        for _ in range(3):  # bounded: one datagram may come per receive
            got += receive()
            if got == 3:
                break
        assert got == 3
