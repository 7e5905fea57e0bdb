"""The sentences the Performance chapter glues from one benchmark run: JAX's ratios where JAX
ran, a statement that it did not otherwise, never a NaN."""

from __future__ import annotations

import pytest

import benchmarks.bench_gradient as bench


def _rows(jax_ratio: float) -> list[bench.Row]:
    rows = []
    for case in bench.CASES:
        rows.append(bench.Row(case.name, "lib float64", 1e-3, 1.0, None))
        rows.append(bench.Row(case.name, "floor: read", 5e-4, 0.5, None))
        for name in ("jax.jit packed", "jax.jit flattened (n, d^2)", "jax.jit closed form",
                     "jax.jit autodiff"):
            rows.append(bench.Row(case.name, name, 2e-3, jax_ratio, 1e-15))
    return rows


def test_without_jax_the_sentences_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "jax", None)
    sentences = bench.jax_sentences(_rows(2.0))
    assert set(sentences.values()) == {bench.JAX_NOT_MEASURED}


def test_with_jax_the_sentences_give_the_ratios(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "jax", object())
    sentences = bench.jax_sentences(_rows(1.75))
    assert "1.75, 1.75 and 1.75 times as long as lib ($d = 20, d = 50, d = 100$)" in (
        sentences["jax_dense"])
    assert "closed form took 1.75 times" in sentences["jax_population"]
    assert "nan" not in " ".join(sentences.values()).lower()


def test_jax_installed_but_not_measured_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "jax", object())
    rows = [row for row in _rows(1.75) if row.implementation != "jax.jit autodiff"]
    with pytest.raises(ValueError, match="autodiff"):
        bench.jax_sentences(rows)


def test_table_ratios_have_no_jax_entries() -> None:
    ratios = bench.table_ratios(_rows(2.0))
    assert not [name for name in ratios if name.startswith("jax")]
    assert ratios["floor_d50"] == 2.0 and ratios["population_ms"] == 1.0
