"""Load MathJax on every page, not only on pages whose body has math.

The sidebar lists every chapter title, and some titles have math ("exactly $r$ columns
survive"); on a page without math in its body Sphinx would not load MathJax, and the sidebar
would show the raw ``\\(r\\)``. The asset policy "always" includes MathJax everywhere.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, bool]:
    app.set_html_assets_policy("always")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
