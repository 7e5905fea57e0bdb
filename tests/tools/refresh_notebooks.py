"""Regenerate each chapter's paired .ipynb from its MyST .md source and execute it in place.

Usage: ``python tests/tools/refresh_notebooks.py book/02_landscape.md [...]`` (``make notebooks``
does all of them). The .md is the source of truth; the .ipynb is rebuilt from it (never the other
way round, so no edit is silently reverted) and executed from the ``book/`` folder with a fresh
kernel, without timing metadata, so that the committed outputs are what nbval compares against.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient


def refresh(source: Path) -> float:
    """Rebuild ``source.with_suffix('.ipynb')`` and execute it; return the wall time."""
    notebook = jupytext.read(source)
    notebook.metadata.setdefault("jupytext", {})["formats"] = "ipynb,md:myst"
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                       "name": "python3"}
    start = time.perf_counter()
    NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(source.parent)}}).execute()
    elapsed = time.perf_counter() - start
    notebook.metadata.pop("widgets", None)
    jupytext.write(notebook, source.with_suffix(".ipynb"))
    return elapsed


def main(paths: list[str]) -> None:
    for path in paths:
        source = Path(path)
        if source.suffix != ".md" or source.name in {"intro.md", "references.md"}:
            continue
        print(f"{source}: executed in {refresh(source):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
