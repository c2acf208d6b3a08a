#!/usr/bin/env python3
"""Turns one bench-results/run work directory into the result file (Markdown + SVG plots).

  report.py WORKDIR OUT.md                  write the report
  report.py --median-achieved WORKDIR PREFIX  print the median 'achieved' of WORKDIR/PREFIX-*.json
"""
import glob
import json
import math
import os
import re
import statistics
import sys

GIB = 1024 ** 3


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def runs(work, prefix):
    out = []
    for path in sorted(glob.glob(os.path.join(work, prefix + "-*.json"))):
        rest = os.path.basename(path)[len(prefix) + 1:-5]
        if rest.isdigit():
            data = load(path)
            if data is not None:
                out.append(data)
    return out


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def median_achieved(work, prefix):
    return median([r.get("achieved") for r in runs(work, prefix)])


def fmt(v, digits=0, unit=""):
    if v is None:
        return "n/a"
    if digits == 0:
        return f"{v:,.0f}{unit}"
    return f"{v:,.{digits}f}{unit}"


def us(v):
    if v is None:
        return "n/a"
    if v < 1000:
        return f"{v:.0f} us"
    if v < 1_000_000:
        return f"{v / 1000:.2f} ms"
    return f"{v / 1e6:.2f} s"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}x"


def added_ratio(added, hadded):
    if added is None or hadded is None:
        return "n/a"
    if hadded <= 0:
        return "n/a (HAProxy added none)"
    return f"{max(added, 0) / hadded:.2f}x"


def errors(rs):
    total = 0
    for r in rs:
        total += r.get("errors", {}).get("total", 0)
    return total


def hgrm_points(path):
    """(percentile, value_us) from an HdrHistogram percentile file."""
    points = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 4 and not line.startswith("#"):
                    try:
                        value, pct = float(parts[0]), float(parts[1])
                    except ValueError:
                        continue
                    if pct < 1.0:
                        points.append((pct, value))
    except OSError:
        pass
    return points


COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]


