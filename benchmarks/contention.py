"""The unit suite alone and next to busy processes: does lib's compiled code survive contention?

Run ``python -m benchmarks.contention`` (``make bench-contention``). It times
``pytest tests -q -p no:cacheprovider`` (the unit tests, no notebooks) per setting: alone, and
while ``--busy`` processes (default 2, one per core of the reference machine) spin in pure
Python loops. The settings are lib's default (its OpenMP wait policy, :mod:`lib.runtime`) and,
for comparison, GNU OpenMP's default spinning (lib's behaviour before it chose a wait policy)
and ``OMP_WAIT_POLICY=ACTIVE`` (threads that never stop spinning). The target
(``benchmarks/README.md``): contended at most 3 times alone, with lib's default. A run longer
than ``--timeout`` seconds is stopped and reported as such; a failing test stops the script.
Every number depends on the machine and its other load; the load average is printed too.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: The settings compared: extra environment variables of the test run. GOMP_SPINCOUNT=300000
#: is GNU OpenMP's own default (threads spin that long, then sleep), lib's behaviour before it
#: set a wait policy; ACTIVE spins without end.
SETTINGS = {"lib default (OMP_WAIT_POLICY=PASSIVE)": {},
            "GNU default spin (GOMP_SPINCOUNT=300000)": {"GOMP_SPINCOUNT": "300000"},
            "OMP_WAIT_POLICY=ACTIVE": {"OMP_WAIT_POLICY": "ACTIVE"}}
SUITE = [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider",
         "--ignore=tests/test_browser.py"]


@contextmanager
def busy_processes(count: int) -> Iterator[None]:
    """``count`` processes spinning in a pure Python loop, stopped (by their ids) on exit."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(count)]
    try:
        time.sleep(1.0 if count else 0.0)
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def suite_seconds(extra_environment: dict[str, str],
                  timeout: float) -> tuple[float | None, float]:
    """Wall time (None if the run was stopped after ``timeout`` seconds) and CPU time (all
    threads, up to the stop) of one run of the unit suite, in seconds. The CPU time counts
    threads that spin while they wait, and depends less on other load than the wall time
    does. Raises if a test fails."""
    environment = {**os.environ, **extra_environment}
    start, cpu = time.perf_counter(), _children_cpu_seconds()
    with tempfile.TemporaryFile(mode="w+") as output:
        try:
            completed = subprocess.run(SUITE, env=environment, timeout=timeout,
                                       stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=subprocess.STDOUT)
        except subprocess.TimeoutExpired:
            return None, _children_cpu_seconds() - cpu
        if completed.returncode:
            output.seek(0)
            tail = "".join(output.readlines()[-40:])
            raise RuntimeError(f"the unit suite failed (exit status {completed.returncode}) "
                               f"with {extra_environment or 'no extra environment'}:\n{tail}")
    return time.perf_counter() - start, _children_cpu_seconds() - cpu


def _cell(run: tuple[float | None, float], timeout: float) -> str:
    wall = f"> {timeout:.0f} (stopped)" if run[0] is None else f"{run[0]:.1f}"
    return f"{wall} ({run[1]:.1f})"


def main(busy: int, timeout: float, settings: list[str], warmup: bool) -> None:
    print(f"{os.cpu_count()} cores; load average at the start {os.getloadavg()[0]:.2f}; "
          f"{busy} busy processes in the contended runs")
    if warmup:
        suite_seconds({}, timeout)  # compiles the kernels into Numba's cache, untimed
    print("| setting | alone: wall (CPU) s | contended: wall (CPU) s | contended / alone, wall |")
    print("|---|---:|---:|---:|")
    for name in settings:
        runs = []
        for count in (0, busy):
            with busy_processes(count):
                runs.append(suite_seconds(SETTINGS[name], timeout))
        alone, contended = runs
        ratio = f"{contended[0] / alone[0]:.2f}" if alone[0] and contended[0] else ""
        print(f"| {name} | {_cell(alone, timeout)} | {_cell(contended, timeout)} | {ratio} |",
              flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=2, help="busy processes (default 2)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds after which a run is stopped (default 300)")
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS),
                        help="which settings to time (default: all)")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the untimed first run (when Numba's cache is already warm)")
    arguments = parser.parse_args()
    main(arguments.busy, arguments.timeout, arguments.settings, not arguments.no_warmup)
