"""lib.runtime: kernels compiled on first use in place of their Python definitions, and the
OpenMP wait policy set before Numba loads OpenMP unless the user chose one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import os, sys
import numpy as np
import lib, lib.streaming as streaming
from lib.runtime import Kernel
assert 'numba' not in sys.modules and isinstance(streaming.chunk_range, Kernel)
lib.make_problem(10, 2, 50, seed=0).operator.value_and_grad(np.ones((10, 2)))
import numba
assert type(streaming.chunk_range).__name__ == 'CPUDispatcher'
assert streaming.prange is numba.prange
assert isinstance(lib.regularizer.add_group_lasso, Kernel)  # its own module, not yet used
print(os.environ.get('OMP_WAIT_POLICY'))
"""


@pytest.mark.parametrize(("chosen", "expected"), [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_kernels_compile_on_first_use_and_openmp_waits_passively(chosen: str | None,
                                                                  expected: str) -> None:
    environment = {name: value for name, value in os.environ.items()
                   if name != "OMP_WAIT_POLICY"}
    if chosen is not None:
        environment["OMP_WAIT_POLICY"] = chosen
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            env=environment, check=True)
    assert result.stdout.split() == [expected]
