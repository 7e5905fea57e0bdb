"""The fused, blocked Gaussian operator: every block layout gives the dense-formula answer, and
a gradient allocates O(n + d^2 + dk) memory, never a copy of the sensing data."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from conftest import relative_error

import lib
from lib.operators import GaussianOperator, row_blocks

# (block_bytes, single_block_bytes): one block, blocks of a few rows, blocks of one row.
LAYOUTS = [(2**21, 2**40), (4096, 0), (1, 0)]


def _operator(prob: lib.Problem, layout: tuple[int, int]) -> GaussianOperator:
    block_bytes, single_block_bytes = layout
    return GaussianOperator(prob.operator.packed, prob.operator.y, prob.d,
                            block_bytes=block_bytes, single_block_bytes=single_block_bytes)


@pytest.mark.parametrize("n", [1, 7, 64])
@pytest.mark.parametrize("row_bytes", [8, 1000, 5000])
def test_row_blocks_cover_every_row_once(n: int, row_bytes: int) -> None:
    for layout in LAYOUTS:
        blocks = row_blocks(n, row_bytes, block_bytes=layout[0], single_block_bytes=layout[1])
        covered = np.concatenate([np.arange(n)[rows] for rows in blocks])
        assert np.array_equal(covered, np.arange(n))


def test_block_layouts_report_their_block_count() -> None:
    prob = lib.make_problem(10, 2, 50, seed=0)
    row_bytes = 55 * 8
    assert len(_operator(prob, LAYOUTS[0])._blocks) == 1
    assert len(_operator(prob, LAYOUTS[1])._blocks) == -(-50 // (4096 // row_bytes))
    assert len(_operator(prob, LAYOUTS[2])._blocks) == 50


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fused_pass_matches_the_dense_formulas(layout: tuple[int, int]) -> None:
    prob = lib.make_problem(9, 2, 70, sigma=0.2, seed=5)
    operator = _operator(prob, layout)
    stack = prob.sensing_matrices()
    rng = np.random.default_rng(1)
    U, V = rng.standard_normal((9, 4)), rng.standard_normal((9, 4))
    residuals = np.einsum("ijk,jk->i", stack, U @ U.T) - prob.y
    delta = np.einsum("ijk,jk->i", stack, U @ V.T + V @ U.T)
    grad = (4 / 70) * np.einsum("i,ijk->jk", residuals, stack) @ U
    hvp = (4 / 70) * (np.einsum("i,ijk->jk", delta, stack) @ U
                      + np.einsum("i,ijk->jk", residuals, stack) @ V)
    value, gradient = operator.value_and_grad(U)
    assert relative_error(operator.residuals(U), residuals) < 1e-13
    assert relative_error(value, residuals @ residuals / 70) < 1e-13
    assert relative_error(gradient, grad) < 1e-13
    assert relative_error(operator.hvp(U, V), hvp) < 1e-13
    assert relative_error(operator.adjoint(residuals), np.einsum("i,ijk->jk", residuals,
                                                                 stack)) < 1e-13


@pytest.mark.parametrize("layout", LAYOUTS)
def test_value_is_bitwise_the_value_of_value_and_grad(layout: tuple[int, int]) -> None:
    prob = lib.make_problem(8, 2, 90, sigma=0.1, seed=2)
    operator = _operator(prob, layout)
    U = np.random.default_rng(4).standard_normal((8, 5))
    assert operator.value(U) == operator.value_and_grad(U)[0]


def test_float32_blocks_accumulate_in_float64() -> None:
    exact = lib.make_problem(12, 2, 400, sigma=0.1, seed=8)
    single = lib.make_problem(12, 2, 400, sigma=0.1, seed=8, dtype=np.float32)
    U = np.random.default_rng(3).standard_normal((12, 5)) / 3
    value64, grad64 = exact.operator.value_and_grad(U)
    for layout in LAYOUTS:
        value32, grad32 = _operator(single, layout).value_and_grad(U)
        assert grad32.dtype == np.float64
        assert relative_error(value32, value64) < 1e-5
        assert relative_error(grad32, grad64) < 1e-5


def test_gradient_allocates_no_copy_of_the_sensing_data() -> None:
    """tracemalloc sees NumPy's allocations: the peak during a gradient and a Hessian-vector
    product is a small fraction of the packed data (here 12 MB), whatever the block layout."""
    prob = lib.make_problem(60, 2, 900, seed=1)
    U = np.random.default_rng(0).standard_normal((60, 10))
    packed_bytes = prob.operator.packed.nbytes
    for layout in [*LAYOUTS[:2], (2**21, 0)]:
        operator = _operator(prob, layout)
        tracemalloc.start()
        operator.value_and_grad(U)
        operator.hvp(U, U)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < packed_bytes / 20, (layout, peak, packed_bytes)
