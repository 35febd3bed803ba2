"""The coordination pages under ``/app/<office>/``, one module per feature (calendar, cascades,
amplification tasks, posting activity) and what the board pages share (``boards.py``)."""
