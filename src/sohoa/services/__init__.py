"""Use cases with their transactions, in groups that import only the groups before them:
platform → registry → identity → catalogue → production → sharing (see ``src/sohoa/package_map.toml``).
CLI, web, portal and API are thin adapters over these.
"""
