"""The demo's virtual cards (var/cards/*.json) carry their PUK and PINs in clear: the
folder and the files are the service user's alone, also where an earlier release left
them readable by every local user."""

import io
import os
import stat

import pytest
from django.core.management import call_command

from demo.management.commands import seed_demo


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.django_db
def test_seed_demo_keeps_the_virtual_cards_folder_and_files_private(tmp_path, monkeypatch, settings):
    settings.POPULATION_REGISTER_FILE = settings.BASE_DIR / "demo" / "population_register.json"
    cards = tmp_path / "cards"
    cards.mkdir(mode=0o755)
    cards.chmod(0o755)  # as an earlier release made it
    monkeypatch.setattr(seed_demo, "VIRTUAL_CARD_DIR", cards)
    monkeypatch.setattr(seed_demo, "STATION_CREDENTIAL_FILE", tmp_path / "station.credential")
    previous = os.umask(0o022)
    try:
        call_command("seed_demo", stdout=io.StringIO())
    finally:
        os.umask(previous)

    assert mode(cards) == 0o700
    files = sorted(cards.glob("*.json"))
    assert [f.stem for f in files] == sorted(seed_demo.VIRTUAL_CARDS)
    assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
