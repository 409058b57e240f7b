import io

import pytest

from cards import puk_import
from cards.models import PukRecord
from cards.puk_import import import_puks
from cards.puk_store import DatabasePukStore, PukUnavailable, decrypt_puk, encrypt_puk
from tests.factories import CardFactory, CardTypeFactory


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


@pytest.mark.django_db
def test_import_checks_the_puk_length_of_each_cards_own_type():
    rs = CardFactory()  # an RS-kort: 8 digits
    six = CardFactory(card_type=CardTypeFactory(code="six-digit-puk", puk_length=6))
    report = import_puks(io.StringIO(
        "card_number,puk\n"
        f"{rs.card_number},123456\n"
        f"{six.card_number},12345678\n"
        f"{six.card_number},654321\n"
    ))  # fmt: skip
    assert report.imported == 1
    assert [line for line, _ in report.problems] == [2, 3]
    assert "8 digits" in report.problems[0][1] and "6 digits" in report.problems[1][1]
    assert DatabasePukStore().puk_for(six).block(None, 0) == b"654321"


@pytest.mark.django_db
def test_import_refuses_digits_that_are_not_ascii_and_goes_on():
    fullwidth, arabic, good = CardFactory(), CardFactory(), CardFactory()
    report = import_puks(io.StringIO(
        "card_number,puk\n"
        f"{fullwidth.card_number},１２３４５６７８\n"
        f"{arabic.card_number},١٢٣٤٥٦٧٨\n"
        "９７５２２７００００００１,12345678\n"
        f"{good.card_number},87654321\n"
    ))  # fmt: skip
    assert report.imported == 1
    assert [line for line, _ in report.problems] == [2, 3, 4]
    assert not any(value in problem for _, problem in report.problems for value in ("１２３", "١٢٣", "９７５"))
    assert PukRecord.objects.get().card == good


@pytest.mark.django_db
def test_a_line_the_csv_reader_refuses_or_a_row_that_fails_is_reported_without_its_values(monkeypatch):
    first, second, third = CardFactory(), CardFactory(), CardFactory()
    real_encrypt = puk_import.encrypt_puk

    def failing_for_the_second(card_number, digits):
        if card_number == second.card_number:
            raise ValueError(f"could not encrypt {digits}")
        return real_encrypt(card_number, digits)

    monkeypatch.setattr(puk_import, "encrypt_puk", failing_for_the_second)
    report = import_puks(io.StringIO(
        "card_number,puk\n"
        f"{first.card_number},{'1' * 200_000}\n"  # past the CSV reader's field limit
        f"{second.card_number},22334455\n"
        f"{third.card_number},33445566\n"
    ))  # fmt: skip
    assert report.problems == [(2, "the line is not valid CSV"), (3, "the row could not be imported")]
    assert report.imported == 1 and PukRecord.objects.get().card == third
