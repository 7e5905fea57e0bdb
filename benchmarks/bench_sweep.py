"""Throughput of lib.sweep (runs per second) against a plain Python loop over the same runs.

Run ``python -m benchmarks.bench_sweep`` (``make bench-sweep``); ``--runs`` sets the size of
the spec. The spec is fixed: the pipeline of the fine-tuning chapter's scale (d = 20, r = 3,
n = 1200, k = 20, 5000 training steps at most: about 0.4 s a run on an idle reference machine),
two values of lambda and ``runs / 2`` seeds. For each cluster size (1 and 2 workers) a local
cluster is started and warmed up (timed apart: the start, with one run per worker that loads
its compiled kernels), then ``--rounds`` rounds each time

* **loop**: ``lib.sweep.run_cell`` for every cell in this process, one BLAS and one compiled
  thread (what a worker runs), no store;
* **sweep**: ``lib.sweep.run`` of the same spec into a fresh store on that warm cluster.

The overhead of the engine is the median over the rounds of ``time(sweep, 1 worker) /
time(loop) - 1``, the loop of the same round; it must stay under 10% for runs of 0.2 s or
more. Pairing each sweep with the loop just before it keeps out most of the drift of a virtual
machine's speed (the loop alone varied by 20% between rounds minutes apart on the reference
machine). A second measure is taken within the sweep itself: its elapsed time against the sum
of its runs' own ``wall_seconds`` (measured inside the task, on the worker), divided by the
number of workers. The metrics of every sweep are checked equal to the loop's.

The Performance chapter (``book/07_performance.md``) reports the throughput of a sweep over a
committed phase-diagram spec with :func:`sweep_throughput`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from threadpoolctl import threadpool_limits

import lib
from benchmarks.bench_gradient import machine_description
from lib.sweep import engine

METRICS = ["kept", "error_pruned", "error_final", "train_iterations", "train_converged",
           "fine_tune_iterations", "fine_tune_converged"]


def make_spec(runs: int, first_seed: int = 0) -> dict[str, Any]:
    """The benchmark's spec: ``runs`` runs (two lambdas, ``runs // 2`` seeds)."""
    return {"task": "train_prune_finetune",
            "seeds": list(range(first_seed, first_seed + runs // 2)),
            "fixed": {"d": 20, "r": 3, "n": 1200, "sigma": 0.01, "k": 20, "beta": 1e-3,
                      "train_iter": 5000, "fine_tune_iter": 500},
            "grid": {"lam": [0.01, 0.02]}}


def time_loop(spec: dict[str, Any]) -> tuple[float, list[dict[str, Any]]]:
    """Seconds for every cell of ``spec`` in a loop here, and the metrics."""
    cells = lib.sweep.read_spec(spec).cells()
    lib.set_threads(1)
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        metrics = [lib.sweep.run_cell(spec["task"], cell) for cell in cells]
    return time.perf_counter() - start, metrics


def timed_sweep(spec: dict[str, Any] | str | Path, workers: int) -> tuple[float, pd.DataFrame]:
    """Seconds of ``lib.sweep.run(spec)`` into a fresh store on a local cluster of ``workers``
    (as it is: started by this call if it is not running), and the store's runs."""
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        lib.sweep.run(spec, directory, workers=workers)
        seconds = time.perf_counter() - start
        return seconds, lib.sweep.load(directory)


def time_engine(spec: dict[str, Any], workers: int,
                ) -> tuple[float, float, list[dict[str, Any]]]:
    """Seconds of ``lib.sweep.run`` on a warm local cluster of ``workers``, the sum of the
    runs' own seconds, and the metrics in the loop's order."""
    seconds, frame = timed_sweep(spec, workers)
    in_tasks = float(frame["wall_seconds"].sum())
    by_cell = {(row.lam, row.seed): row for row in frame.itertuples()}
    cells = lib.sweep.read_spec(spec).cells()
    return seconds, in_tasks, [{name: getattr(by_cell[cell.arguments["lam"], cell.seed], name)
                                for name in METRICS} for cell in cells]


def sweep_throughput(spec: str | Path, workers: int = 2) -> dict[str, Any]:
    r"""Runs per second of the sweep ``spec`` (a TOML file) on a warm local cluster.

    :func:`warm_up` first, then the whole spec runs into a fresh store, timed (the Performance
    chapter).

    Returns
    -------
    dict
        ``runs``, ``workers``, ``seconds`` (elapsed), ``runs_per_second`` = runs / seconds,
        ``run_seconds`` (the mean of the runs' own ``wall_seconds``, timed inside the task on
        a worker), ``engine_overhead`` = :math:`w s / (R \bar t) - 1` for :math:`R` runs of
        mean own time :math:`\bar t` on :math:`w` workers in :math:`s` seconds (what the
        engine and the load add to perfectly shared work), and ``frame``, the store's runs.
    """
    warm_up(workers)
    seconds, frame = timed_sweep(spec, workers)
    runs, run_seconds = len(frame), float(frame["wall_seconds"].mean())
    return {"runs": runs, "workers": workers, "seconds": seconds,
            "runs_per_second": runs / seconds, "run_seconds": run_seconds,
            "engine_overhead": workers * seconds / (runs * run_seconds) - 1, "frame": frame}


def warm_up(workers: int) -> None:
    """One run per worker on the local cluster of ``workers`` (started if it is not running),
    which loads the compiled kernels in every worker."""
    with tempfile.TemporaryDirectory() as directory:
        lib.sweep.run(make_spec(2 * workers, first_seed=1000), Path(directory), workers=workers)


def warm_cluster(workers: int) -> float:
    """Start a new local cluster of ``workers`` and warm it up (:func:`warm_up`); returns the
    seconds this took."""
    start = time.perf_counter()
    engine.close_local_cluster()
    warm_up(workers)
    return time.perf_counter() - start


def main(runs: int, rounds: int) -> None:
    print(machine_description())
    spec = make_spec(runs)
    time_loop(make_spec(2, first_seed=1000))  # warm: kernels loaded in this process
    loops: dict[int, list[float]] = {1: [], 2: []}
    sweeps: dict[int, list[float]] = {1: [], 2: []}
    inside: dict[int, list[float]] = {1: [], 2: []}
    startup = {}
    for workers in (1, 2):
        startup[workers] = warm_cluster(workers)
        for _ in range(rounds):
            seconds, metrics = time_loop(spec)
            loops[workers].append(seconds)
            reference = [{name: row[name] for name in METRICS} for row in metrics]
            seconds, in_tasks, metrics = time_engine(spec, workers)
            assert metrics == reference, f"{workers} workers: metrics differ from the loop"
            sweeps[workers].append(seconds)
            inside[workers].append(seconds * workers / in_tasks - 1)
    engine.close_local_cluster()
    print(f"\n{runs} runs; {rounds} rounds per cluster size, each the loop then the sweep; "
          "medians over the rounds; cluster start (with one warm-up run per worker) apart")
    print(f"{'configuration':<14}{'loop s':>8}{'sweep s':>9}{'runs/s':>8}{'sweep/loop':>12}"
          f"{'start s':>9}{'vs in-task':>12}")
    ratios = {}
    for workers in (1, 2):
        ratios[workers] = [sweep / loop for sweep, loop
                           in zip(sweeps[workers], loops[workers], strict=True)]
        seconds = statistics.median(sweeps[workers])
        print(f"{workers} worker{'s' * (workers > 1):<7}{statistics.median(loops[workers]):8.2f}"
              f"{seconds:9.2f}{runs / seconds:8.2f}{statistics.median(ratios[workers]):12.3f}"
              f"{startup[workers]:9.1f}{100 * statistics.median(inside[workers]):+11.1f}%")
    print("sweep/loop of each round, 1 worker: "
          + ", ".join(f"{ratio:.3f}" for ratio in ratios[1]))
    print(f"engine overhead with 1 worker: {100 * (statistics.median(ratios[1]) - 1):+.1f}% "
          f"against the loop of the same round, {100 * statistics.median(inside[1]):+.1f}% "
          "against its runs' own time (must be < 10%)")
    print("metrics of every sweep identical to the loop's")

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12, help="runs in the spec (even)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="rounds (loop, then sweep) per cluster size")
    arguments = parser.parse_args()
    main(arguments.runs, arguments.rounds)
