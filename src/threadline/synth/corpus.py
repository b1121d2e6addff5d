"""The corpus stream: who posts each ad, and writing ads.jsonl / truth.jsonl / WARC / pages.

Mix knobs (module constants):

* ``FRACTION_JOB`` = 0.20 of ads are job ads; of those ``FRACTION_DECEPTIVE`` =
  0.30 come from deceptive recruiters (which are operations too), the rest
  from legitimate employers.
* ``FRACTION_OPERATION`` = 0.40 of all ads come from trafficking operations;
  the remaining ~40% from independents, of which ``ads.P_HUB_ONLY`` = 6%
  book only through a hub (role ``agency_hub_user``).
* ``ads.OP_RATES`` / ``ads.IND_RATES``: how often an author's template carries
  third-person voice, several persons, youth language, stated ethnicity,
  buyer-assurance ("trustworthy") language, movement language (more often for
  independents: 0.5 against 0.3), client screening, 24/7. Operations obscure
  their phone in 20-80% of their ads, independents in 0-30%.
* ``ads.P_HUB_MENTION`` = 3% of sex ads also name a hub switchboard or
  booking e-mail shared by unrelated authors.
* Countries: ``places.COUNTRY_WEIGHTS`` (US 60%, GB 14%, ES 14%, MX 12%); Spanish
  is ES and MX plus a per-city share in US cities, about 30% overall.
* ``SECONDS_PER_AD`` = 30: an author created for ad *i* starts about i * 30 s
  after 2026-01-01 and then keeps its own clock (operations post every 4-30 h
  and move on every 1-4 ads; independents post every 1-10 days, a third of
  them touring), so `posted_at` increases along each author's ads but not
  along the file.
* Authors per kind: operations post 3-80 ads (mean ~15) for 2-7 personas,
  independents 1-20 (mean ~4), employers 1-30, recruiters 3-50.

Blocks: the corpus is cut into blocks of ``BLOCK`` = 10,000 ads, each a pure
function of (seed, block number): its own RNG stream (``Rng(f"{seed}:{block}")``,
never the global one), its own authors, a slice of the phone fiction space, a
range of handle tags and author ids. Authors do not cross blocks, so blocks can
be made in parallel (``write_corpus(workers=...)``) and the files are the same
for any number of workers. Memory is constant in `count`: a bounded set of
active authors per block is refilled as authors finish, at most two blocks per
worker are in flight, and a worker writes its block to part files in a hidden
folder under the output folder, which the writer appends to its files with
``os.copy_file_range`` (in the kernel) and deletes.

Ids: ads ``ad-0000001``...; authors ``op-``, ``ind-``, ``emp-`` and templates
``tpl-`` numbered from ``block * 100000``, so ids are unique but not dense.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import orjson

from threadline.synth.ads import Independent, Operation, sex_ad
from threadline.synth.core import Ctx
from threadline.synth.jobs import Employer, Recruiter
from threadline.synth.personas import make_hubs
from threadline.synth.render import HtmlSink, WarcRecords, WarcSink

FRACTION_JOB = 0.20
FRACTION_DECEPTIVE = 0.30
FRACTION_OPERATION = 0.40
SECONDS_PER_AD = 30
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class CorpusStats:
    count: int
    by_kind: dict[str, int]
    by_lang: dict[str, int]
    by_role: dict[str, int]
    by_country: dict[str, int]
    operations: int  # trafficking operations and deceptive recruiters that posted
    independents: int
    employers: int
    elapsed_s: float
    warc_pages: int = 0
    warc_images: int = 0
    html_pages: int = 0
    files: tuple[str, ...] = field(default_factory=tuple)


BLOCK = 10_000  # ads per block: the unit of parallel generation (see the module docstring)


def _pool_size(n: int, per: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, n // per))


class Stream:
    """Iterates (ad, truth) pairs over blocks 0, 1, ...; counts authors for the stats.

    Each block of BLOCK ads is a pure function of (seed, block number, its
    length): its own RNG stream, authors, phone slice, tag range and id range.
    So blocks can be made in parallel and the corpus is the same whichever way
    it is made. A corpus of count >= BLOCK is a prefix of any longer one with
    the same seed.
    """

    def __init__(self, count: int, seed: int) -> None:
        if count < 0:
            raise ValueError("count must be >= 0")
        self.count, self.seed = count, seed
        self.counters: dict[str, int] = {}

    def __iter__(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        for b in range(-(-self.count // BLOCK)):
            yield from self.block(b)

    def block(self, b: int) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        first = b * BLOCK + 1
        last = min(self.count, (b + 1) * BLOCK)
        # the generator itself, not wrapped in another: one level less for every ad
        return _block(self.seed, b, first, last, min(self.count, BLOCK), self.counters)


def _block(
    seed: int, b: int, first: int, last: int, span: int, counters: dict[str, int]
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    ctx = Ctx(seed, b)
    hubs = make_hubs(ctx)
    rnd = ctx.rng.random
    # active authors per kind; an exhausted slot is refilled by a new author
    pools: dict[str, list[Any]] = {
        "op": [None] * _pool_size(span, 500, 3, 40),
        "ind": [None] * _pool_size(span, 60, 8, 200),
        "emp": [None] * _pool_size(span, 800, 2, 20),
        "rec": [None] * _pool_size(span, 2500, 2, 6),
    }
    factories = {"op": Operation, "ind": Independent, "emp": Employer, "rec": Recruiter}
    job_cut, op_cut = FRACTION_JOB, FRACTION_JOB + FRACTION_OPERATION
    try:
        for i in range(first, last + 1):
            r = rnd()
            if r < job_cut:
                kind = "rec" if rnd() < FRACTION_DECEPTIVE else "emp"
            else:
                kind = "op" if r < op_cut else "ind"
            pool = pools[kind]
            j = int(rnd() * len(pool))
            author = pool[j]
            if author is None or author.remaining <= 0:
                author = pool[j] = factories[kind](ctx, i * SECONDS_PER_AD)
            ad_id = f"ad-{i:07d}"
            # the site's post number: 8 digits (9 past 20M ads), unique, never a phone number
            post_no = 10_000_000 * (8 + i // 10_000_000) + (i * 7919) % 10_000_000
            if kind in ("op", "ind"):
                yield sex_ad(author, ctx, hubs, ad_id, post_no)
            else:
                yield author.ad(ctx, ad_id, post_no)
    finally:
        for k, v in ctx.counters.items():
            counters[k] = counters.get(k, 0) + v


def generate(count: int, seed: int) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Yield `count` (ad, truth) pairs for `seed`, streaming, in constant memory.

    Treat the dicts as read-only: ads of one author may share nested objects
    (an unchanged price, for one). This is the single-process path; it yields
    exactly what `write_corpus` writes.
    """
    return iter(Stream(count, seed))


