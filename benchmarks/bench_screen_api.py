"""Load benchmark of `POST /v1/screen` on loopback: latency percentiles and requests/s.

    python benchmarks/bench_screen_api.py                 # 2 server workers, 20 s per run
    python benchmarks/bench_screen_api.py --connections 4 8 16 --seconds 30

Starts `threadline serve` in a fresh data directory, creates an API token,
and drives the endpoint with `wrk` (Debian package `wrk`, a C load generator
so the client costs little CPU) over 1,000 different synthetic ads, one ad per
request. wrk is closed-loop: each connection sends its next request when the
last one is answered, so a run at N connections finds the throughput the
server sustains and the latency at that load. If the sustained rate is above
300 requests/s with p99 ≤ 50 ms, a fixed 300 requests/s is served at least as
fast. Prints a Markdown table for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

LUA = """
local bodies = {}
for line in io.lines("%(ads)s") do bodies[#bodies + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  i = i %% #bodies + 1
  return wrk.format(nil, "/v1/screen", nil, bodies[i])
end
response = function(status, headers, body)
  if status ~= 200 then errors_non200 = (errors_non200 or 0) + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"p50\\": %%f, \\"p90\\": %%f, \\"p99\\": %%f, \\"max\\": %%f, " ..
    "\\"requests\\": %%d, \\"seconds\\": %%f, \\"errors\\": %%d}\\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests,
    summary.duration / 1e6, summary.errors.status + summary.errors.connect +
    summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int, timeout: float = 120) -> None:
    """Until the app answers (workers import for a while after the socket is bound)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    from threadline.synth import generate

    tmp = Path(tempfile.mkdtemp(prefix="bench-screen-"))
    env = {**os.environ, "THREADLINE_DATA_DIR": str(tmp / "data"), "THREADLINE_ACTOR": "bench"}
    cli = [sys.executable, "-m", "threadline"]
    subprocess.run(
        [*cli, "user", "create", "bench", "--role", "admin"], env=env, check=True,
        capture_output=True,
    )  # fmt: skip
    created = subprocess.run(
        [*cli, "token", "create", "--user", "bench", "--label", "load benchmark"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    token = json.loads(created.stdout)["token"]
    ads = tmp / "ads.jsonl"
    with open(ads, "w", encoding="utf-8") as fh:
        for ad, _truth in generate(1000, seed=5):
            fh.write(json.dumps({"id": ad["id"], "text": ad["text"], "title": ad.get("title")}))
            fh.write("\n")
    script = tmp / "screen.lua"
    script.write_text(LUA % {"ads": ads, "token": token})
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", str(args.workers)], env=env
    )
    try:
        wait_up(port)
        for line in ads.read_bytes().splitlines()[:20]:  # every worker answers before timing
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/v1/screen",
                data=line,
                method="POST",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=120) as r:
                assert r.status == 200
        subprocess.run(  # warm-up: imports, first-request costs
            ["wrk", "-t1", "-c2", "-d3s", "-s", str(script), f"http://127.0.0.1:{port}"],
            check=True,
            capture_output=True,
        )
        print(f"server workers: {args.workers}; load before: {os.getloadavg()[0]:.1f}")
        print("| connections | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors | load |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for conns in args.connections:
            out = subprocess.run(
                [
                    "wrk",
                    "-t1",
                    f"-c{conns}",
                    f"-d{args.seconds}s",
                    "--latency",
                    "-s",
                    str(script),
                    f"http://127.0.0.1:{port}",
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            stats = json.loads(re.search(r"^JSON (.*)$", out, re.MULTILINE).group(1))
            if not stats["requests"]:
                print(out)
            rps = stats["requests"] / stats["seconds"]
            print(
                f"| {conns} | {rps:,.0f} | {stats['p50']:.1f} | {stats['p90']:.1f} | "
                f"{stats['p99']:.1f} | {stats['max']:.1f} | {stats['errors']} | "
                f"{os.getloadavg()[0]:.1f} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
