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


#: How each theme is reached: the system's preference, then the admin's
#: toggle (Django's theme.js reads it from localStorage) against it.
THEMES = {
    "light": ("light", None),
    "dark": ("dark", None),
    "toggle-dark": ("light", "dark"),
    "toggle-light": ("dark", "light"),
}
#: Django's --body-bg in each theme.
BODY = {
    "light": "rgb(255, 255, 255)",
    "dark": "rgb(18, 18, 18)",
    "toggle-dark": "rgb(18, 18, 18)",
    "toggle-light": "rgb(255, 255, 255)",
}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def open_context(chromium: Any, theme: str, viewport: str) -> Any:
    """A browser context in ``theme`` on ``viewport`` that records every request."""
    scheme, toggle = THEMES[theme]
    context = chromium.new_context(
        viewport=VIEWPORTS[viewport], color_scheme=scheme, reduced_motion="reduce"
    )
    if toggle:
        context.add_init_script(f"localStorage.setItem('theme', '{toggle}')")
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.requests = requests
    blocked: list[tuple[str, str]] = []
    context.on("requestfailed", lambda r: blocked.append((r.url, r.failure)))
    context.blocked = blocked
    return context


def strangers(context: Any, origin: str) -> list[str]:
    """Requests to anywhere but ``origin`` that the browser sent out: one its
    Content-Security-Policy stopped never left, and a blob is the page's own."""
    ours = (origin, f"blob:{origin}/")
    stopped = {url for url, failure in context.blocked if failure == "csp"}
    return [u for u in context.requests if not u.startswith(ours) and u not in stopped]


def hex_to_rgb(value: str) -> str:
    """A CSS variable's ``#rgb`` or ``#rrggbb`` as getComputedStyle writes colours."""
    value = value.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"


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


def problems(page: Any, name: str, viewport: str, axe: str) -> list[str]:
    """What is wrong with the page in view, as lines to print."""
    found = []
    low = [c for c in contrasts(page) if c["ratio"] < TEXT_CONTRAST]
    found += [f"{name}: contrast {c}" for c in low]
    found += [f"{name}: axe {v}" for v in axe_violations(page, axe)]
    width = PHONE["width"] if viewport == "phone" else DESKTOP["width"]
    if page_width(page) > width:
        found.append(f"{name}: the page is {page_width(page)} px wide")
    if viewport == "desktop":
        found += [f"{name}: clipped {o}" for o in overflow(page, ".results")]
    return found
