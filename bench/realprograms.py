#!/usr/bin/env python3
"""Real programs over loopback: the bytes that crossed inet sockets, as strace sees them and as
sockscope sees them.

Each workload (a shell snippet: a server and a client, 127.0.0.1 only, numeric addresses) runs
once under `strace -f -yy` tracing every call that can move socket data (the twelve sockscope
traces plus pread64/pwrite64/preadv/pwritev/preadv2/pwritev2) and once under `sockscope -yy`.
In both outputs a call counts when one of its descriptors is an inet socket (`<TCP...`,
`<UDP...` decorations) and it succeeded: its return value in bytes (sendmmsg/recvmmsg: the sum
of msg_len). The table gives, per program, strace's bytes, sockscope's bytes, the ratio, and the
calls that carried them, and the share the six message calls alone carry (sockscope run with
-e trace=sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg: what it saw before the data calls).
The target is sockscope ≥ 99% of strace's bytes for each program.

Usage: realprograms.py --sockscope PATH [--work DIR] [--only nc,socat,...]
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STRACE_CALLS = (
    "read,write,readv,writev,sendfile,splice,sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg,"
    "pread64,pwrite64,preadv,pwritev,preadv2,pwritev2"
)

# name -> shell snippet ($W: work dir with f100k.bin, f1m.bin, cert.pem, key.pem; $H: bench/realprograms)
WORKLOADS = [
    ("nc", r"""
nc -l 127.0.0.1 41001 > $W/nc.out & L=$!
sleep 0.5
nc -N 127.0.0.1 41001 < $W/f1m.bin
wait $L
"""),
    ("socat", r"""
socat -u TCP-LISTEN:41002,bind=127.0.0.1,reuseaddr OPEN:$W/socat.out,creat,trunc & L=$!
sleep 0.5
socat -u OPEN:$W/f1m.bin TCP:127.0.0.1:41002
wait $L
"""),
    ("curl+python-http.server", r"""
cd $W
python3 -m http.server 41003 --bind 127.0.0.1 2>/dev/null & S=$!
sleep 1.5
curl -s -o /dev/null http://127.0.0.1:41003/f1m.bin
curl -s -o /dev/null http://127.0.0.1:41003/f100k.bin
kill $S; wait $S || true
"""),
    ("python-sendfile", r"""
python3 $H/py_sendfile.py $W/f1m.bin 41004
"""),
    ("openssl s_server/s_client", r"""
openssl s_server -accept 127.0.0.1:41005 -cert $W/cert.pem -key $W/key.pem -naccept 1 -www -quiet < /dev/null & S=$!
sleep 1
printf 'GET / HTTP/1.0\r\n\r\n' | openssl s_client -connect 127.0.0.1:41005 -quiet -ign_eof > /dev/null 2>&1
wait $S
"""),
    ("node http", r"""
node $H/node_http.js 41006
"""),
    ("curl+node", r"""
