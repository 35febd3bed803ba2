"""Feeds and article pages served locally for the news and fact-check pollers' tests."""
