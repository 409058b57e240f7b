"""Under the Content-Security-Policy, in Chromium: the queue's htmx filters still update the
results in place, and the browser reports no violation of the policy (nor any other
console error) on any page a role reaches.

A violation is caught twice: the console's message ("Refused to … because it violates the
following Content Security Policy directive …") and the page's `securitypolicyviolation`
event, recorded by a script Playwright adds to every document (the policy does not cover
it: it comes through the DevTools protocol, not the page).
"""

import pytest
from playwright.sync_api import expect

from .pages import WALKS, demo_world, log_in  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

NOT_FOUND = "Failed to load resource: the server responded with a status of 404"

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`);
});
"""


class Watch:
    """What the browser reported on the page: console errors and the policy's violations."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def problems(self, where: str) -> list[str]:
        violations = self.page.evaluate("window.__cspViolations || []")
        found = [f"{where}: console: {text}" for text in self.errors]
        found += [f"{where}: violation: {text}" for text in violations]
        self.errors.clear()
        self.page.evaluate("window.__cspViolations = []")
        return found


def test_the_queue_filters_update_the_results_in_place_under_the_policy(demo_world, page):  # noqa: F811
    watch = Watch(page)
    log_in(page, "karin", start="/att-hantera/")
    response = page.goto("/att-hantera/")
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, policy
    # Waited for with Playwright's assertions: wait_for_function evaluates a string, which the
    # policy refuses ('unsafe-eval') as it would any script of the page's.
    assert page.evaluate("typeof window.htmx") == "object"
    results = page.locator("#results")
    assert "Ivar" not in results.inner_text()  # his order was rejected: not among those to handle

    page.evaluate("document.body.dataset.loadedOnce = 'yes'")  # gone if the page were loaded anew
    with page.expect_response(lambda r: "/att-hantera/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("select[name=state]").select_option("all")
    expect(results).to_contain_text("Ivar")
    assert "state=all" in page.url  # hx-push-url
    assert page.evaluate("document.body.dataset.loadedOnce") == "yes"  # updated in place

    with page.expect_response(lambda r: "q=Ivar" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("input[name=q]").fill("Ivar")  # typed: the input trigger, after its delay
    expect(results).not_to_contain_text("Erik")
    expect(results).to_contain_text("Ivar")
    assert page.evaluate("document.body.dataset.loadedOnce") == "yes"

    assert not watch.problems("queue")
    # htmx's own indicator style would be the first thing the policy refuses.
    assert page.evaluate("document.querySelectorAll('style').length") == 0


@pytest.mark.parametrize("role", list(WALKS))
def test_no_page_a_role_reaches_breaks_the_policy(demo_world, page, role):  # noqa: F811
    watch = Watch(page)
    problems: list[str] = []
    visited = 0
    for name in WALKS[role](page, "sv"):
        visited += 1
        # Chromium logs a 404 page's own status as a failed resource: that page is meant.
        problems += [p for p in watch.problems(f"{name} ({page.url})") if NOT_FOUND not in p]
    assert visited
    assert not problems, "\n".join(problems)


def test_the_django_admin_breaks_no_policy(demo_world, page):  # noqa: F811
    """The admin is Django's own markup and scripts, none of them inline: its index, a list,
    a change form and add forms with their widgets."""
    from orders.models import PukOrder

    watch = Watch(page)
    log_in(page, "admin", start="/admin/")
    problems: list[str] = []
    order = PukOrder.objects.first()
    for url in [
        "/admin/",
        "/admin/orders/pukorder/",
        f"/admin/orders/pukorder/{order.pk}/change/",
        "/admin/organisation/forvaltning/add/",
        "/admin/station/station/add/",
    ]:
        response = page.goto(url)
        assert response.status == 200, url
        problems += watch.problems(url)
    assert not problems, "\n".join(problems)
