"""RS-portal's SAML key pair is made once per deployment, never over one that exists."""

import stat

from cryptography import x509
from django.core.management import call_command


def test_the_command_makes_a_private_key_and_a_certificate_once(tmp_path, settings):
    settings.RSPORTAL_SAML_KEY_FILE = str(tmp_path / "sp.key")
    settings.RSPORTAL_SAML_CERT_FILE = str(tmp_path / "sp.crt")

    call_command("saml_sp_keys")
    key, cert = (tmp_path / "sp.key").read_bytes(), (tmp_path / "sp.crt").read_bytes()
    call_command("saml_sp_keys")

    assert stat.S_IMODE((tmp_path / "sp.key").stat().st_mode) == 0o600
    assert x509.load_pem_x509_certificate(cert).subject.rfc4514_string() == "CN=rs-portal-saml-sp"
    assert (tmp_path / "sp.key").read_bytes() == key  # the second run left it alone
