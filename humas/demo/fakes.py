"""The demo's sample comments on the fake platforms.

The packaged sample (data/monitoring_sample.jsonl) holds comments on KPU Kabupaten Jepara's
Facebook Page and Instagram account; ``humas demo`` takes them in as items at start (seed.py
``demo_monitoring``) and, when a clarification answers them, Humas prepares replies that a person
sends. A reply goes to the comment's id on the platform, so the comments must exist there: this
puts them on the fakes, with the sample's ids, under a Page post and an Instagram media of the
fakes' first demo office ("KPU Demo 1", the Page the README's tour connects Jepara's channels
to). Once the channel is connected the replies reach them, and the demo's comment sources, if
switched on, poll the same comments from the fake (same ids: nothing is stored twice).

``humas demo`` starts the fakes as a separate process after seeding, with their state in
``<data folder>/fakes-state.json`` (humas/cli.py ``demo_commands``), so the comments are written
into that state file before the fakes start, through the fakes' own feeding (fakes/feed.py
``keep_ids``: a comment already there is left alone, so every start adds nothing new).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from humas.channels.fakes import FakeHub

from .seed import SAMPLE

# The fakes' state file in the data folder (the ``--state`` that humas/cli.py gives ``humas fakes
# serve``) and the demo offices they seed when it does not exist yet (``--seed``'s default).
FAKES_STATE = "fakes-state.json"
FAKES_SEED = 3
# The post and the media the sample's comments answer, on the first demo office's Page and
# Instagram account; a Facebook comment's id starts with its post's (scripts/demo_sample.py).
DEMO_POSTS: dict[str, str] = {"facebook": "2026000000000001", "instagram": "17920260000000001"}
DEMO_POST_TEXT = {
    "facebook": "Informasi tahapan pemilu dari KPU Kabupaten Jepara. Tanyakan di kolom komentar.",
    "instagram": "Informasi tahapan pemilu dari KPU Kabupaten Jepara.",
}
# The sample's sources whose items are comments on those channels.
SAMPLE_COMMENTS = {"comments": "facebook", "instagram": "instagram"}


def demo_fakes_state(data_dir: Path | str) -> Path:
    """Where ``humas demo``'s fakes keep their state, in the data folder."""
    return Path(data_dir) / FAKES_STATE


def sample_comments(*, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """The sample's comments on Jepara's channels by platform, timed relative to ``now`` as
    ``demo_monitoring`` times them."""
    found: dict[str, list[dict[str, Any]]] = {platform: [] for platform in DEMO_POSTS}
    with SAMPLE.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            platform = SAMPLE_COMMENTS.get(str(row["source"]))
            if platform is None or row["platform"] != platform:
                continue
            published = now - timedelta(minutes=int(row["minutes_ago"]))
            found[platform].append(
                {
                    "external_id": row["external_id"],
                    "author_handle": row["author_handle"],
                    "text": row["text"],
                    "published_at": published.isoformat(),
                    "reactions": row.get("reactions", 0),
                }
            )
    return found


def demo_fakes_feed(state_path: Path | str, *, now: datetime | None = None) -> int:
    """Put the sample's comments on the fakes kept in ``state_path`` (read, changed, written
    back), with the sample's ids: the Facebook ones under a post of the first demo office's Page,
    the Instagram ones under a media of its account. Idempotent. Answers how many comments were
    added (0 once they are there, or when the post was deleted on the fake)."""
    from django.utils import timezone

    now = now or timezone.now()
    hub = FakeHub(seed=FAKES_SEED, state_path=state_path)
    office = hub.accounts[0]
    comments = sample_comments(now=now)
    added = 0
    for platform, rows in comments.items():
        if not rows:
            continue
        post_id = _demo_post(hub, office, platform, now=now, rows=rows)
        if post_id is None:
            continue
        added += len(hub.feed_rows(rows, platform=platform, post_id=post_id, keep_ids=True)["ids"])
    hub.save_state()
    return added


def _demo_post(
    hub: FakeHub, office: dict[str, Any], platform: str, *, now: datetime, rows: list[dict[str, Any]]
) -> str | None:
    """The id of the demo's post (or media) on the fake, made before its oldest comment when it
    is not there yet; None when it was deleted there."""
    graph = hub.graph
    if platform == "facebook":
        post_id = f"{office['facebook']['page_id']}_{DEMO_POSTS['facebook']}"
    else:
        post_id = DEMO_POSTS["instagram"]
    stored = graph.objects.get(post_id)
    if stored is not None:
        return None if stored.deleted else post_id
    oldest = min(datetime.fromisoformat(str(row["published_at"])) for row in rows)
    created = (oldest - timedelta(hours=1)).timestamp()
    if platform == "facebook":
        return graph.add_post(
            office["facebook"]["page_id"], DEMO_POST_TEXT[platform], created=created, post_id=post_id
        )
    return graph.add_media(
        office["instagram"]["ig_user_id"], DEMO_POST_TEXT[platform], created=created, media_id=post_id
    )


# The tipline bot of the demo, on the fakes (a fixed index: the same token at every start).
TIPLINE_BOT = "cekklaim_kpu_bot"
TIPLINE_BOT_INDEX = 999_990


def demo_fakes_tipline(state_path: Path | str, *, webhook_url: str) -> dict[str, str]:
    """Make the demo's tipline bot on the fakes kept in ``state_path`` and point its webhook at
    ``webhook_url`` with a secret (through the fake's own setWebhook). Returns the bot's token and
    the secret, which ``humas.demo.seed.demo_tipline`` stores encrypted."""
    import secrets

    from humas.channels.fakes.core import parse_request

    hub = FakeHub(seed=FAKES_SEED, state_path=state_path)
    bot = hub.telegram.add_bot(username=TIPLINE_BOT, index=TIPLINE_BOT_INDEX)
    secret = secrets.token_urlsafe(32)
    body = json.dumps({"url": webhook_url, "secret_token": secret, "allowed_updates": ["message"]}).encode()
    answer = hub.dispatch(
        parse_request(
            "POST", f"/bot{bot['bot_token']}/setWebhook", {"content-type": "application/json"}, body
        )
    )
    if answer.status != 200 or not hub.telegram.webhooks:
        raise RuntimeError(f"the fake refused the demo bot's webhook: {answer.status} {answer.body[:200]!r}")
    hub.save_state()
    return {"token": str(bot["bot_token"]), "secret": secret, "bot_id": str(bot["bot_id"])}
