"""Numba's on-disk cache across processes: whichever process compiled and cached which kernel,
a later process that loads them gets the same results and does not crash.

The order that crashed before: one process caches the parallel pass (through a Hessian-vector
product on data above THREAD_BYTES), a second loads it and caches the parallel gradient, a
third loads that gradient and died with a segmentation fault (a cached kernel calling a cached
parallel kernel; see :func:`lib.streaming.parallel_gradient`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# d = 50, n = 750: 7.65 MB of packed data, above lib.runtime.THREAD_BYTES, so both the
# gradient and the product take the parallel kernels (two threads).
PROGRAM = """
import hashlib, sys
import numpy as np
import lib
prob = lib.make_problem(50, 2, 750, seed=0)
assert lib.runtime.threads_for(prob.operator.packed.nbytes) == 2
U = np.random.default_rng(0).standard_normal((50, 8))
if sys.argv[1] == "hvp":
    result = prob.operator.hvp(U, U)
else:
    result = prob.operator.value_and_grad(U)[1]
print(hashlib.sha256(result.tobytes()).hexdigest())
"""


def _run(stage: str, cache: Path) -> str:
    environment = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "NUMBA_NUM_THREADS": "2"}
    done = subprocess.run([sys.executable, "-c", PROGRAM, stage], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (stage, done.returncode, done.stderr[-2000:])
    return done.stdout.strip()


def test_kernels_cached_by_other_processes_load_and_agree(tmp_path: Path) -> None:
    """Four processes in turn on one cache: each kernel is compiled by one of them and loaded
    by the others, in both directions."""
    digests: dict[str, set[str]] = {"hvp": set(), "gradient": set()}
    for stage in ("hvp", "gradient", "gradient", "hvp"):
        digests[stage].add(_run(stage, tmp_path / "numba-cache"))
    assert all(len(found) == 1 for found in digests.values()), digests
