"""What happens next with an order that waits for its decision, in words for its holder:
who decides, whether two approvers are needed and why, the next step, and how long it
usually takes. The order page and the receipt mail say the same (templates/orders/_outlook.html,
templates/email/order_receipt.txt).

The sentences are made when a template asks for them, so each is in the language that
template is rendered in (the receipt: the site's language)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisation.population_register import AddressStatus

from .models import PukOrder
from .rules import SECOND_APPROVAL_REASONS, TypicalTime
from .selectors import typical_time_for
from .states import AWAITING_DECISION


@dataclass(frozen=True)
class Outlook:
    order: PukOrder
    typical: TypicalTime

    @property
    def who_decides(self) -> str:
        if self.order.central_queue:
            return _(
                "Beställningen hanteras av Region Skånes RS-kortadministratörer eftersom din förvaltning "
                "saknar tillräckligt många kontaktpersoner."
            )
        return _("Kontaktpersonerna för %(forvaltning)s beslutar om beställningen.") % {
            "forvaltning": self.order.forvaltning.name
        }

    @property
    def approvals(self) -> str:
        """How many approve: one, two different people, or one besides the placer."""
        order = self.order
        if order.placed_on_behalf and not order.needs_second_approval:
            placer = order.placed_by.get_full_name() or order.placed_by.get_username()
            return _(
                "%(name)s lade beställningen åt dig och räknas som den första av två granskare: "
                "det räcker att en annan person godkänner den."
            ) % {"name": placer}
        if order.needs_second_approval and self.reasons:
            return _("Två olika personer måste godkänna beställningen. Skäl: %(reasons)s.") % {
                "reasons": "; ".join(self.reasons)
            }
        if order.needs_second_approval:
            return _("Två olika personer måste godkänna beställningen.")
        return _("Det räcker att en av dem godkänner den.")

    @property
    def reasons(self) -> list[str]:
        """Why four eyes, other than being placed on behalf (the placer is one pair)."""
        return [
            str(SECOND_APPROVAL_REASONS[key])
            for key in self.order.second_approval_reasons
            if key in SECOND_APPROVAL_REASONS and key != "placed_on_behalf"
        ]

    @property
    def next_step(self) -> str:
        if self.order.address_status == AddressStatus.PROTECTED:
            letter = _("När beställningen är godkänd skapas kodbrevet och skickas via Skatteverkets förmedlingstjänst.")
        else:
            letter = _(
                "När beställningen är godkänd skapas kodbrevet och skickas som rekommenderat brev till din "
                "folkbokföringsadress."
            )
        if self.order.first_approved_by_id is not None:
            return _("Beställningen har fått sitt första godkännande och väntar nu på det andra.") + " " + letter
        return letter

    @property
    def how_long(self) -> str:
        days = self.typical.working_days
        if self.typical.orders_counted:
            return ngettext(
                "Kodbrevet skickas vanligtvis inom %(days)d arbetsdag från beställningen (mittvärdet för "
                "din förvaltnings %(count)d senaste skickade beställningar de senaste %(window)d dagarna).",
                "Kodbrevet skickas vanligtvis inom %(days)d arbetsdagar från beställningen (mittvärdet för "
                "din förvaltnings %(count)d senaste skickade beställningar de senaste %(window)d dagarna).",
                days,
            ) % {
                "days": days,
                "count": self.typical.orders_counted,
                "window": settings.RSPORTAL_TYPICAL_TIME_WINDOW_DAYS,
            }
        return ngettext(
            "Kodbrevet skickas vanligtvis inom %(days)d arbetsdag från beställningen.",
            "Kodbrevet skickas vanligtvis inom %(days)d arbetsdagar från beställningen.",
            days,
        ) % {"days": days}


def outlook_for(order: PukOrder) -> Outlook | None:
    """The order's outlook while it waits for a decision, else None. One query (the
    förvaltning's recent orders); the order comes with its förvaltning and placer."""
    if order.state not in AWAITING_DECISION:
        return None
    return Outlook(order, typical_time_for(order.forvaltning_id))
