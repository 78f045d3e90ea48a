"""Demo data: a deterministic, bilingual retail data set with planted signals (`manyi demo-data`).

- :mod:`manyi.demo.generator` — ``generate(...) -> DemoData`` and ``write_csv``;
- :mod:`manyi.demo.load` — ``load_demo`` (importer + enrichment) and ``build_demo`` (both steps);
- :mod:`manyi.demo.signals` — the planted signals, documented and as data (``PLANTED_SIGNALS``).
"""
