#!/usr/bin/env python3
"""Turns the close-pattern suite's `lifecycle-cell:` lines (surefire's *-output.txt files, or any text)
into the Markdown table of bench-results/lifecycle.md.

    python3 bench-results/lifecycle/cells.py router/target/surefire-reports/*ClosePattern*-output.txt
"""
import re
import sys

ORDER = ["io_uring copy", "epoll copy", "epoll splice", "nio copy"]
PATTERNS = ["client-closes", "backend-closes", "client-reset-after-fin", "backend-reset", "client-half-close",
            "backend-reset-after-half-close", "backend-half-close", "close-unread", "both-close", "tls-close-notify"]
rows = {}
for name in sys.argv[1:]:
    for line in open(name, encoding="utf-8", errors="replace"):
        m = re.search(r"lifecycle-cell: (\S+) (\S+) (\S+) (.*)", line)
        if not m:
            continue
        fields = dict(re.findall(r"(\w+)=(\{[^}]*\}|\S+)", m.group(4)))
        fields["verdict"] = "PASS" if line.rstrip().endswith("PASS") else "FAIL"
        rows[(m.group(1) + " " + m.group(2), m.group(3))] = fields
print("| transport relay | pattern | connections | bytes lost | client failures | backend failures | connect failures | log lines | wrong ends (seen) | left active | left fds | |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|")
for cell in ORDER:
    for pattern in PATTERNS:
        f = rows.get((cell, pattern))
        if f is None:
            continue
        ends = f.get("ends", "{}").strip("{}").replace("=", " ")
        print(f"| {cell} | {pattern} | {f.get('connections')} | {f.get('bytes_lost')} | {f.get('client_failures')} | "
              f"{f.get('backend_failures')} | {f.get('connect_failures')} | {f.get('log_lines')} | {f.get('wrong_ends')} ({ends}) | "
              f"{f.get('left_active')} | {f.get('left_fds')} | {f['verdict']} |")
