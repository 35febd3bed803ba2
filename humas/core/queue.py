"""Task priorities: which queued work a worker takes first. The queue is first in, first out
within a priority; a higher priority is taken before any lower one (Huey's priority storage:
``PriorityRedisHuey`` in production, ``SqliteHuey`` embedded, ``MemoryHuey`` in tests).

- FAN_OUT: the links of a large fan-out (a cascade adopted automatically by every office that
  opted in: coordination/cascades.py), taken first, but only a few at a time: the fan-out runs in
  a fixed number of lanes, each link queueing the next when it is done, so it never waits behind
  the deliveries it makes nor takes every worker thread from them.
- DELIVERY: a post going out to a platform, and settling an ambiguous send. A person pressed
  "Terbitkan" and the platforms' rate limits are the clock: only a fan-out's few links go first.
- (none, 0): everything else — the monitoring pipeline's batches, notifications, images.
"""

from __future__ import annotations

PRIORITY_FAN_OUT = 20
PRIORITY_DELIVERY = 10
