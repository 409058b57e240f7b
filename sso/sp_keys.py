"""RS-portal's own SAML signing key and self-signed certificate (the SP's, in its metadata):
made once per deployment, never shipped in the code or the image."""

import datetime
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def new_key_pair(common_name: str, days: int = 3650) -> tuple[bytes, bytes]:
    """An RSA key and a self-signed certificate for it, both PEM (SAML metadata trusts the
    certificate itself, so no CA is needed)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def ensure_key_pair(key_file: Path, cert_file: Path, common_name: str = "rs-portal-saml-sp") -> bool:
    """Make the pair where neither file exists (True); leave existing files alone (False)."""
    if key_file.exists() or cert_file.exists():
        return False
    key_pem, cert_pem = new_key_pair(common_name)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key_pem)
    cert_file.write_bytes(cert_pem)
    return True
