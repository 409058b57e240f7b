"""The queue's current filter as CSV: same rows as the page, streamed, injection-safe."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.exports import safe_cell
from orders.states import OrderState
from tests.factories import CardFactory, EmployeeFactory, PukOrderFactory

pytestmark = pytest.mark.django_db


def make_order(card, state=OrderState.SUBMITTED, **fields):
    return PukOrderFactory(card=card, state=state, **fields)


@pytest.fixture
def karin(client, contact_person):
    client.force_login(contact_person)
    return client


def export(client, **params):
    response = client.get(reverse("orders:queue_export"), params)
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_export_has_the_columns_and_only_the_filtered_orders_of_own_forvaltning(
    karin, card, contact_person, other_forvaltning
):
    waiting = make_order(card)
    decided = make_order(
        CardFactory(holder=card.holder), state=OrderState.REJECTED, decided_by=contact_person, rejection_reason="x"
    )
    make_order(CardFactory(holder=EmployeeFactory(forvaltning=other_forvaltning)))

    response, rows = export(karin, state="all")
    assert "attachment" in response["Content-Disposition"]
    header, *body = rows
    assert header == [
        "Beställning",
        "Skapad",
        "Status",
        "Förvaltning",
        "Kortinnehavare",
        "HSA-id",
        "Korttyp",
        "Kortnummer",
        "Orsak",
        "Spärrade koder",
        "Beslutad av",
        "Beslutad",
    ]
    assert [row[0] for row in body] == [decided.reference, waiting.reference]
    row = body[1]
    assert row[2:4] == ["Inskickad", card.holder.forvaltning.name]
    assert row[4:8] == [card.holder.full_name, card.holder.hsa_id, "RS-kort", card.masked_number]
    assert card.card_number not in "".join(row)
    assert body[0][10] == "Karin Kontakt"

    _, waiting_only = export(karin)
    assert [row[0] for row in waiting_only[1:]] == [waiting.reference]


def test_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(karin, forvaltning):
    holder = EmployeeFactory(forvaltning=forvaltning, first_name='=HYPERLINK("http://evil.example")')
    make_order(CardFactory(holder=holder))
    _, rows = export(karin)
    assert rows[1][4] == "'" + holder.full_name


@pytest.mark.parametrize("cell", ["=1+1", "+46", "-2", "@SUM(A1)", "\tx"])
def test_formula_starts_get_a_leading_apostrophe(cell):
    assert safe_cell(cell) == "'" + cell


def test_ordinary_cells_are_left_alone():
    assert safe_cell("Anna Andersson") == "Anna Andersson"
    assert safe_cell(None) == ""


def test_export_query_count_does_not_grow_with_the_rows(karin, employee):
    def queries_for_export():
        with CaptureQueriesContext(connection) as queries:
            export(karin, state="all")
        return len(queries)

    make_order(CardFactory(holder=employee))
    few = queries_for_export()
    for _ in range(30):
        make_order(CardFactory(holder=employee))
    assert queries_for_export() == few


def test_export_with_a_broken_filter_goes_back_to_the_queue_with_a_message(karin, card):
    response = karin.get(reverse("orders:queue_export"), {"created_from": "inte-ett-datum"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("orders:queue")
    assert "Filtret är ogiltigt" in response.content.decode()


def test_the_queue_page_links_to_the_export_of_its_filter(karin, card):
    make_order(card)
    page = karin.get(reverse("orders:queue"), {"q": "anna"}).content.decode()
    assert reverse("orders:queue_export") + "?" in page
    assert "q=anna" in page
