"""The built book, read in a real browser (headless Chromium) with the network off.

For every HTML page of the book (``_build/html``, made by ``make book``; ``make test`` builds it
first) the test asserts what a reader needs and a Sphinx build cannot check:

* MathJax typeset the math from the bundled copy: rendered ``mjx-container`` elements are present
  wherever the page has math, and no raw ``\\(`` or ``\\[`` delimiter is left in the visible text;
* every image (figure) loaded, has alt text, and is shown large enough that the smallest text of
  the book's figure style (:data:`lib.plots.style.FONT_SIZE` - 1 points at the PNG's own dpi) is at
  least 9 px tall on the page;
* nothing overflows horizontally at a 1400 px wide window (no code block, output, table or display
  equation wider than its box), and the text column of every page, the API reference's
  signatures and docstring math included, does not scroll sideways at 400 px (the sidebars are
  drawers there), and no text there runs past the window's edge unless it sits in a box that
  scrolls sideways (code, display and inline math);
* no MyST role is left unparsed in the visible text (a ``{glue:text}`` inside ``$...$`` math
  shows as its source);
* no visible text contains the token ``nan`` (how Python prints a NaN: a number that a
  computation failed to produce, or a peer that was not measured, leaking into the page);
* no request left the machine (every non-``file:`` request is refused and recorded).

The browser is Debian's ``chromium`` (``.ci/run`` installs it when missing) or any Chrome/Chromium
on ``PATH``, driven with Playwright. Without a built book or a browser the test is skipped, unless
``BOOK_BROWSER_TEST=required`` (set by ``make test``), in which case that is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from lib.plots.style import FONT_SIZE

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
REQUIRED = os.environ.get("BOOK_BROWSER_TEST") == "required"
SMALLEST_TEXT_PT = FONT_SIZE - 1
MINIMUM_TEXT_PX = 9
# Loading and typesetting a page, the API reference's hundreds of formulas included, took more
# than Playwright's default 30 s on the 2-core reference machine at load average 20.
PAGE_TIMEOUT_MS = 180_000

# Elements whose content must fit their own box at 1400 px: code cells and their outputs,
# tables, and display equations.
OVERFLOW_SELECTORS = "div.highlight pre, div.cell_output pre, table, mjx-container[display='true']"

MEASURE_PAGE = """(selector) => {
  // Text that runs past the right edge of the window and cannot be scrolled to: outside any
  // box that scrolls sideways (overflow-x auto or scroll), or inside one that clips it (the
  // theme's span.math has overflow hidden). MathJax's assistive MathML is hidden by design.
  const cutOff = () => {
    const cut = new Set();
    for (const el of document.querySelectorAll('article *')) {
      if (el.children.length || el.closest('mjx-assistive-mml')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= window.innerWidth + 1) continue;
      let holder = el.parentElement;
      while (holder && getComputedStyle(holder).overflowX === 'visible') {
        holder = holder.parentElement;
      }
      const overflow = holder ? getComputedStyle(holder).overflowX : 'visible';
      if (overflow !== 'auto' && overflow !== 'scroll') {
        cut.add(`${(holder || el).tagName.toLowerCase()} (${overflow}): `
                + (holder || el).textContent.trim().slice(0, 60));
      }
    }
    return [...cut];
  };
  const visible = (el) => el.getClientRects().length > 0;
  const wide = [...document.querySelectorAll(selector)].filter(visible)
    .filter((el) => el.scrollWidth > el.clientWidth + 1)
    .map((el) => `${el.tagName.toLowerCase()} (${el.scrollWidth} > ${el.clientWidth} px): `
                 + el.textContent.trim().slice(0, 60));
  const text = document.body.innerText;
  return {
    rawRoles: [...text.matchAll(/\\{[a-z]+(?::[a-z]+)?\\}`|\\bglue:(?:text|md|any|math)\\b/g)]
      .map((match) => text.slice(Math.max(0, match.index - 30), match.index + 30)),
    nan: [...text.matchAll(/\\bnan\\b/g)].map(
      (match) => text.slice(Math.max(0, match.index - 50), match.index + 20)),
    math: document.querySelectorAll('mjx-container').length,
    rawMath: text.includes('\\\\(') || text.includes('\\\\['),
    images: [...document.images].map((img) => ({src: img.getAttribute('src'),
                                                 ok: img.complete && img.naturalWidth > 0,
                                                 alt: img.alt,
                                                 scale: img.clientWidth / img.naturalWidth})),
    wide: wide,
    pageWidth: document.documentElement.scrollWidth,
    articleWidth: (document.querySelector('article') || document.body).scrollWidth,
    cut: cutOff(),
  };
}"""


def _skip_or_fail(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


def _browser_path() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def _pages() -> list[Path]:
    if not (HTML / "index.html").is_file():
        return []
    return sorted(path for path in HTML.rglob("*.html")
                  if not {"_static", "_sources", "_images", "_downloads"} & set(path.parts)
                  and path.name not in {"genindex.html", "search.html", "py-modindex.html"}
                  and 'http-equiv="Refresh"' not in path.read_text(encoding="utf-8"))


def _smallest_text_px(page: Path, src: str, scale: float) -> float:
    """Height on the page of the figure style's smallest text, from the PNG's dpi and scale."""
    with Image.open((page.parent / src).resolve()) as png:
        dpi = png.info.get("dpi", (72, 72))[0]
    return SMALLEST_TEXT_PT * dpi / 72 * scale


def _page_has_math(page: Path) -> bool:
    html = page.read_text(encoding="utf-8")
    return 'class="math notranslate' in html


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not _pages():
        _skip_or_fail(f"no built book in {HTML}: run `make book` first")
    executable = _browser_path()
    if executable is None:
        _skip_or_fail(f"no Chromium or Chrome on PATH (looked for {', '.join(BROWSERS)})")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield launched
        launched.close()


def _read(browser: object, page_path: Path, width: int) -> tuple[dict, list[str]]:
    """Open ``page_path`` at the given window width with the network refused; measure it."""
    refused: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": 900})

    def route(request_route: object) -> None:
        url = request_route.request.url
        if url.startswith("file:") or url.startswith("data:"):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(page_path.as_uri(), wait_until="load")
    page.wait_for_function("() => !window.MathJax || !MathJax.startup"
                           " || MathJax.startup.promise.then(() => true)")
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    measured = page.evaluate(MEASURE_PAGE, OVERFLOW_SELECTORS)
    context.close()
    return measured, refused


def test_there_are_pages() -> None:
    if not _pages():
        _skip_or_fail(f"no built book in {HTML}: run `make book` first")
    assert len(_pages()) >= 8


@pytest.mark.parametrize("name", [str(page.relative_to(HTML)) for page in _pages()] or ["none"])
def test_page_in_browser(browser: object, name: str) -> None:
    page_path = HTML / name
    measured, refused = _read(browser, page_path, 1400)
    assert not refused, f"{name} requested the network: {refused[:5]}"
    if _page_has_math(page_path):
        assert measured["math"] > 0, f"{name}: MathJax typeset no math"
    assert not measured["rawMath"], f"{name}: raw \\( or \\[ left in the visible text"
    broken = [image["src"] for image in measured["images"] if not image["ok"]]
    assert not broken, f"{name}: images that did not load: {broken}"
    nameless = [image["src"] for image in measured["images"]
                if not image["alt"] or image["alt"].endswith(".png")]
    assert not nameless, f"{name}: images without alt text saying what they show: {nameless}"
    for image in measured["images"]:
        text_px = _smallest_text_px(page_path, image["src"], image["scale"])
        assert text_px >= MINIMUM_TEXT_PX, (
            f"{name}: {image['src']} is shown so small that its smallest text is {text_px:.1f} px")
    assert not measured["wide"], f"{name}: overflows at 1400 px:\n" + "\n".join(measured["wide"])
    assert measured["pageWidth"] <= 1400
    assert not measured["nan"], f"{name}: 'nan' in the visible text: {measured['nan']}"
    assert not measured["rawRoles"], (
        f"{name}: MyST roles left unparsed in the visible text: {measured['rawRoles']}")

    narrow, _ = _read(browser, page_path, 400)
    assert narrow["articleWidth"] <= 400 and narrow["pageWidth"] <= 400, (
        f"{name}: the page scrolls sideways at 400 px ({narrow['articleWidth']} px wide)")
    assert not narrow["cut"], (
        f"{name}: text cut off at the right edge at 400 px:\n" + "\n".join(narrow["cut"]))
