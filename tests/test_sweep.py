"""lib.sweep: grids of runs on Dask with a resumable Parquet store.

Tiny problems (d = 6) so that each run takes milliseconds; the kill tests use runs of a few
hundred milliseconds so that a kill lands while runs are in flight.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
import pytest
from threadpoolctl import threadpool_limits

import lib
from lib.sweep import engine
from lib.sweep.__main__ import main

SPEC: dict[str, Any] = {
    "task": "train_prune_finetune",
    "seeds": [0, 1, 2],
    "fixed": {"d": 6, "r": 2, "n": 150, "sigma": 0.01, "k": 6, "train_iter": 400,
              "fine_tune_iter": 200},
    "grid": {"lam": [0.01, 0.02], "beta": [1e-3, 4e-3]},
}
#: Runs of a few hundred milliseconds (no early stop), for the kill tests.
SLOW_SPEC: dict[str, Any] = {
    "task": "train_prune_finetune",
    "seeds": [0, 1, 2, 3, 4, 5],
    "fixed": {"d": 6, "r": 2, "n": 150, "sigma": 0.01, "k": 6, "beta": 1e-3,
              "train_iter": 3000, "train_tol": 0.0, "fine_tune_iter": 200},
    "grid": {"lam": [0.01, 0.02]},
}
#: Short training leaves more than r columns above the threshold on some runs; the tests compare
#: runs, not the pipeline's success.
pytestmark = pytest.mark.filterwarnings("ignore:pruning kept:UserWarning")
METRICS = ["kept", "error_pruned", "error_final", "train_iterations", "train_converged",
           "fine_tune_iterations", "fine_tune_converged", "settled_iteration"]


def _loop(spec: dict[str, Any]) -> pd.DataFrame:
    """The runs of ``spec`` in a plain loop in this process, with one BLAS thread."""
    parsed = lib.sweep.read_spec(spec)
    with threadpool_limits(limits=1):
        rows = [{**cell.arguments, "seed": cell.seed, **lib.sweep.run_cell(spec["task"], cell)}
                for cell in parsed.cells()]
    return pd.DataFrame(rows).sort_values([*spec["grid"], "seed"]).reset_index(drop=True)


def _same_metrics(frame: pd.DataFrame, reference: pd.DataFrame) -> None:
    """Every column but wall_seconds equal, bit for bit."""
    columns = [column for column in reference.columns if column != "wall_seconds"]
    pd.testing.assert_frame_equal(frame[columns], reference[columns], check_exact=True,
                                  check_dtype=False)


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return _loop(SPEC)


@pytest.fixture(scope="module")
def slow_reference() -> pd.DataFrame:
    return _loop(SLOW_SPEC)


def _runs_written(store: Path) -> int:
    return len(list((store / "runs").glob("*.parquet")))


def test_one_and_two_workers_give_the_metrics_of_a_plain_loop(tmp_path: Path,
                                                              reference: pd.DataFrame) -> None:
    one = lib.sweep.run(SPEC, tmp_path / "one", workers=1)
    two = lib.sweep.run(SPEC, tmp_path / "two", workers=2)
    assert one == two == lib.sweep.SweepReport(total=12, skipped=0, ran=12)
    frame_one, frame_two = lib.sweep.load(tmp_path / "one"), lib.sweep.load(tmp_path / "two")
    assert len(frame_one) == 12 and set(METRICS) <= set(frame_one.columns)
    assert (frame_one["kept"] >= 2).all() and frame_one[METRICS].notna().all().all()
    assert (frame_one["wall_seconds"] > 0).all()
    _same_metrics(frame_one, reference)
    _same_metrics(frame_two, reference)


def test_a_rerun_skips_the_runs_in_the_store_and_a_new_seed_extends_it(
        tmp_path: Path, reference: pd.DataFrame) -> None:
    store = tmp_path / "store"
    first = {**SPEC, "seeds": [0, 1]}
    assert lib.sweep.run(first, store, workers=2).ran == 8
    assert lib.sweep.status(store) == lib.sweep.StoreStatus(done=8, total=8)
    assert lib.sweep.run(first, store, workers=2) == lib.sweep.SweepReport(8, 8, 0)
    assert lib.sweep.run(SPEC, store, workers=2) == lib.sweep.SweepReport(12, 8, 4)
    _same_metrics(lib.sweep.load(store), reference)
    assert sorted(path.name for path in store.iterdir()) == ["manifest.json", "runs",
                                                             "runs.parquet"]
    assert _runs_written(store) == 0


def test_compaction_interrupted_after_writing_loses_and_repeats_nothing(
        tmp_path: Path, reference: pd.DataFrame, capsys: pytest.CaptureFixture) -> None:
    store = tmp_path / "store"
    spec = lib.sweep.read_spec(SPEC)
    lib.sweep.store.open_store(store, spec)
    cells = spec.cells()
    for cell in cells[:5]:
        lib.sweep.store.append(store, cell, lib.sweep.run_cell(SPEC["task"], cell))
    assert lib.sweep.compact(store) == 5 and _runs_written(store) == 0
    # A kill between writing runs.parquet and deleting the per-run files leaves both.
    for cell in cells[3:]:
        lib.sweep.store.append(store, cell, lib.sweep.run_cell(SPEC["task"], cell))
    assert len(lib.sweep.load(store)) == 12
    assert lib.sweep.status(store) == lib.sweep.StoreStatus(done=12, total=12)
    _same_metrics(lib.sweep.load(store), reference)
    assert main(["compact", "--store", str(store)]) == 0
    assert "12 runs" in capsys.readouterr().out
    assert _runs_written(store) == 0
    _same_metrics(lib.sweep.load(store), reference)
    assert lib.sweep.run(SPEC, store, workers=1) == lib.sweep.SweepReport(12, 12, 0)
    with pytest.raises(ValueError, match="not a sweep store"):
        lib.sweep.compact(tmp_path / "nowhere")


def test_local_workers_run_one_thread_each_without_the_statistical_profiler() -> None:
    """The profiler samples the task's stack every 10 ms (5 to 8% of a d = 20 pipeline,
    benchmarks/README.md); the local cluster turns it off, and the plugin sets one thread."""
    client = engine._local_client(2)
    callbacks = client.run(lambda dask_worker: sorted(dask_worker.periodic_callbacks))
    threads = client.run(lib.get_threads)
    assert all("profile" not in names for names in callbacks.values()), callbacks
    assert set(threads.values()) == {1}


def test_a_worker_killed_mid_task_has_its_run_redone_and_the_sweep_finishes(
        tmp_path: Path, slow_reference: pd.DataFrame) -> None:
    store = tmp_path / "store"
    client = engine._local_client(2)  # the cluster run() will use
    worker_pids = list(client.run(os.getpid).values())
    killed: list[tuple[int, int]] = []

    def kill_a_worker_after_the_first_run() -> None:
        deadline = time.monotonic() + 120
        while not (store / "runs").is_dir() or _runs_written(store) < 1:
            if time.monotonic() > deadline:
                return
            time.sleep(0.005)
        os.kill(worker_pids[0], signal.SIGKILL)
        killed.append((worker_pids[0], _runs_written(store)))

    killer = threading.Thread(target=kill_a_worker_after_the_first_run)
    killer.start()
    report = lib.sweep.run(SLOW_SPEC, store, workers=2)
    killer.join()
    assert killed and killed[0][1] < report.total, "the kill did not land during the sweep"
    assert not psutil.pid_exists(worker_pids[0])
    assert report.ran == report.total == 12
    _same_metrics(lib.sweep.load(store), slow_reference)


def test_a_driver_killed_with_sigkill_loses_at_most_the_runs_in_flight(
        tmp_path: Path, slow_reference: pd.DataFrame) -> None:
    store = tmp_path / "store"
    toml = ['task = "train_prune_finetune"', f"seeds = {SLOW_SPEC['seeds']}", "[fixed]",
            *(f"{name} = {json.dumps(value)}" for name, value in SLOW_SPEC["fixed"].items()),
            "[grid]", *(f"{name} = {values}" for name, values in SLOW_SPEC["grid"].items())]
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text("\n".join(toml) + "\n")
    driver = subprocess.Popen([sys.executable, "-m", "lib.sweep", "run", str(spec_path),
                               "--store", str(store), "--workers", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = psutil.Process(driver.pid)
    try:
        deadline = time.monotonic() + 120
        while not (store / "runs").is_dir() or _runs_written(store) < 2:
            assert driver.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)
        children = started.children(recursive=True)
        driver.send_signal(signal.SIGKILL)
        driver.wait()
    finally:
        for child in started.children(recursive=True) if driver.poll() is None else children:
            child.kill()
    written = _runs_written(store)
    assert 2 <= written < 12
    report = lib.sweep.run(spec_path, store, workers=2)
    assert report == lib.sweep.SweepReport(total=12, skipped=written, ran=12 - written)
    frame = lib.sweep.load(store)
    assert len(frame) == 12 and not frame.duplicated(["lam", "seed"]).any()
    _same_metrics(frame, slow_reference)


def test_a_scheduler_and_two_workers_started_as_processes_run_the_sweep(
        tmp_path: Path, reference: pd.DataFrame) -> None:
    dask = str(Path(sys.executable).parent / "dask")
    address_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(address_file)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    processes = [scheduler]
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists():
            assert scheduler.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        processes += [subprocess.Popen(
            [dask, "worker", "--scheduler-file", str(address_file), "--host", "127.0.0.1",
             "--nthreads", "1", "--no-dashboard", "--no-nanny"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
        address = json.loads(address_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        report = lib.sweep.run(SPEC, tmp_path / "store", scheduler=address)
        assert report.ran == 12
        _same_metrics(lib.sweep.load(tmp_path / "store"), reference)
        assert main(["status", "--store", str(tmp_path / "store")]) == 0
    finally:
        for process in reversed(processes):  # the workers first, then the scheduler
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _with(**changes: Any) -> dict[str, Any]:
    spec = json.loads(json.dumps(SPEC))
    for field, value in changes.items():
        table, _, name = field.partition("__")
        if not name:
            spec[table] = value
        elif value is None:
            del spec[table][name]
        else:
            spec[table][name] = value
    return spec


@pytest.mark.parametrize(("spec", "error", "message"), [
    (_with(task="train_prune"), ValueError, "task: unknown task 'train_prune'"),
    (_with(task=3), TypeError, "task must be the name"),
    (_with(fixed__depth=3), ValueError, "fixed.depth: unknown parameter 'depth'"),
    (_with(grid__alpha=[1.0]), ValueError, "grid.alpha: unknown parameter 'alpha'"),
    (_with(grid__lam=[]), ValueError, "grid.lam is an empty list"),
    (_with(grid={}), ValueError, "grid is empty"),
    (_with(grid__lam=0.01), TypeError, "grid.lam must be a list"),
    (_with(grid__lam=[0.01, "big"]), TypeError, r"grid.lam\[1\] must be a real number"),
    (_with(grid__lam=[0.01, 0.01]), ValueError, "grid.lam must have distinct values"),
    (_with(fixed__d="6"), TypeError, "fixed.d must be an integer, got '6'"),
    (_with(fixed__d=6.0), TypeError, "fixed.d must be an integer, got 6.0"),
    (_with(fixed__sigma=-0.1), ValueError, "fixed.sigma must be >= 0.0"),
    (_with(fixed__sensing="dense"), ValueError, "fixed.sensing must be one of"),
    (_with(fixed__k=None), ValueError, "missing required parameter 'k'"),
    (_with(fixed__lam=0.01), ValueError, "grid.lam: 'lam' is also in fixed"),
    (_with(seeds=[]), TypeError, "seeds must be a non-empty list"),
    (_with(seeds=[0, 1.5]), TypeError, r"seeds\[1\] must be an integer"),
    (_with(seeds=[0, -1]), ValueError, r"seeds\[1\] must be >= 0"),
    (_with(seeds=[1, 1]), ValueError, "seeds must be distinct"),
    (_with(workers=2), ValueError, "spec: unknown field 'workers'"),
])
def test_bad_specs_are_refused_naming_the_field_before_anything_is_written(
        tmp_path: Path, spec: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        lib.sweep.run(spec, tmp_path / "store", workers=1)
    assert not (tmp_path / "store").exists()


def test_bad_toml_and_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "bad.toml").write_text('task = "train_prune_finetune"\nseeds = [0,\n')
    with pytest.raises(ValueError, match="is not valid TOML"):
        lib.sweep.run(tmp_path / "bad.toml", tmp_path / "store")
    with pytest.raises(ValueError, match="no such file"):
        lib.sweep.run(tmp_path / "missing.toml", tmp_path / "store")
    with pytest.raises(ValueError, match="workers=2 sizes the local cluster"):
        lib.sweep.run(SPEC, tmp_path / "store", workers=2, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(ValueError, match="workers must be >= 1"):
        lib.sweep.run(SPEC, tmp_path / "store", workers=0)
    assert not (tmp_path / "store").exists()
    assert main(["run", str(tmp_path / "bad.toml"), "--store", str(tmp_path / "store")]) == 2
    assert "error: spec:" in capsys.readouterr().err
    with pytest.raises(ValueError, match="not a sweep store"):
        lib.sweep.load(tmp_path / "nowhere")


def test_a_store_refuses_a_spec_that_changes_a_fixed_parameter(tmp_path: Path) -> None:
    store = tmp_path / "store"
    lib.sweep.store.open_store(store, lib.sweep.read_spec(SPEC))
    manifest = (store / "manifest.json").read_text()
    with pytest.raises(ValueError, match=r"fixed.sigma: store .* sigma = 0.01, the spec has 0.1"):
        lib.sweep.run(_with(fixed__sigma=0.1), store, workers=1)
    with pytest.raises(ValueError, match=r"fixed.kappa: .* kappa = None, the spec has 2.0"):
        lib.sweep.run(_with(fixed__kappa=2), store, workers=1)
    with pytest.raises(ValueError, match=r"grid: store .* the spec varies"):
        lib.sweep.run(_with(grid__init_scale=[1e-3]), store, workers=1)
    assert (store / "manifest.json").read_text() == manifest
    assert list((store / "runs").iterdir()) == []



def test_settled_iteration_is_the_record_after_the_last_change_of_the_kept_set() -> None:
    cell = lib.sweep.read_spec(SPEC).cells()[0]
    metrics = lib.sweep.run_cell("train_prune_finetune", cell)
    arguments = dict(cell.arguments)
    prob, init_rng = lib.sweep.tasks.seeded_problem(
        cell.seed, **{name: arguments.pop(name) for name in ("d", "r", "n", "sigma")})
    out = lib.train_prune_finetune(prob, **arguments, seed=init_rng)
    history = out.train.history
    above = history.column_norms > out.threshold
    settled = list(history.iterations).index(metrics["settled_iteration"])
    assert np.array_equal(np.flatnonzero(above[-1]), out.kept)
    assert (above[settled:] == above[-1]).all()
    assert settled > 0 and not np.array_equal(above[settled - 1], above[-1])
