"""The one table of sensing kinds: the name a caller passes as ``sensing=`` and the class that
implements it (:class:`lib.sensing.SensingOperator`).

:func:`lib.make_problem` builds a problem's operator from this table and :mod:`lib.theory`
reads a kind's constants from it, so adding a kind is one class and one line here (README,
"Adding a sensing kind"). Used by every chapter through ``make_problem``.
"""

from __future__ import annotations

from lib._validation import check_choice
from lib.networks import QuadraticNetworkPopulation
from lib.operators import GaussianOperator, PopulationOperator, RankOneOperator
from lib.sensing import SensingOperator

SENSING_REGISTRY: dict[str, type[SensingOperator]] = {
    "gaussian": GaussianOperator,
    "rank_one": RankOneOperator,
    "population": PopulationOperator,
    "network_population": QuadraticNetworkPopulation,
}

#: The names of the registered kinds, in registration order.
SENSING_KINDS = tuple(SENSING_REGISTRY)


def sensing_kind(name: str, value: object) -> type[SensingOperator]:
    """The registered class of the sensing kind ``value``, passed by the caller as argument
    ``name``; a ValueError lists the registered kinds when there is none of that name.

    Setup chapter, section "Three ways to sense, and what each costs".
    """
    return SENSING_REGISTRY[check_choice(name, value, tuple(SENSING_REGISTRY))]
