"""Request plumbing with no domain knowledge: the client's address, the page cache.

The lowest Django-aware layer: it imports nothing from the other Humas apps, so every app may
use it (see docs/architecture.md).
"""
