"""The card system's export is read line by line, and a broken one is refused naming the line."""

from datetime import date

import pytest

from cards.models import Card
from registers.card_export import HEADER, STATUSES, CardExportError, read_card_export

TYPES = {"rs-kort", "reservkort"}
HEAD = ";".join(HEADER) + "\n"
GOOD = "9752270000010012;rs-kort;SE2321000289-A001;aktivt;2024-05-01;2029-05-31\n"


def read(text: str) -> list:
    return list(read_card_export(text.splitlines(keepends=True), TYPES))


def test_a_good_export_gives_each_card_with_its_line():
    rows = read(HEAD + GOOD + "9752270000010038;reservkort;SE2321000289-A001;spärrat;2020-01-01;2025-01-31\n")
    assert [(row.line, row.card_number, row.status) for row in rows] == [
        (2, "9752270000010012", "active"),
        (3, "9752270000010038", "revoked"),
    ]
    assert rows[0].valid_to == date(2029, 5, 31)
    assert rows[0].holder_hsa_id == "SE2321000289-A001"


def test_commas_and_blank_lines_are_read_too():
    text = HEAD.replace(";", ",") + "\n" + GOOD.replace(";", ",")
    assert [row.line for row in read(text)] == [3]


def test_the_statuses_are_the_cards_own():
    assert set(STATUSES.values()) == {Card.Status.ACTIVE, Card.Status.REVOKED}


def test_the_rows_come_one_at_a_time_as_the_file_is_read():
    lines = iter([HEAD, GOOD, "not;a;card\n"])
    rows = read_card_export(lines, TYPES)
    assert next(rows).line == 2  # the broken third line is not read yet


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "tom"),
        ("kortnummer;typ;innehavare;status;utfärdat;giltigt_till\n" + GOOD, 1, "rubrikrad"),
        (HEAD, 2, "inga kort"),
        (HEAD + GOOD + "9752270000010020;rs-kort;SE2321000289-A001;aktivt;2024-05-01\n", 3, "5 kolumner"),
        (HEAD + GOOD + GOOD.replace("\n", ";extra\n"), 3, "7 kolumner"),
        (HEAD + GOOD.replace("2029-05-31", "2029-13-31"), 2, "ogiltigt datum i giltigt_till"),
        (HEAD + GOOD.replace("aktivt", "borttappat"), 2, "okänd status"),
        (HEAD + GOOD.replace("rs-kort", "okänt-kort"), 2, "okänd korttyp"),
        (HEAD + GOOD + GOOD + "9752270000010020;rs-kort;SE23210", 4, "avkortad"),
        (HEAD + GOOD.replace("9752270000010012", "97522X"), 2, "ogiltigt kortnummer"),
        (HEAD + GOOD.replace("SE2321000289-A001", ""), 2, "HSA-id saknas"),
        (HEAD + GOOD + '"9752270000010020;rs-kort\n', 3, "trasig rad"),
    ],
    ids=[
        "empty file",
        "wrong header",
        "header only",
        "missing column",
        "extra column",
        "bad date",
        "unknown status",
        "unknown card type",
        "truncated last line",
        "bad card number",
        "no holder",
        "unclosed quote",
    ],
)
def test_a_broken_export_is_refused_naming_the_line(text, line, words):
    with pytest.raises(CardExportError) as refused:
        read(text)
    assert refused.value.line == line
    assert words in str(refused.value)
    assert str(refused.value).startswith(f"rad {line}:")
