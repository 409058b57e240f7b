"""Demo data for the embedded default: the förvaltningar, people in each role and their
contact persons (through the directory's export, demo/directory.jsonl, and sync_registers'
service), card types, the cards (through the card system's export, demo/card_system.csv,
and the same service), and orders in every state (_demo_history). The people match
demo/population_register.json. Safe to run again."""

import secrets
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cards.models import Card, CardType, PukRecord
from cards.puk_store import encrypt_puk
from cards.virtualcard.state import CardState
from desk.credentials import new_credential
from desk.models import Station
from organisation.models import ContactPersonAssignment
from organisation.models import User as Login  # `User` is handle's name for get_user_model()
from registers.card_sync import CardRegister
from registers.card_system import CardSystem
from registers.models import SyncRun
from registers.services import Register, sync

from . import _demo_history

DEMO_PASSWORD = "rs-demo-2026"

# The förvaltningar and contact persons (ASSIGNMENTS) are demo/directory.jsonl's too.
FORVALTNINGAR = [
    ("sus", "Skånes universitetssjukvård"),
    ("primarvard", "Primärvård Skåne"),
    ("regionservice", "Regionservice"),
]

CARD_TYPES = [
    {
        "code": "rs-kort",
        "name": "RS-kort (eTjänstekort)",
        "name_en": "RS card (employee card)",
        "has_region_logo": True,
        "puk_route": CardType.PukRoute.LETTER,
    },
    {
        "code": "rs-kort-2015",
        "name": "RS-kort, generation 2015",
        "name_en": "RS card, 2015 generation",
        "has_region_logo": True,
        "puk_route": CardType.PukRoute.DESK_ONLY,
    },
    {
        "code": "reservkort",
        "name": "Reservkort",
        "name_en": "Reserve card",
        "has_region_logo": True,
        "is_reserve_card": True,
        "puk_route": CardType.PukRoute.NONE,
    },
    {
        "code": "extern",
        "name": "eTjänstekort, annan utgivare",
        "name_en": "Employee card, another issuer",
        "has_region_logo": False,
        "puk_route": CardType.PukRoute.NONE,
    },
]

# What demo/directory.jsonl holds, from which the sync loads them
# (tests/registers/test_directory_file.py).
# username: (first, last, personnummer, hsa-id, förvaltning code)
PEOPLE = {
    "anna": ("Anna", "Andersson", "198503142385", "SE2321000289-A001", "sus"),
    "bertil": ("Bertil", "Berg", "197208094578", "SE2321000289-B002", "sus"),
    "cecilia": ("Cecilia", "Costa", "199106711246", "SE2321000289-C003", "sus"),
    "karin": ("Karin", "Kontakt", "197805223265", "SE2321000289-K004", "sus"),
    "kalle": ("Kalle", "Karlsson", "196901305158", "SE2321000289-K005", "primarvard"),
    "sara": ("Sara", "Svensson", "198809176426", "SE2321000289-S006", "sus"),
    "david": ("David", "Dahl", "199302047312", "SE2321000289-D007", "primarvard"),
    "olle": ("Olle", "Olsson", "197506118186", "SE2321000289-O008", "regionservice"),
    "svea": ("Svea", "Ström", "198309214420", "SE2321000289-S015", "regionservice"),
    **_demo_history.PEOPLE,
}

# username: [(card number, card type code, status, valid to)]: what demo/card_system.csv
# holds, from which the sync loads them (tests/registers/test_demo_card_export.py).
CARDS = {
    "anna": [
        ("9752270000010012", "rs-kort", Card.Status.ACTIVE, date(2029, 5, 31)),
        ("9752270000010020", "reservkort", Card.Status.ACTIVE, date(2027, 3, 31)),
        ("9752270000010038", "rs-kort", Card.Status.REVOKED, date(2025, 1, 31)),
    ],
    "bertil": [("9752270000020011", "rs-kort", Card.Status.ACTIVE, date(2028, 9, 30))],
    "cecilia": [("9752270000030010", "rs-kort", Card.Status.ACTIVE, date(2028, 2, 29))],
    "karin": [("9752270000040019", "rs-kort", Card.Status.ACTIVE, date(2029, 1, 31))],
    "kalle": [("9752270000050018", "rs-kort-2015", Card.Status.ACTIVE, date(2027, 6, 30))],
    "sara": [("9752270000060017", "rs-kort", Card.Status.ACTIVE, date(2028, 12, 31))],
    "david": [
        ("9752270000070016", "rs-kort", Card.Status.ACTIVE, date(2029, 8, 31)),
        ("9752270000070024", "extern", Card.Status.ACTIVE, date(2028, 8, 31)),
    ],
    "olle": [("9752270000080015", "rs-kort", Card.Status.ACTIVE, date(2028, 4, 30))],
    "svea": [("9752270000150016", "rs-kort", Card.Status.ACTIVE, date(2030, 2, 28))],
    **{
        username: [(number, "rs-kort", Card.Status.ACTIVE, date(2029, 3, 31))]
        for username, number in _demo_history.CARDS.items()
    },
}

