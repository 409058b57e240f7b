"""The IdP's signing key and self-signed certificate, made once per data directory."""

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def ensure_key_pair(directory: Path, common_name: str) -> tuple[Path, Path]:
    """(key file, cert file) in `directory`, made on the first call and kept after."""
    key_file, cert_file = directory / "idp-signing.key", directory / "idp-signing.crt"
    if key_file.exists() and cert_file.exists():
        return key_file, cert_file
    directory.mkdir(parents=True, exist_ok=True)
    key_pem, cert_pem = new_key_pair(common_name)
    key_file.write_bytes(key_pem)
    key_file.chmod(0o600)
    cert_file.write_bytes(cert_pem)
    return key_file, cert_file


def new_key_pair(common_name: str, days: int = 3650) -> tuple[bytes, bytes]:
    """An RSA key and a self-signed certificate for it, both PEM."""
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
