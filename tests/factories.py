from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model

from cards.models import Card, CardType
from organisation.models import Employee, Forvaltning

PASSWORD = "test-password-123"


def luhn_digit(nine_digits: str) -> str:
    total = 0
    for index, char in enumerate(nine_digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def personnummer_for(n: int, coordination=False) -> str:
    born = date(1960, 1, 1) + timedelta(days=n % 15000)
    day = born.day + (60 if coordination else 0)
    serial = f"{n % 1000:03d}"
    nine = f"{born:%y%m}{day:02d}{serial}"
    return f"{born:%Y%m}{day:02d}{serial}{luhn_digit(nine)}"


class ForvaltningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forvaltning
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"forv{n}")
    name = factory.Sequence(lambda n: f"Förvaltning {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.skane.se")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    personnummer = factory.Sequence(personnummer_for)
    hsa_id = factory.Sequence(lambda n: f"SE2321000289-T{n:05d}")
    first_name = factory.LazyAttribute(lambda e: e.user.first_name if e.user else "Ingen")
    last_name = factory.LazyAttribute(lambda e: e.user.last_name if e.user else "Inloggning")
    work_email = factory.LazyAttribute(lambda e: e.user.email if e.user else "utan.inloggning@test.skane.se")
    forvaltning = factory.SubFactory(ForvaltningFactory)


class CardTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CardType
        django_get_or_create = ["code"]

    code = "rs-kort"
    name = "RS-kort"
    has_region_logo = True
    puk_route = CardType.PukRoute.LETTER


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Card

    card_number = factory.Sequence(lambda n: f"97522700{n:08d}")
    holder = factory.SubFactory(EmployeeFactory)
    card_type = factory.SubFactory(CardTypeFactory)
    status = Card.Status.ACTIVE
    valid_from = date(2024, 1, 1)
    valid_to = factory.LazyFunction(lambda: date.today() + timedelta(days=700))


def give_puk(card, digits="12345678"):
    from cards.models import PukRecord
    from cards.puk_store import encrypt_puk

    PukRecord.objects.update_or_create(card=card, defaults={"ciphertext": encrypt_puk(card.card_number, digits)})
    return digits


def approved_order(card, approver, **fields):
    """An order for `card`, placed by its holder and approved by `approver`."""
    from orders import services

    order = services.place_order(
        placed_by=card.holder.user, card=card, reason="lost_letter", blocked_codes="legitimering", **fields
    )
    return services.approve_order(order=order, by=approver)


class PukOrderFactory(factory.django.DjangoModelFactory):
    """An order written straight to the database, in any state, for tests of what reads
    orders; tests of the workflow place orders through orders.services."""

    class Meta:
        model = "orders.PukOrder"

    card = factory.SubFactory(CardFactory)
    holder = factory.SelfAttribute("card.holder")
    forvaltning = factory.SelfAttribute("card.holder.forvaltning")
    placed_by = factory.SelfAttribute("card.holder.user")
    reason = "lost_letter"
    blocked_codes = "legitimering"
    address_status = "registered"
