"""Each guide's feedback: "Var den här informationen till hjälp?" yes or no and free text,
stored without who gave it, thanked as the support page thanks; a code in the text is
refused and the text kept; administrators read it in the admin, read-only."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse

from orders.forms import validate_no_code as orders_validate_no_code
from selfhelp import services
from selfhelp.guides import Guide
from selfhelp.models import GuideFeedback, GuideRead
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GUIDE_URL = "/hjalp/las-upp-med-puk/"
THANKS = "Tack för att du kontaktar oss, vi har tagit emot dina synpunkter."


def orders_refusal():
    """What the orders' free-text fields say to a code: the feedback says the same."""
    with pytest.raises(ValidationError) as refused:
        orders_validate_no_code("12345678")
    return refused.value.messages[0]


def test_feedback_is_stored_and_thanked_as_the_support_page_does(client):
    response = client.post(GUIDE_URL, {"helpful": "ja", "text": "Bra steg för steg."}, follow=True)
    assert response.redirect_chain == [(reverse("selfhelp:thanks", args=[Guide.UNBLOCK_WITH_PUK.value]), 302)]
    page = response.content.decode()
    assert THANKS in page
    assert 'name="text"' not in page  # the thanks where the form was
    (feedback,) = GuideFeedback.objects.all()
    assert (feedback.guide, feedback.helpful, feedback.text, feedback.forvaltning) == (
        Guide.UNBLOCK_WITH_PUK,
        True,
        "Bra steg för steg.",
        None,
    )


def test_the_thanks_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post("/hjalp/byt-pin/", {"helpful": "nej"}, follow=True).content.decode()
    assert "Thank you for contacting us, we have received your feedback." in page
    assert GuideFeedback.objects.get().helpful is False


def test_an_employees_feedback_keeps_their_forvaltning_and_not_who_they_are(client, employee):
    client.force_login(employee.user)
    client.post(GUIDE_URL, {"helpful": "nej", "text": "Jag hittar inte Net iD-ikonen."})
    feedback = GuideFeedback.objects.get()
    assert feedback.forvaltning == employee.forvaltning
    assert {field.name for field in GuideFeedback._meta.fields} == {
        "id",
        "guide",
        "helpful",
        "text",
        "forvaltning",
        "created_at",
    }


def test_a_code_in_the_text_is_refused_and_the_text_kept_for_mending(client):
    text = "Min PUK 12345678 fungerar inte"
    response = client.post(GUIDE_URL, {"helpful": "nej", "text": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert orders_refusal() in page
    assert re.search(rf"<textarea [^>]*>\s*{text}</textarea>", page)
    assert re.search(r'<input type="radio" name="helpful" value="nej"[^>]* checked>', page)
    assert THANKS not in page
    assert not GuideFeedback.objects.exists()


def test_feedback_without_an_answer_asks_for_one(client):
    response = client.post(GUIDE_URL, {"text": "Hej"})
    assert "Svara ja eller nej." in response.content.decode()
    assert not GuideFeedback.objects.exists()


def test_giving_feedback_or_seeing_the_thanks_is_no_new_read(client):
    client.post(GUIDE_URL, {"helpful": "ja"}, follow=True)
    assert not GuideRead.objects.exists()


@pytest.mark.parametrize("text", ["PUK 1234 5678", "pin:123456"])
def test_the_service_refuses_a_code_that_did_not_come_through_the_form(text):
    with pytest.raises(ValueError):
        services.give_feedback(user=AnonymousUser(), guide=Guide.CHANGE_PIN, helpful=False, text=text)
    assert not GuideFeedback.objects.exists()


def test_a_phone_number_in_the_text_is_no_code(client):
    """The orders' rule, not a cruder one: "ring 046-17 10 00" passes."""
    client.post(GUIDE_URL, {"helpful": "nej", "text": "Jag ringde 046-17 10 00 men ingen svarade."})
    assert GuideFeedback.objects.get().text == "Jag ringde 046-17 10 00 men ingen svarade."


def test_administrators_read_the_feedback_in_the_admin_with_filters_and_cannot_change_it(client, forvaltning):
    GuideFeedback.objects.create(
        guide=Guide.CHANGE_PIN, helpful=False, text="Stegen stämmer inte.", forvaltning=forvaltning
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = client.get(reverse("admin:selfhelp_guidefeedback_changelist"))
    page = changelist.content.decode()
    assert changelist.status_code == 200
    assert "Stegen stämmer inte." in page
    assert "?guide__exact=byt-pin" in page and "?helpful__exact=0" in page  # the filters
    assert client.get(reverse("admin:selfhelp_guidefeedback_add")).status_code == 403
    feedback = GuideFeedback.objects.get()
    change = client.post(reverse("admin:selfhelp_guidefeedback_change", args=[feedback.pk]), {"text": "Ändrad"})
    assert change.status_code == 403
    feedback.refresh_from_db()
    assert feedback.text == "Stegen stämmer inte."
