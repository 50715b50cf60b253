"""What every page a browser journey opens must pass, checked without the test asking.

- No Content-Security-Policy violation: a `securitypolicyviolation` listener records each
  one (enforced or report-only), and so does any console error about a policy.
- No serious or critical accessibility problem: axe-core (shipped inside
  axe-playwright-python) runs the WCAG 2.0/2.1 A and AA rules when each page has loaded and
  again after each HTMX swap has settled.

Both live in an init script: Playwright evaluates it through the DevTools protocol in every
new document before the page's own scripts, and the page's CSP does not apply to it (so axe
needs no relaxed policy, and the policy under test is the real one). Results come back
through a binding.

A journey goes fast: so that each page is checked as the test left it, navigations and HTMX
requests are held until the page's axe run has reported. The page tells when it is busy
(through the binding too): nothing can be evaluated in a page while one of its navigations
is held (Chromium's DevTools defers those messages until the navigation commits).
"""

import json
import time
from dataclasses import dataclass, field

from axe_playwright_python.base import AXE_SCRIPT

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
AXE_WAIT_SECONDS = 15.0
HELD_REQUESTS = {"document", "xhr", "fetch"}
# Playwright's screenshots hide the caret through each input's style and leave an empty
# `style=""` behind; HTMX copies it when it settles a swapped form, which the CSP refuses.
# An empty style attribute sets nothing: such reports (and their console error, which
# names the hash of the empty string) are not the pages' doing.
EMPTY_STYLE = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
CONSOLE_POLICY_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")

WATCH_SCRIPT = """
(() => {
  const report = (kind, payload) => { window.__solimobReport(kind, payload); };
  document.addEventListener("securitypolicyviolation", (event) => {
    if (event.effectiveDirective === "style-src-attr" && event.target instanceof Element
        && !(event.target.getAttribute("style") || "").trim()) {
      return;  // an empty style attribute, see EMPTY_STYLE
    }
    report("csp", {
      page: document.location.href,
      directive: event.effectiveDirective || event.violatedDirective,
      blocked: event.blockedURI,
      disposition: event.disposition,
      where: event.sourceFile ? `${event.sourceFile}:${event.lineNumber}` : "",
      sample: event.sample,
      element: event.target instanceof Element ? event.target.outerHTML.slice(0, 120) : "",
    });
  }, true);
})();
if (window.top === window && /^https?:$/.test(location.protocol)
    && document.contentType === "text/html") {
  /* AXE */
  (() => {
    // Fire and forget: Playwright answers a binding by evaluating in the page, which waits
    // while a navigation is held, so nothing here waits for that answer.
    const report = (kind, payload) => { window.__solimobReport(kind, payload); };
    const options = {runOnly: {type: "tag", values: /* TAGS */}, resultTypes: ["violations"]};
    const doc = `${Date.now()}-${Math.random()}`;
    const state = {started: false, swapping: false, pending: 1, queue: Promise.resolve()};
    const busy = (value) => report("busy", {doc, busy: value, page: document.location.href});
    busy(true);  // until the first run has reported
    const done = () => { state.pending -= 1; if (state.pending === 0) busy(false); };
    const run = () => {
      state.started = true;
      state.queue = state.queue
        .then(() => axe.run(document, options))
        .then((results) => report("axe", {
          page: document.location.href,
          violations: results.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map((node) => node.target.join(" ")),
          })),
        }))
        .catch((error) => report("axe-error", {page: document.location.href, error: String(error)}))
        .finally(done);
    };
    window.addEventListener("load", () => { if (!state.started) run(); });
    // A page left before its load event (a link followed at once) is checked as it is.
    if (window.navigation) {
      navigation.addEventListener("navigate", () => { if (!state.started) run(); });
    }
    // An HTMX swap is checked once settled; busy from the swap on, so that nothing the
    // test does next changes the page under axe.
    document.addEventListener("htmx:beforeSwap", (event) => {
      if (event.detail.shouldSwap && !state.swapping) {
        state.swapping = true;
        state.pending += 1;
        if (state.pending === 1) busy(true);
      }
    });
    document.addEventListener("htmx:afterSettle", () => {
      if (state.swapping) { state.swapping = false; run(); }  // once for all its targets
    });
  })();
}
""".replace("/* AXE */", AXE_SCRIPT).replace("/* TAGS */", json.dumps(AXE_TAGS))


