"""The IdP's authentication responses: signed as they should be, or (for the tests) wrong in one
way the relying party must refuse."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from saml2 import samlp
from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.sigver import pre_signature_part, signed_instance_factory
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from demoidp.methods import Method
from demoidp.people import Person

FAULTS = ("bad_signature", "wrong_audience", "expired", "unsigned", "unsolicited")

HSA_ID = "urn:sambi:names:attribute:employeeHsaId"
PERSONNUMMER = "urn:oid:1.2.752.29.4.13"
FOREIGN_AUDIENCE = "https://sp.example.invalid/metadata/"


@dataclass(frozen=True)
class Request:
    """What the response answers: the SP's AuthnRequest, or nothing for an unsolicited one."""

    sp_entity_id: str
    acs_url: str
    in_response_to: str | None
    relay_state: str


def identity_of(person: Person) -> dict[str, list[str]]:
    attributes = {
        HSA_ID: person.hsa_id,
        PERSONNUMMER: person.personnummer,
        "givenName": person.given_name,
        "sn": person.surname,
        "mail": person.email,
    }
    return {name: [value] for name, value in attributes.items() if value}


def authn_response(
    server: Server,
    request: Request,
    person: Person,
    method: Method,
    name_id: str,
    authn_instant: int,
    fault: str | None,
) -> str:
    """The Response XML, signed (response and assertion) unless the fault says otherwise."""
    in_response_to = None if fault == "unsolicited" else request.in_response_to
    response = server.create_authn_response(
        identity_of(person),
        in_response_to=in_response_to,
        destination=request.acs_url,
        sp_entity_id=request.sp_entity_id,
        name_id=NameID(
            format=NAMEID_FORMAT_TRANSIENT,
            text=name_id,
            name_qualifier=server.config.entityid,
            sp_name_qualifier=request.sp_entity_id,
        ),
        authn={"class_ref": method.acr, "authn_auth": method.key, "authn_instant": authn_instant},
        sign_response=False,
        sign_assertion=False,
        release_policy=None,
    )
    message = samlp.response_from_string(str(response))
    assertion = message.assertion[0]
    if fault == "wrong_audience":
        assertion.conditions.audience_restriction[0].audience[0].text = FOREIGN_AUDIENCE
    if fault == "expired":
        _expire(message)
    if fault == "unsigned":
        return str(message)
    signed = _sign(server, message)
    if fault == "bad_signature":
        return _tamper(signed)
    return signed


def _expire(message: samlp.Response) -> None:
    """Issued an hour ago, valid for five minutes then."""
    issued = datetime.now(UTC) - timedelta(hours=1)
    gone = issued + timedelta(minutes=5)
    assertion = message.assertion[0]
    message.issue_instant = assertion.issue_instant = _stamp(issued)
    assertion.conditions.not_before = _stamp(issued)
    assertion.conditions.not_on_or_after = _stamp(gone)
    for confirmation in assertion.subject.subject_confirmation:
        confirmation.subject_confirmation_data.not_on_or_after = _stamp(gone)
    for statement in assertion.authn_statement:
        statement.authn_instant = _stamp(issued)
        statement.session_not_on_or_after = _stamp(gone)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _sign(server: Server, message: samlp.Response) -> str:
    """The assertion signed, then the response around it."""
    assertion = message.assertion[0]
    cert = server.sec.my_cert
    assertion.signature = pre_signature_part(assertion.id, cert, 2, digest_alg=DIGEST_SHA256, sign_alg=SIG_RSA_SHA256)
    message.signature = pre_signature_part(message.id, cert, 1, digest_alg=DIGEST_SHA256, sign_alg=SIG_RSA_SHA256)
    to_sign = [("urn:oasis:names:tc:SAML:2.0:assertion:Assertion", assertion.id),
               ("urn:oasis:names:tc:SAML:2.0:protocol:Response", message.id)]  # fmt: skip
    return str(signed_instance_factory(message, server.sec, to_sign))


def _tamper(signed: str) -> str:
    """Change the first attribute value after signing, as someone on the way would."""
    return re.sub(r"(<(?:\w+:)?AttributeValue[^>]*>)([^<]*)", r"\1\2-X", signed, count=1)
