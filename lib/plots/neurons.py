r"""Figures of the neuron-pruning chapter (``book/09_neuron_pruning.md``): the neuron norms of
trained networks, held-out error against neurons kept, and the balance of the two layers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from lib._validation import (
    check_bool,
    check_float,
    check_int,
    check_mapping,
    check_sequence,
    check_strings,
    check_vector,
)
from lib.neuron_pruning import METHODS, PrunedRun
from lib.plots._checks import check_axes
from lib.two_layer import HOMOGENEITY, TwoLayerNetwork

#: Colour and marker of each pruning method.
METHOD_STYLE = {"group lasso": ("C0", "o"), "magnitude": ("C1", "s"), "random": ("C2", "^"),
                "eigen": ("C3", "D")}


def neuron_norm_strip(ax: Axes, networks: Sequence[TwoLayerNetwork], labels: Sequence[str],
                      threshold: float, *, floor: float = 1e-12, legend: bool = True) -> Axes:
    r"""Every neuron norm :math:`\|g_j\|` of each network (one column of dots per network, log
    scale, norms below ``floor`` drawn at ``floor``), the threshold as a dashed line, and the
    band between the largest norm at or below it and the smallest norm above it shaded: an
    empty band that contains the threshold is what makes the threshold prune cleanly."""
    ax = check_axes("ax", ax)
    networks = check_sequence("networks", networks, TwoLayerNetwork)
    labels = check_strings("labels", labels)
    if len(labels) != len(networks):
        raise ValueError(f"labels must have one entry per network ({len(networks)}), got "
                         f"{len(labels)}")
    threshold = check_float("threshold", threshold, minimum=0.0, strict=True)
    floor = check_float("floor", floor, minimum=0.0, strict=True)
    legend = check_bool("legend", legend)
    norms = [network.group_norms() for network in networks]
    for position, values in enumerate(norms):
        offsets = np.linspace(-0.2, 0.2, values.size)
        ax.scatter(position + offsets, np.maximum(values, floor), s=12, color="C0", zorder=3)
    everything = np.concatenate(norms)
    below, above = everything[everything <= threshold], everything[everything > threshold]
    if below.size and above.size:
        ax.axhspan(max(below.max(), floor), above.min(), color="C2", alpha=0.15,
                   label="empty band")
    ax.axhline(threshold, color="k", linestyle="--", linewidth=1,
               label=r"threshold $\sqrt{\beta}/2$")
    ax.set_yscale("log")
    ax.set_xticks(range(len(networks)), labels)
    ax.set_ylabel(r"neuron norm $\|(w_j, a_j)\|$")
    if legend:
        ax.legend(loc="lower left", bbox_to_anchor=(1.0, 0.0))
    return ax


def error_against_kept(ax: Axes, runs: Sequence[PrunedRun], unpruned: Sequence[float],
                       width: int) -> Axes:
    r"""Held-out error after fine-tuning against neurons kept: one marker per run and method
    (runs of several seeds overlaid), a line through the median of each method at each count,
    and the unpruned networks (``width`` neurons) as a grey band from the smallest to the
    largest of ``unpruned``."""
    ax = check_axes("ax", ax)
    runs = check_sequence("runs", runs, PrunedRun)
    unpruned = check_vector("unpruned", unpruned, minimum=0.0, strict=True)
    width = check_int("width", width, minimum=1)
    for method in METHODS:
        chosen = [run for run in runs if run.method == method]
        if not chosen:
            continue
        color, marker = METHOD_STYLE[method]
        kept = np.array([run.kept for run in chosen])
        errors = np.array([run.test_error for run in chosen])
        ax.scatter(kept, errors, color=color, marker=marker, alpha=0.45, s=18)
        counts = np.unique(kept)
        medians = [np.median(errors[kept == count]) for count in counts]
        ax.plot(counts, medians, color=color, marker=marker, label=method)
    ax.axhspan(unpruned.min(), unpruned.max(), color="grey", alpha=0.3)
    ax.axhline(np.median(unpruned), color="grey", label=f"unpruned ({width} neurons)")
    ax.set_yscale("log")
    ax.set_xlabel("neurons kept")
    ax.set_ylabel("held-out mean squared error")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def layer_balance(ax: Axes, networks: Mapping[str, Sequence[TwoLayerNetwork]],
                  threshold: float) -> Axes:
    r""":math:`\|w_j\|^2` against :math:`p\,a_j^2` for the neurons above ``threshold`` of each
    network (log-log; one colour per key of ``networks``, a label for its sequence of
    networks), with the diagonal where a stationary point of the regularised objective puts
    them."""
    ax = check_axes("ax", ax)
    check_mapping("networks", networks)
    groups = {label: check_sequence(f"networks[{label!r}]", group, TwoLayerNetwork)
              for label, group in networks.items()}
    threshold = check_float("threshold", threshold, minimum=0.0)
    smallest, largest = np.inf, 0.0
    for index, (label, group) in enumerate(groups.items()):
        inputs, outputs = [], []
        for network in group:
            kept = network.group_norms() > threshold
            inputs.append(np.sum(network.W[:, kept] ** 2, axis=0))
            outputs.append(HOMOGENEITY[network.activation] * network.a[kept] ** 2)
        inputs, outputs = np.concatenate(inputs), np.concatenate(outputs)
        ax.scatter(outputs, inputs, s=18, color=f"C{index}", label=label, zorder=3)
        values = np.concatenate([inputs, outputs])
        smallest, largest = min(smallest, values.min()), max(largest, values.max())
    diagonal = np.array([smallest / 2, largest * 2])
    ax.plot(diagonal, diagonal, color="k", linewidth=1, label=r"$\|w_j\|^2 = p\,a_j^2$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$p\,a_j^2$")
    ax.set_ylabel(r"$\|w_j\|^2$")
    ax.legend(loc="upper left")
    return ax
