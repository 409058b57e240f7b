"""manage.py import_puks FILE.csv: what an administrator runs on the card issuing
system's export."""

import io

import pytest
from django.core.management import CommandError, call_command

from cards.models import PukRecord
from cards.puk_store import DatabasePukStore
from tests.factories import CardFactory

pytestmark = pytest.mark.django_db


def run(path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_puks", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_the_good_rows_and_reports_the_bad_ones_without_their_puks(tmp_path):
    good, short, other = CardFactory(), CardFactory(), CardFactory()
    export = tmp_path / "export.csv"
    export.write_bytes(
        "\ufeffcard_number,puk\r\n".encode()
        + f"{good.card_number},11223344\r\n".encode()
        + f"{short.card_number},98761\r\n".encode()
        + f"{other.card_number},5566\xff788\r\n".encode("latin-1")  # not UTF-8
        + b"9999999999999999,24681357\r\n"
        + f"{other.card_number},55667788\r\n".encode()
    )
    out, err = run(export)

    assert out.strip() == "2 PUKs imported, 3 rows refused"
    assert err.splitlines() == [
        "line 3: the PUK is not 8 digits, as the card type rs-kort has",
        "line 4: the PUK is not 8 digits, as the card type rs-kort has",
        "line 5: unknown card number",
    ]
    assert not any(puk in out + err for puk in ("98761", "5566", "788", "24681357", "11223344"))
    assert DatabasePukStore().puk_for(good).block(None, 0) == b"11223344"
    assert DatabasePukStore().puk_for(other).block(None, 0) == b"55667788"
    assert not PukRecord.objects.filter(card=short).exists()


def test_a_file_that_cannot_be_read_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run(tmp_path / "missing.csv")