# Cards that also exist as a virtual card for the card station: card number → tries left
# on the legitimering PIN (0: blocked, as a holder at the support desk would have it).
VIRTUAL_CARDS = {"9752270000010012": 0, "9752270000050018": 0}
VIRTUAL_CARD_DIR = settings.VAR_DIR / "cards"

# The demo's card station; the station software reads its credential from this file.
STATION = ("Kortstation Lund, Universitetssjukhuset", "Entréhallen, Skånes universitetssjukhus Lund")
STATION_EN = ("Card station Lund, University Hospital", "Entrance hall, Skåne University Hospital, Lund")
# Two operators: with two PUK tries left or fewer, a second operator confirms the unblock.
STATION_OPERATORS = ["olle", "svea"]
STATION_CREDENTIAL_FILE = settings.VAR_DIR / "station.credential"

# Region Skåne's RS-kort administrators (the RA function): the central queue's group.
CENTRAL_ADMINISTRATORS = "RS-kortadministratörer"

ASSIGNMENTS = [
    ("karin", "sus", ContactPersonAssignment.Role.CONTACT_PERSON),
    ("sara", "sus", ContactPersonAssignment.Role.SUBSTITUTE),
    ("kalle", "primarvard", ContactPersonAssignment.Role.CONTACT_PERSON),
    ("karin", "primarvard", ContactPersonAssignment.Role.SUBSTITUTE),
]

