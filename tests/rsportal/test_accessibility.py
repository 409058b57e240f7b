"""axe-core finds no violation on any page of RS-portal, for any role, in Swedish or in
English.

axe-core comes bundled with the axe-playwright-python package (no CDN: the script is
read from the installed package and evaluated in the page). Every rule axe runs by
default counts (WCAG 2.x A and AA, and axe's best practices). The Django admin's own
pages are not checked: see ADMIN_NOT_CHECKED.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .pages import WALKS, demo_world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

# Not checked: the Django admin (/admin/). Its markup and styles are Django's own, which
# RS-portal does not render; axe finds there what Django's templates have: breadcrumb links
# told from their text by colour only (link-in-text-block), the tabular inlines' date and
# time inputs without a label of their own and the autocomplete widget's unnamed combobox
# (label, aria-input-field-name), an inline's empty header cell (empty-table-header). Its
# users are a handful of IT administrators; what they need beyond the admin's forms (the
# station report) is a page of RS-portal's own, and is checked here.
ADMIN_NOT_CHECKED = "/admin/"

AXE = Axe()


def violations_on(page) -> list[str]:
    results = AXE.run(page).response
    found = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            found.append(f"{violation['id']} ({violation['impact']}): {target}")
    return found


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("role", list(WALKS))
def test_axe_finds_no_violation_on_any_page_the_role_reaches(demo_world, page, role, language):  # noqa: F811
    report = []
    visited = 0
    for name in WALKS[role](page, language):
        assert ADMIN_NOT_CHECKED not in page.url
        visited += 1
        if page.locator("html").get_attribute("lang") != language:
            report.append(f"{name} ({page.url}): the page is not in the language chosen ({language})")
        report += [f"{name} ({page.url}): {violation}" for violation in violations_on(page)]
    assert visited
    assert not report, f"{len(report)} axe violations:\n" + "\n".join(report)
