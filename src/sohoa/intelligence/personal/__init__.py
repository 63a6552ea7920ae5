"""Finding personal data (Luật 91/2025/QH15) in the text of documents and on their pages.

``detect_rules`` finds the structured kinds (CCCD, CMND, dates of birth, phones, e-mail, addresses, bank
accounts, licence plates, land parcels); ``detect`` adds personal names found by a tagger the project trains
on documents it generates; ``detect_page`` maps the spans of an OCR page to its words and their boxes.
"""

from .rules import detect_rules

__all__ = ["detect_rules"]
