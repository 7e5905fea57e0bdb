r"""Regression data for the neuron-pruning chapter (``book/09_neuron_pruning.md``): a teacher
network with a known number of neurons, and scikit-learn's bundled diabetes data.

Teacher-student data: inputs :math:`x \sim N(0, I_d)`, a teacher
:math:`f^\star(x) = \sum_{j=1}^r \phi(w_j^{\star\top} x)` with orthonormal :math:`w_j^\star` and
output weights :math:`a_j^\star = 1`, training labels :math:`y = f^\star(x) + \sigma\varepsilon`
and noiseless test labels, so the held-out error is the excess risk
:math:`E\,(f(x) - f^\star(x))^2`.

Diabetes (Efron et al., 2004; shipped inside scikit-learn, nothing is downloaded): 442 patients,
10 features, a disease-progression target. A seeded split; features and target standardised
with the training part's mean and standard deviation; a constant feature 1 appended so that
each neuron has a bias inside its group. The held-out error is then in units of the training
target's variance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib._validation import (
    check_choice,
    check_float,
    check_instance,
    check_int,
    check_matrix,
    check_string,
    check_vector,
    make_rng,
)
from lib.two_layer import ACTIVATIONS, TwoLayerNetwork

#: Patients in scikit-learn's diabetes data.
DIABETES_PATIENTS = 442


@dataclass(frozen=True)
class RegressionData:
    """A train/test split.

    Attributes
    ----------
    name : str
    X_train : ndarray, shape (n, d)
    y_train : ndarray, shape (n,)
    X_test : ndarray, shape (m, d)
    y_test : ndarray, shape (m,)
    teacher : TwoLayerNetwork or None
        The network that made the labels (teacher-student data only).
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    teacher: TwoLayerNetwork | None = None

    def __post_init__(self) -> None:
        check_string("name", self.name)
        if self.teacher is not None:
            check_instance("teacher", self.teacher, TwoLayerNetwork)
        X_train = check_matrix("X_train", self.X_train)
        check_vector("y_train", self.y_train, X_train.shape[0])
        X_test = check_matrix("X_test", self.X_test, cols=X_train.shape[1])
        check_vector("y_test", self.y_test, X_test.shape[0])


def teacher_student(d: int, r: int, n_train: int, n_test: int, activation: str, *,
                    sigma: float, seed: int | np.random.Generator = 0) -> RegressionData:
    r"""Teacher-student data (module docstring): r orthonormal teacher neurons in dimension d.

    Parameters
    ----------
    d, r : int
        Input dimension and teacher width, :math:`1 \le r \le d`.
    n_train, n_test : int
        Sample sizes (>= 1).
    activation : {"quadratic", "relu"}
    sigma : float
        Label noise of the training set (>= 0).
    seed : int or numpy.random.Generator
    """
    d = check_int("d", d, minimum=1)
    r = check_int("r", r, minimum=1, maximum=d)
    n_train = check_int("n_train", n_train, minimum=1)
    n_test = check_int("n_test", n_test, minimum=1)
    sigma = check_float("sigma", sigma, minimum=0.0)
    activation = check_choice("activation", activation, ACTIVATIONS)
    rng = make_rng("seed", seed)
    directions = np.linalg.qr(rng.standard_normal((d, r)))[0]
    teacher = TwoLayerNetwork(directions, np.ones(r), activation)
    X_train = rng.standard_normal((n_train, d))
    X_test = rng.standard_normal((n_test, d))
    y_train = teacher.output(X_train) + sigma * rng.standard_normal(n_train)
    return RegressionData(f"teacher-student ({activation}, r = {r})", X_train, y_train,
                          X_test, teacher.output(X_test), teacher)


def diabetes(n_train: int, seed: int | np.random.Generator = 0) -> RegressionData:
    """scikit-learn's diabetes data split into ``n_train`` training and 442 - ``n_train`` test
    patients by a seeded permutation, standardised, with a constant feature (module docstring).
    """
    n_train = check_int("n_train", n_train, minimum=2, maximum=DIABETES_PATIENTS - 1)
    rng = make_rng("seed", seed)
    from sklearn.datasets import load_diabetes

    features, target = load_diabetes(return_X_y=True)
    order = rng.permutation(target.size)
    train, test = order[:n_train], order[n_train:]
    mean, std = features[train].mean(axis=0), features[train].std(axis=0)
    inputs = np.column_stack([(features - mean) / std, np.ones(target.size)])
    labels = (target - target[train].mean()) / target[train].std()
    return RegressionData("diabetes", inputs[train], labels[train], inputs[test], labels[test])
