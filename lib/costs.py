r"""What each kind of sensing costs: numbers held in memory and multiply-adds per gradient.

The counts follow from the gradient formulas of the setup chapter (``book/01_setup.md``,
"Three ways to sense, and what each costs"). With :math:`T = d(d+1)/2` packed entries per
Gaussian measurement:

.. math::

   \text{stored} = \begin{cases} nT & \text{gaussian} \\ nd & \text{rank\_one} \\
   dr & \text{population} \end{cases}, \qquad
   \text{multiply-adds} = \begin{cases} 2nT + 2d^2k & \text{gaussian} \\
   2ndk & \text{rank\_one} \\ 2dk(k + r) & \text{population} \end{cases}.
"""

from __future__ import annotations

from lib._validation import check_choice, check_int

#: The kinds of sensing whose costs this module counts.
COUNTED_KINDS = ("gaussian", "rank_one", "population")


def _check(sensing: object, d: object, r: object, n: object) -> tuple[str, int, int, int]:
    sensing = check_choice("sensing", sensing, COUNTED_KINDS)
    d = check_int("d", d, minimum=1)
    r = check_int("r", r, minimum=1, maximum=d)
    n = check_int("n", n, minimum=1)
    return sensing, d, r, n


def stored_numbers(sensing: str, d: int, r: int, n: int) -> int:
    r"""Floating-point numbers the sensing operator keeps in memory.

    :math:`n\,d(d+1)/2` for packed Gaussian sensing, :math:`nd` for rank-one sensing and
    :math:`dr` (the factor :math:`U^\star`) for the population loss. Setup chapter.
    """
    sensing, d, r, n = _check(sensing, d, r, n)
    return {"gaussian": n * d * (d + 1) // 2, "rank_one": n * d, "population": d * r}[sensing]


def gradient_multiply_adds(sensing: str, d: int, r: int, k: int, n: int) -> int:
    r"""Leading multiply-add count of one gradient at a :math:`d \times k` factor.

    :math:`2n\,d(d+1)/2 + 2d^2k` for packed Gaussian sensing (forward map, adjoint, and the
    product with :math:`U`), :math:`2ndk` for rank-one sensing and :math:`2dk(k + r)` for the
    population loss. Setup chapter.
    """
    sensing, d, r, n = _check(sensing, d, r, n)
    k = check_int("k", k, minimum=1)
    packed = d * (d + 1) // 2
    return {"gaussian": 2 * n * packed + 2 * d * d * k,
            "rank_one": 2 * n * d * k,
            "population": 2 * d * k * (k + r)}[sensing]
