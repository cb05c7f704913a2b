"""Banner images: what a manager's upload is (checked and measured), and the personal QR banner composed from it.
Pure and CPU-bound: callers run these in a worker thread (asyncio.to_thread), never on the event loop."""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import segno
from PIL import Image, ImageOps

from services.kernel.validation import Invalid

MAX_BYTES = 10 * 1024 * 1024  # Telegram hands bots files up to 20 MB; banners are far smaller
MAX_PIXELS = 40_000_000  # larger "images" are decompression bombs, not banners
MIN_SIDE = 100
FORMATS = ("JPEG", "PNG", "WEBP")
QR_SHARE = 0.3  # the QR code's side as a share of the banner's shorter side
QR_MIN_MODULE = 4  # pixels per module: below this, phone cameras and re-compression start to lose it
WORK_SIDE = 480  # smaller banners are scaled up to this shorter side before the QR goes in


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int
    size: int  # bytes


def inspect(data: bytes) -> ImageInfo:
    """The image's format and size, or Invalid("mat-err-image") for anything that is not a usable banner."""
    if not data or len(data) > MAX_BYTES:
        raise Invalid("mat-err-image", {"max_mb": MAX_BYTES // (1024 * 1024)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format or "", image.size
                if width * height > MAX_PIXELS:
                    raise Invalid("mat-err-image", {"max_mb": MAX_BYTES // (1024 * 1024)})
                image.verify()  # a truncated or corrupt file fails here, not later in a partner's chat
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise Invalid("mat-err-image", {"max_mb": MAX_BYTES // (1024 * 1024)}) from None
    if fmt not in FORMATS or min(width, height) < MIN_SIDE:
        raise Invalid("mat-err-image", {"max_mb": MAX_BYTES // (1024 * 1024)})
    return ImageInfo(fmt, width, height, len(data))


def _qr_image(url: str, target: int) -> Image.Image:
    qr = segno.make(url, error="m", micro=False)
    border = 4  # the quiet zone a reader needs around the code
    side = qr.symbol_size(scale=1, border=border)[0]
    scale = max(QR_MIN_MODULE, target // side)
    plate = Image.new("L", (side, side), 255)
    pixels = plate.load()
    for y, row in enumerate(qr.matrix):
        for x, dark in enumerate(row):
            if dark:
                pixels[x + border, y + border] = 0  # type: ignore[index]
    return plate.resize((side * scale, side * scale), Image.Resampling.NEAREST).convert("RGB")


def qr_banner(data: bytes, url: str) -> tuple[bytes, str]:
    """The banner with a QR code of `url` in its lower right corner, as (image bytes, file extension)."""
    with Image.open(io.BytesIO(data)) as source:
        fmt = source.format
        banner = ImageOps.exif_transpose(source).convert("RGB")
    short = min(banner.size)
    if short < WORK_SIDE:
        factor = WORK_SIDE / short
        banner = banner.resize((round(banner.width * factor), round(banner.height * factor)),
                               Image.Resampling.LANCZOS)
        short = min(banner.size)
    code = _qr_image(url, int(short * QR_SHARE))
    margin = max(8, short // 30)
    banner.paste(code, (banner.width - code.width - margin, banner.height - code.height - margin))
    out = io.BytesIO()
    if fmt == "PNG":
        banner.save(out, "PNG", optimize=True)
        return out.getvalue(), "png"
    banner.save(out, "JPEG", quality=92)  # photos stay photos; the QR's modules survive at this quality
    return out.getvalue(), "jpg"
