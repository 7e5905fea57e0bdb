"""Every figure of the book: functions that draw onto the axes they are given and return them.

One module per chapter topic, the shared style (size, resolution, fonts) in
``lib/plots/style.py``. A chapter's figure cell is :func:`figure` followed by one call of a
function of this package (see the README's chapter conventions).
"""

# Setup and performance chapters (01, 07).
from lib.plots.performance import gradient_times
from lib.plots.setup import concentration
from lib.plots.style import figure

__all__ = ["concentration", "figure", "gradient_times"]
