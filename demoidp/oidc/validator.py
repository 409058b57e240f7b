"""The ID token's claims: who logged in (from the people file) and how (the login method's acr and
amr), and, with --faults, the one fault a test ordered for the next token."""

import json
import time
import uuid
from typing import Any

from django.db import router, transaction
from jwcrypto import jwk, jwt
from oauth2_provider.models import IDToken
from oauth2_provider.oauth2_validators import OAuth2Validator

from demoidp.methods import LOA_PREFIX, method_by_key
from demoidp.oidc.models import Authentication, Fault
from demoidp.oidc.settings import FAULTS as FAULTS_ON
from demoidp.oidc.settings import IDENTITY_CLAIMS, PEOPLE_FILE
from demoidp.people import load_people

FAULTS = ("bad_signature", "wrong_audience", "expired", "wrong_nonce", "wrong_issuer", "weak_acr")


class DemoValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below in every ID token, whatever the scopes

    def save_authorization_code(
        self, client_id: str, code: dict[str, Any], request: Any, *args: Any, **kwargs: Any
    ) -> None:
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        Authentication.objects.create(code=code["code"], method=request.login_method)

    def validate_code(self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        valid: bool = super().validate_code(client_id, code, client, request, *args, **kwargs)
        authentication = Authentication.objects.filter(code=code).first()
        request.login_method = authentication.method if authentication else ""
        return valid

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        person = load_people(PEOPLE_FILE).get(request.user.username)
        claims: dict[str, Any] = {}
        if person is not None:
            claims |= {
                IDENTITY_CLAIMS["hsa_id"]: person.hsa_id,
                IDENTITY_CLAIMS["personnummer"]: person.personnummer,
                "given_name": person.given_name,
                "family_name": person.surname,
                "email": person.email,
            }
        method = method_by_key(getattr(request, "login_method", "") or "")
        if method is not None:  # the userinfo endpoint knows no login: no acr there
            claims |= {"acr": method.acr, "amr": list(method.amr)}
        return claims

    def finalize_id_token(self, id_token: dict[str, Any], token: Any, token_handler: Any, request: Any) -> str:
        claims, expiration_time = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        key = request.client.jwk_key
        fault = Fault.take_next() if FAULTS_ON else ""
        if fault == "bad_signature":
            key = jwk.JWK.generate(kty="RSA", size=2048)  # the same kid below: the RP tries the right key
        else:
            _spoil(id_token, fault)
        header = {"typ": "JWT", "alg": request.client.algorithm, "kid": request.client.jwk_key.thumbprint()}
        signed = jwt.JWT(header=json.dumps(header), claims=json.dumps(id_token, default=str))
        signed.make_signed_token(key)
        with transaction.atomic(using=router.db_for_write(IDToken)):
            request.id_token = request.access_token = self._save_id_token(id_token["jti"], request, expiration_time)
        return str(signed.serialize())


def _spoil(id_token: dict[str, Any], fault: str) -> None:
    now = int(time.time())
    if fault == "wrong_audience":
        id_token["aud"] = "en-annan-tjanst"
    elif fault == "expired":
        id_token |= {"iat": now - 3600, "exp": now - 1800}
    elif fault == "wrong_nonce":
        id_token["nonce"] = uuid.uuid4().hex
    elif fault == "wrong_issuer":
        id_token["iss"] = "http://idp.example.invalid/o"
    elif fault == "weak_acr":  # a lower level than the RP asked for
        id_token |= {"acr": f"{LOA_PREFIX}2", "amr": ["password"]}
