"""Factories for what the pipeline makes (narratives, their variants, hours and items), so the
triage desk is tested on exact data without running the pipeline.

``narrative_build`` makes a narrative whose counters agree with its items, the way the pipeline
keeps them: item and variant counts, reach, platforms and regions (items per key), hours
(items per UTC hour of publication), first and last seen."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import factory

from humas.factcheck.models import Claim
from humas.monitoring.models import Item, ItemPlatform, Narrative, NarrativeHour, Source, Variant
from humas.monitoring.records import canonical_sha256
from humas.offices.models import Office

T0 = datetime(2024, 2, 14, 1, 0, tzinfo=UTC)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    kind = Source.Kind.FILE_IMPORT
    name = factory.Sequence(lambda n: f"Sumber {n}")


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    kind = Claim.Kind.EXTERNAL
    source_name = "TurnBackHoax"
    external_id = factory.Sequence(lambda n: f"tbh-{n}")
    title = factory.Sequence(lambda n: f"[SALAH] Klaim hoaks nomor {n}")
    verdict = "Salah"
    url = factory.Sequence(lambda n: f"https://turnbackhoax.id/{n}/")
    published_at = T0


class NarrativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Narrative

    office_path = factory.LazyAttribute(lambda o: o.office.path)
    title = factory.Sequence(lambda n: f"Narasi nomor {n} tentang TPS")
    first_seen_at = T0
    last_seen_at = T0


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    exact_key = factory.Sequence(lambda n: f"k{n:031d}")
    text = factory.Sequence(lambda n: f"Variasi {n}")
    first_seen_at = T0


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    source = factory.SubFactory(SourceFactory)
    platform = ItemPlatform.X
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    author_handle = factory.Sequence(lambda n: f"@akun{n}")
    url = factory.LazyAttribute(lambda o: f"https://x.com/a/status/{o.external_id}")
    text = "Katanya TPS tutup jam 11"
    published_at = T0
    captured_at = T0 + timedelta(minutes=5)
    raw = factory.LazyAttribute(lambda o: {"id": o.external_id, "text": o.text})
    raw_sha256 = factory.LazyAttribute(lambda o: canonical_sha256(o.raw))
    office = factory.LazyAttribute(lambda o: o.source.office)


@dataclass
class ItemSpec:
    """One item of a variant: when it was published (hours after T0), where and how far it went."""

    hour: int = 0
    platform: str = ItemPlatform.X
    reach: int = 10
    regions: dict[str, float] = field(default_factory=dict)
    text: str = ""


def narrative_build(
    *,
    office: Office,
    variants: Sequence[tuple[str, Sequence[ItemSpec]]],
    source: Source | None = None,
    keys: Sequence[str] | None = None,
    **fields: Any,
) -> Narrative:
    """A narrative of ``office`` with one variant per (text, items) and counters that agree.
    ``keys``: the variants' exact keys (default: unique to the narrative)."""
    source = source or SourceFactory(office=office)
    narrative = NarrativeFactory(office=office, title=fields.pop("title", variants[0][0]), **fields)
    platforms: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    hours: Counter[datetime] = Counter()
    published: list[datetime] = []
    total_reach = 0
    for index, (text, specs) in enumerate(variants):
        variant = VariantFactory(
            narrative=narrative,
            exact_key=keys[index] if keys else f"key-{narrative.pk}-{index}",
            text=text,
            item_count=len(specs),
            reach=sum(s.reach for s in specs),
            first_seen_at=T0 + timedelta(hours=min((s.hour for s in specs), default=0)),
        )
        for spec in specs:
            when = T0 + timedelta(hours=spec.hour, minutes=10)
            ItemFactory(
                source=source,
                narrative=narrative,
                variant=variant,
                platform=spec.platform,
                text=spec.text or text,
                published_at=when,
                reach=spec.reach,
                regions=spec.regions,
                exact_key=variant.exact_key,
                processed_at=when,
                routed_office=office,
                relevant=True,
            )
            platforms[spec.platform] += 1
            regions.update(spec.regions.keys())
            hours[when.replace(minute=0)] += 1
            published.append(when)
            total_reach += spec.reach
    NarrativeHour.objects.bulk_create(
        [NarrativeHour(narrative=narrative, hour=hour, count=n) for hour, n in sorted(hours.items())]
    )
    narrative.item_count = len(published)
    narrative.variant_count = len(variants)
    narrative.reach = total_reach
    narrative.platforms = dict(platforms)
    narrative.regions = dict(regions)
    if published:
        narrative.first_seen_at, narrative.last_seen_at = min(published), max(published)
    narrative.save()
    return narrative


@dataclass
class Recount:
    """A narrative's counters counted again from its items, to compare with what is stored."""

    item_count: int
    variant_count: int
    reach: int
    platforms: dict[str, int]
    regions: dict[str, int]
    hours: dict[datetime, int]
    variants: dict[str, tuple[int, int]]  # exact key -> (items, reach)
    first_seen_at: datetime | None
    last_seen_at: datetime | None


def recount(narrative: Narrative) -> Recount:
    items = list(Item.objects.filter(narrative=narrative).select_related("variant"))
    platforms: Counter[str] = Counter(i.platform for i in items)
    regions: Counter[str] = Counter(code for i in items for code in i.regions)
    hours: Counter[datetime] = Counter(
        i.published_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0) for i in items
    )
    variants: dict[str, tuple[int, int]] = {}
    for item in items:
        assert item.variant is not None and item.variant.narrative_id == narrative.pk
        n, reach = variants.get(item.variant.exact_key, (0, 0))
        variants[item.variant.exact_key] = (n + 1, reach + item.reach)
    return Recount(
        item_count=len(items),
        variant_count=Variant.objects.filter(narrative=narrative).count(),
        reach=sum(i.reach for i in items),
        platforms=dict(platforms),
        regions=dict(regions),
        hours=dict(hours),
        variants=variants,
        first_seen_at=min((i.published_at for i in items), default=None),
        last_seen_at=max((i.published_at for i in items), default=None),
    )


def stored(narrative: Narrative) -> Recount:
    """What the narrative's rows say, in the shape of ``recount``."""
    narrative.refresh_from_db()
    return Recount(
        item_count=narrative.item_count,
        variant_count=narrative.variant_count,
        reach=narrative.reach,
        platforms=narrative.platforms,
        regions=narrative.regions,
        hours=dict(NarrativeHour.objects.filter(narrative=narrative).values_list("hour", "count")),
        variants={v.exact_key: (v.item_count, v.reach) for v in Variant.objects.filter(narrative=narrative)},
        first_seen_at=narrative.first_seen_at,
        last_seen_at=narrative.last_seen_at,
    )
