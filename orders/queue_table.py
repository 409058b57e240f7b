"""The table of the queue (Att hantera): its rows as the page shows them.

Every text of a row is worked out here, in plain Python, and the template only prints
it. Drawn by template tags and filters instead (a {% url %}, two {% blocktranslate %},
three date filters, look-ups through four related objects), the 25 rows took most of the
page's time at a million orders. What is the same for every row (the time zone, the
translated phrases, the choice labels) is looked up once per page. No database: a row is
made of an order's values (selectors.queue_table_values) and its förvaltning.
"""

from collections.abc import Iterable
from datetime import date, datetime
from html import escape
from typing import Any, TypedDict

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from cards.models import in_page_language, masked_card_number
from organisation.models import Forvaltning

from .exports import ChoiceLabels
from .models import PukOrder, order_reference
from .rules import SECOND_APPROVAL_REASONS, DecisionRefusal, decision_refusal
from .states import AWAITING_DECISION, OPEN_STATES
from .working_days import working_days_between


class QueueRow(TypedDict):
    """A dict, not an object: the template engine tries a key before an attribute."""

    pk: int
    reference: str
    url: str
    select_label: str  # the checkbox's name for a screen reader
    holder: str
    holder_hsa_id: str
    forvaltning: str
    card_type: str
    card_number: str  # masked
    reason: str
    blocked_codes: str
    created_iso: str
    created: str
    age: str
    overdue: bool
    state: str
    state_label: str
    decidable: bool  # waiting for a decision this user may take (orders.rules.decision_refusal)
    refusal: str  # waiting, and why this user may not decide it, or ""
    central: bool  # in the central queue of the RS-kort administrators
    second_approval: str  # why two approvers are needed, or ""
    letter: str  # how the latest letter went out, or ""


def is_overdue(order: PukOrder, today: date) -> bool:
    """Waiting for a decision longer than the förvaltning's target, in working days. The
    target is for the decision: a letter on its way is not late."""
    return _overdue(order.state, timezone.localdate(order.created_at), today, order.forvaltning)


def _overdue(state: str, created_on: date, today: date, forvaltning: Forvaltning) -> bool:
    return state in AWAITING_DECISION and working_days_between(created_on, today) > forvaltning.approval_target_days


class QueueTable:
    """The rows of one page of the queue, at `now`, in the active language."""

    def __init__(
        self, now: datetime, labels: ChoiceLabels, forvaltningar: Iterable[Forvaltning], user_id: int | None = None
    ) -> None:
        """`labels`: exports.choice_labels(); `forvaltningar`: those of the orders; `user_id`:
        whose page it is (who may decide which order)."""
        self.now = now
        self.user_id = user_id
        self.forvaltningar = {forvaltning.pk: forvaltning for forvaltning in forvaltningar}
        self.tz = timezone.get_current_timezone()
        self.today = now.astimezone(self.tz).date()
        self.labels = labels
        # The order pages are the queue's children (/att-hantera/<pk>/): one reverse() per
        # page, not one per row, where it cost as much as the rest of the row.
        self.order_url = reverse("orders:queue") + "{}/"
        self.phrases = {
            "select": _("Markera %(ref)s"),
            "second_approval": _("Två godkännare"),
            "forwarded": _("Via Skatteverkets förmedling %(date)s"),
            "registered": _("Rekommenderat brev %(date)s, kolli-id %(tracking)s"),
        }
        self.second_approval_reasons = {key: str(text) for key, text in SECOND_APPROVAL_REASONS.items()}
        self.refusals = [
            (refusal, str(refusal))
            for refusal in (DecisionRefusal.OWN_ORDER, DecisionRefusal.PLACED_BY_YOU, DecisionRefusal.SAME_APPROVER)
        ]

    def rows(self, orders: Iterable[dict[str, Any]]) -> list[QueueRow]:
        return [self.row(order) for order in orders]

    def row(self, order: dict[str, Any]) -> QueueRow:
        """`order`: a dict of selectors.queue_table_values."""
        pk, state = order["pk"], order["state"]
        created = order["created_at"].astimezone(self.tz)
        forvaltning = self.forvaltningar[order["forvaltning_id"]]
        reference = order_reference(pk)
        refusal = self._refusal(order) if state in AWAITING_DECISION else ""
        return {
            "pk": pk,
            "reference": reference,
            "url": self.order_url.format(pk),
            "select_label": self.phrases["select"] % {"ref": reference},
            "holder": f"{order['holder__first_name']} {order['holder__last_name']}",
            "holder_hsa_id": order["holder__hsa_id"],
            "forvaltning": forvaltning.name,
            "card_type": in_page_language(order["card__card_type__name"], order["card__card_type__name_en"]),
            "card_number": masked_card_number(order["card__card_number"]),
            "reason": self.labels["reason"].get(order["reason"], order["reason"]),
            "blocked_codes": self.labels["blocked_codes"].get(order["blocked_codes"], order["blocked_codes"]),
            "created_iso": created.isoformat(),
            "created": f"{created:%Y-%m-%d %H:%M}",
            "age": timesince(created, self.now),
            "overdue": _overdue(state, created.date(), self.today, forvaltning),
            "state": state,
            "state_label": self.labels["state"].get(state, state),
            "decidable": state in AWAITING_DECISION and not refusal,
            "refusal": refusal,
            "central": order["central_queue"],
            "second_approval": self._second_approval(order),
            "letter": self._letter(order),
        }

    def _refusal(self, order: dict[str, Any]) -> str:
        """Why the page's user may not decide the order (the words of the rule the service
        refuses with), or ""."""
        if self.user_id is None:
            return ""
        refusal = decision_refusal(
            approver_id=self.user_id,
            holder_user_id=order["holder__user_id"],
            placed_by_id=order["placed_by_id"],
            first_approved_by_id=order["first_approved_by_id"],
        )
        if refusal is None:
            return ""
        return next((words for known, words in self.refusals if known is refusal), str(refusal))

    def _second_approval(self, order: dict[str, Any]) -> str:
        if not (order["needs_second_approval"] and order["state"] in OPEN_STATES):
            return ""
        reasons = "; ".join(self.second_approval_reasons[key] for key in order["second_approval_reasons"])
        return f"{self.phrases['second_approval']}: {reasons}"

    def _letter(self, order: dict[str, Any]) -> str:
        if not order["letter_posted_at"]:
            return ""
        posted = f"{order['letter_posted_at'].astimezone(self.tz):%Y-%m-%d}"
        if order["letter_forwarded"]:
            return self.phrases["forwarded"] % {"date": posted}
        return self.phrases["registered"] % {"date": posted, "tracking": order["letter_tracking_id"]}


