#!/usr/bin/env python3
"""The price of the data calls' socket hook on a message call: loadgen's 64-byte UDP sendto loop
untraced, with `sockscope -e trace=write` attached machine-wide (only the sock_send_length raw
tracepoint program: it runs on every socket send and returns after reading the syscall number
for sendto), and untraced again (noise floor); interleaved rounds, paired ratios.

Usage: sendhook_cost.py --sockscope PATH --loadgen PATH [--rounds N] [--n N]
"""
import argparse
import statistics
import subprocess
import threading


def start(sockscope, extra):
    p = subprocess.Popen([sockscope, "-o", "/dev/null"] + extra, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    ev = threading.Event()

    def rd():
        for line in p.stderr:
            if line.startswith("sockscope: attached"):
                ev.set()
    threading.Thread(target=rd, daemon=True).start()
    if not ev.wait(60):
        p.kill()
        raise SystemExit("sockscope never attached")
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sockscope", required=True)
    ap.add_argument("--loadgen", required=True)
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--n", type=int, default=100000)
    args = ap.parse_args()
    modes = [("untraced", None), ("send hook only", ["-e", "trace=write"]), ("untraced again", None)]
    res = {m: [] for m, _ in modes}
    for r in range(args.rounds):
        for m, extra in modes[r % 3:] + modes[:r % 3]:
            p = start(args.sockscope, extra) if extra else None
            out = subprocess.run([args.loadgen, "sendto", "-n", str(args.n)], capture_output=True,
                                 text=True, check=True).stdout
            res[m].append(float(dict(x.split("=", 1) for x in out.split())["ns_per_call"]))
            if p:
                p.terminate()
                p.wait()
    print("| mode | median ns per sendto | paired ratio to untraced |")
    print("|---|---:|---:|")
    for m, _ in modes:
        pr = statistics.median(a / b for a, b in zip(res[m], res["untraced"]))
        print(f"| {m} | {statistics.median(res[m]):.0f} | {pr:.3f} |")


if __name__ == "__main__":
    main()
