"""Collecting what goes wrong on a page in the browser: Content-Security-Policy violations (as
console messages and as events) and JavaScript errors, across navigations."""

from __future__ import annotations

# Added before any script of the page runs; injected through the DevTools protocol, so the
# policy does not block it.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__csp.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline")
                    + " at " + event.sourceFile + ":" + event.lineNumber);
}, true);
"""


class PageProblems:
    """CSP violations and JavaScript errors of one Playwright page."""

    def __init__(self, page) -> None:
        self.page = page
        self.found: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"JS error: {error}"))

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(f"console: {message.text}")
        elif message.type == "error":
            self.found.append(f"console error: {message.text}")

    def violations(self) -> list[str]:
        events = self.page.evaluate("window.__csp || []")
        return [*self.found, *(f"event: {event}" for event in events)]

    def assert_clean(self, where: str = "") -> None:
        found = self.violations()
        assert found == [], f"{where}: " + "\n".join(found)
