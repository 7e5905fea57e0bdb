"""lib: the tested core of the book "Greedy pruning with group Lasso for matrix sensing".

The public API (stable; see README.md for a map of the modules)::

    prob = lib.make_problem(d, r, n, sigma=0.0, kappa=1.0, sensing="gaussian", seed=0)
    obj = lib.Objective(prob, lam=0.0, beta=1e-3)
    obj.value(U), obj.grad(U), obj.hvp(U, V)
    lib.smooth_group_lasso(U, beta)
    lib.recovery_error(U, U_star)
    res = lib.gradient_descent(obj, U0, step, max_iter, tol=1e-8)
    res = lib.perturbed_gradient_descent(obj, U0, step, max_iter)
    cert = lib.sosp_certificate(obj, U)   # cert.grad_norm, cert.min_eigenvalue
    pruned = lib.prune(U, threshold)      # pruned.U, pruned.kept; lib.prune_to_rank(U, r)
    lib.column_norms(U), lib.dense_hessian(obj.hvp, U)
    res = lib.fine_tune(prob, U_prune, step, max_iter, tol=1e-10)
    out = lib.train_prune_finetune(prob, k, lam, beta)
    lib.networks.population_test_error(U, U_star)   # quadratic networks (extension)
    lib.finite_differences.relative_error(a, b)     # setup chapter: costs, FD, statistics
    results = lib.run_seeds(function, seeds, processes=2)   # parallel (Dask), in seed order
    lib.sweep.run("sweep.toml", "store_dir"); lib.sweep.load("store_dir")   # grids of runs
    lib.set_threads(1)   # threads of the compiled code (results do not depend on it)
"""

from lib import (
    costs,
    finite_differences,
    landscape,
    networks,
    phase_boundaries,
    phase_cells,
    sensing_statistics,
    sweep,
    theory,
)
from lib.batch import SeedsInterrupted, run_seeds
from lib.certificate import (
    SOSPCertificate,
    column_hessian_at_zero,
    dense_hessian,
    hessian_operator,
    largest_hessian_eigenvalue,
    residual_matrix,
    sosp_certificate,
    suggest_step,
)
from lib.columns import column_norms
from lib.objective import Objective, recovery_error, relative_recovery_error
from lib.optim import (
    DivergenceError,
    History,
    OptimizationResult,
    gradient_descent,
    perturbed_gradient_descent,
)
from lib.problem import Problem, make_problem
from lib.pruning import (
    PipelineResult,
    PruneResult,
    fine_tune,
    prune,
    prune_to_rank,
    pruning_threshold,
    train_prune_finetune,
)
from lib.registry import SENSING_KINDS, SENSING_REGISTRY
from lib.regularizer import column_weight, smooth_group_lasso
from lib.runtime import get_threads, set_threads
from lib.separation import ColumnSeparation, column_separation

__all__ = [
    "SENSING_KINDS",
    "SENSING_REGISTRY",
    "ColumnSeparation",
    "DivergenceError",
    "History",
    "Objective",
    "OptimizationResult",
    "PipelineResult",
    "Problem",
    "PruneResult",
    "SOSPCertificate",
    "SeedsInterrupted",
    "column_hessian_at_zero",
    "column_norms",
    "column_separation",
    "column_weight",
    "costs",
    "dense_hessian",
    "fine_tune",
    "finite_differences",
    "get_threads",
    "gradient_descent",
    "hessian_operator",
    "landscape",
    "largest_hessian_eigenvalue",
    "make_problem",
    "networks",
    "perturbed_gradient_descent",
    "phase_boundaries",
    "phase_cells",
    "prune",
    "prune_to_rank",
    "pruning_threshold",
    "recovery_error",
    "relative_recovery_error",
    "residual_matrix",
    "run_seeds",
    "sensing_statistics",
    "set_threads",
    "smooth_group_lasso",
    "sosp_certificate",
    "suggest_step",
    "sweep",
    "theory",
    "train_prune_finetune",
]
