"""Sharing: what leaves the archive or enters it from other systems — API ingest, webhooks and certified copies.
"""
