"""Every figure of the book: functions that draw onto the axes they are given and return them.

One module per chapter topic, the shared style (size, resolution, fonts) in
``lib/plots/style.py``. A chapter's figure cell is :func:`figure` followed by one call of a
function of this package (see the README's chapter conventions).
"""

from lib.plots.baselines import error_against_iteration, error_against_samples, error_against_width
from lib.plots.neurons import error_against_kept, layer_balance, neuron_norm_strip
from lib.plots.style import figure

__all__ = [
    "error_against_iteration",
    "error_against_kept",
    "error_against_samples",
    "error_against_width",
    "figure",
    "layer_balance",
    "neuron_norm_strip",
]
