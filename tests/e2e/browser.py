"""Debian's chromium under Playwright, and what the browser tests measure in a page.

Playwright never downloads a browser here: it drives /usr/bin/chromium
(``make browser`` installs it). axe-core's script comes from a PyPI package
that bundles it, read from disk and injected: no page of the suite loads
anything from another site.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import Any

from tests.e2e.server import ROOT

#: Installed by ``make browser``.
CHROMIUM = Path(os.environ.get("DOCKERFLOW_TEST_CHROMIUM", "/usr/bin/chromium"))
#: Flags for a headless chromium that phones nobody: no sync, no updates,
#: no first-run tasks, no background requests of its own.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Where the screenshots are kept after the run, for people and CI to look at.
ARTIFACTS = Path(
    os.environ.get("DOCKERFLOW_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts")
)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: WCAG 2's AA ratio for text.
TEXT_CONTRAST = 4.5
#: The axe impacts that fail a page.
SERIOUS = ("serious", "critical")


def axe_script() -> str:
    """axe-core as axe-playwright-python ships it (pinned in the test extra)."""
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Any, script: str) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now."""
    page.add_script_tag(content=script)
    results = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


# Every visible text node's colour against the background it is drawn on:
# the backgrounds of its ancestors, composited from the root down, so a
# translucent colour counts as the colour the eye sees.
CONTRAST_JS = """
() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => top.map((v, i) => i < 3
    ? v * top[3] + bottom[i] * (1 - top[3]) : 1);
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92
      : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const backdrop = (el) => {
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.unshift(e);
    let colour = [255, 255, 255, 1];
    for (const e of chain) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg && bg[3] > 0) colour = over(bg, colour);
    }
    return colour;
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('script, style, template, noscript')) continue;
    const style = getComputedStyle(el);
    const rects = Array.from(el.getClientRects());
    if (style.visibility !== 'visible' || Number(style.opacity) === 0) continue;
    // Hidden, or visually hidden for screen readers only (a 1px box).
    if (!rects.some((r) => r.width > 1 && r.height > 1)) continue;
    if (style.clipPath && style.clipPath.startsWith('inset(50%')) continue;
    const bg = backdrop(el);
    const fg = over(parse(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    found.push({
      text: text.slice(0, 40),
      ratio: Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100,
      where: el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''),
    });
  }
  return found;
}
"""


def contrasts(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(CONTRAST_JS)  # type: ignore[no-any-return]


def overflow(page: Any, selector: str) -> list[dict[str, Any]]:
    """Each element matching ``selector`` that is wider than its box shows."""
    return page.evaluate(  # type: ignore[no-any-return]
        """(selector) => Array.from(document.querySelectorAll(selector))
          .filter((e) => e.scrollWidth > e.clientWidth + 1)
          .map((e) => ({selector, scroll: e.scrollWidth, client: e.clientWidth}))""",
        selector,
    )


def page_width(page: Any) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")  # type: ignore[no-any-return]
