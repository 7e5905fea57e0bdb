"""Offer each chapter's executed notebook (``book/NN_name.ipynb``) in the page's download menu.

The book is built from the chapters' MyST sources, so the theme's download menu would offer only
the ``.md``. For every page whose source has a paired ``.ipynb`` beside it, this Sphinx extension
sets the ``ipynb_source`` that sphinx-book-theme turns into an ".ipynb" entry of that menu, and
copies the notebook, with its stored outputs, to ``_sources/`` where the entry points. (A book
built from the notebooks, ``make validated-book``, offers them as the pages' own sources.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx


def _notebook(app: Sphinx, pagename: str) -> Path | None:
    path = Path(app.srcdir) / f"{pagename}.ipynb"
    return path if path.is_file() else None


def add_notebook_source(app: Sphinx, pagename: str, templatename: str, context: dict,
                        doctree: object) -> None:
    # A page built from the notebook itself (`make validated-book`) offers it as its source.
    if context.get("page_source_suffix") != ".ipynb" and _notebook(app, pagename) is not None:
        context["ipynb_source"] = f"{pagename}.ipynb"


def copy_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for pagename in app.env.found_docs:
        notebook = _notebook(app, pagename)
        if notebook is not None:
            target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(notebook, target)


def setup(app: Sphinx) -> dict[str, bool]:
    # Before sphinx-book-theme builds the header buttons (default priority 500).
    app.connect("html-page-context", add_notebook_source, priority=400)
    app.connect("build-finished", copy_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
