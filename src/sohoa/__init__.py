"""Sohoa (số hóa): digitize Vietnamese administrative archives into a shared, searchable archive."""

__version__ = "0.1.0"
