"""Checks on the book's chapters that nbval cannot make by itself.

* every chapter listed in ``_toc.yml`` exists as a MyST ``.md`` source with a paired ``.ipynb``;
* the pair has identical cell sources (read-only comparison: no ``jupytext --sync`` in CI);
* every code cell of the committed ``.ipynb`` was executed, in order, in one kernel session
  (an unexecuted notebook would pass nbval vacuously);
* figures are stored as PNG (nbval skips PNG; SVG or HTML figures would be compared byte by byte);
* each chapter closes with a "What we checked" section containing assertions;
* the only cells nbval does not compare are the ones the README lists (timings and allocator
  figures of the Performance chapter), each saying so in a comment.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [TOC["root"]] + [entry["file"] for part in TOC.get("parts", [TOC])
                         for entry in part.get("chapters", [])]
CHAPTERS = [ROOT / f"{page}.md" for page in PAGES
            if (ROOT / f"{page}.md").read_text().startswith("---\njupytext:")]


def _code_sources(notebook: nbformat.NotebookNode) -> list[str]:
    return [cell.source.strip() for cell in notebook.cells if cell.cell_type == "code"]


def _all_sources(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_every_toc_page_exists() -> None:
    for page in PAGES:
        assert (ROOT / f"{page}.md").is_file(), f"_toc.yml lists {page} but {page}.md is missing"


def test_every_lib_module_has_an_api_section() -> None:
    api = (ROOT / "book" / "api.md").read_text()
    modules = sorted(f"lib.{path.stem}" for path in (ROOT / "lib").glob("*.py")
                     if not path.stem.startswith("_"))
    modules += sorted(f"lib.{path.parent.name}" for path in (ROOT / "lib").glob("*/__init__.py"))
    missing = [module for module in modules if f".. automodule:: {module}\n" not in api]
    assert not missing, f"book/api.md documents no section for {missing}"


def test_there_are_chapters() -> None:
    assert len(CHAPTERS) >= 1, "no Jupytext-paired chapter is listed in _toc.yml"


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.name)
def test_pair_has_identical_cells(source: Path) -> None:
    paired = source.with_suffix(".ipynb")
    assert paired.is_file(), f"{source.name} has no paired notebook {paired.name}"
    from_text = jupytext.read(source)
    from_notebook = nbformat.read(paired, as_version=4)
    assert _all_sources(from_text) == _all_sources(from_notebook), (
        f"{paired.name} is out of date with {source.name}: run "
        f"`python tests/tools/refresh_notebooks.py {source.relative_to(ROOT)}`")


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.name)
def test_notebook_was_executed_in_order(source: Path) -> None:
    notebook = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells, f"{source.name} has no code cell"
    counts = [cell.execution_count for cell in code_cells]
    assert counts == list(range(1, len(code_cells) + 1)), (
        f"{source.stem}.ipynb was not executed top to bottom in one session: {counts}")
    assert sum(len(cell.outputs) for cell in code_cells) > 0
    for cell in code_cells:
        for output in cell.outputs:
            assert output.output_type != "error", f"{source.stem}.ipynb stores an error output"
            data = output.get("data", {})
            assert "image/svg+xml" not in data, "figures must be PNG (nbval compares SVG)"


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.name)
def test_chapter_closes_with_checks(source: Path) -> None:
    notebook = jupytext.read(source)
    headings = [i for i, cell in enumerate(notebook.cells)
                if cell.cell_type == "markdown" and "What we checked" in cell.source]
    assert headings, f"{source.name} has no 'What we checked' section"
    closing_code = _code_sources(nbformat.v4.new_notebook(cells=notebook.cells[headings[-1]:]))
    assert any("assert " in code for code in closing_code), (
        f"the 'What we checked' section of {source.name} asserts nothing")


def test_book_config_excludes_paired_notebooks() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    excluded = set(config["exclude_patterns"])
    assert {"*.ipynb", ".*", "_build", "lib", "tests", "benchmarks", "README.md"} <= excluded
    assert config["only_build_toc_files"] is True
    assert config["execute"]["execute_notebooks"] == "force"


# Code cells (counted from 0) whose output is machine-dependent, as README.md lists them.
IGNORED_OUTPUT = {"07_performance": [2, 3, 5, 6, 7, 8, 9], "08_baselines": [8]}


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.stem)
def test_only_the_listed_cells_escape_nbval(source: Path) -> None:
    code = [cell for cell in jupytext.read(source).cells if cell.cell_type == "code"]
    ignored = [index for index, cell in enumerate(code)
               if "nbval-ignore-output" in cell.metadata.get("tags", [])]
    assert ignored == IGNORED_OUTPUT.get(source.stem, [])
    for index in ignored:
        assert "nbval does not compare" in code[index].source, (source.stem, index)
