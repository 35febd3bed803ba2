"""Writes of the tipline: a tip taken in from the public, handed to monitoring as an item of the
office that received it (answering tips is ``answers.py``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import transaction

from humas.media.pipeline import prepare_upload
from humas.media.storage import delete_quietly, private_storage, save_new
from humas.monitoring.services import items_ingest, source_for_public_tips
from humas.offices.models import Office

from .models import Tip, TipScreenshot

logger = logging.getLogger(__name__)

# A tip is answered by a clarification the engine puts first for it with at least a suggestion,
# or that the desk made from the narrative the tip joined.


@dataclass(frozen=True)
class TipInput:
    text: str
    link: str = ""
    region_code: str = ""
    contact_email: str = ""
    contact_telegram: int | None = None
    language: str = "id"
    channel: str = Tip.Channel.PORTAL


def tip_submit(*, office: Office, data: TipInput, screenshots: Sequence[IO[bytes] | Any] = ()) -> Tip:
    """Take in a tip sent to ``office``'s portal: its screenshots checked and cleaned first (an
    ImageRejected stops everything before anything is stored), then the tip, its screenshots and
    its monitoring item in one transaction. Callers have checked the form and the rate limit."""
    prepared = [
        prepare_upload(file=f, byte_limit=settings.HUMAS_TIP_SCREENSHOT_MAX_BYTES) for f in screenshots
    ]
    stored: list[str] = []
    try:
        with transaction.atomic():
            tip = Tip.objects.create(
                office=office,
                channel=data.channel,
                text=data.text,
                link=data.link,
                region_code=data.region_code,
                contact_email=data.contact_email,
                contact_telegram=data.contact_telegram,
                language=data.language,
            )
            for n, image in enumerate(prepared, start=1):
                name = save_new(
                    storage=private_storage(),
                    name=f"tips/{office.slug}/{tip.reference}-{n}.{image.extension}",
                    content=image.content,
                )
                stored.append(name)
                TipScreenshot.objects.create(
                    tip=tip,
                    file=name,
                    width=image.width,
                    height=image.height,
                    mime=image.mime,
                    size=len(image.content),
                )
            record: dict[str, Any] = {
                "platform": "portal" if data.channel == Tip.Channel.PORTAL else "telegram",
                "external_id": tip.reference,
                "text": data.text,
                "url": data.link,
                "published_at": tip.received_at.isoformat(),
                "tip": tip.reference,
                "screenshots": len(prepared),
            }
            if data.region_code:
                record["region"] = data.region_code
            result = items_ingest(
                actor=None, source=source_for_public_tips(office=office), records=[record], polled=False
            )
            if result.ids:
                tip.item_id = result.ids[0]
                tip.save(update_fields=["item_id"])
    except BaseException:
        delete_quietly(storage=private_storage(), names=stored)
        raise
    return tip
