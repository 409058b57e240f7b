from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from sso.sp_keys import ensure_key_pair


class Command(BaseCommand):
    help = "Make RS-portal's SAML signing key and certificate (RSPORTAL_SAML_KEY_FILE/_CERT_FILE) if neither exists."

    def handle(self, *args: Any, **options: Any) -> None:
        key_file, cert_file = Path(settings.RSPORTAL_SAML_KEY_FILE), Path(settings.RSPORTAL_SAML_CERT_FILE)
        if ensure_key_pair(key_file, cert_file):
            self.stdout.write(f"Made {key_file} and {cert_file}: give the IdP the SP metadata at /saml2/metadata/.")
        else:
            self.stdout.write(f"{key_file} or {cert_file} exists already: left as it is.")
