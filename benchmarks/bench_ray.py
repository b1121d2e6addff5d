"""Linking on the local engine vs Ray with 1 and 2 workers: wall, CPU, peak memory per process.

    python benchmarks/bench_ray.py --ads 200000 --small 10000 [--workdir /tmp/bench_ray]

Writes synthetic corpora (`threadline.synth.write_corpus`, seed 2026) once,
then runs each configuration in a child process while this process samples
the child's process tree from /proc every 0.2 s: peak RSS of the driver, of
the largest Ray worker and of Ray's own services (raylet, GCS), each with its
peak private memory in brackets (RSS counts the pages of Ray's shared-memory
object store that a process touched; private memory does not), and the CPU
seconds of the whole tree.
Each run's assignments file is hashed: the Ray runs must give the local bytes.
The machine is shared: `uptime` is printed before and after each run.

Ends with a projection for 100 million ads on N workers from the measured
costs of the 2-worker run: per-record CPU of the partitioned stages, which
divide by N, and per-record wall of the driver's single-process stages,
which do not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(c) for c in fh.read().split())
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(_children(p))
    return seen


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "driver"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return "gone"
    if "ray::" in cmd or "default_worker.py" in cmd:
        return "worker"
    if "raylet" in cmd or "gcs_server" in cmd or "ray/_private" in cmd or "dashboard" in cmd:
        return "ray services"
    return "worker" if "multiprocessing" in cmd or "python" in cmd else "other"


def _private_mib(pid: int) -> float:
    """Private (unshared) memory of a process: RSS without the object store's shared pages."""
    total = 0
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total / 1024


