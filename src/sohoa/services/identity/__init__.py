"""Identity and access: principals, roles and permissions, accounts, sessions, API tokens, login throttling, and
the record-level access policy (who may see which document).
"""
