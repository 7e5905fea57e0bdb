"""The numbers of the README's "What the book finds" are the chapters' glued values.

Each phrase below is written with placeholders for values that a chapter glues (myst-nb
``glue``, stored in the executed notebook); the test fills them in, formatted as the README shows
them, and requires the phrase to appear in the README (whitespace folded). A chapter whose result
moves makes this test fail until the README says the new number.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: (chapter notebook stem, phrase with {glue_name:format} placeholders)
PHRASES = [
    ("03_pruning_threshold", "exactly r columns in {ch03_exact_seeds} of 20 seeds, every pruned "
                             "column at least {ch03_log_margin_min} orders of magnitude"),
    ("05_failure_without_regularization",
     "without it {ch05_half_percent}% of the 500 columns have at least half the largest norm"),
    ("05_failure_without_regularization",
     "the 4 largest leaves relative error {ch05_plain_pruned_error:.2f}"),
    ("05_failure_without_regularization", "(correlation {ch05_correlation:.3f})"),
    ("02_landscape", "up to about {ch02_boundary_min:.2f} to {ch02_boundary_max:.2f} times it"),
    ("08_baselines", "the pipeline's error is {ch08_pipeline_error:.3f} at n = 600"),
    ("08_baselines", "goes from {ch08_gd_error_r:.3f} (k = r) to {ch08_gd_error_2d:.3f} (k = 2d)"),
    ("08_baselines", "held-out 20% gives {ch08_early_min:.3f} to {ch08_early_max:.3f}"),
    ("08_baselines", "converges like t^-{ch08_exponent:.2f}"),
    ("06_quadratic_networks", "by a factor of about {ch06_kill_ratio:.2f}"),
    ("09_neuron_pruning", "teacher neurons in {ch09_relu_exact_003} of 5 (ReLU) and "
                          "{ch09_quad_exact_003} of 5 (quadratic) seeds"),
    ("09_neuron_pruning", "random pruning to 3 neurons fails in {ch09_relu_random_stuck} and "
                          "{ch09_quad_random_stuck} of 5 seeds"),
    ("10_phase_regularization_noise",
     "with {ch10_review_kept} columns above the threshold, {ch10_review_noise_columns} of which "
     "fit only noise"),
    ("10_phase_regularization_noise",
     "the weakest direction is lost from {ch10_admissible_ratio_01:.2f} lambda_low on"),
    ("11_phase_samples_conditioning", "({ch11_excess_15:.2f} at n = 1.5p"),
    ("11_phase_samples_conditioning", "({ch11_failed_runs} of {ch11_runs_wide} runs with k > r)"),
    ("11_phase_samples_conditioning", "from n/p = {ch11_transition:g} on"),
    ("11_phase_samples_conditioning", "grow like kappa^{ch11_exponent:.3g}"),
    ("11_phase_samples_conditioning", "falls from {ch11_half_share_k1}% at kappa = 1 to "
                                      "{ch11_half_share_k8}% at kappa = 8"),
]


@cache
def glued(stem: str) -> dict[str, object]:
    """The values a chapter glued, read from its executed notebook."""
    notebook = json.loads((ROOT / "book" / f"{stem}.ipynb").read_text())
    values: dict[str, object] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                text = output["data"][f"{record['mime_prefix']}text/plain"]
                values[record["name"]] = json.loads(text) if text[:1].isdigit() else text
    return values


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(("stem", "phrase"), PHRASES)
def test_readme_states_the_glued_value(stem: str, phrase: str) -> None:
    values = glued(stem)
    names = re.findall(r"\{(\w+)", phrase)
    missing = [name for name in names if name not in values]
    assert not missing, f"{stem} glues no {missing}"
    expected = phrase.format(**values)
    assert _fold(expected) in _fold((ROOT / "README.md").read_text()), (
        f"README.md should say {expected!r} (the value glued in book/{stem}.ipynb)")