class _Block(NamedTuple):
    # per chunk of PROGRESS_EVERY ads: JSON lines, truth lines, WARC gzip members; when made
    # in a worker process, the lists are empty and `parts` names the files that hold them
    ads: list[bytes]
    truth: list[bytes]
    warc: list[bytes]
    sizes: list[int]  # ads per chunk
    warc_pages: int
    warc_images: int
    html_pages: int
    counts: dict[str, dict[str, int]]
    authors: dict[str, int]
    parts: tuple[str, ...] = ()  # ads, truth (and WARC) part files, in that order


def _make_block(
    seed: int, b: int, count: int, warc: bool, html_dir: str | None, part_dir: str | None = None
) -> _Block:
    """Block b of the corpus, serialized (runs in a worker process).

    With `part_dir`, the block's bytes go to part files there instead of into the
    result: a worker hands the writer a few file names rather than some 13 MB through
    a pipe (pickled, copied twice, unpickled), and the writer appends each part to its
    file with `os.copy_file_range`, inside the kernel.
    """
    stream = Stream(count, seed)
    dumps = orjson.dumps
    nl = orjson.OPT_APPEND_NEWLINE  # each line ends in "\n": a chunk is a plain join
    block = _Block(
        [],
        [],
        [],
        [],
        0,
        0,
        0,
        {"kind": {}, "lang": {}, "role": {}, "country": {}},
        stream.counters,
    )
    # lines are joined per chunk: orjson's bytes keep a large allocation each
    ads: list[bytes] = []
    truth: list[bytes] = []
    members: list[bytes] = []
    records = WarcRecords() if warc else None
    pages = HtmlSink(Path(html_dir)) if html_dir is not None else None
    kinds, langs, roles, countries = (block.counts[k] for k in ("kind", "lang", "role", "country"))

    def flush() -> None:
        block.ads.append(b"".join(ads))
        block.truth.append(b"".join(truth))
        block.warc.append(b"".join(members))
        block.sizes.append(len(ads))
        ads.clear()
        truth.clear()
        members.clear()

    combos: dict[tuple[str, str, str, str], int] = {}  # (kind, lang, role, country) -> ads
    # The generator makes no reference cycles, and a block allocates some 30 containers
    # per ad: the cyclic collector would only walk them again and again.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        for ad, tr in stream.block(b):
            ads.append(dumps(ad, None, nl))
            truth.append(dumps(tr, None, nl))
            k = (ad["kind"], ad["lang"], tr["role"], ad["country"])
            combos[k] = combos.get(k, 0) + 1
            if records is not None:
                members.append(records.ad(ad))
            if pages is not None:
                pages.add(ad)
            if len(ads) == PROGRESS_EVERY:
                flush()
    finally:
        if gc_was_on:
            gc.enable()
    if ads:
        flush()
    for (kind, lang, role, country), n in combos.items():
        kinds[kind] = kinds.get(kind, 0) + n
        langs[lang] = langs.get(lang, 0) + n
        roles[role] = roles.get(role, 0) + n
        countries[country] = countries.get(country, 0) + n
    block = block._replace(
        warc_pages=records.pages if records else 0,
        warc_images=records.images if records else 0,
        html_pages=pages.pages if pages else 0,
    )
    if part_dir is None:
        return block
    names = []
    for suffix, chunks in (("ads", block.ads), ("truth", block.truth), ("warc", block.warc)):
        if suffix == "warc" and not warc:
            continue
        name = os.path.join(part_dir, f"{b:07d}.{suffix}")
        with open(name, "wb") as f:
            f.writelines(chunks)
        names.append(name)
    return block._replace(ads=[], truth=[], warc=[], parts=tuple(names))


