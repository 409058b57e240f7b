"""On a phone (390 × 844 CSS pixels) every page fits the screen's width: nothing scrolls
sideways, and the queue's rows, stacked, still show each order's status."""

import pytest

from .pages import WALKS, demo_world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def overflow(page) -> str:
    """How far the page is wider than the screen, and the elements that stick out."""
    return page.evaluate(
        """(screen) => {
          const width = document.documentElement.scrollWidth;
          if (width <= screen) return "";
          const out = [...document.querySelectorAll("body *")]
            .filter((e) => e.getBoundingClientRect().right > screen + 0.5)
            .slice(0, 5)
            .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")
                        + " (right edge " + Math.round(e.getBoundingClientRect().right) + ")");
          return width + " px wide: " + out.join(", ");
        }""",
        PHONE["width"],
    )


def statuses_off_screen(page) -> list[str]:
    """The status of each order listed (.state) that is not wholly on the screen."""
    return page.evaluate(
        """(screen) => [...document.querySelectorAll(".state")]
          .filter((e) => { const r = e.getBoundingClientRect();
                           return r.width === 0 || r.left < 0 || r.right > screen; })
          .map((e) => e.textContent.trim())""",
        PHONE["width"],
    )


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("role", list(WALKS))
def test_every_page_fits_a_phones_width_with_the_status_in_view(demo_world, phone, role, language):  # noqa: F811
    problems = []
    for name in WALKS[role](phone, language):
        if wide := overflow(phone):
            problems.append(f"{name} ({phone.url}): {wide}")
        if hidden := statuses_off_screen(phone):
            problems.append(f"{name} ({phone.url}): status not in view: {', '.join(hidden)}")
    assert not problems, "\n".join(problems)


def test_the_queue_on_a_phone_shows_each_orders_status_under_its_heading(demo_world, phone):  # noqa: F811
    walk = WALKS["contact person"](phone, "sv")
    assert next(walk) == "queue (home)"
    phone.goto("/att-hantera/?state=all")
    rows = phone.locator("#results tbody tr")
    assert rows.count() >= 3
    for row in rows.all():
        status = row.locator("td[data-label='Status']")
        assert status.locator(".state").is_visible()
        box = status.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
