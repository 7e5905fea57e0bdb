"""Every figure of the book: functions that draw onto the axes they are given and return them.

One module per chapter topic, the shared style (size, resolution, fonts) in
``lib/plots/style.py``. A chapter's figure cell is :func:`figure` followed by one call of a
function of this package (see the README's chapter conventions).
"""

from lib.plots.baselines import error_against_iteration, error_against_samples, error_against_width
from lib.plots.failure import (
    comparable_column_counts,
    figure_one,
    fine_tuning_errors,
    fraction_curves,
    mechanism,
    norm_histogram,
)
from lib.plots.fine_tuning import error_vs_iteration, error_vs_measurements, fine_tuning_rate
from lib.plots.landscape import (
    column_norm_history,
    curvature_at_zero_lines,
    growth_phase_diagram,
    recovery_sweep,
    saddle_escape,
    smoothing_penalties,
    sorted_column_norms,
)
from lib.plots.networks import (
    curvature_at_zero_by_design,
    excess_error_by_stage,
    junk_neuron_paths,
    lambda_window,
    neuron_norms,
)
from lib.plots.neurons import error_against_kept, layer_balance, neuron_norm_strip
from lib.plots.performance import gradient_times
from lib.plots.phase import (
    boundary_curves,
    noise_phase_diagram,
    phase_heatmap,
    regularization_phase_diagram,
)
from lib.plots.phase_samples import (
    error_ratio_against_samples,
    exact_rank_map,
    prune_steps_against_kappa,
)
from lib.plots.pruning import column_norm_separation
from lib.plots.setup import concentration
from lib.plots.style import figure

__all__ = [
    "boundary_curves",
    "column_norm_history",
    "column_norm_separation",
    "comparable_column_counts",
    "concentration",
    "curvature_at_zero_by_design",
    "curvature_at_zero_lines",
    "error_against_iteration",
    "error_against_kept",
    "error_against_samples",
    "error_against_width",
    "error_ratio_against_samples",
    "error_vs_iteration",
    "error_vs_measurements",
    "exact_rank_map",
    "excess_error_by_stage",
    "figure",
    "figure_one",
    "fine_tuning_errors",
    "fine_tuning_rate",
    "fraction_curves",
    "gradient_times",
    "growth_phase_diagram",
    "junk_neuron_paths",
    "lambda_window",
    "layer_balance",
    "mechanism",
    "neuron_norm_strip",
    "neuron_norms",
    "noise_phase_diagram",
    "norm_histogram",
    "phase_heatmap",
    "prune_steps_against_kappa",
    "recovery_sweep",
    "regularization_phase_diagram",
    "saddle_escape",
    "smoothing_penalties",
    "sorted_column_norms",
]
