"""orders.free_text.looks_like_code: what may be a PIN (6 digits) or PUK (8) in a free
text, and the numbers people write there that are none (order numbers, phone numbers,
dates, HSA-ids, personnummer)."""

import pytest

from orders.free_text import looks_like_code, luhn_valid


@pytest.mark.parametrize(
    "text",
    [
        # order numbers, as the mails and pages give them
        "Beställningen är dubbel, se PUK-000003.",
        "se puk-000003",
        "Samma som PUK-000003 och PUK-000004",
        "Brevet PUK-000003-1 kom tillbaka",
        "PUK-000003-12",
        "(PUK-000006)",
        "PUK-1234567",  # order 1,234,567: seven digits
        # phone numbers
        "Ring 046-17 10 00.",
        "046-171000",
        "0461710000",
        "ring 0776-73 00 00 eller 30000",
        "0776-730000",
        "+46 46 17 10 00",
        "+46 (0)46-17 10 00",
        "+46461710000",
        "0046 46 17 10 00",
        "070-123 45 67",
        "0701234567",
        "08-123 456 78",
        "08 12 34 56",
        "(046) 17 10 00",
        "046 - 17 10 00",
        "tel.\u00a0046-17\u00a010\u00a000",
        # dates
        "Kortet gick ut 2026-12-02.",
        "20261202",
        "Flyttade 19991231",
        "från 2026-01-01 till 2026-12-31",
        # HSA-ids
        "SE2321000016-ABCD",
        "SE2321000016-1A2B3",
        "HSA-id SE2321000289-T00001",
        "se162321000016-e12345",
        # personnummer with separator (valid check digit)
        "19811228-9874",
        "811228-9874",
        "811228+9874",
        # other digits
        "",
        "Brevet kom bort i flytten 2024",
        "12345",
        "123456789",
        "8001011234",
        "kortnummer 9752270000000001",
        "Stortorget 7, 211 34 MALMÖ",
        "Stortorget 7 211 34 MALMÖ",
        "1 2 3 4 5",
        "kl. 08.00-16.30",
        "3 kort, 2 brev och 1 PIN",
        "1234-5678",  # a hyphen is not how codes are read out
    ],
)
def test_numbers_that_are_no_code_are_let_through(text):
    assert not looks_like_code(text)


@pytest.mark.parametrize(
    "text",
    [
        # a run of 6, 7 or 8 digits
        "123456",
        "Min PUK är 12345678.",
        "pin:1234567",
        "a654321b",
        "PUK 1234 och 87654321",
        "０１２３４５６７",  # full-width digits
        # read out in groups
        "1234 5678",
        "PIN 123 456",
        "12 34 56",
        "12 34 56 78",
        "1 2 3 4 5 6",
        "koden 1234\u00a05678",  # a no-break space
        "kort 1 1234 5678",
        "rum 12 34 56",
        # what looks like an allowed number but is not
        "PUK-12345678",  # eight digits after PUK-: a PUK, not an order number
        "PUK 000003",  # an order number is written PUK-000003
        "PUK-000003 och PIN 123456",
        "PUK-000003 123456",
        "046-17 10 00, PIN 123456",
        "0123 4567",  # no area code and subscriber number: four digits are too few
        "01 23 45 67",  # there is no area code 01
        "012 345",
        "20261332",  # no such date
        "811228-9875",  # a wrong check digit
        "SE2321000016 123456",
        "SE-123456",
        "+46 123456",
        "0776-73 00 00 12345678",
    ],
)
def test_what_may_be_a_pin_or_puk_is_refused(text):
    assert looks_like_code(text)


@pytest.mark.parametrize(("digits", "valid"), [("8112289874", True), ("8112289875", False), ("0000000000", True)])
def test_luhn(digits, valid):
    assert luhn_valid(digits) is valid
