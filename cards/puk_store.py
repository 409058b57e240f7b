"""The PUK store port and its default: PUKs encrypted at rest in the database.

The key (32 bytes, base64) comes from RSPORTAL_PUK_STORE_KEY; the embedded default reads
it from a key file that scripts/run creates. A PUK leaves the store only as a `Code`,
whose repr is redacted. A real store (an HSM or the card issuing system's API) implements
`puk_for` and is named in RSPORTAL_PUK_STORE.
"""

import base64
import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import import_string

from audit.actions import AuditAction
from audit.services import record
from cards.reader.codes import Code

from .models import Card, PukRecord

_VERSION = b"\x01"  # the first byte of a ciphertext names its format, for key rotation later


class PukUnavailable(Exception):
    """The store has no readable PUK for this card."""


class PukStore(Protocol):
    def puk_for(self, card: Card) -> Code: ...


def _cipher() -> AESGCM:
    key = settings.RSPORTAL_PUK_STORE_KEY
    if not key:
        raise ImproperlyConfigured("RSPORTAL_PUK_STORE_KEY is not set")
    try:
        raw = base64.b64decode(key, validate=True)
    except ValueError:  # binascii.Error; its text is not repeated, as it could quote the key
        raise ImproperlyConfigured("RSPORTAL_PUK_STORE_KEY is not base64") from None
    if len(raw) != 32:
        raise ImproperlyConfigured("RSPORTAL_PUK_STORE_KEY must be 32 bytes, base64-encoded")
    return AESGCM(raw)


def new_key() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def encrypt_puk(card_number: str, digits: str) -> bytes:
    nonce = os.urandom(12)
    return _VERSION + nonce + _cipher().encrypt(nonce, digits.encode("ascii"), card_number.encode())


def decrypt_puk(card_number: str, ciphertext: bytes | memoryview) -> Code:
    ciphertext = bytes(ciphertext)
    if ciphertext[:1] != _VERSION:
        raise PukUnavailable("unknown ciphertext format")
    try:
        digits = _cipher().decrypt(ciphertext[1:13], ciphertext[13:], card_number.encode())
    except InvalidTag:
        raise PukUnavailable("the PUK does not decrypt with this key for this card") from None
    return Code(digits.decode("ascii"))


class DatabasePukStore:
    def puk_for(self, card: Card) -> Code:
        record = PukRecord.objects.filter(card=card).first()
        if record is None:
            raise PukUnavailable("no PUK imported for this card")
        return decrypt_puk(card.card_number, record.ciphertext)


def get_puk_store() -> PukStore:
    store: PukStore = import_string(settings.RSPORTAL_PUK_STORE)()
    return store


def purge_puk(card: Card, *, reason: str) -> bool:
    """The card has ended: its PUK is of no use to anyone and leaves the store. True when
    there was one."""
    with transaction.atomic():
        deleted, _ = PukRecord.objects.filter(card=card).delete()
        if deleted:
            record(AuditAction.PUK_PURGED, card, reason=reason)
    return bool(deleted)
