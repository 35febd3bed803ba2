"""Task priorities: which queued work a worker takes first. The queue is first in, first out
within a priority; a higher priority is taken before any lower one (Huey's priority storage:
``PriorityRedisHuey`` in production, ``SqliteHuey`` embedded, ``MemoryHuey`` in tests).

- DELIVERY: a post going out to a platform, and settling an ambiguous send. A person pressed
  "Terbitkan" and the platforms' rate limits are the clock: these must not wait behind a fan-out.
- (none, 0): everything else — the monitoring pipeline's batches, notifications, images.
- FAN_OUT: one task per office of a large fan-out (a cascade adopted automatically by every
  office that opted in): hundreds at once, none urgent, each of them making deliveries that are.
"""

from __future__ import annotations

PRIORITY_DELIVERY = 10
PRIORITY_FAN_OUT = -10
