"""Citizen portal: public search, public documents, certified-copy requests; staff decisions on them."""
