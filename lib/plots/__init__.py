"""Every figure of the book: functions that draw onto the axes they are given and return them.

One module per chapter topic, the shared style (size, resolution, fonts) in
``lib/plots/style.py``. A chapter's figure cell is :func:`figure` followed by one call of a
function of this package (see the README's chapter conventions).
"""

from lib.plots.style import figure

__all__ = ["figure"]
from lib.plots.fine_tuning import error_vs_iteration, error_vs_measurements, fine_tuning_rate
from lib.plots.pruning import column_norm_separation

__all__ += ["column_norm_separation", "error_vs_iteration", "error_vs_measurements",
            "fine_tuning_rate"]
