"""The thin Discord shell: cogs translate interactions and reactions into service calls and render
results. No SQL and no scoring rules here."""
