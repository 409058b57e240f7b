import io

import pytest

from cards.models import PukRecord
from cards.puk_import import import_puks
from cards.puk_store import DatabasePukStore, PukUnavailable, decrypt_puk, encrypt_puk
from tests.factories import CardFactory


def test_a_puk_is_encrypted_at_rest_and_comes_back_only_as_a_redacted_code(settings):
    ciphertext = encrypt_puk("9752270000010012", "87654321")
    assert b"87654321" not in ciphertext
    code = decrypt_puk("9752270000010012", ciphertext)
    assert code.block(None, 0) == b"87654321"
    assert "87654321" not in repr(code) and "87654321" not in str(code)


def test_a_ciphertext_moved_to_another_card_does_not_decrypt():
    ciphertext = encrypt_puk("9752270000010012", "87654321")
    with pytest.raises(PukUnavailable):
        decrypt_puk("9752270000010020", ciphertext)


def test_a_puk_encrypted_under_another_key_does_not_decrypt(settings):
    from cards.puk_store import new_key

    ciphertext = encrypt_puk("9752270000010012", "87654321")
    settings.RSPORTAL_PUK_STORE_KEY = new_key()
    with pytest.raises(PukUnavailable):
        decrypt_puk("9752270000010012", ciphertext)


@pytest.mark.django_db
def test_import_reports_each_bad_row_and_imports_the_rest():
    good, other = CardFactory(), CardFactory()
    csv_text = (
        "card_number,puk\n"
        f"{good.card_number},11223344\n"
        "9999999999999999,11223344\n"  # unknown card
        f"{other.card_number},1234\n"  # too short
        f"{good.card_number},55667788\n"  # twice in the file
        "not-a-number,11223344\n"
    )
    report = import_puks(io.StringIO(csv_text))

    assert report.imported == 1
    assert [line for line, _ in report.problems] == [3, 4, 5, 6]
    assert not any("1234" in problem or "11223344" in problem for _, problem in report.problems)
    assert DatabasePukStore().puk_for(good).block(None, 0) == b"11223344"
    assert not PukRecord.objects.filter(card=other).exists()


@pytest.mark.django_db
def test_import_refuses_a_file_without_the_expected_columns():
    report = import_puks(io.StringIO("kort;puk\n1;2\n"))
    assert report.imported == 0 and report.problems[0][0] == 1
