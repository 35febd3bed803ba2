"""Variants of a clean image: scaled, cropped or padded to a box, encoded as JPEG or WebP.

Every function takes and returns Pillow images or bytes; none knows what the image is for. A
variant is never larger than its source (``fit_within`` only scales down), except a cover crop,
which fills its box exactly. Padding puts the whole image on a plain canvas: nothing is cut.
"""

from __future__ import annotations

import io
import math

from django.core.files.storage import Storage
from PIL import Image, ImageOps

from .pipeline import ACCEPTED_FORMATS
from .storage import read_bytes

WHITE = (255, 255, 255)
Color = tuple[int, int, int]


def open_stored(
    *,
    storage: Storage,
    name: str,
    pixel_limit: int | None = None,
    formats: tuple[str, ...] = ACCEPTED_FORMATS,
    at_least: tuple[int, int] | None = None,
) -> Image.Image:
    """A stored (already clean) image, decoded, as RGB or RGBA. Raises ValueError when it declares
    more than ``pixel_limit`` pixels, OSError when it cannot be read.

    ``at_least``: the smallest size the caller needs; a JPEG is then decoded at 1/2, 1/4 or 1/8
    scale when that still covers it (``Image.draft``: far less memory and time for a large photo).
    """
    with Image.open(io.BytesIO(read_bytes(storage=storage, name=name)), formats=formats) as src:
        if pixel_limit is not None and src.width * src.height > pixel_limit:
            raise ValueError(f"stored image is {src.width}x{src.height}, above the pixel limit")
        if at_least is not None and src.format == "JPEG":
            src.draft(src.mode, at_least)
        src.load()
        return src.convert("RGBA" if src.mode in ("RGBA", "LA", "P", "PA") else "RGB")


def needed_size(*, width: int, height: int, max_width: int, cover: tuple[int, int]) -> tuple[int, int]:
    """The smallest decoded size of a ``width``×``height`` image from which renditions up to
    ``max_width`` wide and a ``cover`` crop can be made without scaling up."""
    scale = max(min(1.0, max_width / width), cover[0] / width, cover[1] / height)
    scale = min(scale, 1.0)
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def flatten(*, image: Image.Image, background: Color = WHITE) -> Image.Image:
    """The image without alpha: transparent areas take ``background`` (JPEG has no alpha)."""
    if image.mode == "RGB":
        return image
    rgba = image.convert("RGBA")
    canvas = Image.new("RGB", rgba.size, background)
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    return canvas


def fit_within(
    *, image: Image.Image, max_width: int | None = None, max_side: int | None = None
) -> Image.Image:
    """The image scaled down (keeping its ratio) to at most ``max_width`` wide and ``max_side`` on
    its longest side; the image itself when it already fits. Never scales up."""
    factor = 1.0
    if max_width and image.width > max_width:
        factor = max_width / image.width
    if max_side and max(image.size) * factor > max_side:
        factor = max_side / max(image.size)
    if factor >= 1.0:
        return image
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def cover_crop(*, image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Exactly ``size``: scaled to cover it (up if need be), then centre-cropped."""
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS, centering=(0.5, 0.5))


def padded_size(*, width: int, height: int, min_ratio: float, max_ratio: float) -> tuple[int, int]:
    """The smallest canvas holding ``width``×``height`` whose width/height ratio lies between
    ``min_ratio`` and ``max_ratio``; the size itself when its ratio already does."""
    ratio = width / height
    if ratio > max_ratio:
        return width, math.ceil(width / max_ratio)
    if ratio < min_ratio:
        return math.ceil(height * min_ratio), height
    return width, height


def pad_to_ratio(
    *, image: Image.Image, min_ratio: float, max_ratio: float, background: Color = WHITE
) -> Image.Image:
    """The whole image (flattened) centred on a ``background`` canvas of an allowed ratio; never
    cropped. The flattened image itself when its ratio is already allowed."""
    flat = flatten(image=image, background=background)
    canvas_size = padded_size(width=flat.width, height=flat.height, min_ratio=min_ratio, max_ratio=max_ratio)
    if canvas_size == flat.size:
        return flat
    canvas = Image.new("RGB", canvas_size, background)
    canvas.paste(flat, ((canvas_size[0] - flat.width) // 2, (canvas_size[1] - flat.height) // 2))
    return canvas


def encode_jpeg(*, image: Image.Image, quality: int, progressive: bool = True) -> bytes:
    """A JPEG of the image (flattened on white), optimised, with no metadata."""
    buf = io.BytesIO()
    flatten(image=image).save(buf, "JPEG", quality=quality, optimize=True, progressive=progressive)
    return buf.getvalue()


def encode_webp(*, image: Image.Image, quality: int) -> bytes:
    """A WebP of the image (alpha kept), with no metadata."""
    buf = io.BytesIO()
    image.save(buf, "WEBP", quality=quality, method=4)
    return buf.getvalue()


def jpeg_within_bytes(
    *, image: Image.Image, max_bytes: int, quality: int, min_quality: int = 50, step: int = 10
) -> bytes:
    """A JPEG of the image at ``quality``, lowered by ``step`` while it is above ``max_bytes``
    (not below ``min_quality``: the result may still be larger)."""
    data = encode_jpeg(image=image, quality=quality)
    while len(data) > max_bytes and quality > min_quality:
        quality -= step
        data = encode_jpeg(image=image, quality=quality)
    return data


def jpeg_shrunk_to_bytes(
    *, image: Image.Image, max_bytes: int, quality: int, smallest_side: int = 64, factor: float = 0.8
) -> bytes:
    """A JPEG of the image, scaled down by ``factor`` while it is above ``max_bytes`` (until its
    shorter side reaches ``smallest_side``)."""
    flat = flatten(image=image)
    data = encode_jpeg(image=flat, quality=quality)
    while len(data) > max_bytes and min(flat.size) > smallest_side:
        size = (round(flat.width * factor), round(flat.height * factor))
        flat = flat.resize(size, Image.Resampling.LANCZOS)
        data = encode_jpeg(image=flat, quality=quality)
    return data


def rendition_widths(*, original_width: int, widths: tuple[int, ...]) -> list[int]:
    """The widths to make: never wider than the original; a narrow original gets its own width."""
    return [w for w in widths if w <= original_width] or [original_width]
