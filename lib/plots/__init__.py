"""Every figure of the book: functions that draw onto the axes they are given and return them.

One module per chapter topic, the shared style in :mod:`lib.plots.style`. A chapter's figure cell
is :func:`figure` followed by one call of a function of this package (see the README's chapter
conventions).
"""

from lib.plots.neurons import error_against_kept, layer_balance, neuron_norm_strip
from lib.plots.style import figure

__all__ = ["error_against_kept", "figure", "layer_balance", "neuron_norm_strip"]
