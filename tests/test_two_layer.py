"""lib.two_layer, lib.neuron_pruning, lib.neuron_data: networks with trained output weights,
their group-Lasso objective, training, neuron pruning and the data of the neuron chapter."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import central_difference, relative_error

import lib
from lib import neuron_data, neuron_pruning, two_layer


def _objective(activation: str, lam: float = 0.05, seed: int = 0):
    data = neuron_data.teacher_student(5, 2, 60, 10, activation, sigma=0.1, seed=seed)
    objective = two_layer.NetworkObjective(data.X_train, data.y_train, activation, lam=lam,
                                           beta=1e-2)
    network = two_layer.init_network(5, 4, activation, scale=0.7, seed=seed + 1)
    return objective, network


@pytest.mark.parametrize("activation", two_layer.ACTIVATIONS)
@pytest.mark.parametrize("lam", [0.0, 0.05])
def test_gradient_matches_finite_differences(activation: str, lam: float) -> None:
    objective, network = _objective(activation, lam)
    theta = network.packed()
    for seed in range(3):
        direction = np.random.default_rng(seed).standard_normal(theta.shape)
        derivative = np.sum(objective.grad(theta) * direction)
        assert derivative == pytest.approx(
            central_difference(objective.value, theta, direction, h=1e-6), rel=1e-6)


def test_penalty_is_the_group_lasso_of_the_packed_groups() -> None:
    objective, network = _objective("relu", lam=0.3)
    plain = two_layer.NetworkObjective(objective.X, objective.y, "relu")
    theta = network.packed()
    penalty = (objective.value(theta) - plain.value(theta)) / 0.3
    assert penalty == pytest.approx(lib.smooth_group_lasso(theta, 1e-2), rel=1e-12)
    norms = network.group_norms()
    assert penalty == pytest.approx(np.sum(norms**2 / np.sqrt(norms**2 + 1e-2)), rel=1e-12)


@pytest.mark.parametrize("activation", two_layer.ACTIVATIONS)
def test_output_and_loss_match_a_direct_loop(activation: str) -> None:
    objective, network = _objective(activation, lam=0.0)
    phi = (lambda z: z * z) if activation == "quadratic" else (lambda z: max(z, 0.0))
    direct = np.array([sum(network.a[j] * phi(x @ network.W[:, j]) for j in range(4))
                       for x in objective.X])
    assert relative_error(network.output(objective.X), direct) < 1e-12
    assert objective.value(network.packed()) == pytest.approx(
        np.mean((direct - objective.y) ** 2), rel=1e-12)
    assert two_layer.mean_squared_error(network, objective.X, objective.y) == pytest.approx(
        objective.value(network.packed()), rel=1e-12)


@pytest.mark.parametrize("activation", two_layer.ACTIVATIONS)
def test_loss_is_invariant_under_the_rescaling(activation: str) -> None:
    """(w_j, a_j) -> (c w_j, c^-p a_j) leaves every output unchanged (p = HOMOGENEITY)."""
    objective, network = _objective(activation, lam=0.0)
    scales = np.array([0.5, 2.0, 1.0, 3.0])
    power = two_layer.HOMOGENEITY[activation]
    rescaled = two_layer.TwoLayerNetwork(network.W * scales, network.a / scales**power,
                                         activation)
    assert relative_error(rescaled.output(objective.X), network.output(objective.X)) < 1e-12


@pytest.mark.parametrize("activation", two_layer.ACTIVATIONS)
def test_training_balances_the_neurons(activation: str) -> None:
    """At a stationary point with lam > 0, ||w_j||^2 = p a_j^2 for every non-zero neuron."""
    objective, network = _objective(activation, lam=0.02)
    result = two_layer.train_network(objective, network, 0.02, 40_000, tol=1e-6)
    assert result.converged, result.grad_norm
    norms = result.network.group_norms()
    alive = norms > 0.1
    assert alive.any()
    relative = np.abs(two_layer.imbalance(result.network)[alive]) / norms[alive] ** 2
    assert np.all(relative < 1e-4), relative


@pytest.mark.parametrize("activation", two_layer.ACTIVATIONS)
def test_balanced_group_norm_of_a_balanced_neuron(activation: str) -> None:
    power = two_layer.HOMOGENEITY[activation]
    a = np.array([0.3, -2.0, 1.0])
    directions = np.linalg.qr(np.random.default_rng(0).standard_normal((4, 3)))[0]
    network = two_layer.TwoLayerNetwork(directions * np.sqrt(power) * np.abs(a), a,
                                        activation)
    assert np.abs(two_layer.imbalance(network)).max() < 1e-12
    scale = two_layer.neuron_scale(network)
    assert scale == pytest.approx(np.abs(a) * (np.sqrt(power) * np.abs(a)) ** power)
    assert two_layer.balanced_group_norm(scale, activation) == pytest.approx(
        network.group_norms(), rel=1e-12)


@pytest.mark.parametrize("activation", two_layer.ACTIVATIONS)
def test_unregularised_training_keeps_the_imbalance(activation: str) -> None:
    """Gradient flow on L alone conserves ||w_j||^2 - p a_j^2; small steps nearly do."""
    objective, network = _objective(activation, lam=0.0)
    result = two_layer.train_network(objective, network, 1e-3, 2000)
    moved = np.abs(result.network.packed() - network.packed()).max()
    drift = np.abs(two_layer.imbalance(result.network) - two_layer.imbalance(network)).max()
    assert moved > 0.1
    assert drift < 1e-2 * moved, (drift, moved)


def test_training_decreases_the_objective_and_reports_divergence() -> None:
    objective, network = _objective("quadratic")
    start = objective.value(network.packed())
    result = two_layer.train_network(objective, network, 0.01, 200)
    assert result.value < start
    assert result.iterations == 200 and not result.converged
    assert result.value == pytest.approx(objective.value(result.network.packed()))
    with pytest.raises(lib.DivergenceError) as caught:
        two_layer.train_network(objective, network, 50.0, 200)
    assert 0 < caught.value.suggested_step < 50.0


def test_largest_curvature_matches_a_dense_hessian() -> None:
    objective, network = _objective("quadratic")
    theta = network.packed()
    size, h = theta.size, 1e-6
    columns = []
    for index in range(size):
        basis = np.zeros(size)
        basis[index] = h
        columns.append((objective.grad(theta + basis.reshape(theta.shape))
                        - objective.grad(theta - basis.reshape(theta.shape))) / (2 * h))
    hessian = np.array([column.ravel() for column in columns])
    eigenvalues = np.linalg.eigvalsh((hessian + hessian.T) / 2)
    largest = np.max(np.abs(eigenvalues))
    assert objective.largest_curvature(theta, iterations=200) == pytest.approx(largest, rel=1e-3)


def test_pruning_rules_keep_the_right_neurons() -> None:
    W = np.array([[3.0, 0.0, 0.1, 1.0], [0.0, 0.01, 0.0, 1.0]])
    network = two_layer.TwoLayerNetwork(W, np.array([0.0, 0.0, 0.0, 1.0]), "relu")
    assert network.group_norms() == pytest.approx([3.0, 0.01, 0.1, np.sqrt(3.0)])
    assert list(neuron_pruning.prune_neurons(network, 0.05).kept) == [0, 2, 3]
    magnitude = neuron_pruning.magnitude_prune(network, 2)
    assert list(magnitude.kept) == [0, 3]
    assert magnitude.network.W.tolist() == [[3.0, 1.0], [0.0, 1.0]]
    random = neuron_pruning.random_prune(network, 3, seed=5)
    assert random.kept.size == 3 and len(set(random.kept)) == 3
    assert list(random.kept) == list(neuron_pruning.random_prune(network, 3, seed=5).kept)


def test_eigen_truncation_keeps_the_leading_part_of_the_quadratic_form() -> None:
    rng = np.random.default_rng(4)
    network = two_layer.TwoLayerNetwork(rng.standard_normal((5, 7)), rng.standard_normal(7),
                                        "quadratic")
    matrix = (network.W * network.a) @ network.W.T
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    order = np.argsort(-np.abs(eigenvalues))[:2]
    best = (eigenvectors[:, order] * eigenvalues[order]) @ eigenvectors[:, order].T
    truncated = neuron_pruning.eigen_truncate(network, 2).network
    assert relative_error((truncated.W * truncated.a) @ truncated.W.T, best) < 1e-12
    assert np.abs(two_layer.imbalance(truncated)).max() < 1e-12
    full = neuron_pruning.eigen_truncate(network, 5).network
    X = rng.standard_normal((20, 5))
    assert relative_error(full.output(X), network.output(X)) < 1e-10


def test_networks_are_read_only() -> None:
    W = np.ones((2, 3))
    network = two_layer.TwoLayerNetwork(W, np.ones(3), "quadratic")
    W[0, 0] = 5.0
    assert network.W[0, 0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        network.a[0] = 2.0


def test_teacher_student_data() -> None:
    data = neuron_data.teacher_student(6, 3, 50, 40, "relu", sigma=0.0, seed=1)
    teacher = data.teacher
    assert teacher.width == 3
    assert relative_error(teacher.W.T @ teacher.W, np.eye(3)) < 1e-12
    assert two_layer.mean_squared_error(teacher, data.X_train, data.y_train) == 0.0
    assert two_layer.mean_squared_error(teacher, data.X_test, data.y_test) == 0.0


def test_diabetes_split_is_standardised_with_a_constant_feature() -> None:
    data = neuron_data.diabetes(300, seed=2)
    assert data.X_train.shape == (300, 11) and data.X_test.shape == (142, 11)
    assert np.allclose(data.X_train[:, :10].mean(axis=0), 0.0, atol=1e-12)
    assert np.allclose(data.X_train[:, :10].std(axis=0), 1.0)
    assert np.all(data.X_train[:, 10] == 1.0) and np.all(data.X_test[:, 10] == 1.0)
    assert data.y_train.mean() == pytest.approx(0.0, abs=1e-12)
    assert data.y_train.std() == pytest.approx(1.0)
    other = neuron_data.diabetes(300, seed=3)
    assert not np.array_equal(other.y_train, data.y_train)


def test_comparison_runs_every_method() -> None:
    data = neuron_data.teacher_student(4, 1, 80, 50, "relu", sigma=0.0, seed=0)
    setup = neuron_pruning.PruningSetup("relu", 5, (0.01, 5.0), (1, 2), 1e-3, 0.005, 600,
                                        100, 0.5)
    comparison = neuron_pruning.compare_neuron_pruning(data, setup, 0)
    methods = [run.method for run in comparison.runs]
    assert methods == ["group lasso"] * 2 + ["magnitude", "random"] * 2
    assert [run.kept for run in comparison.runs[2:]] == [1, 1, 2, 2]
    killed = comparison.runs[1]
    assert killed.kept == 0 and killed.test_error == pytest.approx(np.mean(data.y_test**2))
    assert all(run.test_error <= run.pruned_error * (1 + 1e-12) for run in comparison.runs[2:])
    again = neuron_pruning.compare_neuron_pruning(data, setup, 0)
    assert comparison.find("group lasso", 5.0) is killed
    assert comparison.find("random", 2) is comparison.runs[5]
    with pytest.raises(ValueError, match="setting"):
        comparison.find("magnitude", 4)
    with pytest.raises(ValueError, match="method"):
        comparison.find("eigen ", 1)
    assert [(run.kept, run.test_error) for run in again.runs] == [
        (run.kept, run.test_error) for run in comparison.runs]


NETWORK = two_layer.TwoLayerNetwork(np.ones((3, 2)), np.ones(2), "relu")
QUADRATIC = two_layer.TwoLayerNetwork(np.ones((3, 5)), np.ones(5), "quadratic")
OBJECTIVE = two_layer.NetworkObjective(np.ones((5, 3)), np.zeros(5), "relu")
DATA = neuron_data.teacher_student(3, 1, 5, 5, "relu", sigma=0.0)
SETUP = neuron_pruning.PruningSetup("relu", 2, (0.1,), (1,), 1e-3, 0.1, 10, 10, 0.1)


@pytest.mark.parametrize(("call", "error", "name"), [
    (lambda: two_layer.TwoLayerNetwork(np.ones(3), np.ones(1), "relu"), ValueError, "W"),
    (lambda: two_layer.TwoLayerNetwork(np.ones((3, 2)), np.ones(3), "relu"), ValueError, "a"),
    (lambda: two_layer.TwoLayerNetwork(np.ones((3, 2)), "a", "relu"), TypeError, "a"),
    (lambda: two_layer.TwoLayerNetwork(np.ones((3, 2)), np.ones(2), "tanh"), ValueError,
     "activation"),
    (lambda: two_layer.TwoLayerNetwork(np.ones((3, 2)), np.array([1.0, np.nan]), "relu"),
     ValueError, "a"),
    (lambda: NETWORK.output(np.ones((4, 2))), ValueError, "X"),
    (lambda: NETWORK.keep(np.array([0, 2])), ValueError, "indices"),
    (lambda: two_layer.init_network(3, 0, "relu", scale=1.0), ValueError, "k"),
    (lambda: two_layer.init_network(3, 2, "relu", scale=-1.0), ValueError, "scale"),
    (lambda: two_layer.NetworkObjective(np.ones((5, 3)), np.zeros(4), "relu"), ValueError,
     "y"),
    (lambda: two_layer.NetworkObjective(np.ones((5, 3)), np.zeros(5), "relu", lam=-1.0),
     ValueError, "lam"),
    (lambda: two_layer.NetworkObjective(np.ones((5, 3)), np.zeros(5), "relu", beta=0.0),
     ValueError, "beta"),
    (lambda: OBJECTIVE.value(np.ones((3, 2))), ValueError, "theta"),
    (lambda: two_layer.train_network(OBJECTIVE, NETWORK, 0.0, 10), ValueError, "step"),
    (lambda: two_layer.train_network(OBJECTIVE, NETWORK, 0.1, 0), ValueError, "max_iter"),
    (lambda: two_layer.train_network(OBJECTIVE, "net", 0.1, 10), TypeError, "network"),
    (lambda: two_layer.train_network(
        OBJECTIVE, two_layer.TwoLayerNetwork(np.ones((3, 2)), np.ones(2), "quadratic"), 0.1,
        10), ValueError, "activation"),
    (lambda: two_layer.mean_squared_error(NETWORK, np.ones((4, 3)), np.ones(3)), ValueError,
     "y"),
    (lambda: two_layer.imbalance(np.ones((3, 2))), TypeError, "network"),
    (lambda: two_layer.neuron_scale("net"), TypeError, "network"),
    (lambda: two_layer.balanced_group_norm(np.array([-1.0]), "relu"), ValueError, "scale"),
    (lambda: two_layer.balanced_group_norm(np.array([1.0]), "tanh"), ValueError,
     "activation"),
    (lambda: neuron_pruning.eigen_truncate(NETWORK, 1), ValueError, "activation"),
    (lambda: neuron_pruning.eigen_truncate(QUADRATIC, 4), ValueError, "count"),
    (lambda: neuron_pruning.prune_neurons(NETWORK, 10.0), ValueError, "threshold"),
    (lambda: neuron_pruning.prune_neurons(NETWORK, -1.0), ValueError, "threshold"),
    (lambda: neuron_pruning.magnitude_prune(NETWORK, 3), ValueError, "count"),
    (lambda: neuron_pruning.random_prune(NETWORK, 0), ValueError, "count"),
    (lambda: neuron_pruning.random_prune(NETWORK, 1, seed=-1), ValueError, "seed"),
    (lambda: neuron_pruning.PruningSetup("relu", 2, (0.0,), (1,), 1e-3, 0.1, 10, 10, 0.1),
     ValueError, "lams"),
    (lambda: neuron_pruning.PruningSetup("relu", 2, (0.1,), (3,), 1e-3, 0.1, 10, 10, 0.1),
     ValueError, "counts"),
    (lambda: neuron_pruning.compare_neuron_pruning("data", SETUP, 0), TypeError, "data"),
    (lambda: neuron_pruning.compare_neuron_pruning(DATA, SETUP, 1.5), TypeError, "seed"),
    (lambda: neuron_data.teacher_student(3, 4, 5, 5, "relu", sigma=0.0), ValueError, "r"),
    (lambda: neuron_data.teacher_student(3, 1, 5, 5, "relu", sigma=-1.0), ValueError,
     "sigma"),
    (lambda: neuron_data.diabetes(442), ValueError, "n_train"),
])
def test_bad_input_is_rejected(call, error: type, name: str) -> None:
    with pytest.raises(error, match=name):
        call()


def test_comparison_table_lists_every_method_and_the_medians() -> None:
    network = two_layer.TwoLayerNetwork(np.ones((2, 4)), np.ones(4), "relu")
    runs = [(neuron_pruning.PrunedRun("group lasso", 0.1, 3, 0.5, 0.25),
             neuron_pruning.PrunedRun("magnitude", np.nan, 3, 2.0, 0.3)),
            (neuron_pruning.PrunedRun("group lasso", 0.1, 2, 0.7, 0.35),
             neuron_pruning.PrunedRun("magnitude", np.nan, 3, 4.0, 0.5))]
    comparisons = [neuron_pruning.PruningComparison(seed, 0.9 + seed, network, (), pair)
                   for seed, pair in enumerate(runs)]
    lines = neuron_pruning.comparison_table(comparisons).splitlines()
    assert lines[2] == "| group lasso, λ = 0.1 | 3, 2 | 0.6 | 0.3 | 0.35 |"
    assert lines[3] == "| magnitude, m = 3 | 3, 3 | 3 | 0.4 | 0.5 |"
    assert lines[4] == "| unpruned, no penalty | 4 | | 1.4 | 1.9 |"
    with pytest.raises(ValueError, match="comparisons must not be empty"):
        neuron_pruning.comparison_table([])
