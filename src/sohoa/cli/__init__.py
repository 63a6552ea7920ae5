"""Command-line adapters: each command is a thin call into one service."""
