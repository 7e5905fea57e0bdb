"""Resolve ``lib.X`` in docstrings to the page of the module that defines ``X``.

lib's docstrings refer to the public names as users call them (``lib.Objective``,
``lib.make_problem``), while the API page documents each object where it is defined
(``lib.objective.Objective``). On a missing Python reference to ``lib.X`` (or ``lib.X.attr``), this
Sphinx extension looks up ``X`` in the ``lib`` package and retries with the defining module.
"""

from __future__ import annotations

import importlib

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def resolve_alias(app: Sphinx, env: BuildEnvironment, node: pending_xref,
                  contnode: nodes.Element) -> nodes.Element | None:
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("lib."):
        return None
    name, _, rest = target.removeprefix("lib.").partition(".")
    defined = getattr(importlib.import_module("lib"), name, None)
    module = getattr(defined, "__module__", None)
    if module is None or module == "lib":
        return None
    full = ".".join(part for part in (module, name, rest) if part)
    domain = env.get_domain("py")
    return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], full, node,
                               contnode)


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("missing-reference", resolve_alias)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