class Sampler(threading.Thread):
    """Peak RSS and private memory per role, CPU seconds per process of a tree, from /proc."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak: dict[str, float] = {}
        self.private: dict[str, float] = {}
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for pid in _tree(self.root):
                try:
                    with open(f"/proc/{pid}/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                    with open(f"/proc/{pid}/statm") as fh:
                        rss = int(fh.read().split()[1]) * PAGE / 2**20
                    private = _private_mib(pid)
                except OSError:
                    continue
                self.cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS
                role = _role(pid, self.root)
                if role in ("gone", "other"):
                    continue
                self.peak[role] = max(self.peak.get(role, 0.0), rss)
                self.private[role] = max(self.private.get(role, 0.0), private)
            self.stop.wait(0.2)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def child(engine: str, workers: int, src: str, out: str, data_dir: str) -> None:
    from threadline.engine import RayOptions, run_link

    options = RayOptions(partition_records=10_000, object_store_mb=3000, data_dir=Path(data_dir))
    t0 = time.perf_counter()
    summary = run_link(src, engine=engine, num_workers=workers, out_path=out, options=options)
    wall = time.perf_counter() - t0
    print(json.dumps({"wall": wall, "summary": summary.to_dict()}))


def run(engine: str, workers: int, src: Path, workdir: Path) -> dict:
    out = workdir / f"out-{engine}-{workers}-{src.parent.name}.jsonl"
    before = uptime()
    cmd = [sys.executable, __file__, "--child", engine, str(workers), str(src), str(out)]
    cmd.append(str(workdir))
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    sampler = Sampler(proc.pid)
    sampler.start()
    stdout, _ = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{engine}/{workers} failed ({proc.returncode})")
    res = json.loads(stdout.strip().splitlines()[-1])
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    out.unlink()
    return {
        "ads": res["summary"]["records"],
        "engine": engine,
        "workers": workers,
        "wall_s": round(wall, 1),
        "link_s": round(res["wall"], 1),
        "cpu_s": round(sum(sampler.cpu.values()), 1),
        "peak_mib": {k: round(v) for k, v in sampler.peak.items()},
        "private_mib": {k: round(v) for k, v in sampler.private.items()},
        "networks": res["summary"]["networks"],
        "assignments_sha256": digest,
        "timings": res["summary"]["timings"],
        "uptime_before": before,
        "uptime_after": uptime(),
    }


def corpus(workdir: Path, n: int) -> Path:
    from threadline.synth import write_corpus

    d = workdir / f"corpus-{n}"
    if not (d / "ads.jsonl").exists():
        t0 = time.perf_counter()
        write_corpus(d, n, 2026, workers=2)
        print(f"# corpus of {n:,} ads written in {time.perf_counter() - t0:.0f} s", flush=True)
    return d / "ads.jsonl"


def projection(r: dict, target: int = 100_000_000) -> list[str]:
    """Wall for `target` ads on N workers from the per-record costs of run `r` (Ray)."""
    t, n = r["timings"], r["ads"]
    task_cpu = sum(v for k, v in t.items() if k.startswith("cpu_"))
    shuffles = sum(t.get(f"ray_{k}", 0.0) for k in ("copies", "bands", "verify", "identifiers"))
    shuffles += t.get("ray_components", 0.0)
    driver = sum(t.get(f"ray_{k}", 0.0) for k in ("text", "hubs", "network_ids")) + t["write"]
    w = r["workers"]
    par = (task_cpu + shuffles * w) / n  # CPU seconds per record that divide by N
    ser = driver / n  # driver seconds per record
    lines = [
        f"per record: {par * 1e6:.0f} µs of partitioned work (features {task_cpu / n * 1e6:.0f} "
        f"µs CPU, shuffles+verification+components {shuffles * w / n * 1e6:.0f} µs), "
        f"{ser * 1e6:.1f} µs on the driver (text replay, hub rule, network ids, file)",
    ]
    for workers in (2, 16, 64, 256, 1024):
        part_h, driver_h = target * par / workers / 3600, target * ser / 3600
        lines.append(
            f"{target:,} ads on {workers:>4} workers: ≈ {part_h + driver_h:.1f} h "
            f"(partitioned {part_h:.1f} h + driver {driver_h:.1f} h)"
        )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ads", type=int, default=1_000_000)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/bench_ray"))
    ap.add_argument("--child", nargs=5, metavar=("ENGINE", "W", "SRC", "OUT", "DIR"))
    ap.add_argument("--results", type=Path, default=None, help="append each run as JSON here")
    ap.add_argument("--only", default=None, help="runs to do, e.g. 'ray:2,local:2' (sizes: both)")
    args = ap.parse_args()
    if args.child:
        engine, w, src, out, data_dir = args.child
        child(engine, int(w), src, out, data_dir)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"# {uptime()}  (shared machine: other jobs run beside this one)", flush=True)
    plan = [(args.small, "local", 1), (args.small, "local", 2), (args.small, "ray", 1)]
    plan += [(args.small, "ray", 2), (args.ads, "ray", 2), (args.ads, "local", 2)]
    plan += [(args.ads, "ray", 1)]
    if args.only:
        wanted = {tuple(x.split(":")) for x in args.only.split(",")}
        plan = [(n, e, w) for n, e, w in plan if (e, str(w)) in wanted]
    header = "| ads | engine | workers | wall s | CPU s | peak RSS (private) MiB | networks | file"
    print(header + " |\n|---:|---|---:|---:|---:|---|---:|---|", flush=True)
    done: list[dict] = []
    for n, engine, w in plan:
        src = corpus(args.workdir, n)
        r = run(engine, w, src, args.workdir)
        done.append(r)
        if args.results:
            with open(args.results, "a") as fh:
                fh.write(json.dumps(r) + "\n")
        peaks = ", ".join(
            f"{k} {v} ({r['private_mib'][k]})" for k, v in sorted(r["peak_mib"].items())
        )
        print(
            f"| {r['ads']:,} | {engine} | {w} | {r['wall_s']} | {r['cpu_s']} | {peaks} | "
            f"{r['networks']:,} | {r['assignments_sha256']} |  load: {r['uptime_after']}",
            flush=True,
        )
    for n in sorted({r["ads"] for r in done}):
        runs = {(r["engine"], r["workers"]): r for r in done if r["ads"] == n}
        same = len({r["assignments_sha256"] for r in runs.values()}) == 1
        base = runs.get(("local", 2))
        for key, r in sorted(runs.items()):
            ratio = f"{r['wall_s'] / base['wall_s']:.2f}" if base else "-"
            print(f"# {n:,} ads {key}: wall / local(2) = {ratio}")
        print(f"# {n:,} ads: all assignments files identical: {same}")
    big = [r for r in done if r["engine"] == "ray" and r["workers"] == 2 and r["ads"] == args.ads]
    if big:
        print("# projection from the 2-worker Ray run:")
        for line in projection(big[0]):
            print("# " + line)


if __name__ == "__main__":
    main()