def _blocks(
    seed: int, count: int, workers: int, warc: bool, html_dir: str | None, part_dir: str | None
) -> Iterator[_Block]:
    """Blocks in order; made by up to `workers` processes, at most 2 per worker in flight.

    Blocks made by worker processes come back as part files under `part_dir` (without
    one, all blocks are made in this process)."""
    n = -(-count // BLOCK)
    pool = None
    if part_dir is not None and workers > 1 and n > 1:
        # fork where there is one: workers need nothing but this module's functions, and
        # spawn would oblige every calling script to guard its main module
        methods = multiprocessing.get_all_start_methods()
        mp = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        try:
            pool = ProcessPoolExecutor(max_workers=min(workers, n), mp_context=mp)
        except (OSError, NotImplementedError):  # no semaphores (e.g. no /dev/shm): go serial
            pool = None
    if pool is None:
        for b in range(n):
            yield _make_block(seed, b, count, warc, html_dir)
        return
    with pool:
        pending: deque[Future[_Block]] = deque()
        nxt = 0
        while nxt < n or pending:
            while nxt < n and len(pending) < 2 * workers:
                pending.append(pool.submit(_make_block, seed, nxt, count, warc, html_dir, part_dir))
                nxt += 1
            yield pending.popleft().result()


def _append_file(dst: BinaryIO, src_path: str) -> None:
    """Append the file `src_path` to the open file `dst`, then delete it."""
    dst.flush()
    with open(src_path, "rb") as src:
        left = os.fstat(src.fileno()).st_size
        try:
            while left > 0:  # the kernel copies: no bytes pass through this process
                n = os.copy_file_range(src.fileno(), dst.fileno(), left)
                if n == 0:
                    break
                left -= n
        except (AttributeError, OSError):  # no copy_file_range here: copy in user space
            src.seek(os.fstat(src.fileno()).st_size - left)
            shutil.copyfileobj(src, dst, 1 << 20)
    dst.seek(0, os.SEEK_END)  # the buffered writer resynchronises with the file offset
    os.unlink(src_path)


def default_workers() -> int:
    try:
        return max(1, min(8, len(os.sched_getaffinity(0))))
    except AttributeError:  # not on Linux
        return max(1, min(8, os.cpu_count() or 1))


def write_corpus(
    out_dir: Path,
    count: int,
    seed: int,
    *,
    warc: bool = False,
    html: bool = False,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> CorpusStats:
    """Write ads.jsonl and truth.jsonl (and ads.warc.gz, pages/) under `out_dir`.

    Blocks of ads are made in `workers` processes (default: the CPUs available);
    the files do not depend on how many.
    """
    start = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    totals: dict[str, dict[str, int]] = {"kind": {}, "lang": {}, "role": {}, "country": {}}
    authors: dict[str, int] = {}
    files = ["ads.jsonl", "truth.jsonl"]
    html_pages = 0
    html_dir = None
    if html:
        html_dir = str(out / "pages")
        Path(html_dir).mkdir(exist_ok=True)
        files.append("pages/")
    with ExitStack() as stack:
        fa = stack.enter_context(open(out / "ads.jsonl", "wb", buffering=1 << 20))
        ft = stack.enter_context(open(out / "truth.jsonl", "wb", buffering=1 << 20))
        warc_sink = None
        if warc:
            warc_sink = WarcSink(out / "ads.warc.gz")
            stack.callback(warc_sink.close)
            files.append("ads.warc.gz")
        workers = workers or default_workers()
        part_dir = None
        if workers > 1 and count > BLOCK:  # blocks will come from worker processes
            part_dir = tempfile.mkdtemp(prefix=".synth-parts-", dir=out)
            stack.callback(shutil.rmtree, part_dir, ignore_errors=True)
        blocks = _blocks(seed, count, workers, warc, html_dir, part_dir)
        for block in blocks:
            for key, sub in block.counts.items():
                tot = totals[key]
                for k, v in sub.items():
                    tot[k] = tot.get(k, 0) + v
            for k, v in block.authors.items():
                authors[k] = authors.get(k, 0) + v
            html_pages += block.html_pages
            if warc_sink is not None:
                warc_sink.count(block.warc_pages, block.warc_images)
            if block.parts:  # made by a worker process: append its part files
                sinks: list[BinaryIO] = [fa, ft]
                if warc_sink is not None:
                    sinks.append(warc_sink.file)
                for sink, part in zip(sinks, block.parts, strict=True):
                    _append_file(sink, part)
                if progress is not None:
                    for n in block.sizes:
                        progress(n)
                continue
            for lines, tlines, members, n in zip(
                block.ads, block.truth, block.warc, block.sizes, strict=True
            ):
                fa.write(lines)
                ft.write(tlines)
                if warc_sink is not None:
                    warc_sink.write(members)
                if progress is not None:
                    progress(n)
    return CorpusStats(
        count=count,
        by_kind=dict(sorted(totals["kind"].items())),
        by_lang=dict(sorted(totals["lang"].items())),
        by_role=dict(sorted(totals["role"].items())),
        by_country=dict(sorted(totals["country"].items())),
        operations=authors.get("op", 0),
        independents=authors.get("ind", 0),
        employers=authors.get("emp", 0),
        elapsed_s=time.perf_counter() - start,
        warc_pages=warc_sink.pages if warc_sink else 0,
        warc_images=warc_sink.images if warc_sink else 0,
        html_pages=html_pages,
        files=tuple(files),
    )
