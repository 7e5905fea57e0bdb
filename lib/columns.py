r"""Column norms :math:`\|U e_j\|_2`, the quantity the group Lasso penalises and greedy pruning
reads (pruning-threshold chapter; every chapter that prunes)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lib._validation import check_float, check_int, check_mapping, check_matrix, check_vector

if TYPE_CHECKING:
    import pandas as pd


def column_norms(U: np.ndarray) -> np.ndarray:
    r"""Euclidean norms :math:`(\|U e_j\|_2)_j` of the columns of a (d, k) array, as (k,).

    Every chapter that prunes, from the pruning-threshold chapter on.

    Computed as :math:`\sqrt{\sum_i U_{ij}^2}` in one pass (no (d, k) temporary)."""
    return column_norms_unchecked(check_matrix("U", U))


def column_norms_unchecked(U: np.ndarray) -> np.ndarray:
    """:func:`column_norms` without argument checks (every record of a run)."""
    return np.sqrt(np.einsum("ij,ij->j", U, U))


def fraction_at_least(norms: np.ndarray, c: object) -> np.ndarray:
    r"""Fraction of columns whose norm is at least ``c`` times the largest,

    .. math:: F(c) = \frac1k\,\#\{\, j : \|U e_j\| \ge c \max_i \|U e_i\| \,\},

    the left panel of the paper's Figure 1 (failure chapter, section "The paper's figure at its
    own size").

    Parameters
    ----------
    norms : ndarray, shape (k,)
        Column norms, e.g. :func:`column_norms`.
    c : float or array_like
        Fractions of the largest norm, in [0, 1].

    Returns
    -------
    ndarray
        :math:`F(c)` for each ``c``, shape of ``np.atleast_1d(c)``.
    """
    values = check_vector("norms", norms, minimum=0.0)
    fractions = check_vector("c", [check_float("c", c)] if isinstance(c, numbers.Real) else c,
                             minimum=0.0, maximum=1.0)
    return np.mean(values[None, :] >= fractions[:, None] * values.max(), axis=1)


@dataclass(frozen=True)
class NormGap:
    """How prunable a set of column norms looks (failure chapter).

    Attributes
    ----------
    above_threshold : int
        Columns with norm above the pruning threshold (those pruning keeps).
    at_least_half : int
        Columns with norm at least half the largest.
    ratio_at_rank : float
        Ratio of the r-th to the (r+1)-th largest norm: huge for a prunable model, near 1 without
        a gap.
    """

    above_threshold: int
    at_least_half: int
    ratio_at_rank: float


def norm_gap(norms: np.ndarray, threshold: float, rank: int) -> NormGap:
    r"""Summarise the column norms as :class:`NormGap`: :math:`\#\{j: \|Ue_j\| > \tau\}`,
    :math:`\#\{j: \|Ue_j\| \ge \tfrac12 \max_i \|Ue_i\|\}` and
    :math:`\|Ue_{(r)}\| / \|Ue_{(r+1)}\|` (norms sorted decreasingly).

    Failure chapter, section "The paper's figure at its own size".

    Parameters
    ----------
    norms : ndarray, shape (k,)
        Column norms.
    threshold : float
        Pruning threshold :math:`\tau \ge 0`.
    rank : int
        r, with 1 <= r < k.
    """
    values = check_vector("norms", norms, minimum=0.0)
    threshold = check_float("threshold", threshold, minimum=0.0)
    rank = check_int("rank", rank, minimum=1, maximum=values.size - 1)
    ordered = np.sort(values)[::-1]
    return NormGap(above_threshold=int(np.sum(values > threshold)),
                   at_least_half=int(np.sum(values >= 0.5 * ordered[0])),
                   ratio_at_rank=float(ordered[rank - 1] / ordered[rank]))


def norm_gap_table(norms_by_label: Mapping[str, np.ndarray], threshold: float,
                   rank: int) -> pd.DataFrame:
    r"""One row of :func:`norm_gap` per model (label -> column norms): columns above
    :math:`\tau`, columns with at least half the largest norm (count and share of k), and the
    ratio of the r-th to the (r+1)-th largest norm (3 significant digits, as text).

    Failure chapter, sections "The paper's figure at its own size" and "The same figure with
    finite samples".
    """
    import pandas as pd

    rows = {}
    for label, norms in check_mapping("norms_by_label", norms_by_label).items():
        gap = norm_gap(check_vector(f"norms_by_label[{label!r}]", norms, minimum=0.0),
                       threshold, rank)
        rows[label] = {"above tau": gap.above_threshold, ">= 0.5 x max": gap.at_least_half,
                       "share >= 0.5 x max": f"{gap.at_least_half / np.size(norms):.0%}",
                       f"{rank}th / {rank + 1}th largest": f"{gap.ratio_at_rank:.3g}"}
    return pd.DataFrame(rows).T
