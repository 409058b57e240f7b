import json
import os
import shutil
from pathlib import Path

import pytest
from django.db import connection

from organisation.models import ContactPersonAssignment
from organisation.services import assign_contact_person

from . import pcsc as station_helpers
from .cards.fakes import piv_state, rs_state
from .clock import clock  # noqa: F401  the fixture: a clock the tests can move (tests/clock.py)
from .factories import CardFactory, EmployeeFactory, ForvaltningFactory, UserFactory

# Set by .ci/run: a part the tests need that is missing is a failure there, not a skip.
REQUIRE_SERVICES = os.environ.get("RSPORTAL_REQUIRE_SERVICES") == "1"


@pytest.fixture
def postgresql(transactional_db):
    """For the tests of concurrency, which only PostgreSQL's row locks can prove."""
    if connection.vendor != "postgresql":
        message = "concurrency is proven on PostgreSQL; this run uses " + connection.vendor
        pytest.fail(message) if REQUIRE_SERVICES else pytest.skip(message)


@pytest.fixture
def register(tmp_path, settings):
    """A population register file of the test's own; add people with `register.add`."""
    path = tmp_path / "register.json"
    entries = {}

    class Register:
        def add(self, employee, status="registered", registered_since="2015-01-01", **address):
            entry = {"status": status}
            if status == "registered":
                entry.update(
                    name=employee.full_name,
                    street=address.get("street", "Storgatan 12"),
                    postal_code=address.get("postal_code", "211 34"),
                    town=address.get("town", "MALMÖ"),
                    registered_since=registered_since,
                )
            entries[employee.personnummer] = entry
            path.write_text(json.dumps(entries), encoding="utf-8")
            from organisation.population_register import _read_register_file

            _read_register_file.cache_clear()

    path.write_text("{}", encoding="utf-8")
    settings.POPULATION_REGISTER_FILE = path
    return Register()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's million rounds cost half a second a user, and the tests make hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def puk_store_and_print_house(settings, tmp_path):
    """Each test has a PUK store key and a print-house spool of its own."""
    from cards.puk_store import new_key

    settings.RSPORTAL_PUK_STORE_KEY = new_key()
    settings.RSPORTAL_PRINT_DIR = tmp_path / "print"
    settings.RSPORTAL_PRINT_HOUSE_SECRET = "test-print-house-secret"


@pytest.fixture
def forvaltning(db):
    return ForvaltningFactory(code="sus", name="Skånes universitetssjukvård")


@pytest.fixture
def other_forvaltning(db):
    return ForvaltningFactory(code="primarvard", name="Primärvård Skåne")


@pytest.fixture
def employee(forvaltning, register):
    employee = EmployeeFactory(forvaltning=forvaltning, user__username="anna", user__first_name="Anna")
    register.add(employee)
    return employee


@pytest.fixture
def card(employee):
    return CardFactory(holder=employee)


@pytest.fixture
def contact_person(forvaltning):
    user = UserFactory(username="karin", first_name="Karin", last_name="Kontakt")
    assign_contact_person(user=user, forvaltning=forvaltning)
    return user


@pytest.fixture
def second_contact_person(forvaltning):
    user = UserFactory(username="sara", first_name="Sara", last_name="Svensson")
    assign_contact_person(user=user, forvaltning=forvaltning, role=ContactPersonAssignment.Role.SUBSTITUTE)
    return user


@pytest.fixture
def other_contact_person(other_forvaltning):
    user = UserFactory(username="kalle", first_name="Kalle", last_name="Karlsson")
    assign_contact_person(user=user, forvaltning=other_forvaltning)
    return user


@pytest.fixture
def employee_client(client, employee):
    client.force_login(employee.user)
    return client


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path, register):
    """Start a real worker on the real broker against the test database."""
    from .worker import WorkerProcess, require_broker_and_shared_database, worker_env

    require_broker_and_shared_database()
    worker = WorkerProcess(tmp_path / "worker.log", worker_env(tmp_path)).start()
    worker.mail_dir = tmp_path / "mail"
    yield worker
    worker.stop()


@pytest.fixture
def tasks_in_process():
    """Run Celery tasks in the test's own process, for tests of what a task does (its mail,
    its rows). That the tasks reach a real worker through the broker is proven by the
    tests marked `services`."""
    from rsportal.celery import app

    # The app reads Django's CELERY_-prefixed names first, so the override uses that name.
    previous = app.conf.task_always_eager
    app.conf["CELERY_TASK_ALWAYS_EAGER"] = True
    yield
    app.conf["CELERY_TASK_ALWAYS_EAGER"] = previous


# --- PC/SC: one private pcscd per test session (see tests/pcsc.py) -------------


@pytest.fixture(scope="session")
def pcsc(tmp_path_factory):
    root = tmp_path_factory.mktemp("pcsc")
    rs_state().save(root / "rs.json")
    piv_state().save(root / "piv.json")
    rundir = root / "run"
    env = station_helpers.start_pcsc(rundir, [("rs", root / "rs.json"), ("piv", root / "piv.json")])
    # The PC/SC client library reads this once per process, at its first context:
    # no test before this point may have talked to PC/SC.
    os.environ.update(env)
    slots = {}
    for line in (rundir / "cards.tsv").read_text().splitlines():
        reader, profile, state, control = line.split("\t")
        slots[profile] = station_helpers.Slot(reader, Path(state), Path(control))
    yield slots
    station_helpers.stop_pcsc(rundir)


@pytest.fixture
def rs_slot(pcsc) -> "station_helpers.Slot":
    return pcsc["rs"]


@pytest.fixture
def piv_slot(pcsc) -> "station_helpers.Slot":
    return pcsc["piv"]


CHROMIUM = os.environ.get("RSPORTAL_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (scripts/bootstrap --browser installs Debian's)"
        pytest.fail(message) if REQUIRE_SERVICES else pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the Django calls the tests
    # make between browser steps are ordinary synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
