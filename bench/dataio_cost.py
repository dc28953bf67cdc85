#!/usr/bin/env python3
"""What the data calls (read, write, readv, writev, sendfile, splice) cost the programs that do
NOT use them on sockets, and what they add to the message calls.

Loops (bench/fileio.c, bench/loadgen.c): 4 KiB read() and write() on a cached regular file and
on a pipe, and the existing 64-byte UDP sendto() loop. Modes, run side by side in interleaved
rounds (the order rotated each round), sockscope tracing the whole machine (no -p, no command):

  untraced     nothing attached
  six          sockscope -e trace=sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg (before this work)
  all          sockscope (default: the six + read, write, readv, writev, sendfile, splice)
  six again    the same as six, run as a separate mode: six-again/six is the noise floor of the
               comparison on this machine at this time
  all -T       sockscope -T (adds the data calls' syscall entry programs, for the durations)
  send hook    sockscope -e trace=write: the sock_send_length hook alone (every socket send of
               the machine runs it; for sendto it returns after reading the syscall number)

The target: `all` adds at most 10% to the file/pipe loops beyond `six` (ratio all/six ≤ 1.10),
and the sendto loop is no slower under `all` than under `six`.

Usage: dataio_cost.py --sockscope PATH --fileio PATH --loadgen PATH [--rounds N] [--n N]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

SIX = "trace=sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg"
MODES = [
    ("untraced", None),
    ("six", ["-e", SIX]),
    ("six again", ["-e", SIX]),
    ("all", []),
    ("all -T", ["-T"]),
    ("send hook", ["-e", "trace=write"]),
]


def start(sockscope, extra):
    p = subprocess.Popen([sockscope, "-s", "64", "-o", "/dev/null"] + extra,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    ev = threading.Event()
    lines = []

    def reader():
        for line in p.stderr:
            lines.append(line)
            if line.startswith("sockscope: attached"):
                ev.set()
    threading.Thread(target=reader, daemon=True).start()
    if not ev.wait(60):
        p.kill()
        sys.exit(f"sockscope never attached: {lines[-5:]}")
    return p, lines


def stop(p, lines):
    p.terminate()
    p.wait(30)
    time.sleep(0.05)
    return next((l.strip() for l in reversed(lines) if "events" in l), "")


def loop(argv):
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    kv = dict(x.split("=", 1) for x in out.split())
    return float(kv["ns_per_call"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sockscope", required=True)
    ap.add_argument("--fileio", required=True)
    ap.add_argument("--loadgen", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--n", type=int, default=200000)
    args = ap.parse_args()
    loops = [
        ("4 KiB read, cached file", [args.fileio, "fileread", "-n", str(args.n)]),
        ("4 KiB write, cached file", [args.fileio, "filewrite", "-n", str(args.n)]),
        ("4 KiB read, pipe", [args.fileio, "piperead", "-n", str(args.n)]),
        ("4 KiB write, pipe", [args.fileio, "pipewrite", "-n", str(args.n)]),
        ("64 B UDP sendto (captured)", [args.loadgen, "sendto", "-n", str(args.n // 4)]),
    ]
    res = {(l, m): [] for l, _ in loops for m, _ in MODES}
    summaries = {m: [] for m, _ in MODES}
    for r in range(args.rounds):
        order = MODES[r % len(MODES):] + MODES[:r % len(MODES)]
        for mname, extra in order:
            p = start(args.sockscope, extra) if extra is not None else None
            for lname, argv in loops:
                res[(lname, mname)].append(loop(argv))
            if p:
                summaries[mname].append(stop(*p))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"{args.rounds} interleaved rounds, {args.n} iterations per file/pipe loop "
          f"({args.n // 4} sendto calls); median ns per call, ratio to untraced (paired: median "
          f"of per-round ratios), and all/six")
    print()
    print("| loop | untraced ns | six | all | all -T | all/six (paired) | six again/six (noise) | all -T/six | send hook/untraced (paired) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lname, _ in loops:
        med = {m: statistics.median(res[(lname, m)]) for m, _ in MODES}
        u = med["untraced"]

        def paired(a, b):
            return statistics.median(x / y for x, y in zip(res[(lname, a)], res[(lname, b)]))
        cells = [f"{med[m]:.0f} ({med[m] / u:.2f}×)" for m in ("six", "all", "all -T")]
        print(f"| {lname} | {u:.0f} | {cells[0]} | {cells[1]} | {cells[2]} | "
              f"{paired('all', 'six'):.3f} | {paired('six again', 'six'):.3f} | "
              f"{paired('all -T', 'six'):.3f} | {paired('send hook', 'untraced'):.3f} |")
    print()
    profile(args, loops)
    print()
    for m, s in summaries.items():
        if s:
            print(f"- {m}: last summary `{s[-1]}`")


def prog_ids_of(pid):
    """Ids of the eBPF programs a process holds open (from /proc/PID/fdinfo)."""
    ids = set()
    d = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(d):
        try:
            with open(os.path.join(d, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except (OSError, ValueError):
            pass
    return ids


def prog_stats(pid):
    """{program name: (run_cnt, run_time_ns)} of the eBPF programs process `pid` holds."""
    mine = prog_ids_of(pid)
    out = subprocess.run(["bpftool", "prog", "show", "--json"], capture_output=True, text=True,
                         timeout=60).stdout
    stats = {}
    for p in json.loads(out or "[]"):
        if p.get("id") in mine:
            name = p.get("name", "?")
            a, b = stats.get(name, (0, 0))
            stats[name] = (a + p.get("run_cnt", 0), b + p.get("run_time_ns", 0))
    return stats


def profile(args, loops):
    """How often each of sockscope's programs ran during each loop (kernel.bpf_stats_enabled=1),
    sockscope tracing everything (`all`): the data calls' programs must not run for file and
    pipe I/O at all."""
    if not shutil.which("bpftool"):
        print("(bpftool missing: no per-program counts)")
        return
    knob = "/proc/sys/kernel/bpf_stats_enabled"
    old = open(knob).read().strip()
    open(knob, "w").write("1")
    try:
        p, lines = start(args.sockscope, [])
        print("Program runs during each loop, sockscope tracing everything (`all`), "
              "kernel.bpf_stats_enabled=1: runs (ns per run) of each program that ran; "
              "background socket traffic of the machine included.")
        print()
        print("| loop | calls | sockscope programs that ran: runs (ns/run) |")
        print("|---|---:|---|")
        for lname, argv in loops:
            before = prog_stats(p.pid)
            loop(argv)
            after = prog_stats(p.pid)
            ran = []
            for name, (cnt, ns) in sorted(after.items()):
                c0, n0 = before.get(name, (0, 0))
                if cnt > c0:
                    ran.append(f"{name} {cnt - c0} ({(ns - n0) / (cnt - c0):.0f})")
            n = argv[argv.index("-n") + 1]
            print(f"| {lname} | {n} | {', '.join(ran) or 'none'} |")
        stop(p, lines)
    finally:
        open(knob, "w").write(old)


if __name__ == "__main__":
    main()
