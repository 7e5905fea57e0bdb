"""The unit suite alone and next to busy processes: does lib's compiled code survive contention?

Run ``python -m benchmarks.contention`` (``make bench-contention``). It times
``pytest tests -q -p no:cacheprovider`` (the unit tests, no notebooks) twice per setting: alone,
and while ``--busy`` processes (default 2, one per core of the reference machine) spin in pure
Python loops. The settings are lib's default (its wait policy for OpenMP, :mod:`lib.runtime`)
and, for comparison, ``OMP_WAIT_POLICY=ACTIVE`` (spinning OpenMP threads, Numba's behaviour
without lib's choice). The target (``benchmarks/README.md``): contended at most 3 times idle
with the default settings. A run that takes longer than ``--timeout`` seconds is stopped and
reported as such. Every number depends on the machine and its other load; the script prints
the load average next to them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: The settings compared: extra environment variables of the test run.
SETTINGS = {"lib default": {}, "OMP_WAIT_POLICY=ACTIVE": {"OMP_WAIT_POLICY": "ACTIVE"}}
SUITE = [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "-x"]


@contextmanager
def busy_processes(count: int) -> Iterator[None]:
    """``count`` processes spinning in a pure Python loop, stopped (by their ids) on exit."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(count)]
    try:
        time.sleep(1.0)
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def suite_seconds(extra_environment: dict[str, str], timeout: float) -> float | None:
    """Wall time of one run of the unit suite, or None if it took longer than ``timeout``."""
    environment = {**os.environ, **extra_environment}
    start = time.perf_counter()
    try:
        subprocess.run(SUITE, env=environment, check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - start


def main(busy: int, timeout: float, settings: list[str]) -> None:
    print(f"{os.cpu_count()} cores; load average at the start {os.getloadavg()[0]:.2f}; "
          f"{busy} busy processes in the contended runs")
    suite_seconds({}, timeout)  # compiles the kernels into Numba's cache, untimed
    print("| setting | alone (s) | contended (s) | contended / alone |")
    print("|---|---:|---:|---:|")
    for name in settings:
        alone = suite_seconds(SETTINGS[name], timeout)
        with busy_processes(busy):
            contended = suite_seconds(SETTINGS[name], timeout)
        shown = [f"{value:.1f}" if value is not None else f"> {timeout:.0f} (stopped)"
                 for value in (alone, contended)]
        ratio = f"{contended / alone:.2f}" if alone and contended else ""
        print(f"| {name} | {shown[0]} | {shown[1]} | {ratio} |", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=2, help="busy processes (default 2)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds after which a run is stopped (default 300)")
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS),
                        help="which settings to time (default: all)")
    arguments = parser.parse_args()
    main(arguments.busy, arguments.timeout, arguments.settings)
