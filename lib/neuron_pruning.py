r"""Neuron pruning of two-layer networks (:mod:`lib.two_layer`) and the comparison of the
book's pipeline with magnitude and random pruning (neuron-pruning chapter,
``book/09_neuron_pruning.md``).

Three ways to reach a network of fewer neurons, each followed by the same fine-tuning
(gradient descent on the unregularised loss):

``"group lasso"`` (the pipeline)
    train :math:`F = L + \lambda \sum_j \psi_\beta(\|g_j\|)` from a small start and keep the
    neurons with :math:`\|g_j\| > \tau = \sqrt\beta/2` (:func:`lib.pruning_threshold`): the
    number kept is decided by :math:`\lambda`.
``"magnitude"``
    train :math:`L` alone from the same start and keep the m neurons of largest
    :math:`\|g_j\|`.
``"random"``
    train :math:`L` alone and keep m neurons drawn at random.
``"eigen"`` (quadratic activation only)
    train :math:`L` alone and replace the network by the m leading eigenpairs of
    :math:`M = W\operatorname{diag}(a)W^\top`: the rank truncation that a rotation-invariant
    model allows (:func:`eigen_truncate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lib._validation import (
    check_choice,
    check_float,
    check_instance,
    check_int,
    check_sequence,
    check_vector,
    make_rng,
)
from lib.neuron_data import RegressionData
from lib.pruning import pruning_threshold
from lib.two_layer import (
    ACTIVATIONS,
    NetworkObjective,
    TwoLayerNetwork,
    init_network,
    mean_squared_error,
    train_network,
)

#: The pruning methods of :func:`compare_neuron_pruning`.
METHODS = ("group lasso", "magnitude", "random", "eigen")


@dataclass(frozen=True)
class NeuronPruning:
    """A pruned network and the indices of the neurons it kept (in increasing order)."""

    network: TwoLayerNetwork
    kept: np.ndarray


def prune_neurons(network: TwoLayerNetwork, threshold: float) -> NeuronPruning:
    r"""Threshold pruning: keep the neurons with :math:`\|g_j\| > \tau` (``threshold``).

    The book's :math:`\tau = \sqrt\beta/2` is :func:`lib.pruning_threshold`. A pruning that
    keeps no neuron raises ``ValueError`` (a network has at least one neuron).
    """
    check_instance("network", network, TwoLayerNetwork)
    threshold = check_float("threshold", threshold, minimum=0.0)
    kept = np.flatnonzero(network.group_norms() > threshold)
    if kept.size == 0:
        raise ValueError(f"threshold={threshold:g} is not below the largest neuron norm "
                         f"{network.group_norms().max():.3g}: pruning would keep no neuron")
    return NeuronPruning(network.keep(kept), kept)


def magnitude_prune(network: TwoLayerNetwork, count: int) -> NeuronPruning:
    r"""Keep the ``count`` neurons with the largest :math:`\|g_j\|` (ties: lower index)."""
    check_instance("network", network, TwoLayerNetwork)
    count = check_int("count", count, minimum=1, maximum=network.width)
    kept = np.sort(np.argsort(-network.group_norms(), kind="stable")[:count])
    return NeuronPruning(network.keep(kept), kept)


def random_prune(network: TwoLayerNetwork, count: int,
                 seed: int | np.random.Generator = 0) -> NeuronPruning:
    """Keep ``count`` neurons drawn uniformly without replacement."""
    check_instance("network", network, TwoLayerNetwork)
    count = check_int("count", count, minimum=1, maximum=network.width)
    kept = np.sort(make_rng("seed", seed).choice(network.width, size=count, replace=False))
    return NeuronPruning(network.keep(kept), kept)


def eigen_truncate(network: TwoLayerNetwork, count: int) -> NeuronPruning:
    r"""Rank-``count`` truncation of a quadratic network, whose function
    :math:`f(x) = x^\top M x` depends only on :math:`M = W\operatorname{diag}(a)W^\top`.

    The ``count`` eigenpairs :math:`(\mu_i, v_i)` of M of largest :math:`|\mu_i|` become the
    balanced neurons :math:`a_i = \operatorname{sign}(\mu_i)\,t_i`, :math:`w_i = \sqrt2\,t_i v_i`
    with :math:`t_i = (|\mu_i|/2)^{1/3}` (so :math:`a_i w_i w_i^\top = \mu_i v_i v_i^\top`
    and :math:`\|w_i\|^2 = 2a_i^2`). ``kept`` lists the eigenvalue ranks 0, ..., count - 1:
    the new neurons are not neurons of the input network.
    """
    check_instance("network", network, TwoLayerNetwork)
    if network.activation != "quadratic":
        raise ValueError(f"network.activation must be 'quadratic' for a rank truncation, got "
                         f"{network.activation!r}")
    count = check_int("count", count, minimum=1, maximum=network.W.shape[0])
    eigenvalues, eigenvectors = np.linalg.eigh((network.W * network.a) @ network.W.T)
    order = np.argsort(-np.abs(eigenvalues), kind="stable")[:count]
    sizes = np.cbrt(np.abs(eigenvalues[order]) / 2.0)
    W = eigenvectors[:, order] * (np.sqrt(2.0) * sizes)
    a = np.sign(eigenvalues[order]) * sizes
    return NeuronPruning(TwoLayerNetwork(W, a, "quadratic"), np.arange(count))


@dataclass(frozen=True)
class PruningSetup:
    """Everything :func:`compare_neuron_pruning` needs besides the data and the seed.

    Attributes
    ----------
    activation : {"quadratic", "relu"}
    width : int
        Neurons k of the trained networks.
    lams : tuple of float
        Regularisation strengths of the pipeline (each gives one pruned network).
    counts : tuple of int
        Neurons kept by the other methods (each at most ``width``).
    beta : float
        Smoothing of the group Lasso; the threshold is :math:`\\sqrt\\beta/2`.
    step : float
        Step size of every gradient descent.
    train_iter, fine_tune_iter : int
        Steps of training and of fine-tuning.
    init_scale : float
        Scale of the random start (:func:`lib.two_layer.init_network`).
    """

    activation: str
    width: int
    lams: tuple[float, ...]
    counts: tuple[int, ...]
    beta: float
    step: float
    train_iter: int
    fine_tune_iter: int
    init_scale: float

    def __post_init__(self) -> None:
        check_choice("activation", self.activation, ACTIVATIONS)
        width = check_int("width", self.width, minimum=1)
        check_vector("lams", self.lams, minimum=0.0, strict=True)
        check_vector("counts", self.counts, minimum=1, maximum=width, integer=True)
        check_float("beta", self.beta, minimum=0.0, strict=True)
        check_float("step", self.step, minimum=0.0, strict=True)
        check_int("train_iter", self.train_iter, minimum=1)
        check_int("fine_tune_iter", self.fine_tune_iter, minimum=1)
        check_float("init_scale", self.init_scale, minimum=0.0, strict=True)


@dataclass(frozen=True)
class PrunedRun:
    """One pruned and fine-tuned network.

    Attributes
    ----------
    method : str
        One of :data:`METHODS`.
    lam : float
        :math:`\\lambda` of the pipeline (NaN for the other methods).
    kept : int
        Neurons kept.
    pruned_error, test_error : float
        Held-out mean squared error after pruning and after fine-tuning (for a pipeline that
        kept no neuron: both the error of the zero network).
    """

    method: str
    lam: float
    kept: int
    pruned_error: float
    test_error: float


@dataclass(frozen=True)
class PruningComparison:
    """What :func:`compare_neuron_pruning` found for one seed.

    Attributes
    ----------
    seed : int
    unpruned_error : float
        Held-out error of the unregularised network with all ``width`` neurons.
    unregularized : TwoLayerNetwork
        That network (magnitude and random pruning start from it).
    regularized : tuple of TwoLayerNetwork
        The trained networks of the pipeline, one per :math:`\\lambda` of the setup.
    runs : tuple of PrunedRun
    """

    seed: int
    unpruned_error: float
    unregularized: TwoLayerNetwork
    regularized: tuple[TwoLayerNetwork, ...]
    runs: tuple[PrunedRun, ...]

    def find(self, method: str, setting: float) -> PrunedRun:
        """The run of ``method`` at ``setting``: :math:`\\lambda` for ``"group lasso"``, the
        number of neurons kept for the other methods."""
        check_choice("method", method, METHODS)
        setting = check_float("setting", setting, minimum=0.0)
        for run in self.runs:
            if run.method == method and (run.lam if method == "group lasso"
                                         else run.kept) == setting:
                return run
        raise ValueError(f"no {method!r} run at setting={setting!r} for seed {self.seed}")


def _fine_tuned_run(data: RegressionData, setup: PruningSetup, method: str, lam: float,
                    pruning: NeuronPruning) -> PrunedRun:
    objective = NetworkObjective(data.X_train, data.y_train, setup.activation)
    tuned = train_network(objective, pruning.network, setup.step, setup.fine_tune_iter)
    return PrunedRun(method, lam, int(pruning.kept.size),
                     mean_squared_error(pruning.network, data.X_test, data.y_test),
                     mean_squared_error(tuned.network, data.X_test, data.y_test))


def compare_neuron_pruning(data: RegressionData, setup: PruningSetup,
                           seed: int) -> PruningComparison:
    r"""The pipeline at every :math:`\lambda` of ``setup`` and magnitude and random pruning
    (and, for the quadratic activation, the eigen truncation) at every count, all from one
    random start (seeded by ``seed``) and fine-tuned alike (module docstring). Random pruning
    draws its neurons from ``seed`` too."""
    check_instance("data", data, RegressionData)
    check_instance("setup", setup, PruningSetup)
    seed = check_int("seed", seed, minimum=0)
    rng = make_rng("seed", seed)
    start = init_network(data.X_train.shape[1], setup.width, setup.activation,
                         scale=setup.init_scale, seed=rng)
    plain = train_network(NetworkObjective(data.X_train, data.y_train, setup.activation),
                          start, setup.step, setup.train_iter).network
    runs = []
    regularized = []
    threshold = pruning_threshold(setup.beta)
    for lam in setup.lams:
        objective = NetworkObjective(data.X_train, data.y_train, setup.activation, lam=lam,
                                     beta=setup.beta)
        trained = train_network(objective, start, setup.step, setup.train_iter).network
        regularized.append(trained)
        if trained.group_norms().max() > threshold:
            runs.append(_fine_tuned_run(data, setup, "group lasso", lam,
                                        prune_neurons(trained, threshold)))
        else:
            zero_error = float(np.mean(data.y_test ** 2))
            runs.append(PrunedRun("group lasso", lam, 0, zero_error, zero_error))
    for count in setup.counts:
        runs.append(_fine_tuned_run(data, setup, "magnitude", float("nan"),
                                    magnitude_prune(plain, count)))
        runs.append(_fine_tuned_run(data, setup, "random", float("nan"),
                                    random_prune(plain, count, rng)))
        if setup.activation == "quadratic":
            runs.append(_fine_tuned_run(data, setup, "eigen", float("nan"),
                                        eigen_truncate(plain, count)))
    return PruningComparison(seed, mean_squared_error(plain, data.X_test, data.y_test),
                             plain, tuple(regularized), tuple(runs))


def comparison_table(comparisons: Sequence[PruningComparison]) -> str:
    """A Markdown table over seeds: for the pipeline at each :math:`\\lambda` and each other
    method at each count, the neurons kept by every seed and the median held-out error after
    pruning and after fine-tuning, and the largest error after fine-tuning (two significant
    digits), then the unpruned network."""
    comparisons = check_sequence("comparisons", comparisons, PruningComparison)
    groups: dict[str, list[PrunedRun]] = {}
    for comparison in comparisons:
        for run in comparison.runs:
            label = (f"group lasso, λ = {run.lam:g}" if run.method == "group lasso"
                     else f"{run.method}, m = {run.kept}")
            groups.setdefault(label, []).append(run)
    lines = ["| method | neurons kept (per seed) | after pruning (median) | "
             "after fine-tuning (median) | after fine-tuning (largest) |",
             "|---|---|---|---|---|"]
    for label, runs in groups.items():
        pruned = np.median([run.pruned_error for run in runs])
        tuned = [run.test_error for run in runs]
        kept = ", ".join(str(run.kept) for run in runs)
        lines.append(f"| {label} | {kept} | {pruned:.2g} | {np.median(tuned):.2g} | "
                     f"{max(tuned):.2g} |")
    unpruned = [comparison.unpruned_error for comparison in comparisons]
    width = comparisons[0].unregularized.width
    lines.append(f"| unpruned, no penalty | {width} | | {np.median(unpruned):.2g} | "
                 f"{max(unpruned):.2g} |")
    return "\n".join(lines)
