"""Gains reporting (gevinstrealisering): daily per-tenant figures without patient data,
updated in the same transactions as the events they count (`aggregates.py`), so a purge of
dictations or alarms never erases them; `report.py` sums a period."""
