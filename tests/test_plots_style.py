"""The figure style of lib.plots: size, resolution, and argument checks."""

import matplotlib
import matplotlib.pyplot as plt
import pytest

from lib.plots import figure
from lib.plots.style import DPI, WIDTH


def test_figure_has_the_book_size_and_resolution() -> None:
    fig, axes = figure(ncols=2, nrows=2)
    assert axes.shape == (2, 2)
    assert fig.get_size_inches()[0] == pytest.approx(WIDTH)
    assert fig.dpi == DPI
    assert matplotlib.rcParams["font.size"] >= 10
    plt.close(fig)


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"ncols": 0}, ValueError, "ncols"),
    ({"nrows": 1.5}, TypeError, "nrows"),
    ({"height": -1.0}, ValueError, "height"),
    ({"sharey": "yes"}, TypeError, "sharey"),
])
def test_figure_rejects_bad_arguments(kwargs: dict, error: type, name: str) -> None:
    with pytest.raises(error, match=name):
        figure(**kwargs)