@dataclass
class PageChecks:
    """Problems seen in one browser context, reported at the test's teardown."""

    policy: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)
    checked_pages: list[str] = field(default_factory=list)
    axe_busy: bool = False  # the current page's axe run has not reported yet
    document: str = ""  # the current page's
    trace: list[str] = field(default_factory=list)  # the last reports, to explain a wait

    def install(self, context, page) -> None:
        context.expose_binding("__solimobReport", self._on_report)
        context.add_init_script(script=WATCH_SCRIPT)
        page.on("console", self._on_console)
        page.route(lambda url: True, lambda route: self._hold(page, route))

    def _on_report(self, source, kind: str, payload) -> None:
        self.trace = [*self.trace[-9:], f"{kind} {str(payload)[:160]}"]
        if kind == "busy":
            if payload["doc"] != self.document and payload["busy"]:
                self.document = payload["doc"]  # a new page
            if payload["doc"] == self.document:
                self.axe_busy = payload["busy"]
        elif kind == "csp":
            self.policy.append(
                "{disposition} violation of {directive} on {page}: blocked {blocked!r} "
                "{where} {sample} {element}".format(**payload).rstrip()
            )
        elif kind == "axe":
            self.checked_pages.append(payload["page"])
            for violation in payload["violations"]:
                if violation["impact"] in BLOCKING_IMPACTS:
                    self.accessibility.append(
                        f"{violation['impact']} {violation['id']} on {payload['page']}: "
                        f"{violation['help']} — {', '.join(violation['targets'])}"
                    )
        elif kind == "axe-error":
            self.accessibility.append(f"axe could not run on {payload['page']}: {payload['error']}")

    def _on_console(self, message) -> None:
        if message.type != "error" or EMPTY_STYLE in message.text:
            return
        if any(word in message.text for word in CONSOLE_POLICY_WORDS):
            self.policy.append(f"console error on {message.page.url}: {message.text}")

    def _hold(self, page, route) -> None:
        """Let the page's axe run finish before the page is left or changed by HTMX."""
        request = route.request
        if request.resource_type in HELD_REQUESTS and request.frame == page.main_frame:
            self.wait_for_axe(page)
        route.fallback()

    def wait_for_axe(self, page) -> None:
        """Wait, pumping Playwright's events (page.evaluate would wait for a navigation held
        here), until the page's axe run has reported."""
        deadline = time.monotonic() + AXE_WAIT_SECONDS
        while self.axe_busy and not page.is_closed():
            if time.monotonic() > deadline:
                self.accessibility.append(
                    f"axe did not finish on {page.url} in time; last reports: {self.trace}"
                )
                self.axe_busy = False
                return
            page.wait_for_timeout(20)

    def problems(self) -> list[str]:
        return self.policy + self.accessibility


# --- Reflow and visible focus (RGAA 10.7, 10.11) ---------------------------------------------
# Checked where a journey asks (`check_page`): they resize the page and move the focus.

REFLOW_WIDTHS = (320, 640)  # a phone; 1280 px at 200 % zoom
FOCUS_STYLE = """(element) => {
  const look = (el) => {
    const s = getComputedStyle(el);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
            s.borderColor, s.color, s.textDecorationLine].join("|");
  };
  const parts = [element, element.closest("label"), element.parentElement].filter(Boolean);
  return parts.map(look).join("#");
}"""
FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), "
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])"
)


def sideways_overflow(page, widths=REFLOW_WIDTHS) -> list[str]:
    """Where the page scrolls sideways at each width (a data table's own scroll region
    does not count: it scrolls inside the page)."""
    # Measured once the page's styles and scripts are in (a phone's menu closed, the widgets
    # enhanced): a heading can show while a loaded machine is still running them.
    page.wait_for_load_state("load")
    original = dict(page.viewport_size)
    problems = []
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": original["height"]})
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                culprits = page.evaluate(
                    """(width) => [...document.querySelectorAll('body *')]
                      .filter((el) => el.getBoundingClientRect().right > width + 1
                              && !el.closest('.table-scroll, [data-scroll-region]'))
                      .slice(0, 3).map((el) => el.outerHTML.slice(0, 100))""",
                    width,
                )
                problems.append(
                    f"{page.url} scrolls sideways by {overflow}px at {width}px: {culprits}"
                )
    finally:
        page.set_viewport_size(original)
    return problems


def unfocused_tab_stops(page, limit: int = 80) -> list[str]:
    """Tab through the page from its start: each Tab stop must look different focused
    (an outline, a shadow, colours) from how it looks unfocused."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate(
        f"""() => {{
          const look = {FOCUS_STYLE};
          window.__solimobUnfocused = new Map();
          document.querySelectorAll({FOCUSABLE!r})
            .forEach((el) => window.__solimobUnfocused.set(el, look(el)));
        }}"""
    )
    page.evaluate("() => window.scrollTo(0, 0)")
    problems, seen = [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        result = page.evaluate(
            f"""() => {{
              const el = document.activeElement;
              if (!el || el === document.body) return null;
              const before = window.__solimobUnfocused.get(el);
              const now = ({FOCUS_STYLE})(el);
              return {{key: el.outerHTML.slice(0, 90),
                       same: before !== undefined && before === now}};
            }}"""
        )
        if result is None or result["key"] in seen:
            break
        seen.add(result["key"])
        if result["same"]:
            problems.append(f"no visible focus on {page.url}: {result['key']}")
    return problems


def check_page(page, *, focus: bool = True) -> None:
    """No sideways scroll at 320 and 640 px; every Tab stop visibly focused."""
    problems = sideways_overflow(page)
    if focus:
        problems += unfocused_tab_stops(page)
    assert not problems, "\n".join(problems)


def main_nav(page):
    """The main navigation, its « Menu » opened first where a phone folds it."""
    # solimob.js (deferred: run by DOMContentLoaded) closes the menu on a phone: check it after.
    page.wait_for_load_state("domcontentloaded")
    menu = page.locator("details.nav-menu")
    if menu.count() and not menu.evaluate("menu => menu.open"):
        menu.locator("summary").click()
    return page.get_by_role("navigation", name="Navigation principale")
