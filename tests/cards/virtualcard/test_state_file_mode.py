"""The virtual card's state file holds its PUK and PINs in clear: only its owner may read
it, whatever the umask, and a file of an earlier release that others could read is
replaced by one they cannot."""

import os
import stat

import pytest

from tests.cards.fakes import rs_state


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The common default umask, under which a plain open() makes a file others can read."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_saved_state_file_is_readable_by_its_owner_only(tmp_path, open_umask):
    path = tmp_path / "card.json"
    rs_state().save(path)
    assert mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]  # no temporary file left behind


def test_saving_over_a_state_file_others_could_read_makes_it_private(tmp_path, open_umask):
    path = tmp_path / "card.json"
    path.write_text("{}")
    path.chmod(0o644)
    # A temporary file an interrupted save left, readable by others, is not reused.
    (tmp_path / ".card.json.tmp").write_text("{}")
    (tmp_path / ".card.json.tmp").chmod(0o644)
    rs_state().save(path)
    assert mode(path) == 0o600
    assert rs_state().to_json() == path.read_bytes()


def test_a_missing_state_directory_is_made_for_its_owner_only(tmp_path, open_umask):
    path = tmp_path / "cards" / "card.json"
    rs_state().save(path)
    assert mode(tmp_path / "cards") == 0o700
    assert mode(path) == 0o600
