"""The pure diff of RS-portal's cards against the card system's export."""

from datetime import date

import pytest

from registers.card_diff import CurrentCard, Kind, diff_cards
from registers.card_export import CardExportError, CardRow

TODAY = date(2026, 12, 2)
ANNA, BERTIL = "SE2321000289-A001", "SE2321000289-B002"


def current(number="1001", **facts) -> CurrentCard:
    values = {
        "card_type": "rs-kort",
        "holder_hsa_id": ANNA,
        "status": "active",
        "valid_from": date(2024, 1, 1),
        "valid_to": date(2029, 1, 31),
        **facts,
    }
    return CurrentCard(card_number=number, **values)


def row(number="1001", line=2, **facts) -> CardRow:
    values = {
        "card_type": "rs-kort",
        "holder_hsa_id": ANNA,
        "status": "active",
        "valid_from": date(2024, 1, 1),
        "valid_to": date(2029, 1, 31),
        **facts,
    }
    return CardRow(line=line, card_number=number, **values)


def diff(cards, rows, holders=(ANNA, BERTIL)):
    return diff_cards({card.card_number: card for card in cards}, rows, TODAY, holders)


def kinds(result):
    return {
        kind.value: [change.card_number for change in changes] for kind, changes in result.changes.items() if changes
    }


def test_nothing_changed_gives_no_changes():
    result = diff([current()], [row()])
    assert result.is_empty and kinds(result) == {}
    assert result.rows_read == 1


def test_a_card_only_in_the_export_is_new():
    assert kinds(diff([], [row("2002")])) == {"new": ["2002"]}


def test_a_new_card_of_an_unknown_holder_is_refused():
    result = diff([], [row("2002", holder_hsa_id="SE-OKAND")])
    assert kinds(result) == {"refused": ["2002"]}
    assert "okänd innehavare SE-OKAND" in result.changes[Kind.REFUSED][0].line()
    assert result.is_empty  # a refused line is reported, not applied


def test_changed_validity_and_holder_are_a_change_in_words():
    result = diff([current()], [row(valid_to=date(2030, 1, 31), holder_hsa_id=BERTIL)])
    assert kinds(result) == {"changed": ["1001"]}
    line = result.changes[Kind.CHANGED][0].line()
    assert line.startswith("rad 2: 1001 changed")
    assert f"innehavare {ANNA} → {BERTIL}" in line and "giltigt till 2029-01-31 → 2030-01-31" in line


def test_a_card_revoked_in_the_card_system_is_revoked():
    assert kinds(diff([current()], [row(status="revoked")])) == {"revoked": ["1001"]}


def test_a_card_whose_date_the_card_system_moved_into_the_past_is_expired():
    result = diff([current()], [row(valid_to=date(2026, 12, 1))])
    assert kinds(result) == {"expired": ["1001"]}


def test_a_card_past_its_date_with_an_order_or_puk_left_is_expired():
    result = diff([current(valid_to=date(2026, 12, 1), has_leftovers=True)], [row(valid_to=date(2026, 12, 1))])
    assert kinds(result) == {"expired": ["1001"]}


def test_an_ended_card_with_nothing_left_to_close_is_no_change():
    ended = current(status="revoked", valid_to=date(2025, 1, 31))
    assert diff([ended], [row(status="revoked", valid_to=date(2025, 1, 31))]).is_empty


def test_an_ended_card_that_still_has_a_puk_or_order_is_ended_again():
    ended = current(status="revoked", has_leftovers=True)
    assert kinds(diff([ended], [row(status="revoked")])) == {"revoked": ["1001"]}


def test_a_card_gone_from_the_export_is_gone_and_counts_as_deactivated():
    result = diff([current("1001"), current("1002")], [row("1002")])
    assert kinds(result) == {"gone": ["1001"]}
    assert result.deactivations == 1
    assert result.deactivated_share() == 0.5


def test_a_gone_card_that_had_already_ended_is_left_alone():
    assert diff([current("1001", status="revoked"), current("1002")], [row("1002")]).is_empty


def test_a_card_number_given_twice_breaks_the_export_at_the_second_line():
    with pytest.raises(CardExportError) as refused:
        diff([], [row("2002", line=2), row("2002", line=7)])
    assert refused.value.line == 7
    assert "rad 2" in str(refused.value)


def test_the_sample_keeps_the_first_lines_of_each_kind():
    result = diff([], [row(str(n), line=n) for n in range(2, 30)])
    assert result.counts()["new"] == 28
    assert len(result.sample(10)["new"]) == 10
    assert set(result.sample(10)) == {"new"}


def test_closing_what_an_ended_card_left_does_not_count_against_the_safety_limit():
    result = diff(
        [current("1001", status="revoked", has_leftovers=True), current("1002")],
        [row("1001", status="revoked"), row("1002")],
    )
    assert kinds(result) == {"revoked": ["1001"]}
    assert result.deactivations == 0


def test_a_card_that_ended_still_ends_when_its_holder_is_unknown_and_keeps_the_known_one():
    result = diff([current()], [row(status="revoked", holder_hsa_id="SE-OKAND")])
    assert kinds(result) == {"revoked": ["1001"]}
    assert result.changes[Kind.REVOKED][0].row.holder_hsa_id == ANNA
