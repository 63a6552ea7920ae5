"""Use cases with their transactions; CLI, web and workers are thin adapters over these."""
