#!/usr/bin/env python3
"""Dev tool (issue 13, netlink part). The CI harness is tests/it/strace_suite.rs (all options, -X
and -v included); this quicker script was the netlink half's yardstick: run strace 6.1's netlink test
programs under sockscope and compare each traced call with the line the program says strace
prints. Nothing of strace is copied into the repo: the programs are built in a strace source
tree outside it (`apt-get source strace`, ./configure, `make -C tests <prog>`).

    scripts/strace-netlink-compare.py [--strace] [--tests DIR] [--sockscope BIN] [-k] [NAME...]

For each test NAME of tests/gen_tests.in whose line runs netlink_sock_diag.test (the
`netlink_*`, `nfnetlink_*` and `nlattr_*` families): the program runs as strace's test does
(`strace -e trace=sendto OPTS ./prog > expected`), here under `sockscope -e trace=sendto OPTS -o
out -- ./prog > expected`; the calls in `out` (prefix removed) are compared in order with the
expected lines. --strace runs strace instead of sockscope (checks strace 6.1 agrees).
Prints per test and per family: calls compared / agreeing; -k keeps the outputs in /tmp.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

PREFIX = re.compile(r"^\d\d:\d\d:\d\d\.\d{6} \S+ \d+/\d+ ")
PAD = re.compile(r"\) +(= -?\d|= 0x|= \?)")


def norm(line):
    line = line.rstrip("\n")
    line = PREFIX.sub("", line)
    # strace pads the return value to column 40; collapse the padding.
    return PAD.sub(r") \1", line)


def tests_of(gen):
    out = []
    for raw in open(gen):
        if raw.startswith("#") or not raw.strip():
            continue
        name, _, rest = raw.partition("\t")
        rest = rest.strip()
        if "+netlink_sock_diag.test" not in rest:
            continue
        opts = rest.split("+netlink_sock_diag.test", 1)[1].strip()
        out.append((name.strip(), opts))
    # netlink_sock_diag.test is not generated: the program of its name, -e trace=sendto.
    out.append(("netlink_sock_diag", ""))
    return out


def family(name):
    for p in ("netlink_", "nfnetlink_", "nlattr_"):
        if name.startswith(p):
            return p.rstrip("_")
    return "other"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", default="/work/strace-netlink/strace-6.1/tests")
    ap.add_argument("--sockscope", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "sockscope"))
    ap.add_argument("--strace", action="store_true", help="run strace instead of sockscope")
    ap.add_argument("-k", action="store_true", help="keep outputs")
    ap.add_argument("-v", action="store_true", help="print each difference")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    tdir = os.path.abspath(a.tests)
    work = tempfile.mkdtemp(prefix="nlcmp.")
    totals = {}
    grand = [0, 0]
    skipped = []
    for name, opts in tests_of(os.path.join(tdir, "gen_tests.in")):
        if a.names and name not in a.names:
            continue
        prog = os.path.join(tdir, name)
        if not os.path.exists(prog):
            skipped.append(f"{name} (not built)")
            continue
        shell_extra = ""
        if ";" in opts:
            opts, shell_extra = [x.strip() for x in opts.split(";", 1)]
        args = opts.split()
        d = os.path.join(work, name)
        os.makedirs(d)
        exp = os.path.join(d, "expected")
        out = os.path.join(d, "out")
        if a.strace:
            cmd = ["strace", "-o", out, "-e", "trace=sendto", *args, prog]
        else:
            cmd = [a.sockscope, "-e", "trace=sendto", *args, "-o", out, "--", prog]
        sh = " ".join(map(shlex_quote, cmd)) + " > expected"
        if shell_extra:
            sh = shell_extra + "; " + sh
        r = subprocess.run(["sh", "-c", sh], cwd=d, stderr=subprocess.PIPE, text=True)
        if r.returncode == 77:
            skipped.append(f"{name} (program skipped: {r.stderr.strip()[:80]})")
            continue
        if r.returncode != 0 or not os.path.exists(out):
            skipped.append(f"{name} (exit {r.returncode}: {r.stderr.strip()[:120]})")
            continue
        want = [norm(x) for x in open(exp) if not x.startswith("+++ ")]
        got = [norm(x) for x in open(out) if not x.startswith("+++ ") and not x.startswith("---")]
        n = len(want)
        ok = sum(1 for i, w in enumerate(want) if i < len(got) and got[i] == w)
        if a.v:
            for i, w in enumerate(want):
                g = got[i] if i < len(got) else "<missing>"
                if g != w:
                    print(f"  {name}[{i}]\n    want: {w}\n    got:  {g}")
        print(f"{name}: {ok}/{n}" + (f" (got {len(got)} lines)" if len(got) != n else ""))
        f = family(name)
        t = totals.setdefault(f, [0, 0, 0])
        t[0] += n
        t[1] += ok
        t[2] += 1
        grand[0] += n
        grand[1] += ok
    print()
    for f, (n, ok, k) in sorted(totals.items()):
        pct = 100.0 * ok / n if n else 0.0
        print(f"{f}: {k} tests, {ok}/{n} calls agree ({pct:.2f}%)")
    pct = 100.0 * grand[1] / grand[0] if grand[0] else 0.0
    print(f"total: {grand[1]}/{grand[0]} calls agree ({pct:.2f}%)")
    for s in skipped:
        print("not compared:", s)
    if a.k:
        print("outputs in", work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if grand[0] else 1


def shlex_quote(s):
    import shlex
    return shlex.quote(s)


if __name__ == "__main__":
    sys.exit(main())
