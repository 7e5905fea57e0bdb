"""Author-year labels in the bibliography, matching the author-year citations in the text.

sphinxcontrib-bibtex cites in the text as "Rajaraman et al. (2023)" (``bibtex_reference_style:
author_year``) but labels the bibliography with one of pybtex's styles, alphabetic ("[RDMR23]") by
default. This Sphinx extension registers the pybtex formatting style ``authoryear``: pybtex's plain
style with labels "Rajaraman et al., 2023", so the two agree (``bibtex_default_style: authoryear``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pybtex.database import Entry
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _surname(person: object) -> str:
    return str(Text.from_latex(" ".join(person.prelast_names + person.last_names)))


class AuthorYearLabels(BaseLabelStyle):
    """Labels "A, 2023", "A and B, 2023" or "A et al., 2023" from the authors' surnames."""

    def format_labels(self, sorted_entries: Iterable[Entry]) -> Iterator[str]:
        for entry in sorted_entries:
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            surnames = [_surname(person) for person in people] or [entry.key]
            if len(surnames) == 1:
                who = surnames[0]
            elif len(surnames) == 2:
                who = f"{surnames[0]} and {surnames[1]}"
            else:
                who = f"{surnames[0]} et al."
            yield f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearStyle(PlainStyle):
    """pybtex's plain formatting with :class:`AuthorYearLabels`."""

    default_label_style = AuthorYearLabels


def setup(app: object) -> dict[str, bool]:
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
