"""The pure core: exam packs, questions, grading, selection, scoring and schedule arithmetic.

Nothing here imports discord, sqlalchemy or touches a clock or the network; `now` and `rng` are
parameters, so every rule is tested with plain unit tests.
"""
