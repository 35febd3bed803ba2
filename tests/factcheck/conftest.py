from __future__ import annotations

import json
from pathlib import Path

import pytest

from humas.factcheck.matching import claim_index_reset
from humas.factcheck.signals import claims_changed
from humas.portal.services import ArticleInput, article_approve, article_create, article_submit

# The shared fact-check data beside the checkout (tests only; the product never reads it).
FACTCHECKS = Path(__file__).resolve().parents[3] / "shared" / "data" / "factchecks"

CLAIM = "Beredar foto surat suara yang sudah tercoblos di gudang logistik KPU Jepara sebelum hari pemungutan suara."


def shared_lines(name: str, count: int | None = None) -> list[dict]:
    """The first ``count`` lines of a file of ../shared/data/factchecks (skips when absent)."""
    path = FACTCHECKS / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    lines = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            lines.append(json.loads(line))
            if count is not None and len(lines) == count:
                break
    return lines


def klarifikasi(**overrides) -> ArticleInput:
    fields = {
        "title": "Tidak benar surat suara di Jepara sudah dicoblos sebelum hari pemungutan",
        "type": "klarifikasi",
        "summary": "Foto yang beredar adalah surat suara contoh untuk sosialisasi.",
        "claim": CLAIM,
        "verdict": "hoaks",
        "body": "<p>Foto tersebut memperlihatkan surat suara <strong>contoh</strong> bertanda SPESIMEN.</p>"
        "<p>Surat suara asli disimpan tersegel &amp; diawasi Bawaslu.</p>",
    }
    fields.update(overrides)
    return ArticleInput(**fields)


@pytest.fixture(autouse=True)
def _fresh_index():
    # Each test's claims are rolled back: the process's index must not outlive them.
    claim_index_reset()
    yield
    claim_index_reset()


@pytest.fixture
def operator(member):
    return member("33.20", "operator", full_name="Operator Jepara")


@pytest.fixture
def editor(member):
    return member("33.20", "editor", full_name="Editor Jepara")


@pytest.fixture
def second_editor(member):
    return member("33", "editor", full_name="Editor Jawa Tengah")


@pytest.fixture
def jepara(offices):
    return offices["33.20"]


@pytest.fixture
def publish_clarification(operator, editor, jepara, django_capture_on_commit_callbacks):
    """publish_clarification(**fields) -> a klarifikasi written by the operator and published by the
    editor, with the after-commit work (the portal's signal) run."""

    def make(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            article = article_create(actor=operator, office=jepara, data=klarifikasi(**overrides))
            article_submit(actor=operator, article=article)
            return article_approve(actor=editor, article=article)

    return make


@pytest.fixture
def changed_ids():
    """The claim ids of every claims_changed sent during the test, one list per signal."""
    sent: list[list[int]] = []

    def receiver(*, claim_ids, **_):
        sent.append(list(claim_ids))

    claims_changed.connect(receiver, dispatch_uid="tests.factcheck.changed")
    yield sent
    claims_changed.disconnect(dispatch_uid="tests.factcheck.changed")