node -e "require('http').createServer((q,r)=>r.end(Buffer.alloc(300000,'n'))).listen(41007,'127.0.0.1',function(){require('child_process').exec('curl -s -o /dev/null http://127.0.0.1:41007/',()=>this.close())})"
"""),
]

INET = re.compile(r"<(TCP|UDP)")
RET = re.compile(r"\)\s+= (-?\d+)")
MSGLEN = re.compile(r"msg_len=(\d+)")
SOCKSCOPE_PREFIX = re.compile(r"^\d\d:\d\d:\d\d\.\d{6} .*? (\d+)/(\d+) (?=[a-z0-9_]+\()")


def count(calls):
    """(total bytes, {call: bytes}) of the inet calls among `calls` (texts from name to result)."""
    total = 0
    per = collections.Counter()
    for c in calls:
        name = c.split("(", 1)[0]
        m = None
        for m in RET.finditer(c):
            pass
        if m is None or not INET.search(c):
            continue
        r = int(m.group(1))
        if r <= 0:
            continue
        if name in ("sendmmsg", "recvmmsg"):
            r = sum(int(x) for x in MSGLEN.findall(c))
        total += r
        per[name] += r
    return total, per


def strace_calls(path):
    out, pending = [], {}
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        parts = line.split(None, 1)
        if len(parts) < 2 or not parts[0].isdigit():
            continue
        pid, rest = parts
        if rest.startswith(("---", "+++")):
            continue
        if rest.endswith(" <unfinished ...>"):
            pending[pid] = rest[: -len(" <unfinished ...>")]
            continue
        if rest.startswith("<... "):
            p = rest.find(" resumed>")
            head = pending.pop(pid, "")
            rest = head + rest[p + len(" resumed>"):]
        out.append(rest)
    return out


def sockscope_calls(path):
    out = []
    for line in open(path, errors="replace"):
        m = SOCKSCOPE_PREFIX.match(line)
        if m:
            out.append(line[m.end():].rstrip("\n"))
    return out


def run(argv, env, timeout=120):
    """Runs argv in its own process group; on timeout the whole group is killed."""
    t = time.monotonic()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        _, err = p.communicate()
        err += b"\nrealprograms: timed out\n"
    return p.returncode, err.decode(errors="replace"), time.monotonic() - t


def prepare(work):
    os.makedirs(work, exist_ok=True)
    for name, size in (("f100k.bin", 100_000), ("f1m.bin", 1 << 20)):
        p = os.path.join(work, name)
        if not os.path.exists(p) or os.path.getsize(p) != size:
            with open(p, "wb") as f:
                f.write(os.urandom(size))
    if not os.path.exists(os.path.join(work, "cert.pem")):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-keyout", os.path.join(work, "key.pem"),
             "-out", os.path.join(work, "cert.pem")],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sockscope", required=True)
    ap.add_argument("--work", default="/tmp/sockscope-realprograms")
    ap.add_argument("--only", help="comma list of workload names (prefixes)")
    args = ap.parse_args()
    for tool in ("strace", "nc", "socat", "curl", "openssl", "node", "python3"):
        if shutil.which(tool) is None:
            sys.exit(f"realprograms: {tool} is missing (bench/realprograms.sh installs it)")
    prepare(args.work)
    env = dict(os.environ, W=args.work, H=os.path.join(HERE, "realprograms"))
    rows, failed = [], False
    for name, script in WORKLOADS:
        if args.only and not any(name.startswith(o) for o in args.only.split(",")):
            continue
        so = os.path.join(args.work, "strace.out")
        ko = os.path.join(args.work, "sockscope.out")
        rc1, err1, t1 = run(["strace", "-f", "-qq", "-yy", "-e", "trace=" + STRACE_CALLS,
                             "-e", "signal=none", "-o", so, "bash", "-c", script], env)
        rc2, err2, t2 = run([args.sockscope, "-yy", "-o", ko, "--", "bash", "-c", script], env)
        # What the six message calls alone carry (sockscope before the data calls).
        k6 = os.path.join(args.work, "sockscope6.out")
        run([args.sockscope, "-yy", "-e", "trace=sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg",
             "-o", k6, "--", "bash", "-c", script], env)
        k6b, _ = count(sockscope_calls(k6))
        sb, sper = count(strace_calls(so))
        kb, kper = count(sockscope_calls(ko))
        summ = re.search(r"sockscope: (\d+) events, (\d+) lost", err2)
        lost = int(summ.group(2)) if summ else -1
        ratio = kb / sb if sb else 0.0
        ok = rc1 == 0 and rc2 == 0 and sb > 0 and ratio >= 0.99 and lost == 0
        failed |= not ok
        rows.append((name, sb, kb, ratio, lost, sper, kper, ok, rc1, rc2, k6b))
        if rc1 or rc2:
            print(f"{name}: exit status strace run {rc1}, sockscope run {rc2}\n{err2[-500:]}", file=sys.stderr)
    print("| program | bytes on inet sockets (strace) | (sockscope) | sockscope/strace | lost | six message calls only | calls carrying them (strace) | ok |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    tot_s = tot_k = tot_6 = 0
    for name, sb, kb, ratio, lost, sper, kper, ok, rc1, rc2, k6b in rows:
        tot_s += sb
        tot_k += kb
        tot_6 += k6b
        calls = ", ".join(f"{c} {n}" for c, n in sper.most_common())
        six = f"{100 * k6b / sb:.1f}%" if sb else "-"
        print(f"| {name} | {sb} | {kb} | {100 * ratio:.2f}% | {lost} | {six} | {calls} | {'yes' if ok else 'NO'} |")
    if tot_s:
        print(f"| **all** | {tot_s} | {tot_k} | {100 * tot_k / tot_s:.2f}% | | {100 * tot_6 / tot_s:.1f}% | | |")
    sys.exit(1 if failed or not rows else 0)


if __name__ == "__main__":
    main()
