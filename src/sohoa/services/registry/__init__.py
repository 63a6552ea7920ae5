"""Registry: units (cơ quan, đơn vị) and their succession in the 2025 reorganisation.
"""
