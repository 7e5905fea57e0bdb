"""Property-based tests (hypothesis) of the invariants of the objective and of pruning."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import central_difference, relative_error
from hypothesis import given, settings
from hypothesis import strategies as st

import lib
from lib.regularizer import add_penalty

settings.register_profile("book", max_examples=40, deadline=None, derandomize=True,
                          database=None)
settings.load_profile("book")

shapes = st.tuples(st.integers(1, 7), st.integers(1, 3), st.integers(1, 6)).filter(
    lambda shape: shape[1] <= shape[0])


def _setup(shape: tuple[int, int, int], sensing: str, seed: int, lam: float, beta: float):
    d, r, k = shape
    prob = lib.make_problem(d, r, 30 + 10 * d * d, sigma=0.1, sensing=sensing, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    U = rng.standard_normal((d, k)) / np.sqrt(d)
    return lib.Objective(prob, lam=lam, beta=beta), U, rng


@given(shape=shapes, sensing=st.sampled_from(lib.SENSING_KINDS), seed=st.integers(0, 10**6),
       lam=st.floats(0.0, 0.5), beta=st.floats(1e-3, 1.0),
       penalty=st.sampled_from(["ratio", "sqrt"]))
def test_gradient_matches_finite_differences(shape, sensing, seed, lam, beta, penalty) -> None:
    obj, U, rng = _setup(shape, sensing, seed, lam, beta)
    obj = lib.Objective(obj.problem, lam=lam, beta=beta, penalty=penalty)
    V = rng.standard_normal(U.shape)
    directional = central_difference(obj.value, U, V)
    assert abs(np.sum(obj.grad(U) * V) - directional) <= 1e-6 * max(1.0, abs(directional))
    numeric_hvp = (obj.grad(U + 1e-5 * V) - obj.grad(U - 1e-5 * V)) / 2e-5
    assert np.linalg.norm(obj.hvp(U, V) - numeric_hvp) <= 1e-5 * max(
        1.0, np.linalg.norm(numeric_hvp))


@given(d=st.integers(1, 8), k=st.integers(1, 8), seed=st.integers(0, 10**6),
       beta=st.floats(1e-4, 10.0), penalty=st.sampled_from(["ratio", "sqrt"]))
def test_penalty_is_invariant_to_column_permutations_and_sign_flips(d, k, seed, beta,
                                                                     penalty) -> None:
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((d, k))
    signs = rng.choice([-1.0, 1.0], size=k)
    transformed = (U * signs)[:, rng.permutation(k)]
    assert relative_error(lib.smooth_group_lasso(transformed, beta, penalty),
                          lib.smooth_group_lasso(U, beta, penalty)) < 1e-12


@given(d=st.integers(1, 8), k=st.integers(1, 8), seed=st.integers(0, 10**6),
       beta=st.floats(1e-6, 10.0), lam=st.floats(0.0, 2.0),
       scale=st.sampled_from([1e-4, 1.0, 1e3]), penalty=st.sampled_from(["ratio", "sqrt"]),
       transposed=st.booleans())
def test_compiled_penalty_is_the_numpy_definition(d, k, seed, beta, lam, scale, penalty,
                                                  transposed) -> None:
    """The compiled penalty of the optimisation loop (lib.regularizer.add_penalty) against
    smooth_group_lasso and U diag(column_weight(s)), also for a non-contiguous U."""
    rng = np.random.default_rng(seed)
    U = scale * (rng.standard_normal((k, d)).T if transposed else rng.standard_normal((d, k)))
    start = rng.standard_normal((d, k))
    grad = start.copy()
    value = add_penalty(U, beta, penalty, lam, grad)
    weights = lib.column_weight(np.sum(U * U, axis=0), beta, penalty)
    assert relative_error(value, lib.smooth_group_lasso(U, beta, penalty)) < 1e-13
    assert np.linalg.norm(grad - start - lam * U * weights) <= 1e-13 * max(
        np.linalg.norm(start), np.linalg.norm(lam * U * weights))


@given(shape=shapes, sensing=st.sampled_from(lib.SENSING_KINDS), seed=st.integers(0, 10**6))
def test_loss_is_invariant_to_rotations_but_penalty_is_not(shape, sensing, seed) -> None:
    obj, U, rng = _setup(shape, sensing, seed, 0.0, 1e-2)
    Q, _ = np.linalg.qr(rng.standard_normal((U.shape[1], U.shape[1])))
    assert relative_error(obj.value(U @ Q), obj.value(U)) < 1e-10
    if U.shape[1] >= 2:
        spread = np.zeros_like(U)
        spread[:, 0] = U[:, 0]
        rotation = np.eye(U.shape[1])
        rotation[:2, :2] = np.array([[1.0, -1.0], [1.0, 1.0]]) / np.sqrt(2)
        before = lib.smooth_group_lasso(spread, 1e-2)
        after = lib.smooth_group_lasso(spread @ rotation, 1e-2)
        assert after > before  # splitting one column into two costs more: group sparsity


@given(d=st.integers(1, 6), k=st.integers(1, 10), seed=st.integers(0, 10**6),
       threshold=st.floats(0.0, 3.0))
def test_prune_keeps_exactly_the_columns_above_threshold(d, k, seed, threshold) -> None:
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((d, k)) * rng.exponential(size=k)
    norms = np.linalg.norm(U, axis=0)
    if not np.any(norms > threshold):
        return
    result = lib.prune(U, threshold)
    assert result.kept.tolist() == [j for j in range(k) if norms[j] > threshold]
    assert np.array_equal(result.U, U[:, result.kept])


@pytest.mark.parametrize("penalty", ["ratio", "sqrt"])
def test_column_penalty_of_each_column_sums_to_the_smooth_group_lasso(penalty: str) -> None:
    U = np.random.default_rng(0).standard_normal((5, 4)) * np.array([1e-4, 1e-2, 1.0, 3.0])
    norms = np.linalg.norm(U, axis=0)
    per_column = lib.regularizer.column_penalty(norms, 1e-3, penalty)
    assert relative_error(per_column.sum(), lib.smooth_group_lasso(U, 1e-3, penalty)) < 1e-12
    assert np.array_equal(lib.regularizer.column_penalty(-norms, 1e-3, penalty), per_column)
    with pytest.raises(ValueError, match="beta"):
        lib.regularizer.column_penalty(norms, 0.0, penalty)
    with pytest.raises(ValueError, match="norms"):
        lib.regularizer.column_penalty([np.inf], 1e-3, penalty)
