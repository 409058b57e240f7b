"""The desk agent reports its health to a live RS-portal: by its heartbeat, at once when a
fault happens, and on its ordinary calls (the header) with the heartbeat off. The real
chain: the agent's urllib to the live server, a private pcscd, vpcd, the virtual card."""

import time

import pytest

from cards.agent import __version__
from cards.agent.agent import Agent
from cards.reader.errors import CardBusy, ReaderGone
from desk.models import Station, StationFault
from tests.cards.fakes import rs_state

from .conftest import make_operator, make_station

pytestmark = pytest.mark.pcsc


def until(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("not reached in time")


@pytest.fixture
def start_agent(live_server, rs_slot, transactional_db):
    rs_slot.put(rs_state())
    started = []

    def start(heartbeat):
        station = make_station("Kortstation Lund")
        make_operator("olle", station)
        agent = Agent(
            server_url=live_server.url,
            credential=station.credential,
            port=0,
            reader=rs_slot.reader,
            announce=lambda link: None,
            heartbeat=heartbeat,
        )
        agent.start()
        started.append(agent)
        return agent, station

    yield start
    for agent in started:
        agent.stop()


def seen(station):
    return Station.objects.get(pk=station.pk)


def test_the_agent_sends_its_heartbeat_with_its_readers_and_version(start_agent, rs_slot):
    agent, station = start_agent(heartbeat=0.5)
    row = until(lambda: (s := seen(station)).readers.get(rs_slot.reader) is True and s)
    assert row.agent_version == __version__ and row.pcscd_answers is True and row.reader == rs_slot.reader
    first = row.last_seen_at
    Station.objects.filter(pk=station.pk).update(last_seen_at=first.replace(year=2020))  # long ago
    until(lambda: seen(station).last_seen_at > first)  # the next beat, on its own
    # The server may have the beat before the agent's thread has counted it.
    until(lambda: agent.heartbeat.sent >= 2, timeout=2)


def test_a_fault_is_sent_at_once_not_at_the_next_beat(start_agent, rs_slot):
    agent, station = start_agent(heartbeat=600)
    until(lambda: agent.heartbeat.sent >= 1)
    agent.desk.reader_lost(ReaderGone(rs_slot.reader))  # what the card watcher calls
    fault = until(lambda: StationFault.objects.filter(station=station).first(), timeout=5)
    assert (fault.kind, fault.detail) == ("ReaderGone", rs_slot.reader)
    assert fault.reference == getattr(ReaderGone(""), "reference", "")
    assert seen(station).last_error_kind == "ReaderGone"


def test_with_the_heartbeat_off_the_health_rides_on_the_agents_calls(start_agent, rs_slot):
    agent, station = start_agent(heartbeat=0)
    time.sleep(0.3)
    assert seen(station).last_seen_at is None and agent.heartbeat.sent == 0  # no request of its own
    agent.desk.log_in("olle", "test-password-123")
    assert agent.desk.operator is not None
    row = seen(station)
    assert row.agent_version == __version__ and row.readers.get(rs_slot.reader) is True


def test_the_heartbeat_never_waits_for_the_desks_lock(start_agent):
    agent, station = start_agent(heartbeat=600)
    until(lambda: agent.heartbeat.sent >= 1)
    with agent.desk.lock:  # an operator's act in progress
        agent.health.failed(CardBusy("another program holds the card"))
        until(lambda: agent.heartbeat.sent >= 2, timeout=5)
        assert StationFault.objects.filter(station=station, kind="CardBusy").exists()
