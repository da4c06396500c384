"""sheets_sync: the OIT URL review worker for the ITA 2566 assessment of Lamphun province."""

__version__ = "0.1.0"
