"""A Discord study bot for AWS machine-learning certification groups."""

__version__ = "0.1.0"
