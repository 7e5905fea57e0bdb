"""lib.display.significant: rounding for glued prose numbers."""

import numpy as np
import pytest

from lib.display import significant


def test_significant_keeps_the_leading_digits_only() -> None:
    assert significant(0.5163091442526714) == 0.5163
    assert significant(-0.022360679774997897, 2) == -0.022
    assert significant(np.float64(3700000.4)) == 3700000.0
    assert type(significant(np.float64(1.0))) is float


def test_significant_hides_roundoff() -> None:
    assert significant(0.1 + 0.2) == significant(0.3)


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"value": float("nan")}, ValueError, "value"),
    ({"value": "1.0"}, TypeError, "value"),
    ({"value": 1.0, "digits": 0}, ValueError, "digits"),
    ({"value": 1.0, "digits": 2.5}, TypeError, "digits"),
])
def test_significant_rejects_bad_arguments(kwargs: dict, error: type, name: str) -> None:
    with pytest.raises(error, match=name):
        significant(**kwargs)
