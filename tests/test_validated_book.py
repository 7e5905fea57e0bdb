"""The configuration of the validated book (``make validated-book``, built by ``make test``):
``_config.yml`` with the paired chapters built from their committed notebooks, unexecuted."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location(
    "validated_book_config", ROOT / "tests" / "tools" / "validated_book_config.py")
validated_book_config = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(validated_book_config)


def _configs() -> tuple[dict, dict]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config, validated_book_config.validated_config(config, ROOT)


def test_chapters_come_from_their_notebooks_unexecuted() -> None:
    config, validated = _configs()
    chapters = sorted(path.with_suffix(".md").relative_to(ROOT).as_posix()
                      for path in (ROOT / "book").glob("*.ipynb"))
    assert len(chapters) >= 8
    excluded = validated["exclude_patterns"]
    assert set(chapters) <= set(excluded)
    assert not [pattern for pattern in excluded if pattern.endswith(".ipynb")]
    assert validated["execute"]["execute_notebooks"] == "off"
    assert config["execute"]["execute_notebooks"] == "force"  # the input is not changed


def test_everything_else_is_the_books_configuration() -> None:
    config, validated = _configs()
    for folder in validated["sphinx"]["local_extensions"].values():
        assert Path(folder).is_absolute() and Path(folder).is_dir()
    assert set(config["exclude_patterns"]) - set(validated["exclude_patterns"]) == {
        "*.ipynb", "**/*.ipynb"}
    for changed in (config, validated):
        changed.pop("exclude_patterns")
        changed["execute"].pop("execute_notebooks")
        changed["sphinx"].pop("local_extensions")
    assert validated == config
