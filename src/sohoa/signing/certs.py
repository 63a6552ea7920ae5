"""The signing certificate: a configured one (``SOHOA_SIGNING_CERT``/``_KEY``) or a development one in the data dir."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sohoa.domain.errors import ValidationFailed
from sohoa.settings import Settings
from sohoa.storage.private import create_private_file, private_dir

__all__ = ["DEV_CERT", "DEV_KEY", "SigningKey", "ensure_dev_certificate", "signing_key"]

DEV_CERT = "signing/dev-cert.pem"
DEV_KEY = "signing/dev-key.pem"


@dataclass(frozen=True)
class SigningKey:
    """PEM files of the certificate and its key; ``development`` marks the self-signed one."""

    cert: Path
    key: Path
    password: str | None
    development: bool


def _write_dev_pair(cert_path: Path, key_path: Path, organisation: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Sohoa development signer (NOT FOR PRODUCTION)")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=5 * 365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .sign(key, hashes.SHA256()))
    private_dir(key_path.parent)
    private_dir(cert_path.parent)
    # Created 0600 from the first byte (never written, then restricted); the certificate last, so that
    # a pair is complete once the certificate exists.
    key_path.unlink(missing_ok=True)  # a key without its certificate is a leftover of an interrupted run
    create_private_file(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    create_private_file(cert_path, cert.public_bytes(serialization.Encoding.PEM))


def signing_key(settings: Settings) -> SigningKey:
    """The configured certificate, else the development one (which must exist: see ensure_dev_certificate)."""
    if settings.signing_cert or settings.signing_key:
        if not (settings.signing_cert and settings.signing_key):
            raise ValidationFailed("Cần cả SOHOA_SIGNING_CERT và SOHOA_SIGNING_KEY",
                                   "Set both SOHOA_SIGNING_CERT and SOHOA_SIGNING_KEY")
        return SigningKey(settings.signing_cert, settings.signing_key, settings.signing_key_password, False)
    return SigningKey(settings.data / DEV_CERT, settings.data / DEV_KEY, None, True)


def ensure_dev_certificate(settings: Settings) -> SigningKey:
    """Create the self-signed development certificate in the data dir when none is configured (idempotent)."""
    chosen = signing_key(settings)
    if chosen.development and not (chosen.cert.exists() and chosen.key.exists()):
        _write_dev_pair(chosen.cert, chosen.key, settings.copy_agency)
    return chosen
