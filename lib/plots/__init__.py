"""Every figure of the book: functions that draw onto the axes they are given and return them.

One module per chapter topic, the shared style (size, resolution, fonts) in
``lib/plots/style.py``. A chapter's figure cell is :func:`figure` followed by one call of a
function of this package (see the README's chapter conventions).
"""

from lib.plots.landscape import (
    column_norm_history,
    curvature_at_zero_lines,
    growth_phase_diagram,
    recovery_sweep,
    saddle_escape,
    smoothing_penalties,
    sorted_column_norms,
)
from lib.plots.style import figure

__all__ = [
    "column_norm_history",
    "curvature_at_zero_lines",
    "figure",
    "growth_phase_diagram",
    "recovery_sweep",
    "saddle_escape",
    "smoothing_penalties",
    "sorted_column_norms",
]
