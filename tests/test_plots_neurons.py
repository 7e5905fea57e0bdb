"""lib.plots.neurons: the figures of the neuron-pruning chapter draw and check their input."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lib.neuron_pruning import PrunedRun
from lib.plots import figure, neurons
from lib.two_layer import TwoLayerNetwork

NETWORKS = [TwoLayerNetwork(np.array([[1.0, 1e-9, 0.0], [0.0, 0.0, 0.5]]),
                            np.array([1.0, 0.0, 0.3]), "relu")]
RUNS = [PrunedRun("group lasso", 0.1, 2, 0.5, 0.4), PrunedRun("magnitude", np.nan, 2, 0.9, 0.4),
        PrunedRun("random", np.nan, 1, 2.0, 1.0), PrunedRun("random", np.nan, 1, 2.0, 3.0)]


def test_every_figure_draws_onto_the_given_axes() -> None:
    fig, axes = figure(ncols=3)
    assert neurons.neuron_norm_strip(axes[0], NETWORKS, ["seed 0"], 0.01) is axes[0]
    assert neurons.error_against_kept(axes[1], RUNS, [0.3, 0.35], 3) is axes[1]
    assert neurons.layer_balance(axes[2], {"relu": NETWORKS}, 0.01) is axes[2]
    assert axes[0].get_yscale() == "log" and len(axes[0].collections) >= 1
    assert [line.get_label() for line in axes[1].lines][:3] == ["group lasso", "magnitude",
                                                                 "random"]
    plt.close(fig)


@pytest.mark.parametrize(("call", "error", "name"), [
    (lambda ax: neurons.neuron_norm_strip("ax", NETWORKS, ["a"], 0.1), TypeError, "ax"),
    (lambda ax: neurons.neuron_norm_strip(ax, NETWORKS, ["a", "b"], 0.1), ValueError,
     "labels"),
    (lambda ax: neurons.neuron_norm_strip(ax, [1.0], ["a"], 0.1), TypeError, "networks"),
    (lambda ax: neurons.neuron_norm_strip(ax, NETWORKS, ["a"], 0.0), ValueError, "threshold"),
    (lambda ax: neurons.neuron_norm_strip(ax, NETWORKS, ["a"], 0.1, legend=1), TypeError,
     "legend"),
    (lambda ax: neurons.error_against_kept(ax, [], [1.0], 3), ValueError, "runs"),
    (lambda ax: neurons.error_against_kept(ax, RUNS, [-1.0], 3), ValueError, "unpruned"),
    (lambda ax: neurons.error_against_kept(ax, RUNS, [1.0], 0), ValueError, "width"),
    (lambda ax: neurons.layer_balance(ax, {"a": NETWORKS}, -1.0), ValueError, "threshold"),
    (lambda ax: neurons.layer_balance(ax, NETWORKS, 0.1), TypeError, "networks"),
])
def test_bad_input_is_rejected(call, error: type, name: str) -> None:
    fig, ax = figure()
    with pytest.raises(error, match=name):
        call(ax)
    plt.close(fig)
