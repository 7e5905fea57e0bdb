"""Bad-input campaign over the whole public API of ``lib``: prints how many calls were tried and
how each ended (the counts in the README's "Bad input" section).

    .venv/bin/python tests/tools/bad_input_campaign.py [--generated N] [--show]

Every entry point of ``tests/api_arguments.py`` is called with every bad value of every
argument (wrong types, out of range, NaN and infinities, choices in the wrong case, integers as
booleans, arrays of the wrong shape or dtype), with ``N`` generated bad numbers per numeric,
choice or boolean argument (hypothesis, seeded), with overflowing arrays (float16, float32 at
1e30, float64 at 1e200) for every array argument, and with its valid call and valid boundary
values. Each call counts as

- rejected clearly: a TypeError or ValueError naming the argument, before any work started;
- accepted correctly: a valid call or boundary value accepted, or an overflowing array that
  gives finite numbers;
- silent: bad input accepted, or a NaN, infinity or complex number returned;
- unhelpful: another exception, a message that does not name the argument, an error that
  came only after the work started, or a valid value refused.

``--show`` lists the silent and unhelpful calls.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api_arguments import (
    SPECS,
    Spec,
    WorkStarted,
    bad_numbers,
    bad_values,
    call,
    finite,
    names_argument,
    overflow_values,
)
from hypothesis import given, settings
from hypothesis import strategies as st

OUTCOMES = ("rejected clearly", "accepted correctly", "silent", "unhelpful")


def bad_outcome(spec: Spec, name: str, value: Any, *, may_accept: bool) -> tuple[str, str]:
    """How a call with ``name=value`` ended, and why (for ``--show``)."""
    try:
        result = call(spec, **{name: value})
    except WorkStarted:
        if may_accept:
            return "accepted correctly", ""
        return "unhelpful", "refused only after the work started"
    except (TypeError, ValueError) as error:
        if names_argument(str(error), name):
            return "rejected clearly", ""
        return "unhelpful", f"message does not name {name}: {error}"
    except Exception as error:
        return "unhelpful", f"{type(error).__name__}: {error}"
    if not finite(result):
        return "silent", "returned a non-finite number"
    return ("accepted correctly", "") if may_accept else ("silent", "accepted")


def valid_outcome(spec: Spec, overrides: dict[str, Any]) -> tuple[str, str]:
    """How a valid call ended."""
    try:
        result = call(spec, **overrides)
    except WorkStarted:
        return "accepted correctly", ""
    except Exception as error:
        return "unhelpful", f"valid value refused: {type(error).__name__}: {error}"
    return ("accepted correctly", "") if finite(result) else ("silent", "non-finite result")


def drawn_values(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """``count`` values of ``strategy``, the same on every run (hypothesis, derandomized)."""
    drawn: list[Any] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None)
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        drawn.append(data.draw(strategy))

    draw()
    return drawn


def campaign(generated: int) -> list[tuple[str, str, str, str, str]]:
    """Every call of the campaign as (entry point, argument, value label, outcome, why)."""
    rows = []
    for qualname, spec in sorted(SPECS.items()):
        valid = spec.valid()
        rows.append((qualname, "-", "valid call", *valid_outcome(spec, {})))
        for name, values in spec.edges.items():
            for value in values:
                rows.append((qualname, name, f"edge {value!r}",
                             *valid_outcome(spec, {name: value})))
        for name, arg in spec.args.items():
            for bad in bad_values(arg, valid[name]):
                rows.append((qualname, name, bad.label,
                             *bad_outcome(spec, name, bad.value, may_accept=False)))
            if arg.kind == "matrix":
                for bad in overflow_values(valid[name]):
                    rows.append((qualname, name, bad.label,
                                 *bad_outcome(spec, name, bad.value, may_accept=True)))
            if arg.kind in ("int", "float", "choice", "bool") and generated:
                for value in drawn_values(bad_numbers(arg), generated):
                    rows.append((qualname, name, f"generated {value!r}"[:60],
                                 *bad_outcome(spec, name, value, may_accept=False)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=10,
                        help="generated bad values per numeric, choice or bool argument")
    parser.add_argument("--show", action="store_true", help="list silent and unhelpful calls")
    options = parser.parse_args()
    rows = campaign(options.generated)
    counts = Counter(row[3] for row in rows)
    print(f"entry points: {len(SPECS)}, arguments: "
          f"{sum(len(spec.args) for spec in SPECS.values())}")
    print(f"tried: {len(rows)}")
    for outcome in OUTCOMES:
        print(f"{outcome}: {counts[outcome]}")
    if options.show:
        for row in rows:
            if row[3] in ("silent", "unhelpful"):
                print(" | ".join(row))


if __name__ == "__main__":
    main()
