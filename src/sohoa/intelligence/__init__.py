"""Reading Vietnamese administrative documents: fields, splitting, OCR repair, legacy text, QR sheets.

QR separator sheets (``sohoa.intelligence.separator``) and stamps (``sohoa.intelligence.stamps``) use OpenCV,
NumPy and reportlab (about 0.25 s to import): they are imported from their own modules, not from here, so that
what only extracts fields or splits documents (the application context, `sohoa search`) does not load them.
"""

from .baseline import BaselineFieldExtractor
from .correct import correct_page
from .extract import FieldExtractor, RuleFieldExtractor, extract_fields
from .legacy import decode_legacy, detect_legacy_encoding
from .split import DocumentSplitter, LayoutSplitter, split_documents

__all__ = [
    "BaselineFieldExtractor",
    "DocumentSplitter",
    "FieldExtractor",
    "LayoutSplitter",
    "RuleFieldExtractor",
    "correct_page",
    "decode_legacy",
    "detect_legacy_encoding",
    "extract_fields",
    "split_documents",
]
