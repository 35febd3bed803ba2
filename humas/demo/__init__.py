"""Demo data for `humas demo`: people in every role, articles, official accounts.

Above every domain app (it uses their services), below the command line.
"""
