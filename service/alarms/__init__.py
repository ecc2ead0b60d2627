"""Welfare-technology alarms from VKP/JFT: ingestion (`ingest.py`), the per-tenant patient
pseudonym (`pseudonym.py`), tenant-scoped reads (`queries.py`) and links to the dictations
that document them (`links.py`). Tables: `tables.py`."""
