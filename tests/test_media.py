"""Image decoding, hashing, EXIF and thumbnails on generated and reference images."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from PIL.TiffImagePlugin import IFDRational

from threadline.hashindex import PDQ_MIN_QUALITY, hamming
from threadline.media import (
    ImageDecodeError,
    decode_image,
    exif_from_bytes,
    hash_bytes,
    hash_file,
    pdq_from_pixels,
    safe_thumbnail,
)
from threadline.media.exif import MAX_TEXT

PDQ_IMAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "pdq" / "images"
MODES_DIR = PDQ_IMAGES / "misc-images" / "modes"
ORIGINAL = PDQ_IMAGES / "bridge-mods" / "aaa-orig.jpg"


def synth(width: int, height: int, seed: int = 0) -> Image.Image:
    """A photo-like RGB image: smooth colour field, shapes, grain (rich in mid frequencies)."""
    rng = np.random.default_rng(seed)
    field = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    im = Image.fromarray(field).resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(im)
    for _ in range(25):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(width // 40 + 1, width // 6 + 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    im = im.filter(ImageFilter.GaussianBlur(width / 400))
    grain = rng.integers(-6, 7, (height, width, 1), dtype=np.int16)
    return Image.fromarray(
        np.clip(np.asarray(im).astype(np.int16) + grain, 0, 255).astype(np.uint8)
    )


def encode(im: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A ~100-byte PNG whose header declares width × height RGB pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + body + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return synth(640, 480, seed=7)


# ---------------------------------------------------------------- hashes


def test_hash_bytes_fields(photo: Image.Image) -> None:
    data = encode(photo, "JPEG", quality=90)
    h = hash_bytes(data)
    assert h.sha256 == hashlib.sha256(data).hexdigest()
    assert h.md5 == hashlib.md5(data).hexdigest()
    assert len(h.pdq_hex) == 64 and int(h.pdq_hex, 16) >= 0
    assert (h.width, h.height) == (640, 480)
    assert h.quality >= PDQ_MIN_QUALITY and h.matchable
    assert h.as_json() == {
        "sha256": h.sha256,
        "md5": h.md5,
        "pdq": h.pdq_hex,
        "quality": h.quality,
        "width": 640,
        "height": 480,
    }


def test_hash_is_stable_across_encodings(photo: Image.Image) -> None:
    png = hash_bytes(encode(photo))
    for fmt, kw in (("JPEG", {"quality": 85}), ("WEBP", {"quality": 80}), ("BMP", {})):
        assert hamming(png.pdq_hex, hash_bytes(encode(photo, fmt, **kw)).pdq_hex) <= 4, fmt
    assert hamming(png.pdq_hex, pdq_from_pixels(photo)[0]) == 0


def test_flat_image_has_low_quality_and_is_kept() -> None:
    h = hash_bytes(encode(Image.new("RGB", (200, 200), (90, 90, 90))))
    assert h.quality < PDQ_MIN_QUALITY and not h.matchable
    assert len(h.pdq_hex) == 64


@pytest.mark.parametrize(("size"), [(1, 1), (1, 3000), (3000, 1), (3, 2)])
def test_degenerate_sizes_hash(size: tuple[int, int]) -> None:
    h = hash_bytes(encode(Image.new("RGB", size, (200, 10, 10))))
    assert (h.width, h.height) == size and len(h.pdq_hex) == 64


# ---------------------------------------------------------------- modes


@pytest.mark.parametrize(
    ("mode", "fmt", "max_bits"),
    [
        ("L", "PNG", 0),
        ("LA", "PNG", 0),
        ("RGBA", "PNG", 0),
        ("P", "PNG", 4),  # web palette with dithering
        ("PA", "WEBP", 4),
        ("CMYK", "JPEG", 2),
        ("1", "PNG", 8),  # dithered bilevel
        ("I", "TIFF", 0),
    ],
)
def test_generated_modes_hash_like_rgb(
    photo: Image.Image, mode: str, fmt: str, max_bits: int
) -> None:
    reference = hash_bytes(encode(photo)).pdq_hex
    source = photo.convert("L") if mode == "I" else photo
    data = encode(source.convert(mode), fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    assert hamming(reference, hash_bytes(data).pdq_hex) <= max_bits


def test_16_bit_grey_is_clipped_like_the_reference(photo: Image.Image) -> None:
    """HMA's pdq_hasher: I;16 → convert("RGB"), which clips at 255 rather than scaling."""
    grey = np.asarray(photo.convert("L")).astype("<u2")
    low = Image.frombytes("I;16", photo.size, grey.tobytes())
    assert hash_bytes(encode(low)).pdq_hex == hash_bytes(encode(photo.convert("L"))).pdq_hex
    high = Image.frombytes("I;16", photo.size, (grey * 257).astype("<u2").tobytes())
    pixels = np.asarray(decode_image(encode(high)).image)
    assert np.array_equal(pixels[..., 0], np.minimum(grey * 257, 255))