ROLES = {
    "anna": "Medarbetare med RS-kort, reservkort och ett spärrat kort",
    "bertil": "Medarbetare med skyddade personuppgifter",
    "cecilia": "Medarbetare med samordningsnummer (ingen folkbokföringsadress)",
    "david": "Medarbetare som nyss bytt adress, och ett kort utan Region Skånes logga",
    "karin": "Kontaktperson för Skånes universitetssjukvård, ersättare för Primärvård Skåne",
    "sara": "Ersättare för Skånes universitetssjukvård",
    "kalle": "Kontaktperson för Primärvård Skåne",
    "olle": "Operatör vid Kortstation Lund, Universitetssjukhuset (kör stationsprogrammet: se docs/desk.md)",
    "svea": "Operatör vid samma kortstation: bekräftar som andra operatör när PUK-koden har få försök kvar",
    "rita": "RS-kortadministratör: den centrala kön, för förvaltningar med för få kontaktpersoner",
    "admin": "Administratör (Django admin)",
}


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        # The förvaltningar, people and contact persons arrive as in production: through
        # the directory's export and the sync. Their logins come without a password (single
        # sign-on in production); the demo gives them the demo password.
        self._sync("directory", None, settings.DIRECTORY_FILE, "HSA-katalogens export")
        users: dict[str, Login] = {user.username: user for user in User.objects.filter(username__in=PEOPLE)}
        missing = sorted(set(PEOPLE) - set(users))
        if missing:
            raise CommandError(f"the demo directory export gave no login to: {', '.join(missing)}")
        for user in users.values():
            self._demo_password(user)
        for spec in CARD_TYPES:
            CardType.objects.update_or_create(code=spec["code"], defaults=spec)
        if not _demo_history.made():
            # The cards arrive as in production: through the card system's export and the
            # sync. First as they were before the history happened.
            self._sync_cards(_demo_history.CardSystemBeforeHistory())
        self._puks_and_virtual_cards()
        self._station(users)
        self._central_administrator(User)
        _demo_history.make_history(users)
        # The export as it is now: the card system revoked Ivar's card since.
        self._sync_cards(None)
        admin = self._user(User, "admin", "Ada", "Admin")
        admin.is_staff = admin.is_superuser = True
        admin.save()
        self._print_logins()

    def _sync_cards(self, card_system: CardSystem | None) -> None:
        self._sync("cards", CardRegister(card_system), settings.CARD_SYSTEM_FILE, "Kortsystemets export")

    def _sync(self, name: str, register: Register[Any] | None, export: Any, what: str) -> None:
        run = sync(name, register=register)
        if run.outcome != SyncRun.Outcome.OK:
            raise CommandError(f"the demo {name} export was not loaded: {run.message}")
        counts = ", ".join(f"{kind} {count}" for kind, count in run.counts.items() if count)
        self.stdout.write(f"{what} ({Path(str(export)).name}) via sync_registers: {counts or 'inga ändringar'}")

    def _puks_and_virtual_cards(self) -> None:
        """Every usable demo card gets a PUK in the PUK store (a revoked card has none); the
        cards in VIRTUAL_CARDS also get a virtual card carrying the same PUK, so a demo
        letter really unblocks it. The
        virtual cards' files hold their PUK and PINs in clear: their folder is the service
        user's alone (0700, also where an earlier release made it readable by others), and
        CardState.save writes each file 0600."""
        VIRTUAL_CARD_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        VIRTUAL_CARD_DIR.chmod(0o700)
        demo_cards = [n for cards in CARDS.values() for n, *_ in cards]
        for card in Card.objects.filter(card_number__in=demo_cards, status=Card.Status.ACTIVE):
            state_file = VIRTUAL_CARD_DIR / f"{card.card_number}.json"
            wanted = card.card_number in VIRTUAL_CARDS
            if PukRecord.objects.filter(card=card).exists() and (state_file.exists() or not wanted):
                continue
            puk = f"{secrets.randbelow(10**8):08d}"
            PukRecord.objects.update_or_create(card=card, defaults={"ciphertext": encrypt_puk(card.card_number, puk)})
            if wanted:
                CardState(
                    profile="rs",
                    card_number=card.card_number,
                    pins={
                        "legitimering": f"{secrets.randbelow(10**6):06d}",
                        "underskrift": f"{secrets.randbelow(10**6):06d}",
                    },
                    puk=puk,
                    pin_tries_left={"legitimering": VIRTUAL_CARDS[card.card_number]},
                ).save(state_file)

    def _station(self, users: dict[str, Login]) -> None:
        """The demo station and its two operators; a credential is made once and written to
        var/station.credential (0600), where `python -m cards.agent` reads it."""
        station = Station.objects.filter(name=STATION[0]).first()
        if station is None or not STATION_CREDENTIAL_FILE.exists():
            credential, hashed = new_credential()
            station, _ = Station.objects.update_or_create(
                name=STATION[0], defaults={"location": STATION[1], "credential_hash": hashed}
            )
            STATION_CREDENTIAL_FILE.parent.mkdir(parents=True, exist_ok=True)
            STATION_CREDENTIAL_FILE.touch(mode=0o600)
            STATION_CREDENTIAL_FILE.write_text(credential + "\n")
        station.name_en, station.location_en = STATION_EN
        station.save(update_fields=["name_en", "location_en"])
        operate = Permission.objects.get(codename="operate_station", content_type__app_label="cards")
        for username in STATION_OPERATORS:
            users[username].user_permissions.add(operate)
            station.operators.add(users[username])

    def _central_administrator(self, User: Any) -> None:
        """rita, in the group RS-kortadministratörer (made by orders' migration 0009): she
        decides the orders of the central queue."""
        rita = self._user(User, "rita", "Rita", "Rydberg")
        group, _ = Group.objects.get_or_create(name=CENTRAL_ADMINISTRATORS)
        group.permissions.add(
            Permission.objects.get(codename="decide_in_central_queue", content_type__app_label="orders")
        )
        rita.groups.add(group)

    def _user(self, User, username, first, last):
        """A login the directory does not give (the administrators have no Employee)."""
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@demo.skane.se"
        self._demo_password(user)
        return user

    def _demo_password(self, user: Login) -> None:
        user.set_password(DEMO_PASSWORD)
        user.save()

    def _print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in ROLES.items():
            self.stdout.write(f"  {username:<8} {role}")
