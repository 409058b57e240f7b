"""The stations' health page in Chromium: the station rows and the silent flag are on the
screen, and a screenshot of the list is kept (var/screenshots/station-health.png)."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from desk.models import Station, StationFault
from tests.factories import PASSWORD, UserFactory

from .conftest import make_station

pytestmark = pytest.mark.browser

SCREENSHOT = Path(settings.BASE_DIR) / "var" / "screenshots" / "station-health.png"
READER = "Virtual PCD 00 00"


@pytest.fixture
def stations(transactional_db):
    now = timezone.now()
    heard = make_station("Kortstation Lund, Universitetssjukhuset")
    quiet = make_station("Kortstation Malmö")
    Station.objects.filter(pk=heard.pk).update(
        last_seen_at=now - timedelta(seconds=20),
        agent_version="0.1.0",
        reader=READER,
        readers={READER: True, "Virtual PCD 00 01": False},
        pcscd_answers=True,
    )
    Station.objects.filter(pk=quiet.pk).update(last_seen_at=now - timedelta(hours=2), agent_version="0.1.0")
    StationFault.objects.create(
        station=heard, occurred_at=now - timedelta(minutes=5), kind="ReaderGone", reference="KS-103", detail=READER
    )
    return heard, quiet


def test_the_health_page_shows_each_station_and_flags_the_silent_one(page, stations):
    heard, quiet = stations
    UserFactory(username="it", is_staff=True)
    page.goto("/logga-in/?next=/kortstationer/halsa/")
    page.locator("#id_username").fill("it")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_role("heading", name="Kortstationernas hälsa").wait_for()

    heard_row, quiet_row = page.locator(f"#station-{heard.pk}"), page.locator(f"#station-{quiet.pk}")
    expect(heard_row).to_be_visible()
    expect(heard_row).to_contain_text(f"{READER} (används): kort i läsaren")
    expect(heard_row).to_contain_text("KS-103")
    expect(heard_row.locator(".silent-flag")).to_have_count(0)
    expect(quiet_row.locator(".silent-flag")).to_be_visible()
    expect(quiet_row.locator(".silent-flag")).to_have_text("Tyst")

    table = page.locator("table.station-health")
    box = table.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 80
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    shot = table.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 2_000 and shot[:8] == b"\x89PNG\r\n\x1a\n"
    assert time.time() - SCREENSHOT.stat().st_mtime < 60
    # The navigation leads there: the report's sub-navigation links the page.
    page.goto("/kortstationer/rapport/")
    page.get_by_role("link", name="Stationernas hälsa").click()
    page.get_by_role("heading", name="Kortstationernas hälsa").wait_for()
