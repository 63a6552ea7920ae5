"""Catalogue: reading the archive under the access policy — search, one document, listings, saved searches,
exports and the audit viewer.
"""
