"""Image hashing throughput (SHA-256 + MD5 + PDQ) on generated photo-like images.

    .venv/bin/python benchmarks/bench_hashing.py                 # 512 and 1600 px, 40 images each
    .venv/bin/python benchmarks/bench_hashing.py --count 100 --sizes 512 1600 4000

One process, one thread (pdqhash holds the GIL). Rates are images per CPU
second of this process (best of 3 passes), so that a shared machine does not
distort them; one wall-clock column is shown for comparison. Columns:

- ``file → hashes``: ``hash_bytes`` on the encoded file — decode included,
  crypto hashes included; the number a pipeline sees.
- ``pixels → PDQ``: ``pdq_from_pixels`` on an already decoded image — decode
  excluded (RGB conversion, shrink to 512, PDQ).
- ``PDQ core``: ``pdqhash.compute`` alone on the ≤ 512 px RGB array.
- ``decode only``: Pillow decode of the full image (for reference).

Images are generated (a smooth colour field, discs, blur, grain), encoded as
JPEG quality 90 and as PNG; the landscape side is the size given (4:3).
Prints a Markdown table for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np
import pdqhash
from PIL import Image, ImageDraw, ImageFilter

from threadline.media import decode_image, hash_bytes, pdq_from_pixels


def synth(width: int, height: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    field = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    im = Image.fromarray(field).resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(im)
    for _ in range(25):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(width // 40 + 1, width // 6 + 2))
        draw.ellipse(
            [x - r, y - r, x + r, y + r], fill=tuple(int(c) for c in rng.integers(0, 256, 3))
        )
    im = im.filter(ImageFilter.GaussianBlur(width / 400))
    grain = rng.integers(-6, 7, (height, width, 1), dtype=np.int16)
    return Image.fromarray(
        np.clip(np.asarray(im).astype(np.int16) + grain, 0, 255).astype(np.uint8)
    )


def encode(im: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buf.getvalue()


def rate(
    fn: Callable[[object], object], items: list[object], repeat: int = 3
) -> tuple[float, float]:
    """Items per CPU second and per wall-clock second, best of ``repeat`` passes.

    The machine is shared: CPU time is what the work costs, wall time what it took.
    """
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        for item in items:
            fn(item)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return len(items) / best_cpu, len(items) / best_wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=40, help="images per size and format")
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1600])
    parser.add_argument("--formats", nargs="+", default=["JPEG", "PNG"])
    args = parser.parse_args()

    cpu = platform.processor() or platform.machine()
    print(
        f"# hashing — {cpu}, Python {platform.python_version()}, "
        f"Pillow {Image.__version__}, numpy {np.__version__}, one thread"
    )
    print()
    print(
        "| size | format | KiB/file | file → hashes img/s | ms/img | (wall img/s) | "
        "pixels → PDQ img/s | PDQ core img/s | decode only img/s | quality ≥ 50 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        width, height = size, size * 3 // 4
        images = [synth(width, height, seed) for seed in range(args.count)]
        small = [decode_image(encode(im, "PNG"), reduce_to=512).image for im in images]
        pixels_rate, _ = rate(pdq_from_pixels, images)  # type: ignore[arg-type]
        core_rate, _ = rate(lambda im: pdqhash.compute(np.asarray(im)), small)  # type: ignore[arg-type]
        for fmt in args.formats:
            files = [encode(im, fmt) for im in images]
            file_rate, file_wall = rate(hash_bytes, files)  # type: ignore[arg-type]
            decode_rate, _ = rate(lambda d: Image.open(io.BytesIO(d)).load(), files)  # type: ignore[arg-type,union-attr]
            good = sum(hash_bytes(f).quality >= 50 for f in files)
            kib = statistics.mean(len(f) for f in files) / 1024
            print(
                f"| {width}×{height} | {fmt} | {kib:.0f} | {file_rate:.1f} | "
                f"{1000 / file_rate:.2f} | ({file_wall:.1f}) | {pixels_rate:.1f} | "
                f"{core_rate:.0f} | {decode_rate:.1f} | {good}/{len(files)} |"
            )


if __name__ == "__main__":
    main()
