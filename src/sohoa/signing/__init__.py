"""Signing of certified copies: the visible "BẢN SAO" stamp (NĐ 30) and a PAdES signature (pyHanko)."""

from sohoa.signing.certs import SigningKey, ensure_dev_certificate, signing_key
from sohoa.signing.pades import sign_pdf
from sohoa.signing.stamp import CopyStamp, stamp_certified_copy

__all__ = ["CopyStamp", "SigningKey", "ensure_dev_certificate", "sign_pdf", "signing_key", "stamp_certified_copy"]
