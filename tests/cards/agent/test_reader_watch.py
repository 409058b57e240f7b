"""The desk agent when the reader goes away and comes back, through the real chain: a
private pcscd of the test's own (stopped and started again), in a child process, as
the PC/SC client library picks its pcscd once per process."""

import os
import subprocess
import sys
import time

import pytest

from tests.cards.fakes import rs_state
from tests.pcsc import REPO, start_pcsc, stop_pcsc

pytestmark = pytest.mark.pcsc

AGENT_CHILD = """
import sys
from cards.agent import page
from cards.agent.agent import Agent
from cards.reader.i18n import translations

agent = Agent(server_url="http://127.0.0.1:9", credential="-", port=0, reader=sys.argv[1], announce=lambda link: None)
agent.start()
for _ in sys.stdin:
    desk = agent.desk
    problem = desk.reader_problem.say(translations("sv")) if desk.reader_problem else ""
    print(f"{desk.present}|{problem}|{'Kortläsaren går inte att använda' in page.render(desk, '')}", flush=True)
agent.stop()
"""


class Child:
    def __init__(self, reader, env):
        self.process = subprocess.Popen(
            [sys.executable, "-c", AGENT_CHILD, reader],
            cwd=REPO,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    def until(self, wanted, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.process.stdin.write("?\n")
            self.process.stdin.flush()
            present, problem, shown = self.process.stdout.readline().strip().split("|")
            state = (present == "True", problem, shown == "True")
            if wanted(state):
                return state
            time.sleep(0.2)
        raise AssertionError(f"the desk did not get there; last {state}")

    def close(self):
        self.process.communicate("", timeout=20)


def test_a_reader_that_goes_away_is_told_and_the_desk_works_again_when_it_is_back(tmp_path):
    state = tmp_path / "rs.json"
    rs_state().save(state)
    rundir = tmp_path / "run"
    env = start_pcsc(rundir, [("rs", state)])
    reader = (rundir / "cards.tsv").read_text().split("\t")[0]  # "Virtual PCD PORT 00 00"
    port = int(reader.split()[2])
    child = Child(reader, dict(os.environ, **env))
    try:
        child.until(lambda s: s[0])  # the card is seen
        stop_pcsc(rundir)
        present, problem, shown = child.until(lambda s: s[1])
        assert not present and shown
        assert problem in (
            "Kortläsaren kopplades bort. Koppla i den igen (sitter den i: koppla ur den och i igen) och vänta några "
            "sekunder. Hjälper inte det: ring IT-supporten och uppge felkod KS-106.",
            "Datorn får ingen kontakt med kortläsarna. Vänta en liten stund och försök igen, eller koppla ur "
            "kortläsaren och koppla i den igen. Hjälper inte det: ring IT-supporten och uppge felkod KS-101.",
        )
        start_pcsc(rundir, [("rs", state)], port=port)
        assert child.until(lambda s: s[0]) == (True, "", False)  # watching again by itself
    finally:
        stop_pcsc(rundir)
        child.close()
