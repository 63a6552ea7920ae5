"""Adapters to external engines (Tesseract, Poppler, image libraries) behind small protocols."""
