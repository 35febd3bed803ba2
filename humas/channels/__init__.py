"""Channels: social accounts of an office and the platform layer that publishes to them.

``connectors`` and ``fakes`` are Django-free so they can be tested and benchmarked alone.
"""
