"""Reading Vietnamese administrative documents: fields, splitting, OCR repair, legacy text, QR sheets."""

from .baseline import BaselineFieldExtractor
from .correct import correct_page
from .extract import FieldExtractor, RuleFieldExtractor, extract_fields
from .legacy import decode_legacy, detect_legacy_encoding
from .separator import find_separator, separator_sheets_pdf
from .split import DocumentSplitter, LayoutSplitter, split_documents
from .stamps import read_stamps

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
    "find_separator",
    "read_stamps",
    "separator_sheets_pdf",
    "split_documents",
]
