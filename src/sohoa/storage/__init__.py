"""Object storage: immutable, content-addressed masters and derivatives."""
