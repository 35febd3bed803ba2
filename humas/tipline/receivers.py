"""The tipline's answers to events of lower apps (connected in TiplineConfig.ready)."""

from __future__ import annotations

from collections.abc import Sequence

from .answers import tips_answer_task


def answer_tips_on_claims_changed(sender: object, claim_ids: Sequence[int], **kwargs: object) -> None:
    # A clarification published or changed: the tips waiting for it are answered (in a task).
    tips_answer_task(list(claim_ids))
