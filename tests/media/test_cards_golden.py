"""Golden images of the branded cards: every template × every size, as drawn by humas/media/cards.py.

Each golden is the card scaled down to a quarter (tests/media/golden/<template>-<size>.png keeps the
repository small). A render fails when more than 0.5% of the quarter-size pixels differ by more than
24 in any channel; the difference image is written next to the test's temporary files. After an
intended change of the design, look at the new cards and rewrite the goldens:

    HUMAS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/media/test_cards_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from django.utils import translation
from PIL import Image

from humas.media.cards import SIZES, Template, card_render

from .test_cards import golden_spec

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("HUMAS_UPDATE_GOLDEN") == "1"
SCALE = 4
TOLERANCE = 24  # per channel
MAX_DIFFERENT = 0.005  # share of pixels


def quarter(image: Image.Image) -> Image.Image:
    return image.reduce(SCALE)


@pytest.mark.parametrize(("template", "size"), [(template, size) for template in Template for size in SIZES])
def test_card_matches_its_golden_image(template, size, tmp_path):
    with translation.override("id"):
        rendered = quarter(card_render(golden_spec(template, size)))
    path = GOLDEN / f"{template.value}-{size}.png"

    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        rendered.save(path, optimize=True)
        return
    assert path.exists(), f"no golden image {path}: run HUMAS_UPDATE_GOLDEN=1 .venv/bin/pytest {__file__}"

    golden = Image.open(path).convert("RGB")
    assert golden.size == rendered.size, f"{path.name}: size {rendered.size}, golden {golden.size}"
    difference = np.abs(np.asarray(rendered, dtype=np.int16) - np.asarray(golden, dtype=np.int16))
    different = difference.max(axis=2) > TOLERANCE
    share = float(different.mean())
    if share > MAX_DIFFERENT:
        diff_path = tmp_path / f"diff-{path.name}"
        mask = Image.fromarray(np.where(different, 255, 0).astype(np.uint8))
        Image.composite(Image.new("RGB", rendered.size, (255, 0, 0)), rendered, mask).save(diff_path)
        rendered.save(tmp_path / f"rendered-{path.name}")
        pytest.fail(
            f"{path.name}: {share:.2%} of pixels differ by more than {TOLERANCE} (at most {MAX_DIFFERENT:.1%}); "
            f"differences in red: {diff_path}. If the change is intended, rewrite the goldens with "
            f"HUMAS_UPDATE_GOLDEN=1."
        )