@pytest.mark.skipif(not MODES_DIR.is_dir(), reason="reference mode images absent")
@pytest.mark.parametrize(
    ("name", "max_bits"), [("L.png", 0), ("LA.png", 0), ("P.png", 0), ("CMYK.jpg", 0), ("1.png", 4)]
)
def test_reference_mode_images_hash_like_the_original(name: str, max_bits: int) -> None:
    h = hash_file(MODES_DIR / name)
    assert Image.open(MODES_DIR / name).mode == name.split(".")[0]
    assert hamming(h.pdq_hex, hash_file(ORIGINAL).pdq_hex) <= max_bits
    assert h.quality == 100


# ---------------------------------------------------------------- hostile input


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (9_000, 9_000)])
def test_decompression_bomb_is_rejected(width: int, height: int) -> None:
    data = png_declaring(width, height)
    assert len(data) < 200
    with pytest.raises(ImageDecodeError, match="decompression bomb") as info:
        hash_bytes(data)
    assert info.value.reason == "too_large"


def test_pixel_bound_is_per_call(photo: Image.Image) -> None:
    data = encode(photo)
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ImageDecodeError, match="exceeds the limit of 1,000") as info:
        hash_bytes(data, max_pixels=1_000)
    assert info.value.reason == "too_large"
    assert hash_bytes(data).width == 640  # the next call is not affected
    assert before == Image.MAX_IMAGE_PIXELS  # and Pillow's global was not touched


def test_truncated_jpeg(photo: Image.Image) -> None:
    data = encode(photo, "JPEG", quality=90)
    with pytest.raises(ImageDecodeError, match="truncated") as info:
        hash_bytes(data[: len(data) // 2])
    assert info.value.reason == "truncated"


def test_text_file_named_jpg(tmp_path: Path) -> None:
    fake = tmp_path / "holiday.jpg"
    fake.write_text("This is not a picture.\n", encoding="utf-8")
    with pytest.raises(ImageDecodeError, match="not an image") as info:
        hash_file(fake)
    assert info.value.reason == "unsupported"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
        b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
    ],
    ids=["empty", "eps-not-allowed", "broken-png"],
)
def test_other_bad_inputs(data: bytes) -> None:
    with pytest.raises(ImageDecodeError) as info:
        hash_bytes(data)
    assert info.value.reason in ("empty", "unsupported", "corrupt", "truncated")
    assert str(info.value)


def test_file_size_bound(tmp_path: Path, photo: Image.Image) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(encode(photo))
    with pytest.raises(ImageDecodeError, match="exceeds the limit") as info:
        hash_file(path, max_bytes=1000)
    assert info.value.reason == "too_large"


# ---------------------------------------------------------------- EXIF


def _with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS 5D"
    exif[0x0131] = "Firmware 1.1"
    exif[0x0112] = 1
    exif[0x8769] = {0x9003: "2024:05:06 07:08:09", 0x9011: "+02:00", 0x9291: "25"}
    exif[0x8825] = {
        1: "S",
        2: (IFDRational(33, 1), IFDRational(51, 1), IFDRational(3108, 100)),
        3: "W",
        4: (IFDRational(70, 1), IFDRational(30, 1), IFDRational(0, 1)),
        5: b"\x00",
        6: IFDRational(1234, 10),
    }
    return encode(synth(64, 48), "JPEG", exif=exif)


def test_exif_with_gps_round_trips() -> None:
    facts = exif_from_bytes(_with_gps())
    assert facts.present
    assert (facts.make, facts.model, facts.software) == ("Canon", "EOS 5D", "Firmware 1.1")
    assert facts.gps_lat == pytest.approx(-(33 + 51 / 60 + 31.08 / 3600))
    assert facts.gps_lon == pytest.approx(-70.5)
    assert facts.gps_alt == pytest.approx(123.4)
    assert facts.orientation == 1
    assert facts.taken_at is not None
    assert facts.taken_at.isoformat() == "2024-05-06T07:08:09.250000+02:00"
    assert facts.fields_raw["Make"] == "Canon" and "GPSLatitude" in facts.fields_raw
    assert facts.as_json()["taken_at"] == "2024-05-06T07:08:09.250000+02:00"


def test_stripped_exif_is_reported_absent() -> None:
    with Image.open(io.BytesIO(_with_gps())) as im:
        stripped = encode(im.convert("RGB"), "JPEG")  # Pillow writes no EXIF unless asked
    facts = exif_from_bytes(stripped)
    assert not facts.present and facts.fields_raw == {}
    assert facts.make is None and facts.gps_lat is None and facts.taken_at is None


