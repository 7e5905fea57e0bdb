r"""Numbers as the book stores them for its prose: rounded to what the computation determines.

A value glued into a chapter's text (myst-nb ``glue``) is stored in the notebook, and nbval
compares it on every machine. Its last digits are roundoff, which depends on the BLAS kernel and
the compile target (README, "Validating the notebooks"), so chapters glue
:func:`significant` of a value: :math:`x` rounded to a few significant digits, more than the text
shows and far fewer than roundoff reaches.
"""

from __future__ import annotations

from lib._validation import check_float, check_int


def significant(value: float, digits: int = 4) -> float:
    """``value`` rounded to ``digits`` significant digits, as a Python float.

    Parameters
    ----------
    value : float
        A finite real number.
    digits : int
        Significant digits kept, 1 to 15.

    Returns
    -------
    float
        ``float(f"{value:.{digits}g}")``.
    """
    value = check_float("value", value)
    digits = check_int("digits", digits, minimum=1, maximum=15)
    return float(f"{value:.{digits}g}")
