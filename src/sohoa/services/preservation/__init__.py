"""Preservation: what keeps the archive provably intact for decades — PREMIS events, the OCFL storage root,
SIP/AIP/DIP packages (TT 05/2025: METS, EAD, PREMIS), fixity audits with their history, replicas, backups
and restores, format identification and encryption at rest of restricted material.
"""
