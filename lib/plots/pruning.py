r"""Figures of the pruning-threshold chapter: the column norms of trained factors against the
threshold, with the empty band between kept and pruned columns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from lib._validation import check_float, check_vector
from lib.plots._checks import check_axes_sequence


def column_norm_separation(axes: Sequence[Axes], norms: np.ndarray, threshold: float, *,
                           bound: float, predicted_norm: float) -> Sequence[Axes]:
    r"""Histograms of :math:`\log_{10}\|U e_j\|_2` over many trained factors, kept columns
    (above ``threshold``) and pruned ones in two colours, the empty band between the largest
    pruned and the smallest kept norm shaded, the threshold :math:`\tau` and the small-column
    bound :math:`b(\varepsilon)` as vertical lines (pruning-threshold chapter).

    Parameters
    ----------
    axes : sequence of two Axes
        The full range, then a zoom on the top of the band, which also marks ``predicted_norm``.
    norms : ndarray, shape (m,)
        Positive column norms, every trained factor's concatenated; at least one on each side
        of ``threshold``.
    threshold : float
        The pruning threshold :math:`\tau`.
    bound : float
        The largest small-column bound :math:`b(\varepsilon)` over the factors.
    predicted_norm : float
        The predicted norm :math:`a_r` of the weakest kept column.

    Returns
    -------
    The two axes.
    """
    ax_full, ax_zoom = check_axes_sequence("axes", axes, 2)
    norms = check_vector("norms", norms, minimum=0.0, strict=True)
    threshold = check_float("threshold", threshold, minimum=0.0, strict=True)
    bound = check_float("bound", bound, minimum=0.0, strict=True)
    predicted_norm = check_float("predicted_norm", predicted_norm, minimum=0.0, strict=True)
    kept = norms > threshold
    if kept.all() or not kept.any():
        raise ValueError(f"norms must have columns on both sides of threshold={threshold:g}, "
                         f"got {int(kept.sum())} of {norms.size} above it")
    logs = np.log10(norms)
    band = np.log10([norms[~kept].max(), norms[kept].min()])
    full_bins = np.linspace(logs.min() - 1, 1, 60)
    zoom_bins = np.linspace(-4, 0.5, 46)
    for ax, bins in [(ax_full, full_bins), (ax_zoom, zoom_bins)]:
        ax.hist(logs[~kept], bins=bins, color="tab:blue", label="pruned columns")
        ax.hist(logs[kept], bins=bins, color="tab:orange", label="kept columns")
        ax.axvspan(*band, color="tab:green", alpha=0.15, label="empty band")
        ax.axvline(np.log10(threshold), color="tab:red", linestyle="--",
                   label=r"threshold $\tau=\sqrt{\beta}/2$")
        ax.axvline(np.log10(bound), color="grey", linestyle=":",
                   label=r"bound $b(\varepsilon)$, worst seed")
        ax.set_xlabel(r"$\log_{10}\|U e_j\|_2$")
    ax_zoom.axvline(np.log10(predicted_norm), color="black", linewidth=1,
                    label=r"predicted $a_r$")
    ax_zoom.set_xlim(zoom_bins[0], zoom_bins[-1])
    ax_full.set_ylabel("number of columns")
    ax_full.set_title("all columns")
    ax_zoom.set_title("top of the band")
    handles, labels = ax_zoom.get_legend_handles_labels()
    ax_zoom.figure.legend(handles, labels, loc="outside lower center", ncols=3)
    return [ax_full, ax_zoom]
