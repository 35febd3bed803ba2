"""The coordination pages' URLs, one module per feature, each with its own namespace (included
in humas/config/urls.py): ``coordination`` (the calendar), ``cascades``, ``amplification``,
``compliance``."""
