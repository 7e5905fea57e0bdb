"""Helpers the chapters share: column norms, pruning to a rank, the settled step of a run and
the dense Hessian from Hessian-vector products."""

from __future__ import annotations

import numpy as np
import pytest

import lib
from lib.optim import History


def test_column_norms_are_euclidean_norms_of_columns() -> None:
    U = np.array([[3.0, 0.0, 1.0], [4.0, 0.0, -1.0]])
    assert np.array_equal(lib.column_norms(U), [5.0, 0.0, np.sqrt(2.0)])


def test_prune_to_rank_keeps_the_largest_columns_in_order() -> None:
    U = np.array([[0.1, 3.0, 0.2, 2.0, 1.0]])
    result = lib.prune_to_rank(U, 2)
    assert result.kept.tolist() == [1, 3]
    assert np.array_equal(result.U, U[:, [1, 3]])
    assert np.array_equal(lib.prune_to_rank(U, 5).U, U)
    with pytest.raises(ValueError, match="rank must be <= 5, got 6"):
        lib.prune_to_rank(U, 6)


def _history(counts: list[int]) -> History:
    records = len(counts)
    norms = np.array([[1.0] * c + [0.0] * (3 - c) for c in counts])
    return History(iterations=10 * np.arange(records), values=np.zeros(records),
                   grad_norms=np.zeros(records), errors=np.zeros(records), column_norms=norms)


def test_settled_iteration_is_the_first_record_after_the_last_change() -> None:
    history = _history([3, 2, 3, 2, 2, 2])
    counts = history.columns_above(0.5)
    assert counts.tolist() == [3, 2, 3, 2, 2, 2]
    assert history.settled_iteration(counts == counts[-1]) == 30
    assert history.settled_iteration(counts == 3) is None
    assert history.settled_iteration(counts >= 2) == 0
    with pytest.raises(TypeError, match="holds must be a bool array"):
        history.settled_iteration(counts)


def test_dense_hessian_of_a_quadratic_is_its_matrix() -> None:
    A = np.array([[2.0, 1.0, 0.0, 0.0], [1.0, 3.0, 0.0, 0.5], [0.0, 0.0, 1.0, 0.0],
                  [0.0, 0.5, 0.0, 4.0]])

    def hvp(U: np.ndarray, V: np.ndarray) -> np.ndarray:
        return (A @ V.ravel()).reshape(V.shape)

    assert np.array_equal(lib.dense_hessian(hvp, np.zeros((2, 2))), A)
    with pytest.raises(TypeError, match="hvp must be callable"):
        lib.dense_hessian(A, np.zeros((2, 2)))
