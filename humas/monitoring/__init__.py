"""Monitoring: what the public says about the election, taken in from many sources.

This first part holds the sources and the items they bring in (file import and the API batch
endpoint). The pipeline (normalise, dedupe, relevance, regions, routing, claim matching),
narratives, triage, alerts and the evidence locker build on these tables (issue #15).
"""
