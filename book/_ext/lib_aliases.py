"""Resolve ``lib.X`` in docstrings to the page of the module that defines ``X``.

lib's docstrings refer to public names as users reach them (``lib.Objective``,
``lib.SENSING_KINDS``, ``lib.sweep.TASKS``), while the API page documents each object in the
module that defines it (``lib.objective.Objective``, ``lib.registry.SENSING_KINDS``,
``lib.sweep.tasks.TASKS``). On a missing Python reference to such a name, this Sphinx extension
finds the modules of lib that hold the same object under that name and retries with each.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def _candidates(target: str) -> Iterator[str]:
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        name, rest = parts[cut], parts[cut + 1:]
        found = getattr(module, name, None)
        if found is None:
            return
        for holder_name, holder in sorted(sys.modules.items()):
            if (holder_name.startswith("lib.") and holder is not module
                    and getattr(holder, name, None) is found):
                yield ".".join([holder_name, name, *rest])
        return


def resolve_alias(app: Sphinx, env: BuildEnvironment, node: pending_xref,
                  contnode: nodes.Element) -> nodes.Element | None:
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("lib."):
        return None
    domain = env.get_domain("py")
    for candidate in _candidates(target):
        resolved = domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"],
                                       candidate, node, contnode)
        if resolved is not None:
            return resolved
    return None


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("missing-reference", resolve_alias)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