def test_hostile_exif_values_are_tolerated() -> None:
    exif = Image.Exif()
    exif[0x010F] = "A\x00\x1b[31m" + "x" * 10_000
    exif[0x0132] = "0000:00:00 00:00:00"
    exif[0x0112] = 77
    exif[0x8825] = {
        1: "N",
        2: (IFDRational(1, 0), IFDRational(5, 1), IFDRational(5, 1)),  # 1/0 degrees
        3: "E",
        4: (IFDRational(400, 1), IFDRational(0, 1), IFDRational(0, 1)),  # beyond 180
        6: IFDRational(10**9, 1),  # a billion metres up
    }
    facts = exif_from_bytes(encode(synth(32, 32), "JPEG", exif=exif))
    assert facts.present
    assert facts.make is not None and len(facts.make) <= MAX_TEXT and "\x1b" not in facts.make
    assert facts.taken_at is None and facts.orientation is None
    assert facts.gps_lat is None and facts.gps_lon is None and facts.gps_alt is None
    assert all(len(v) <= MAX_TEXT for v in facts.fields_raw.values())


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow's own warning
def test_unreadable_exif_block_is_present_but_empty() -> None:
    jpeg = encode(synth(64, 64), "JPEG")
    garbage = b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + b"\xff" * 50
    data = jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(garbage) + 2) + garbage + jpeg[2:]
    facts = exif_from_bytes(data)
    assert facts.present and "_error" in facts.fields_raw and facts.make is None
    assert hash_bytes(data).quality >= PDQ_MIN_QUALITY  # the image itself is fine


def test_exif_of_a_non_image_fails_clearly() -> None:
    with pytest.raises(ImageDecodeError):
        exif_from_bytes(b"just text")


# ---------------------------------------------------------------- orientation


def _left_white(width: int = 200, height: int = 100) -> Image.Image:
    arr = np.zeros((height, width), np.uint8)
    arr[:, : width // 2] = 255
    return Image.fromarray(arr).convert("RGB")


def test_hash_ignores_orientation_like_the_reference(photo: Image.Image) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    tagged = encode(photo, "PNG", exif=exif)
    assert exif_from_bytes(tagged).orientation == 6
    assert hash_bytes(tagged).pdq_hex == hash_bytes(encode(photo)).pdq_hex
    assert (hash_bytes(tagged).width, hash_bytes(tagged).height) == (640, 480)


def test_thumbnail_applies_orientation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90° clockwise to view
    data = encode(_left_white(), "JPEG", exif=exif, quality=95)
    thumb = np.asarray(Image.open(io.BytesIO(safe_thumbnail(data, size=64, blur=False))))
    assert thumb.shape == (64, 32)
    assert thumb[:28].mean() > 200 and thumb[36:].mean() < 50  # the white half is on top


# ---------------------------------------------------------------- thumbnails


def _gradient_energy(arr: np.ndarray) -> float:
    """Mean squared difference of neighbours: dominated by edges and fine detail."""
    a = arr.astype(np.float64)
    return float((np.diff(a, axis=0) ** 2).mean() + (np.diff(a, axis=1) ** 2).mean())


def test_thumbnail_is_grey_blurred_small_and_clean() -> None:
    source = synth(1200, 900, seed=3)
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    data = encode(source, "JPEG", exif=exif, quality=92)
    png = safe_thumbnail(data)
    with Image.open(io.BytesIO(png)) as thumb:
        assert thumb.format == "PNG" and thumb.mode == "L"
        assert max(thumb.size) <= 256 and thumb.size == (256, 192)
        assert not thumb.getexif() and "exif" not in thumb.info
        blurred = np.asarray(thumb)
    sharp = np.asarray(Image.open(io.BytesIO(safe_thumbnail(data, blur=False))))
    assert sharp.shape == blurred.shape
    assert _gradient_energy(blurred) < 0.1 * _gradient_energy(sharp)


def test_unblurred_colour_thumbnail_only_on_request() -> None:
    data = encode(synth(300, 200, seed=4), "PNG")
    with Image.open(io.BytesIO(safe_thumbnail(data, size=128, blur=False, grey=False))) as im:
        assert im.mode == "RGB" and im.size == (128, 85)


def test_thumbnail_flattens_transparency() -> None:
    rgba = Image.new("RGBA", (64, 64), (255, 0, 0, 0))  # fully transparent red
    png = safe_thumbnail(encode(rgba), size=32, blur=False, grey=False)
    assert Image.open(io.BytesIO(png)).getpixel((5, 5)) == (128, 128, 128)


def test_thumbnail_rejects_bombs() -> None:
    with pytest.raises(ImageDecodeError):
        safe_thumbnail(png_declaring(50_000, 50_000))