def rows_html(rows: Iterable[QueueRow], several_forvaltningar: bool) -> SafeString:
    """The rows as the table's HTML (orders/queue/_results.html prints it). Made here, not by
    a {% for %} in the template: the template engine's twenty look-ups a row took as long
    as the rest of the page's HTML. Every text is escaped as the template's autoescape
    does (html.escape). The headings again on each cell, for the stacked rows of a small
    screen (rsportal.css)."""
    h_select, h_order, h_holder, h_card, h_reason, h_created, h_state = map(
        escape, (_("Markera"), _("Beställning"), _("Kortinnehavare"), _("Kort"), _("Orsak"), _("Inkom"), _("Status"))
    )
    overdue = f'<span class="badge">{escape(_("Över målet"))}</span>'
    central = f'<br><span class="badge">{escape(_("Central kö"))}</span>'
    html = []
    for row in rows:
        pk, text = row["pk"], {key: escape(value) for key, value in row.items() if isinstance(value, str)}
        select = (
            f'<input type="checkbox" name="order" value="{pk}" aria-label="{text["select_label"]}">'
            f'<input type="hidden" name="state-{pk}" value="{text["state"]}">'
            if row["decidable"]
            else ""
        )
        holder_note = text["holder_hsa_id"] + (f" · {text['forvaltning']}" if several_forvaltningar else "")
        notes = "".join(
            f'\n        <br><span class="muted">{text[note]}</span>'
            for note in ("second_approval", "refusal", "letter")
            if text[note]
        )
        html.append(
            f"""    <tr>
      <td data-label="{h_select}">{select}</td>
      <td data-label="{h_order}"><a href="{text["url"]}">{text["reference"]}</a></td>
      <td data-label="{h_holder}">{text["holder"]}<br><span class="muted">{holder_note}</span></td>
      <td data-label="{h_card}">{text["card_type"]}<br><span class="muted">{text["card_number"]}</span></td>
      <td data-label="{h_reason}">{text["reason"]}<br><span class="muted">{text["blocked_codes"]}</span></td>
      <td data-label="{h_created}"><time datetime="{text["created_iso"]}" title="{text["created"]}">{text["age"]}</time>
        {overdue if row["overdue"] else ""}</td>
      <td data-label="{h_state}"><span class="state state-{text["state"]}">{text["state_label"]}</span>
        {central if row["central"] else ""}{notes}</td>
    </tr>
"""
        )
    return mark_safe("".join(html))
