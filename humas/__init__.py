"""Humas: the public-communications desk of an election commission."""

__version__ = "0.1.0"
