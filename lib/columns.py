r"""Column norms :math:`\|U e_j\|_2`, the quantity the group Lasso penalises and greedy pruning
reads (pruning-threshold chapter; every chapter that prunes)."""

from __future__ import annotations

import numpy as np


def column_norms(U: np.ndarray) -> np.ndarray:
    r"""Euclidean norms :math:`(\|U e_j\|_2)_j` of the columns of a (d, k) array, as (k,).

    Every chapter that prunes, from the pruning-threshold chapter on.

    Computed as :math:`\sqrt{\sum_i U_{ij}^2}` in one pass (no (d, k) temporary)."""
    return np.sqrt(np.einsum("ij,ij->j", U, U))
