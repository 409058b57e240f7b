"""What the agent tells the server of its health (cards/agent/health.py), without a server."""

import json

import pytest

from cards.agent import __version__
from cards.agent.health import Health, heartbeat_seconds
from cards.reader.errors import CardError, PcscUnavailable, ReaderGone

READER = "Läsare ÅÄÖ 00 00"


def test_the_header_is_compact_ascii_json_with_the_version_and_no_control_characters():
    health = Health(READER)
    health.card_seen(True)
    health.failed(CardError("6A88\nsecond line"))
    header = health.header()
    report = json.loads(header)
    assert header.isascii() and header == json.dumps(report, separators=(",", ":"))  # compact, no newline
    assert report["version"] == __version__ and report["readers"] == {READER: True} and report["pcscd"] is True
    assert report["error"]["kind"] == "CardError" and report["error"]["detail"] == "6A88 second line"
    assert report["error"]["reference"] == getattr(CardError("x"), "reference", "")
    assert len(header) < 1024


def test_a_fault_is_news_once_and_its_clearing_is_news_again():
    health, news = Health(READER), []
    health.on_news = lambda: news.append(health.report())
    health.card_seen(False)
    assert news == []  # the first sight is not a fault clearing
    for _ in range(3):  # the watcher tries again every second
        health.failed(ReaderGone(READER), fault=True)
    assert len(news) == 1 and news[0]["readers"] == {} and news[0]["error"]["kind"] == "ReaderGone"
    health.failed(PcscUnavailable("no service"), fault=True)
    assert len(news) == 2 and news[1]["pcscd"] is False
    health.card_seen(True)
    assert len(news) == 3 and news[2]["readers"] == {READER: True} and news[2]["pcscd"] is True
    assert news[2]["error"]["kind"] == "PcscUnavailable"  # the last error stays, with its time


def test_the_header_is_made_again_only_when_the_health_changed():
    health = Health(READER)
    health.card_seen(True)
    first = health.header()
    health.card_seen(True)
    assert health.header() is first
    health.card_seen(False)
    assert health.header() is not first


@pytest.mark.parametrize(("raw", "seconds"), [(None, 60.0), ("", 60.0), ("0", 0.0), ("2.5", 2.5)])
def test_the_heartbeat_interval_comes_from_the_environment(monkeypatch, raw, seconds):
    monkeypatch.delenv("RS_AGENT_HEARTBEAT_SECONDS", raising=False)
    if raw is not None:
        monkeypatch.setenv("RS_AGENT_HEARTBEAT_SECONDS", raw)
    assert heartbeat_seconds() == seconds


@pytest.mark.parametrize("raw", ["-1", "soon", "nan"])
def test_a_heartbeat_interval_that_is_no_number_of_seconds_is_refused(raw):
    with pytest.raises(ValueError, match="RS_AGENT_HEARTBEAT_SECONDS"):
        heartbeat_seconds(raw)
