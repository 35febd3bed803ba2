"""The pollers of the source kinds Humas fetches itself, one module each. Importing this package
registers them all (humas/monitoring/apps.py does, as the app loads): add a module's line here."""

from . import channel_comments, factcheck_feed, keyword_search, news

__all__ = ["channel_comments", "factcheck_feed", "keyword_search", "news"]
