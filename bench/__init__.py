"""Benchmarks of the real bot, driven through the Discord API emulator and the real database.

``python -m bench`` runs every benchmark (about five minutes on two cores), prints each figure beside
its reference measured in the same run, and writes ``bench/results.md``. ``python -m bench ingest
latency`` runs some; ``--smoke`` runs each at a tiny scale (what ``tests/bench`` does, so the suite
cannot rot).

Layout: ``core`` (figures, reports, discovery, the results file), ``botproc`` (the bot in its own
process, started exactly as ``studybot run`` starts it, with a small control channel), ``child``
(the benchmark side of that process), ``world`` (emulator set-up and synthetic question packs), and
``suites/`` with one module per benchmark. A new benchmark is a new module in ``suites/`` that
defines ``BENCHMARK``; nothing else needs to change.
"""
