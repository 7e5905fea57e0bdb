r"""Two-layer networks with trained output weights, their group-Lasso objective, training by
gradient descent, and neuron pruning (neuron-pruning chapter, ``book/09_neuron_pruning.md``).

The network is

.. math:: f_\theta(x) = \sum_{j=1}^k a_j\, \phi(w_j^\top x), \qquad
          \phi(z) = z^2 \ (\text{"quadratic"}) \quad\text{or}\quad \phi(z) = \max(z, 0)
          \ (\text{"relu"}),

with input weights :math:`w_j` (column j of W, shape (d, k)) and output weights :math:`a_j`.
Neuron j is the group :math:`g_j = (w_j, a_j) \in \mathbb R^{d+1}`; the code stores all groups
as the columns of the packed matrix :math:`\Theta = [W; a^\top]` of shape (d + 1, k), so the
smooth group Lasso of :mod:`lib.regularizer` applies to it unchanged. The training objective is

.. math:: F(\Theta) = \frac1n \sum_{i=1}^n \big(f_\theta(x_i) - y_i\big)^2
          + \lambda \sum_{j=1}^k \psi_\beta(\|g_j\|_2), \qquad
          \psi_\beta(x) = \frac{x^2}{\sqrt{x^2 + \beta}},

with gradient, for the residuals :math:`\rho_i = f_\theta(x_i) - y_i` and
:math:`h_{ij} = w_j^\top x_i`,

.. math:: \frac{\partial F}{\partial a_j} = \frac2n \sum_i \rho_i\, \phi(h_{ij})
          + \lambda\, w(\|g_j\|^2)\, a_j, \qquad
          \frac{\partial F}{\partial w_j} = \frac2n \sum_i \rho_i\, a_j \phi'(h_{ij})\, x_i
          + \lambda\, w(\|g_j\|^2)\, w_j,

where :math:`w(s) = (s + 2\beta)/(s + \beta)^{3/2}` is :func:`lib.regularizer.column_weight`
(for the ReLU, :math:`\phi'(0) = 0`).

Both activations are positively homogeneous, :math:`\phi(c z) = c^p \phi(z)` for :math:`c > 0`
with :math:`p = 2` (quadratic) or :math:`p = 1` (ReLU): :data:`HOMOGENEITY`. The loss is then
invariant under :math:`(w_j, a_j) \mapsto (c\, w_j, c^{-p} a_j)`, and at every stationary point of
:math:`F` with :math:`\lambda > 0` each non-zero neuron is balanced,
:math:`\|w_j\|^2 = p\, a_j^2` (:func:`imbalance`; derived in the chapter).
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
    check_result,
    check_vector,
    make_rng,
)
from lib.optim import DIVERGENCE_FACTOR, DivergenceError
from lib.regularizer import column_weight_unchecked, smooth_group_lasso

#: The activations :math:`\phi` offered.
ACTIVATIONS = ("quadratic", "relu")
#: Degree p of positive homogeneity, :math:`\phi(cz) = c^p \phi(z)` for :math:`c > 0`.
HOMOGENEITY = {"quadratic": 2, "relu": 1}


def _frozen(array: np.ndarray) -> np.ndarray:
    copy = np.array(array, dtype=np.float64, copy=True)
    copy.flags.writeable = False
    return copy


def _activate(hidden: np.ndarray, activation: str) -> tuple[np.ndarray, np.ndarray]:
    """:math:`\\phi(h)` and :math:`\\phi'(h)` elementwise."""
    if activation == "quadratic":
        return hidden * hidden, 2.0 * hidden
    positive = hidden > 0.0
    return hidden * positive, positive


@dataclass(frozen=True)
class TwoLayerNetwork:
    r"""A network :math:`f(x) = \sum_j a_j \phi(w_j^\top x)` (read-only copies of its weights).

    Attributes
    ----------
    W : ndarray, shape (d, k)
        Input weights, one neuron per column.
    a : ndarray, shape (k,)
        Output weights.
    activation : {"quadratic", "relu"}
    """

    W: np.ndarray
    a: np.ndarray
    activation: str

    def __post_init__(self) -> None:
        W = check_matrix("W", self.W)
        object.__setattr__(self, "W", _frozen(W))
        object.__setattr__(self, "a", _frozen(check_vector("a", self.a, W.shape[1])))
        check_choice("activation", self.activation, ACTIVATIONS)

    @classmethod
    def from_packed(cls, theta: np.ndarray, activation: str) -> TwoLayerNetwork:
        """The network whose groups are the columns of :math:`\\Theta = [W; a^\\top]`."""
        theta = check_matrix("theta", theta)
        if theta.shape[0] < 2:
            raise ValueError(f"theta must have at least 2 rows (d + 1), got shape {theta.shape}")
        return cls(theta[:-1], theta[-1], activation)

    @property
    def width(self) -> int:
        """Number of neurons k."""
        return self.W.shape[1]

    def packed(self) -> np.ndarray:
        """:math:`\\Theta = [W; a^\\top]`, shape (d + 1, k), a writable copy."""
        return np.vstack([self.W, self.a[None, :]])

    def group_norms(self) -> np.ndarray:
        r"""Neuron norms :math:`\|g_j\| = \sqrt{\|w_j\|^2 + a_j^2}`, shape (k,)."""
        return np.sqrt(np.sum(self.W * self.W, axis=0) + self.a * self.a)

    def output(self, X: np.ndarray) -> np.ndarray:
        r""":math:`f(x_i)` for the rows :math:`x_i` of X, shape (m,)."""
        X = check_matrix("X", X, cols=self.W.shape[0])
        return _activate(X @ self.W, self.activation)[0] @ self.a

    def keep(self, indices: np.ndarray) -> TwoLayerNetwork:
        """The network of the neurons ``indices`` (in that order), the others removed."""
        indices = check_vector("indices", indices, minimum=0, maximum=self.width - 1,
                               min_length=0, integer=True)
        return TwoLayerNetwork(self.W[:, indices], self.a[indices], self.activation)


def init_network(d: int, k: int, activation: str, *, scale: float,
                 seed: int | np.random.Generator = 0) -> TwoLayerNetwork:
    r"""Random start: :math:`W_{ij} \sim N(0, \alpha^2/d)`, :math:`a_j \sim N(0, \alpha^2)`
    with :math:`\alpha` = ``scale``, so that :math:`E\|w_j\|^2 = E a_j^2 = \alpha^2`."""
    d = check_int("d", d, minimum=1)
    k = check_int("k", k, minimum=1)
    scale = check_float("scale", scale, minimum=0.0, strict=True)
    rng = make_rng("seed", seed)
    return TwoLayerNetwork(scale * rng.standard_normal((d, k)) / np.sqrt(d),
                           scale * rng.standard_normal(k), activation)


def mean_squared_error(network: TwoLayerNetwork, X: np.ndarray, y: np.ndarray) -> float:
    r"""Held-out error :math:`\frac1m \sum_i (f(x_i) - y_i)^2`."""
    check_instance("network", network, TwoLayerNetwork)
    X = check_matrix("X", X, cols=network.W.shape[0])
    y = check_vector("y", y, X.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        residual = network.output(X) - y
        error = float(np.mean(residual * residual))
    check_result("the mean squared error", error, "X", X)
    return error


def imbalance(network: TwoLayerNetwork) -> np.ndarray:
    r""":math:`\|w_j\|^2 - p\, a_j^2` for every neuron (p from :data:`HOMOGENEITY`), shape (k,).

    Zero for every neuron at a stationary point of the regularised objective
    (:math:`\lambda > 0`); constant in time under gradient flow on the unregularised loss.
    """
    check_instance("network", network, TwoLayerNetwork)
    return (np.sum(network.W * network.W, axis=0)
            - HOMOGENEITY[network.activation] * network.a * network.a)


def neuron_scale(network: TwoLayerNetwork) -> np.ndarray:
    r"""Output scale :math:`c_j = |a_j|\,\|w_j\|^p` of every neuron, shape (k,): neuron j computes
    :math:`\pm c_j\, \phi(\hat w_j^\top x)` with :math:`\hat w_j = w_j/\|w_j\|`, so
    :math:`c_j` is invariant under the rescaling :math:`(c\,w_j, c^{-p} a_j)`."""
    check_instance("network", network, TwoLayerNetwork)
    power = HOMOGENEITY[network.activation]
    return np.abs(network.a) * np.sum(network.W * network.W, axis=0) ** (power / 2)


def balanced_group_norm(scale: np.ndarray, activation: str) -> np.ndarray:
    r"""Group norm of a balanced neuron (:math:`\|w\|^2 = p\,a^2`) of output scale c:

    .. math:: \|(w, a)\| = \sqrt{p+1}\, \big(c / p^{p/2}\big)^{1/(p+1)},

    :math:`\sqrt2\, c^{1/2}` for the ReLU, :math:`\sqrt3\,(c/2)^{1/3}` for the quadratic
    activation. The group Lasso therefore charges a balanced neuron
    :math:`\propto c^{1/(p+1)}` for :math:`\|g\| \gg \sqrt\beta` (neuron-pruning chapter)."""
    scale = check_vector("scale", scale, minimum=0.0)
    power = HOMOGENEITY[check_choice("activation", activation, ACTIVATIONS)]
    return np.sqrt(power + 1.0) * (scale / power ** (power / 2)) ** (1.0 / (power + 1))


class NetworkObjective:
    r"""Training objective :math:`F(\Theta) = \frac1n\sum_i (f_\theta(x_i) - y_i)^2
    + \lambda \sum_j \psi_\beta(\|g_j\|)` on the packed parameters (module docstring).

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Training inputs.
    y : ndarray, shape (n,)
        Training targets.
    activation : {"quadratic", "relu"}
    lam : float
        :math:`\lambda \ge 0`.
    beta : float
        Smoothing :math:`\beta > 0`.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, activation: str, *, lam: float = 0.0,
                 beta: float = 1e-3) -> None:
        self.X = check_matrix("X", X).astype(np.float64)
        self.y = check_vector("y", y, self.X.shape[0])
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self.lam = check_float("lam", lam, minimum=0.0)
        self.beta = check_float("beta", beta, minimum=0.0, strict=True)

    def check_point(self, theta: object, name: str = "theta") -> np.ndarray:
        """Validate packed parameters: a finite (d + 1, k) array."""
        return check_matrix(name, theta, rows=self.X.shape[1] + 1).astype(np.float64)

    def value_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        r""":math:`F(\Theta)` and :math:`\nabla F(\Theta)`, shape (d + 1, k), unchecked."""
        W, a = theta[:-1], theta[-1]
        hidden = self.X @ W
        activated, slope = _activate(hidden, self.activation)
        residual = activated @ a - self.y
        value = float(residual @ residual) / residual.size
        weighted = (2.0 / residual.size) * residual
        grad = np.empty_like(theta)
        grad[-1] = weighted @ activated
        grad[:-1] = self.X.T @ (weighted[:, None] * slope) * a
        if self.lam > 0.0:
            value += self.lam * smooth_group_lasso(theta, self.beta)
            grad += (self.lam * column_weight_unchecked(np.sum(theta * theta, axis=0), self.beta,
                                                        "ratio")) * theta
        return value, grad

    def value(self, theta: np.ndarray) -> float:
        """:math:`F(\\Theta)`, checked."""
        return self._finite_value_and_grad(theta)[0]

    def grad(self, theta: np.ndarray) -> np.ndarray:
        """:math:`\\nabla F(\\Theta)`, checked."""
        return self._finite_value_and_grad(theta)[1]

    def _finite_value_and_grad(self, theta: object) -> tuple[float, np.ndarray]:
        theta = self.check_point(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            value, grad = self.value_and_grad(theta)
        check_result("the objective", value, "theta", theta)
        check_result("the gradient", grad, "theta", theta)
        return value, grad

    def largest_curvature(self, theta: np.ndarray, iterations: int = 30) -> float:
        r"""Largest Hessian eigenvalue at :math:`\Theta` by power iteration on central
        differences of the gradient, :math:`(\nabla F(\Theta + hV) - \nabla F(\Theta - hV))/2h`
        with :math:`h = 10^{-6}` (a smoothness estimate for the step size)."""
        theta = self.check_point(theta)
        iterations = check_int("iterations", iterations, minimum=1)
        self._finite_value_and_grad(theta)
        direction = make_rng("seed", 0).standard_normal(theta.shape)
        eigenvalue = 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(iterations):
                length = np.linalg.norm(direction)
                if not 0.0 < length < np.inf:
                    raise ValueError(
                        "the curvature estimate breaks down at this theta (largest |entry| "
                        f"{np.max(np.abs(theta)):.3g}): its central differences of step 1e-6 "
                        "vanish or overflow; theta must be of the scale of the data")
                direction /= length
                image = (self.value_and_grad(theta + 1e-6 * direction)[1]
                         - self.value_and_grad(theta - 1e-6 * direction)[1]) / 2e-6
                eigenvalue = float(np.sum(image * direction))
                direction = image
        return abs(eigenvalue)


@dataclass(frozen=True)
class TrainingResult:
    """Outcome of :func:`train_network`.

    Attributes
    ----------
    network : TwoLayerNetwork
        Final iterate.
    value, grad_norm : float
        Objective and gradient norm there.
    iterations : int
        Gradient steps taken.
    converged : bool
        The gradient norm reached ``tol``.
    """

    network: TwoLayerNetwork
    value: float
    grad_norm: float
    iterations: int
    converged: bool


def train_network(objective: NetworkObjective, network: TwoLayerNetwork, step: float,
                  max_iter: int, *, tol: float = 1e-8) -> TrainingResult:
    r"""Fixed-step gradient descent :math:`\Theta_{t+1} = \Theta_t - \eta \nabla F(\Theta_t)`.

    Raises :class:`lib.DivergenceError` when :math:`F` becomes non-finite or exceeds
    ``lib.optim.DIVERGENCE_FACTOR`` times the larger of :math:`F(\Theta_0)` and the loss of the
    zero network (as :func:`lib.gradient_descent` does), suggesting :math:`1/\lambda_{\max}` at
    the last finite iterate (:meth:`NetworkObjective.largest_curvature`).
    """
    check_instance("objective", objective, NetworkObjective)
    check_instance("network", network, TwoLayerNetwork)
    if network.activation != objective.activation:
        raise ValueError(f"network.activation={network.activation!r} differs from the "
                         f"objective's activation {objective.activation!r}")
    theta = objective.check_point(network.packed(), "network")
    step = check_float("step", step, minimum=0.0, strict=True)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    tol = check_float("tol", tol, minimum=0.0)
    limit = np.inf
    previous = theta
    last_finite = np.inf
    for iteration in range(max_iter + 1):
        value, grad = objective.value_and_grad(theta)
        if iteration == 0:
            limit = DIVERGENCE_FACTOR * max(value, float(np.mean(objective.y ** 2)),
                                            np.finfo(float).tiny)
        if not np.isfinite(value) or value > limit:
            raise DivergenceError(iteration, last_finite, step,
                                  1.0 / objective.largest_curvature(previous))
        last_finite = value
        grad_norm = float(np.sqrt(np.sum(grad * grad)))
        if grad_norm <= tol or iteration == max_iter:
            break
        previous = theta
        theta = theta - step * grad
    return TrainingResult(TwoLayerNetwork.from_packed(theta, objective.activation), value,
                          grad_norm, iteration, grad_norm <= tol)
