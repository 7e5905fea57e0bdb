"""Checkpoints: written atomically, a run killed with SIGKILL resumes bit-identically, and the
history's memory is bounded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import lib

#: The run of the kill test: long enough (tens of thousands of steps) to be killed mid-way.
RUN = """
import sys
import numpy as np
import lib
prob = lib.make_problem(6, 2, 200, sigma=0.01, seed=3)
obj = lib.Objective(prob, lam=0.01, beta=1e-3)
U0 = 1e-2 * np.random.default_rng(4).standard_normal((6, 4))
lib.gradient_descent(obj, U0, 0.05, 60_000, tol=0.0, record_every=7,
                     checkpoint=sys.argv[1], checkpoint_every=0.02)
"""


def _run_of_the_kill_test(checkpoint: Path | None) -> lib.OptimizationResult:
    namespace: dict[str, object] = {}
    code = RUN.replace("lib.gradient_descent(", "result = lib.gradient_descent(")
    saved_argv = sys.argv
    sys.argv = ["run", str(checkpoint)] if checkpoint else ["run", ""]
    try:
        if checkpoint is None:
            code = code.replace("checkpoint=sys.argv[1], checkpoint_every=0.02", "")
        exec(code, namespace)
    finally:
        sys.argv = saved_argv
    return namespace["result"]


def _assert_identical(first: lib.OptimizationResult, second: lib.OptimizationResult) -> None:
    assert np.array_equal(first.U, second.U)
    assert first.iterations == second.iterations and first.status == second.status
    for name in ("iterations", "values", "grad_norms", "errors", "column_norms"):
        assert np.array_equal(getattr(first.history, name), getattr(second.history, name)), name


def test_run_killed_with_sigkill_resumes_bit_identically(tmp_path: Path) -> None:
    path = tmp_path / "run.npz"
    child = subprocess.Popen([sys.executable, "-c", RUN, str(path)])
    deadline = time.monotonic() + 120
    iteration = 0
    while iteration < 2000 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        if path.exists():
            with np.load(path) as saved:
                iteration = int(saved["iteration"])
    assert child.poll() is None, "the run finished before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with np.load(path) as saved:
        killed_at = int(saved["iteration"])
        assert str(saved["status"]) == "running"
    assert 2000 <= killed_at < 60_000
    assert not (tmp_path / "run.npz.partial").exists() or path.exists()
    resumed = _run_of_the_kill_test(path)
    _assert_identical(resumed, _run_of_the_kill_test(None))
    with np.load(path) as saved:
        assert str(saved["status"]) == "max_iter"
    _assert_identical(_run_of_the_kill_test(path), resumed)


def test_checkpoint_of_another_run_is_refused(tmp_path: Path) -> None:
    prob = lib.make_problem(5, 1, 1, sensing="population", seed=0)
    obj = lib.Objective(prob, lam=0.01)
    U0 = 0.1 * np.ones((5, 2))
    path = tmp_path / "run.npz"
    lib.gradient_descent(obj, U0, 0.1, 20, checkpoint=path)
    with pytest.raises(ValueError, match=r"written by another run \(step differs"):
        lib.gradient_descent(obj, U0, 0.2, 20, checkpoint=path)
    with pytest.raises(ValueError, match=r"written by another run \(U0 differs"):
        lib.gradient_descent(obj, 2 * U0, 0.1, 20, checkpoint=path)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="is not a checkpoint"):
        lib.gradient_descent(obj, U0, 0.1, 20, checkpoint=path)
    with pytest.raises(TypeError, match="checkpoint must be a file path"):
        lib.gradient_descent(obj, U0, 0.1, 20, checkpoint=3)
    with pytest.raises(ValueError, match="checkpoint_every"):
        lib.gradient_descent(obj, U0, 0.1, 20, checkpoint=path, checkpoint_every=0)


def test_interrupted_run_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    prob = lib.make_problem(5, 2, 80, seed=2)
    obj = lib.Objective(prob, lam=0.01)
    U0 = 0.1 * np.random.default_rng(0).standard_normal((5, 3))
    path = tmp_path / "run.npz"

    def stop_at_40(iteration: int, U: np.ndarray, value: float) -> None:
        if iteration == 40:
            raise KeyboardInterrupt

    with pytest.warns(UserWarning, match="interrupted at iteration 40"):
        lib.gradient_descent(obj, U0, 0.05, 100, tol=0.0, record_every=3, checkpoint=path,
                             callback=stop_at_40)
    resumed = lib.gradient_descent(obj, U0, 0.05, 100, tol=0.0, record_every=3,
                                   checkpoint=path)
    _assert_identical(resumed, lib.gradient_descent(obj, U0, 0.05, 100, tol=0.0,
                                                    record_every=3))


@pytest.mark.filterwarnings("ignore:pruning kept")
def test_pipeline_checkpoints_resume_to_the_same_result(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    prob = lib.make_problem(8, 2, 300, seed=0)
    arguments = {"train_iter": 300, "fine_tune_iter": 50, "seed": 1}
    plain = lib.train_prune_finetune(prob, 4, 0.01, 1e-3, **arguments)
    first = lib.train_prune_finetune(prob, 4, 0.01, 1e-3, checkpoint=tmp_path / "run",
                                     **arguments)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["fine_tune.npz",
                                                                   "train.npz"]

    def no_more_steps(*args: object, **kwargs: object) -> None:
        raise AssertionError("a finished stage was run again")

    monkeypatch.setattr(lib.Objective, "value_and_grad", no_more_steps, raising=True)
    monkeypatch.setattr(lib.pruning, "suggest_step", lambda obj, U: plain.fine_tune_step)
    again = lib.train_prune_finetune(prob, 4, 0.01, 1e-3, checkpoint=tmp_path / "run",
                                     train_step=plain.train_step, **arguments)
    monkeypatch.undo()
    for result in (first, again):
        _assert_identical(result.train, plain.train)
        _assert_identical(result.fine_tune, plain.fine_tune)


def test_history_is_bounded_by_max_records() -> None:
    prob = lib.make_problem(4, 1, 1, sensing="population", seed=0)
    obj = lib.Objective(prob)
    U0 = 0.1 * np.ones((4, 2))
    full = lib.gradient_descent(obj, U0, 0.01, 1000, tol=0.0)
    bounded = lib.gradient_descent(obj, U0, 0.01, 1000, tol=0.0, max_records=100)
    assert bounded.history.iterations.size <= 101
    kept = bounded.history.iterations[:-1]
    assert np.all(np.diff(kept) == 16) and kept[0] == 0
    assert bounded.history.iterations[-1] == 1000
    assert np.array_equal(bounded.history.values, full.history.values[bounded.history.iterations])
    assert np.array_equal(bounded.U, full.U)
