"""Every public entry point of ``lib`` refuses bad arguments with a TypeError or ValueError that
names the argument, before any work starts, and returns no NaN or infinity.

The entry points and the kind of each argument are in ``tests/api_arguments.py``; the first
test fails when a public callable has no entry there, so new functions are covered too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from api_arguments import (
    EXEMPT,
    RECORD,
    SPECS,
    UNCHECKED,
    Bad,
    Spec,
    WorkStarted,
    bad_numbers,
    bad_values,
    call,
    exempt_reason,
    finite,
    names_argument,
    overflow_values,
    public_callables,
    resolve,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def expect_refusal(spec: Spec, name: str, value: Any) -> BaseException:
    """Call with ``name=value`` and return the TypeError or ValueError, after checking that it
    names the argument and came before any work."""
    try:
        call(spec, **{name: value})
    except WorkStarted:
        pytest.fail(f"{name}={value!r} reached the work before being refused")
    except (TypeError, ValueError) as error:
        assert names_argument(str(error), name), (
            f"{name}={value!r}: the message does not name {name!r}: {error}")
        return error
    pytest.fail(f"{name}={value!r} was accepted")


CASES = [(qualname, name, bad) for qualname, spec in sorted(SPECS.items())
         for name, arg in spec.args.items() for bad in bad_values(arg, spec.valid()[name])]


def test_every_public_callable_has_an_entry() -> None:
    public = public_callables()
    missing = sorted(name for name in public - set(SPECS) if exempt_reason(name) is None)
    assert not missing, f"public callables with no entry in tests/api_arguments.py: {missing}"
    stale = sorted((set(SPECS) | set(EXEMPT)) - public)
    assert not stale, f"entries for callables that are not public (any more): {stale}"
    assert not set(SPECS) & set(EXEMPT)


def test_exempt_records_are_frozen_dataclasses_and_unchecked_code_says_so() -> None:
    for qualname, reason in EXEMPT.items():
        owner, name = resolve(qualname)
        value = getattr(owner, name)
        if reason == RECORD and not issubclass(value, BaseException):
            assert dataclasses.is_dataclass(value), qualname
            assert value.__dataclass_params__.frozen, qualname
        if reason == UNCHECKED:
            doc = " ".join((value.__doc__ or "").split())
            assert "nchecked" in doc or "without argument checks" in doc, (
                f"{qualname}: its docstring must say that it is unchecked")


def test_every_argument_of_every_entry_is_in_its_valid_call() -> None:
    for qualname, spec in SPECS.items():
        assert set(spec.args) <= set(spec.valid()), qualname


@pytest.mark.parametrize("qualname", sorted(SPECS))
def test_the_valid_call_is_accepted(qualname: str) -> None:
    spec = SPECS[qualname]
    if spec.work:
        with pytest.raises(WorkStarted):
            call(spec)
        return
    assert finite(call(spec)), f"{qualname} returned a non-finite number"
    for name, values in spec.edges.items():
        for value in values:
            assert finite(call(spec, **{name: value})), f"{qualname}({name}={value!r})"


@pytest.mark.parametrize(("qualname", "name", "bad"), CASES,
                         ids=[f"{q}-{n}-{b.label}" for q, n, b in CASES])
def test_a_bad_value_is_refused_naming_the_argument(qualname: str, name: str,
                                                    bad: Bad) -> None:
    error = expect_refusal(SPECS[qualname], name, bad.value)
    assert isinstance(error, bad.error), f"{name}={bad.value!r}: {type(error).__name__}"


OVERFLOW_CASES = [(qualname, name, bad) for qualname, spec in sorted(SPECS.items())
                  for name, arg in spec.args.items() if arg.kind == "matrix"
                  for bad in overflow_values(spec.valid()[name])]


@pytest.mark.parametrize(("qualname", "name", "bad"), OVERFLOW_CASES,
                         ids=[f"{q}-{n}-{b.label}" for q, n, b in OVERFLOW_CASES])
def test_an_overflowing_array_is_refused_or_gives_finite_numbers(qualname: str, name: str,
                                                                 bad: Bad) -> None:
    spec = SPECS[qualname]
    try:
        result = call(spec, **{name: bad.value})
    except WorkStarted:
        return
    except (TypeError, ValueError) as error:
        assert names_argument(str(error), name), f"the message does not name {name}: {error}"
        return
    assert finite(result), f"{qualname}({name}={bad.label}) returned a non-finite number"


GENERATED = [(qualname, name) for qualname, spec in sorted(SPECS.items())
             for name, arg in spec.args.items() if arg.kind in ("int", "float", "choice", "bool")]


@pytest.mark.parametrize(("qualname", "name"), GENERATED, ids=[f"{q}-{n}" for q, n in GENERATED])
@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_bad_numbers_are_refused(qualname: str, name: str, data: st.DataObject) -> None:
    spec = SPECS[qualname]
    expect_refusal(spec, name, data.draw(bad_numbers(spec.args[name]), label=name))
