"""Persistence: models, the engine with SQLite pragmas, migrations, and repository functions."""