def svg_plot(series, title, path):
    """series: list of (name, [(percentile, value_us)]). x: 1/(1-p) on a log scale, y: log latency."""
    w, h, left, right, top, bottom = 760, 420, 70, 190, 40, 50
    pw, ph = w - left - right, h - top - bottom
    xmax = 4.0
    values = [v for _, pts in series for _, v in pts if v > 0]
    if not values:
        return False
    ymin = 10 ** math.floor(math.log10(max(min(values), 1)))
    ymax = 10 ** math.ceil(math.log10(max(values)))
    if ymax <= ymin:
        ymax = ymin * 10

    def x(p):
        return left + pw * min(xmax, math.log10(1 / (1 - p))) / xmax if p < 1 else left + pw

    def y(v):
        return top + ph - ph * (math.log10(max(v, ymin)) - math.log10(ymin)) / (math.log10(ymax) - math.log10(ymin))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="14">{title}</text>']
    for i, label in enumerate(["0%", "90%", "99%", "99.9%", "99.99%"]):
        xx = left + pw * i / xmax
        out.append(f'<line x1="{xx:.1f}" y1="{top}" x2="{xx:.1f}" y2="{top + ph}" stroke="#ddd"/>')
        out.append(f'<text x="{xx:.1f}" y="{top + ph + 16}" text-anchor="middle">{label}</text>')
    decade = ymin
    while decade <= ymax:
        yy = y(decade)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{us(decade)}</text>')
        decade *= 10
    out.append(f'<text x="{left + pw / 2}" y="{h - 10}" text-anchor="middle">percentile (corrected latency, log scale of 1/(1-p))</text>')
    for i, (name, pts) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        if pts:
            poly = " ".join(f"{x(p):.1f},{y(v):.1f}" for p, v in pts)
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{poly}"/>')
        ly = top + 14 + 18 * i
        out.append(f'<line x1="{left + pw + 12}" y1="{ly - 4}" x2="{left + pw + 32}" y2="{ly - 4}" stroke="{colour}" stroke-width="3"/>')
        out.append(f'<text x="{left + pw + 38}" y="{ly}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True



PEERS = ("haproxy", "nginx", "sniproxy")
UNIT_US = {"us": 1.0, "ms": 1000.0, "s": 1e6, "m": 6e7}


def text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def parse_wrk(out):
    """wrk 4.x --latency output: requests/s, the latency distribution (us), request and error counts."""
    r = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r["rps"] = float(m.group(1)) if m else None
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        r[f"p{pct}_us"] = float(m.group(1)) * UNIT_US[m.group(2)] if m else None
    m = re.search(r"(\d+) requests in", out)
    r["requests"] = int(m.group(1)) if m else None
    errs = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errs += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errs += int(m.group(1))
    r["errors"] = errs if r["rps"] is not None else None
    return r


def parse_h2load(out):
    r = {}
    m = re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s", out)
    r["rps"] = float(m.group(1)) if m else None
    m = re.search(r"requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", out)
    r["requests"] = int(m.group(2)) if m else None
    r["errors"] = int(m.group(3)) + int(m.group(4)) + int(m.group(5)) if m else None
    return r


def parse_curl(out):
    r = {"mbps": None, "errors": None, "bytes": None}
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                d = json.loads(line)
            except ValueError:
                continue
            r["bytes"] = d.get("size_download")
            r["mbps"] = d["speed_download"] / 1e6 if d.get("speed_download") else None
            r["errors"] = 0 if d.get("http_code") == 200 else 1
    return r


def real_runs(work, kind, target):
    """Every measured round (round 0 is the warm-up) of one client kind against one target, parsed."""
    out = []
    for path in sorted(glob.glob(os.path.join(work, f"real-{kind}-{target}-*.json"))):
        # the glob also matches a twin's files (target-TWIN-1.json): only target-ROUND.json is this one's
        if not os.path.basename(path)[len(f"real-{kind}-{target}-"):-5].isdigit():
            continue
        meta = load(path)
        if not meta or meta.get("round", 0) == 0:
            continue
        raw = text(path[:-5] + ".txt")
        parsed = {"keepalive": parse_wrk, "close": parse_wrk, "h2": parse_h2load, "bulk": parse_curl}[kind](raw)
        parsed.update(meta)
        out.append(parsed)
    return out


def jit_table(work, meta, rows, add):
    """How long each JVM target took to warm up, and how much compiling was left in its measured runs."""
    tck = meta.get("clk_tck", 100)
    warm = {t: load(os.path.join(work, f"warm-{t}.json")) for t in rows if t.startswith("gatehouse")}
    warm = {t: w for t, w in warm.items() if w}
    if not warm:
        return
    add(f"JIT warm-up, per gatehouse target: {meta.get('jit_real_s', 30)} s of loadgen connect, then cycles of keep-alive, "
        "`Connection: close` and h2load runs and one bulk download until one cycle finds the compiler threads (C1, C2) at "
        f"no more than 1% of one core (at most {meta.get('jit_max_cycles', 10)} cycles). The measured runs are the steady "
        "state after it; their compiler CPU is the last column (near 0 means no JIT work was counted).")
    add("")
    add("| target | warm-up cycles | JIT quiet | warm-up s | router CPU s in warm-up | of it compiler s | compiler CPU s in measured runs |")
    add("|---|---:|---|---:|---:|---:|---:|")
    for t, w in warm.items():
        add(f"| {t} | {w.get('cycles')} | {'yes' if w.get('quiet') else 'no'} | {fmt(w.get('wall_s'))} | "
            f"{fmt(w.get('cpu_ticks', 0) / tck, 1)} | {fmt(w.get('jit_ticks', 0) / tck, 1)} | {fmt(rows[t]['jit_ticks'] / tck, 2)} |")
    add("")


def real_section(work, meta, targets, add):
    """The issue-16 rows from real clients, medians over rounds, and each gatehouse variant against the best peer."""
    tck = meta.get("clk_tck", 100)
    rows = {}
    for t in targets:
        ka, cl, h2, bk = (real_runs(work, k, t) for k in ("keepalive", "close", "h2", "bulk"))
        if not (ka or cl or h2 or bk):
            continue

        def cpu_per(rs, per, count_key="requests"):
            vals = [r["cpu_ticks"] / tck / r[count_key] * per for r in rs if r.get(count_key)]
            return median(vals) if t != "direct" and vals else None

        def errs(rs):
            vals = [r.get("errors") for r in rs]
            return "n/a" if not rs or any(v is None for v in vals) else f"{sum(vals):,}"

        rows[t] = {
            "ka_rps": median([r.get("rps") for r in ka]), "p50": median([r.get("p50_us") for r in ka]),
            "p99": median([r.get("p99_us") for r in ka]), "close_cps": median([r.get("rps") for r in cl]),
            "close_p99": median([r.get("p99_us") for r in cl]), "h2_rps": median([r.get("rps") for r in h2]),
            "bulk_mbps": median([r.get("mbps") for r in bk]), "cpu_10k": cpu_per(ka, 10000), "cpu_1k_conn": cpu_per(cl, 1000),
            "cpu_h2_10k": cpu_per(h2, 10000),
            "errors": " / ".join(errs(x) for x in (ka, cl, h2, bk)),
            "load": median([r.get("load1_before") for r in ka + cl + h2 + bk]),
            "jit_ticks": sum(r.get("jit_ticks", 0) for r in ka + cl + h2 + bk),
        }
    if not rows:
        return
    add("## Real clients (wrk, h2load, curl) through each router to nginx TLS backends")
    add("")
    add(f"wrk ({meta.get('wrk')}) {meta.get('wrk_threads')} thread(s), {meta.get('wrk_connections')} connections, "
        f"{meta.get('duration_s')} s per run, keep-alive and with `-H 'Connection: close'` (one new TLS connection per "
        f"request: its requests/s is new TLS connections/s); h2load ({meta.get('h2load')}) {meta.get('wrk_connections')} "
        f"connections x 10 streams over TLS (ALPN h2); curl ({meta.get('curl')}) one {meta.get('bulk_mib')} MiB download. "
        "The backends are one nginx with two TLS servers (the routers pass TLS through, the client and nginx do the crypto). "
        "Router CPU = user + system seconds of all the router's processes from /proc/PID/stat around each run. "
        f"Medians over {meta.get('rounds')} round(s); in each round every target runs each client in turn. Before round 1 "
        "each target is warmed up (not counted) until its JIT is quiet (the table after this one). `direct` is the client straight to the backend. "
        "Load = median 1-minute load average at the start of the runs (the host is shared: read ratios, not absolutes).")
    add("")
    add("| target | keep-alive req/s | p50 | p99 | new TLS conn/s | close p99 | h2load req/s | bulk MB/s | CPU s / 10k req | CPU s / 1k conn | CPU s / 10k h2 req | errors ka/close/h2/bulk | load |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t, r in rows.items():
        add(f"| {t} | {fmt(r['ka_rps'])} | {us(r['p50'])} | {us(r['p99'])} | {fmt(r['close_cps'])} | {us(r['close_p99'])} | "
            f"{fmt(r['h2_rps'])} | {fmt(r['bulk_mbps'])} | {fmt(r['cpu_10k'], 3) if r['cpu_10k'] is not None else '-'} | "
            f"{fmt(r['cpu_1k_conn'], 3) if r['cpu_1k_conn'] is not None else '-'} | "
            f"{fmt(r['cpu_h2_10k'], 3) if r['cpu_h2_10k'] is not None else '-'} | {r['errors']} | {fmt(r['load'], 2)} |")
    add("")
    jit_table(work, meta, rows, add)
    peers = [t for t in PEERS if t in rows]
    gh = [t for t in rows if t.startswith("gatehouse")]
    if not peers or not gh:
        return
    # (key, label, higher is better)
    spec = [("ka_rps", "keep-alive TLS requests/s", True), ("p50", "p50 latency (keep-alive)", False),
            ("p99", "p99 latency (keep-alive)", False), ("close_cps", "new TLS connections/s (`Connection: close`)", True),
            ("h2_rps", "h2load requests/s", True), ("bulk_mbps", "bulk download MB/s", True),
            ("cpu_10k", "router CPU s per 10,000 requests", False), ("cpu_1k_conn", "router CPU s per 1,000 new connections", False)]
    add("### gatehouse against the best peer in this run")
    add("")
    add("Throughput: ours over theirs; latency and CPU: theirs over ours. Above 1.00x is ahead. The best peer is picked per row.")
    add("")
    add("| row | best peer | " + " | ".join(gh) + " |")
    add("|---|---|" + "---:|" * len(gh))
    for key, label, higher in spec:
        vals = {p: rows[p][key] for p in peers if rows[p][key] is not None}
        if not vals:
            continue
        best = max(vals, key=vals.get) if higher else min(vals, key=vals.get)
        bv = vals[best]
        shown = us(bv) if key in ("p50", "p99") else fmt(bv, 3) if key.startswith("cpu") else fmt(bv)
        cells = []
        for g in gh:
            v = rows[g][key]
            if v is None or not bv:
                cells.append("n/a")
            else:
                cells.append(f"{(v / bv) if higher else (bv / v):.2f}x")
        add(f"| {label} | {best} ({shown}) | " + " | ".join(cells) + " |")
    add("")

def main(work, out_md):
    meta = load(os.path.join(work, "meta.json")) or {}
    targets = meta.get("targets", "").split()
    gatehouse = [t for t in targets if t.startswith("gatehouse")]
    lines = []
    add = lines.append
    name = os.path.basename(out_md)[:-3]
    add(f"# Benchmark {name}: gatehouse vs HAProxy vs nginx vs sniproxy vs direct")
    add("")
    add(f"- command: `{meta.get('command', 'bench-results/run')}` (raw results: `bench-results/tmp/{name}/`, not committed)")
    add(f"- commit: `{meta.get('commit')}`, run at {meta.get('date')}")
    add(f"- machine: {meta.get('cores')} cores ({meta.get('cpu_model')}), kernel {meta.get('kernel')}, {meta.get('java')}")
    add(f"- peers: {meta.get('haproxy')}; {meta.get('nginx')}")
    add(f"- sizing: {meta.get('workers')} worker(s) per proxy (threads / processes / event loops), load generator "
        f"{meta.get('loadgen_threads')} thread(s), backends {meta.get('backend_threads')} thread(s) each; "
        f"{meta.get('rounds')} round(s), each run {meta.get('duration_s')} s after {meta.get('warmup_s')} s warm-up; targets in turn within each round")
    add(f"- targets: {', '.join(targets)}. `direct` is the load generator straight to the backend (no proxy).")
    add(f"- clients: `{meta.get('clients', 'loadgen')}`; load average at the start: {meta.get('loadavg_start', 'n/a')}; "
        f"router JVM options (bin/gatehouse): `{meta.get('launcher_java_opts', 'n/a')}`")
    if meta.get("sniproxy"):
        add(f"- also: {meta.get('sniproxy')}")
    add("- loadgen latency is corrected for coordinated omission (from the intended send time, open loop); medians over rounds.")
    add("")
    real_section(work, meta, targets, add)
    if not glob.glob(os.path.join(work, "sat-*.json")):
        if meta.get("cores", 0) <= 4:
            add(f"**Caveat:** this host has {meta.get('cores')} cores shared by clients, backends and the router under test "
                "(and, on the development host, other builds): ratios within this run are meaningful; absolute numbers are not.")
            add("")
        with open(out_md, "w") as f:
            f.write("\n".join(lines) + "\n")
        return

    # 1. saturation
    sat = {t: median_achieved(work, f"sat-{t}") for t in targets}
    add("## Connections per second at saturation")
    add("")
    add(f"`connect` mode (TCP connect, 1 ClientHello with SNI, the backend's first bytes, close), offered "
        f"{fmt(meta.get('offered_cps'))}/s open loop with at most {fmt(meta.get('saturation_in_flight'))} in flight: what gets through "
        "is the saturation rate (`not_started` in the raw JSON is the offered load that never started).")
    add("")
    add("| target | connections/s | errors | vs HAProxy | vs direct |")
    add("|---|---:|---:|---:|---:|")
    for t in targets:
        add(f"| {t} | {fmt(sat[t])} | {errors(runs(work, f'sat-{t}'))} | {ratio(sat[t], sat.get('haproxy'))} | {ratio(sat[t], sat.get('direct'))} |")
    add("")

    # 2. latency
    add("## Latency at fixed rates (a quarter, a half, three quarters of HAProxy's saturation rate)")
    add("")
    p99 = {}
    for mode in ["connect", "rr"]:
        for frac in [25, 50, 75]:
            rows = {}
            for t in targets:
                rs = runs(work, f"lat{frac}-{mode}-{t}")
                if not rs:
                    continue
                rows[t] = {k: median([r.get("corrected", {}).get(k) for r in rs]) for k in ["p50_us", "p99_us", "p999_us", "max_us"]}
                rows[t]["rate"] = median([r.get("rate") for r in rs])
                rows[t]["achieved"] = median([r.get("achieved") for r in rs])
                rows[t]["errors"] = errors(rs)
                p99[(mode, frac, t)] = rows[t]["p99_us"]
            if not rows:
                continue
            rate = next(iter(rows.values()))["rate"]
            add(f"### {mode} at {frac}% ({fmt(rate)}/s)")
            add("")
            add("| target | achieved/s | p50 | p99 | p99.9 | max | errors | p99 added over direct | added vs HAProxy's |")
            add("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            d = rows.get("direct", {}).get("p99_us")
            hp = rows.get("haproxy", {}).get("p99_us")
            for t, r in rows.items():
                added = None if d is None or r["p99_us"] is None else r["p99_us"] - d
                hadded = None if d is None or hp is None else hp - d
                add(f"| {t} | {fmt(r['achieved'])} | {us(r['p50_us'])} | {us(r['p99_us'])} | {us(r['p999_us'])} | {us(r['max_us'])} | "
                    f"{r['errors']} | {'-' if t == 'direct' else us(added) if added is not None and added >= 0 else ('-' + us(-added) if added is not None else 'n/a')} | "
                    f"{'-' if t in ('direct', 'haproxy') else added_ratio(added, hadded)} |")
            add("")
            if frac == 50:
                series = []
                for t in targets:
                    pts = []
                    for path in sorted(glob.glob(os.path.join(work, f"lat{frac}-{mode}-{t}-*.hgrm"))):
                        if not os.path.basename(path)[len(f"lat{frac}-{mode}-{t}-"):].split(".")[0].isdigit():
                            continue
                        if not path.endswith(".uncorrected.hgrm"):
                            pts = hgrm_points(path)
                            break
                    series.append((t, pts))
                svg = out_md[:-3] + f"-{mode}.svg"
                if svg_plot(series, f"{mode} at {fmt(rate)}/s (half of HAProxy's saturation): corrected latency by percentile", svg):
                    add(f"![{mode} latency percentiles at {fmt(rate)}/s]({os.path.basename(svg)})")
                    add("")

    # 3. bulk and CPU
    add("## Bulk throughput and router CPU per GiB")
    add("")
    add(f"`stream --direction up`, {meta.get('stream_connections')} connections to a sink backend. CPU = user + system seconds "
        "of the router's processes (from /proc/PID/stat) over the whole load generator run, warm-up included, divided by the GiB "
        "moved in that time.")
    add("")
    add("| target | Gbit/s | vs HAProxy | vs direct | router CPU s per GiB | vs HAProxy | errors |")
    add("|---|---:|---:|---:|---:|---:|---:|")
    gbit, cpu = {}, {}
    tck = meta.get("clk_tck", 100)
    for t in targets:
        rs = runs(work, f"stream-{t}")
        gbit[t] = median([r.get("throughput_gbit_s") for r in rs])
        per = []
        for i, r in enumerate(rs, start=1):
            c = load(os.path.join(work, f"cpu-{t}-{i}.json"))
            moved = r.get("bytes_up_total") or r.get("bytes_up")
            if c and moved and t != "direct":
                per.append(c["cpu_ticks"] / tck / (moved / GIB))
        cpu[t] = median(per) if per else None
    for t in targets:
        add(f"| {t} | {fmt(gbit[t], 2)} | {ratio(gbit[t], gbit.get('haproxy'))} | {ratio(gbit[t], gbit.get('direct'))} | "
            f"{fmt(cpu[t], 3) if t != 'direct' else '-'} | {ratio(cpu[t], cpu.get('haproxy')) if t != 'direct' else '-'} | {errors(runs(work, f'stream-{t}'))} |")
    add("")

    # 4. memory
    add("## Resident memory per idle proxied connection")
    add("")
    add(f"{fmt(meta.get('idle_connections'))} connections opened through the router (ClientHello with SNI, routed, then idle), "
        "RSS of the router's processes before and after, scaled to 10,000.")
    add("")
    add("| target | established | RSS before | RSS after | per 10,000 idle | bytes per connection | vs HAProxy |")
    add("|---|---:|---:|---:|---:|---:|---:|")
    per10k = {}
    for t in targets:
        m = load(os.path.join(work, f"rss-{t}.json"))
        if not m or not m.get("established"):
            continue
        n = max(1, m["established"])
        per10k[t] = (m["rss_after_kib"] - m["rss_before_kib"]) * 10000 / n
    for t in targets:
        m = load(os.path.join(work, f"rss-{t}.json"))
        if not m or t not in per10k:
            continue
        add(f"| {t} | {fmt(m['established'])} | {fmt(m['rss_before_kib'] / 1024, 1)} MiB | {fmt(m['rss_after_kib'] / 1024, 1)} MiB | "
            f"{fmt(per10k[t] / 1024, 1)} MiB | {fmt(per10k[t] * 1024 / 10000)} | {ratio(per10k[t], per10k.get('haproxy'))} |")
    add("")

    # 5. targets
    add("## gatehouse against its targets (same run)")
    add("")
    add("| variant | cps >= HAProxy | p99 added <= HAProxy's (connect, rr at 50%) | bulk >= HAProxy | CPU/GiB <= HAProxy | <= 4 KiB per idle connection |")
    add("|---|---|---|---|---|---|")

    def verdict(ok, detail):
        return ("met" if ok else "missed") + f" ({detail})"

    for g in gatehouse:
        cells = []
        a, b = sat.get(g), sat.get("haproxy")
        cells.append(verdict(a >= b, ratio(a, b)) if a and b else "n/a")
        parts = []
        for mode in ["connect", "rr"]:
            d, hp, gv = p99.get((mode, 50, "direct")), p99.get((mode, 50, "haproxy")), p99.get((mode, 50, g))
            if None not in (d, hp, gv):
                parts.append(f"{mode}: {'met' if gv - d <= hp - d else 'missed'} {us(max(gv - d, 0))} vs {us(max(hp - d, 0))}")
        cells.append("; ".join(parts) if parts else "n/a")
        a, b = gbit.get(g), gbit.get("haproxy")
        cells.append(verdict(a >= b, ratio(a, b)) if a and b else "n/a")
        a, b = cpu.get(g), cpu.get("haproxy")
        cells.append(verdict(a <= b, ratio(a, b)) if a and b else "n/a")
        a = per10k.get(g)
        cells.append(verdict(a * 1024 / 10000 <= 4096, f"{fmt(a * 1024 / 10000)} B") if a is not None else "n/a")
        add(f"| {g} | " + " | ".join(cells) + " |")
    add("")
    if meta.get("cores", 0) <= 4:
        add(f"**Caveat:** this host has {meta.get('cores')} cores: the load generator, the backends and the router under test "
            "share them, so every figure here is a measure of the whole box, and the client (a JVM) competes with the proxy it "
            "measures. Ratios within this run are meaningful; absolute numbers are not comparable to a dedicated-host run.")
        add("")
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--median-achieved":
        value = median_achieved(sys.argv[2], sys.argv[3])
        print(int(value) if value else 0)
    elif len(sys.argv) == 3:
        main(sys.argv[1], sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
