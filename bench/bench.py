#!/usr/bin/env python3
"""sockscope overhead benchmark (driven by bench/run.sh; see bench/README.md).

Runs interleaved rounds of every (operation, mode) pair, each run timing its own syscall loop
(bench/loadgen.c), and prints a Markdown report that is also written to bench/results.md.
"""
import argparse
import datetime
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUILD = os.path.join(HERE, "build")
LOADGEN = os.path.join(BUILD, "loadgen")
SHM = "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp"

RUN_TIMEOUT = 180  # seconds; no single run may take longer than this
ATTACH_TIMEOUT = 60

CLK_TCK = os.sysconf("SC_CLK_TCK")
SUMMARY_RE = re.compile(r"sockscope: (\d+) events?, (\d+) lost")

# Targets (ratio to untraced), from the brief.
TARGETS = {
    "sockscope-text": "≤ 1.25",
    "sockscope-json": "≤ 1.25",
    "sockscope-other": "≤ 1.10",
    "strace": "≈ 12.5 (peer)",
    "bpftrace-count": "≈ 1.20 (peer)",
    "bpftrace-print": "≈ 3.0 (peer)",
    "bystander-sockscope": "≤ 1.02",
    "sockscope-top": "≤ 1.10",
    "sockscope-yy": "",
    "sockscope-toctou": "",
    "sockscope-top-tp": "≤ 1.10",
    "bystander-top": "≤ 1.02",
    "sockscope-base": "",
    "sockscope-base-json": "",
    "bpftrace-false": "(floor)",
    "bystander-bpftrace-false": "(floor)",
    "bpftrace-reads": "(reads' floor)",
    "bpftrace-false-exit": "(hooks' floor)",
}

# Issue 12's full-capture targets where they differ from the 64-byte send's 1.25.
OP_TARGETS = {"sendmmsg": "≤ 1.15", "recvfrom": "≤ 2.0", "read": "≤ 2.0"}


def target_of(op, mode):
    if mode == "sockscope-text" and op in OP_TARGETS:
        return OP_TARGETS[op]
    return TARGETS.get(mode, "")


MODE_DESC = {
    "untraced": "untraced",
    "sockscope-text": "sockscope `-s 64 -o /dev/null -- loadgen` (text)",
    "sockscope-json": "sockscope `--json -s 64 -o /dev/null -- loadgen`",
    "sockscope-other": "sockscope `-p <idle pid>` (loop not traced)",
    "strace": "strace `-f -qq -e trace=OP -s 64 -o /dev/null`",
    "bpftrace-count": "bpftrace counting (`@[comm] = count()`)",
    "bpftrace-print": "bpftrace printing (enter+exit joined, to /dev/null)",
    "bystander-untraced": "getppid loop, untraced",
    "bystander-sockscope": "getppid loop, sockscope tracing the whole machine",
    "sockscope-toctou": "sockscope `--toctou -s 64 -o /dev/null -- loadgen` (entry programs for sendto/sendmsg/recvfrom: the TOCTOU check, the price of the option)",
    "sockscope-yy": "sockscope `-yy -s 64 -o /dev/null -- loadgen` (the endpoint capture, as --json and endpoint filters make it)",
    "sockscope-top": "`sockscope top -b -- loadgen` (flow counters in the kernel; socket tracepoints attached raw)",
    "sockscope-top-tp": "the same, socket tracepoints attached as ordinary tracepoints (`SOCKSCOPE_FLOW_HOOK=tracepoint`)",
    "bystander-top": "getppid loop, `sockscope top -b` counting the whole machine",
    "sockscope-base": "baseline binary (`--baseline`), text, same options as sockscope-text",
    "sockscope-base-json": "baseline binary (`--baseline`), `--json`, same options as sockscope-json",
    "bpftrace-false": "bpftrace, always-false programs on the call's sys_enter and sys_exit (the floor of two syscall tracepoints, as `--toctou` hooks sendto, sendmsg, recvfrom)",
    "bystander-bpftrace-false": "getppid loop, bpftrace's always-false programs on sys_enter/sys_exit_sendto (the bystander's floor)",
    "bpftrace-false-exit": "bpftrace, always-false programs on the tracepoints sockscope's default capture uses: sys_exit_OP (not for write, writev, read) and sock:sock_send_length / sock_recv_length (the floor of those hooks, which `-p <idle pid>` attaches too)",
    "bpftrace-reads": "bpftrace reading only the caller's memory full capture reads (no map, no output; see BT_READS)",
}

# bpftrace: the argument saved at entry (besides fd) for each call.
BT_SIZE_ARG = {"sendto": "len", "recvfrom": "size", "sendmsg": "flags", "sendmmsg": "vlen",
               "write": "count", "writev": "vlen", "read": "count"}


# bpftrace reading the caller's memory that sockscope's default capture of the call reads (at
# most -s bytes of data, the 16-byte address, the msghdr's fields and the iovec), and doing
# nothing else: no map, no output. What those reads alone cost, next to bpftrace counting: a
# full capture makes them and also builds and delivers a record. {n} is min(bytes, 64). Reads
# at entry (bpftrace has the arguments there; a read costs the same whether or not the kernel
# has filled the memory yet). bpftrace reads a struct's fields one at a time: sendmsg makes 5
# reads (msg_name, msg_iov, iov_base, the bytes, the name) where sockscope makes 4 (the whole
# msghdr, the iovec, the bytes, the name); writev 2 as sockscope (the iovec's base, the
# bytes). sendmmsg has none: sockscope reads a vector's names, iovecs and bytes through windows
# (one read per kind of memory), which bpftrace cannot express.
BT_READS = {
    "sendto": "$b = buf(uptr(args->buff), {n}); $a = buf(uptr(args->addr), 16);",
    "sendmsg": ("$m = (struct user_msghdr *)uptr(args->msg); $name = $m->msg_name; "
                "$iov = (struct iovec *)uptr($m->msg_iov); $b = buf(uptr($iov->iov_base), {n}); "
                "$a = buf(uptr($name), 16);"),
    "recvfrom": ("$l = *(uint32 *)uptr(args->addr_len); $b = buf(uptr(args->ubuf), {n}); "
                 "$a = buf(uptr(args->addr), 16);"),
    "write": "$b = buf(uptr(args->buf), {n});",
    "writev": "$iov = (struct iovec *)uptr(args->vec); $b = buf(uptr($iov->iov_base), {n});",
    "read": "$b = buf(uptr(args->buf), {n});",
}


def applicable(op, mode):
    """Whether `mode` is measured on the loop `op` (bpftrace-reads has no sendmmsg program)."""
    return not (mode == "bpftrace-reads" and op not in BT_READS)


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def proc_cpu_s(pid):
    """CPU seconds (user + system, all threads, not children) of a live process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


def thread_cpu_s(pid):
    """CPU seconds of a live process's main thread, in ns resolution (the first field of
    /proc/PID/task/PID/schedstat): sockscope drains the ring and renders every record on its
    main thread, so this is the consumer's CPU without the loader's threads at start and exit.
    None where the kernel has no schedstat."""
    try:
        with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


# The CPU clocks read from a sockscope run's `attached` line to its last sample, by the key
# raw.json and the report use: the whole process (10 ms ticks, with the loader's threads at
# exit) and its main thread, the consumer (ns).
CPU_CLOCKS = {"cpu_s": proc_cpu_s, "consumer_s": thread_cpu_s}


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


def add_progs(out, prefix, case, progs, mine):
    for p in progs:
        if p.get("id") not in mine:
            continue
        d = out.setdefault(prefix + p.get("name", "?"), {}).setdefault(case, {"run_cnt": 0, "run_time_ns": 0})
        d["run_cnt"] += p.get("run_cnt", 0)
        d["run_time_ns"] += p.get("run_time_ns", 0)


class Proc:
    """A child whose stderr lines are read (and timestamped) in the background."""

    def __init__(self, argv, stdout=subprocess.DEVNULL, start_new_session=False, env=None):
        self.t_start = time.monotonic()
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE,
                                  text=True, errors="replace", start_new_session=start_new_session,
                                  env=None if env is None else {**os.environ, **env})
        self.lines = []
        self.attached = threading.Event()
        self.t_attached = None
        self.hwm_kib = 0
        # CPU_CLOCKS' readings at the `attached` line, and the seconds since then at the last
        # sample (a key is absent where its clock could not be read).
        self._cpu_at_attach = {}
        self.cpu = {}
        self._done = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _read(self):
        for line in self.p.stderr:
            line = line.rstrip("\n")
            self.lines.append(line)
            if line.startswith("sockscope: attached") and not self.attached.is_set():
                self.t_attached = time.monotonic()
                self._cpu_at_attach = {k: f(self.p.pid) for k, f in CPU_CLOCKS.items()}
                self.attached.set()

    def _sample(self):
        # Peak RSS: VmHWM is a high-water mark, so the last value read before exit is the peak.
        path = f"/proc/{self.p.pid}/status"
        while not self._done.is_set() and self.p.poll() is None:
            try:
                with open(path) as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            self.hwm_kib = max(self.hwm_kib, int(line.split()[1]))
                            break
            except (OSError, ValueError):
                pass
            for k, f in CPU_CLOCKS.items():
                c, c0 = f(self.p.pid), self._cpu_at_attach.get(k)
                if c is not None and c0 is not None:
                    self.cpu[k] = c - c0
            time.sleep(0.02)

    def attach_s(self):
        return None if self.t_attached is None else self.t_attached - self.t_start

    def wait(self, timeout=RUN_TIMEOUT):
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log(f"timeout: killing {self.p.args[0]}")
            self.p.kill()
            rc = self.p.wait()
        self._done.set()
        self._reader.join(timeout=5)
        return rc

    def stop(self, timeout=30):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
        return self.wait(timeout=timeout)

    def summary(self):
        for line in reversed(self.lines):
            m = SUMMARY_RE.search(line)
            if m:
                return int(m.group(1)), int(m.group(2))
        return None


def parse_result(path):
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    if not lines:
        raise RuntimeError(f"no loadgen result in {path}")
    d = {}
    for kv in lines[-1].split():
        k, _, v = kv.partition("=")
        d[k] = v
    for k in ("calls", "syscalls", "elapsed_ns", "errors", "threads", "vlen"):
        d[k] = int(d[k])
    # The read loop's refills (a write and the read that found the queue empty) are traced too.
    d["syscalls"] += int(d.get("extra", 0))
    for k in ("ns_per_call", "calls_per_s", "cpu_ns_per_call"):
        if k in d:
            d[k] = float(d[k])
    return d


class Bench:
    def __init__(self, args):
        self.args = args
        self.sockscope = args.sockscope
        self.res_file = os.path.join(SHM, f"sockscope-bench-{os.getpid()}.res")
        self.idle = None

    # ---- helpers -------------------------------------------------------------------------
    def loadgen_argv(self, op, n, threads=1, warmup=1000):
        return [LOADGEN, op, "-n", str(n), "-s", str(self.args.bytes), "-t", str(threads),
                "-w", str(warmup), "-r", self.res_file]

    def fresh_result(self):
        try:
            os.unlink(self.res_file)
        except FileNotFoundError:
            pass

    def run_plain(self, argv):
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, timeout=RUN_TIMEOUT)
        if p.returncode != 0:
            raise RuntimeError(f"{argv[0]} exited {p.returncode}: {p.stderr.strip()[-500:]}")
        return p.stderr

    def start_sockscope(self, extra, binary=None):
        argv = [binary or self.sockscope, "-s", "64", "-o", "/dev/null"] + extra
        pr = Proc(argv)
        if not pr.attached.wait(ATTACH_TIMEOUT):
            pr.p.kill()
            pr.wait()
            raise RuntimeError(f"sockscope never attached: {' '.join(argv)}: {pr.lines[-5:]}")
        return pr

    def idle_pid(self):
        if self.idle is None or self.idle.poll() is not None:
            # An idle process for `-p`: sleeps (bounded) and makes no socket calls.
            self.idle = subprocess.Popen(["sleep", "3600"], stdin=subprocess.DEVNULL)
        return self.idle.pid

    def close(self):
        if self.idle is not None and self.idle.poll() is None:
            self.idle.terminate()
            self.idle.wait()
        self.fresh_result()

    # ---- one measurement -----------------------------------------------------------------
    def run_mode(self, op, mode, n):
        """Runs one loop under `mode`; returns a dict with ns_per_call and extras."""
        self.fresh_result()
        info = {}
        lg_op = "getppid" if mode.startswith("bystander") else op
        lg = self.loadgen_argv(lg_op, n)
        if mode in ("untraced", "bystander-untraced"):
            self.run_plain(lg)
        elif mode in ("sockscope-text", "sockscope-json", "sockscope-yy", "sockscope-toctou",
                      "sockscope-base", "sockscope-base-json"):
            extra = {"sockscope-json": ["--json"], "sockscope-yy": ["-yy"], "sockscope-toctou": ["--toctou"],
                     "sockscope-base-json": ["--json"]}.get(mode, []) + ["--"] + lg
            # sockscope-base*: the `--baseline` binary, so that before/after are ratios of one run.
            binary = self.args.baseline if mode.startswith("sockscope-base") else self.sockscope
            pr = Proc([binary, "-s", "64", "-o", "/dev/null"] + extra)
            rc = pr.wait()
            if rc != 0:
                raise RuntimeError(f"sockscope exited {rc}: {pr.lines[-5:]}")
            info.update(self.sockscope_info(pr))
        elif mode in ("sockscope-other", "bystander-sockscope"):
            extra = ["-p", str(self.idle_pid())] if mode == "sockscope-other" else []
            pr = self.start_sockscope(extra)
            try:
                self.run_plain(lg)
            finally:
                pr.stop()
            info.update(self.sockscope_info(pr))
        elif mode in ("sockscope-top", "sockscope-top-tp"):
            env = {"SOCKSCOPE_FLOW_HOOK": "tracepoint"} if mode == "sockscope-top-tp" else None
            pr = Proc([self.sockscope, "top", "-b", "-d", "1", "--"] + lg, env=env)
            rc = pr.wait()
            if rc != 0:
                raise RuntimeError(f"sockscope top exited {rc}: {pr.lines[-5:]}")
            info.update({"hwm_kib": pr.hwm_kib, "attach_s": pr.attach_s()})
        elif mode == "bystander-top":
            pr = Proc([self.sockscope, "top", "-b", "-d", "1"])
            if not pr.attached.wait(ATTACH_TIMEOUT):
                pr.p.kill()
                pr.wait()
                raise RuntimeError(f"sockscope top never attached: {pr.lines[-5:]}")
            try:
                self.run_plain(lg)
            finally:
                pr.stop()
        elif mode == "strace":
            self.run_plain(["strace", "-f", "-qq", "-e", f"trace={op}", "-s", "64", "-o", "/dev/null"] + lg)
        elif mode in ("bpftrace-false", "bystander-bpftrace-false"):
            # Two syscall tracepoints enabled with programs that never do anything (pid 0 never
            # makes a syscall): the hooks of `--toctou`'s capture of sendto, sendmsg, recvfrom.
            # The filtered-out mode attaches the default capture's hooks: its floor is
            # bpftrace-false-exit.
            top = "sendto" if mode.startswith("bystander") else op
            prog = (f"tracepoint:syscalls:sys_enter_{top} /pid == 0/ {{ @e = count(); }} "
                    f"tracepoint:syscalls:sys_exit_{top} /pid == 0/ {{ @x = count(); }}")
            err = self.run_plain(["bpftrace", "-o", "/dev/null", "-e", prog, "-c", " ".join(lg)])
            info.update(self.bpftrace_info(err))
        elif mode == "bpftrace-false-exit":
            # The floor of the default (exit-only) capture's hooks, which the filtered-out mode
            # (`-p <idle pid>`) attaches too: the call's exit and the socket tracepoint that
            # fires inside it (once per message for the mmsg calls).
            sockev = "sock_recv_length" if op in ("recvfrom", "read", "recvmsg", "recvmmsg") else "sock_send_length"
            # The data calls (write, writev, read) have no syscall program: the socket tracepoint
            # alone captures them.
            prog = f"tracepoint:sock:{sockev} /pid == 0/ {{ @s = count(); }}"
            if op not in ("write", "writev", "read"):
                prog = f"tracepoint:syscalls:sys_exit_{op} /pid == 0/ {{ @x = count(); }} " + prog
            err = self.run_plain(["bpftrace", "-o", "/dev/null", "-e", prog, "-c", " ".join(lg)])
            info.update(self.bpftrace_info(err))
        elif mode == "bpftrace-reads":
            err = self.run_plain(["bpftrace", "-o", "/dev/null", "-e", self.bt_reads(op), "-c", " ".join(lg)])
            info.update(self.bpftrace_info(err))
        elif mode in ("bpftrace-count", "bpftrace-print"):
            prog = self.bt_prog(op, mode == "bpftrace-print")
            err = self.run_plain(["bpftrace", "-o", "/dev/null", "-e", prog, "-c", " ".join(lg)])
            info.update(self.bpftrace_info(err))
        else:
            raise ValueError(mode)
        r = parse_result(self.res_file)
        r.update(info)
        if self.args.metric == "cpu":
            # The loop thread's own CPU time per call: what tracing adds to the traced thread,
            # without the time it waited for a CPU on a loaded machine.
            r["wall_ns_per_call"] = r["ns_per_call"]
            r["ns_per_call"] = r["cpu_ns_per_call"]
        return r

    def bt_reads(self, op):
        body = BT_READS[op].format(n=max(1, min(self.args.bytes, 64)))
        return f"tracepoint:syscalls:sys_enter_{op} {{ {body} }}"

    @staticmethod
    def bt_prog(op, printing):
        if not printing:
            return f"tracepoint:syscalls:sys_enter_{op} {{ @[comm] = count(); }}"
        a = BT_SIZE_ARG[op]
        return (f"tracepoint:syscalls:sys_enter_{op} {{ @fd[tid] = args->fd; @a[tid] = args->{a}; "
                f"@t[tid] = nsecs; }}\n"
                f"tracepoint:syscalls:sys_exit_{op} /@t[tid]/ {{ printf(\"%s[%d] {op}(%d, %d) = %d <%d>\\n\", "
                f"comm, tid, @fd[tid], @a[tid], args->ret, nsecs - @t[tid]); "
                f"delete(@fd[tid]); delete(@a[tid]); delete(@t[tid]); }}")

    @staticmethod
    def bpftrace_info(stderr):
        m = re.search(r"Lost (\d+) events", stderr or "")
        return {"lost": int(m.group(1))} if m else {}

    @staticmethod
    def sockscope_info(pr):
        d = {"hwm_kib": pr.hwm_kib, "attach_s": pr.attach_s(), **pr.cpu}
        s = pr.summary()
        if s:
            d["events"], d["lost"] = s
        return d

    # ---- the overhead rounds -------------------------------------------------------------
    def overhead(self):
        a = self.args
        ops = a.ops
        modes = ["untraced", "sockscope-text", "sockscope-toctou", "sockscope-json", "sockscope-yy", "sockscope-other", "sockscope-top", "sockscope-top-tp",
                 "strace", "bpftrace-count", "bpftrace-reads", "bpftrace-print", "bpftrace-false", "bpftrace-false-exit"]
        bystanders = ["bystander-untraced", "bystander-sockscope", "bystander-top", "bystander-bpftrace-false"]
        if a.top:
            # `--top`: sockscope top next to full capture and the untraced loop, nothing else.
            modes = ["untraced", "sockscope-text", "sockscope-yy", "sockscope-top", "sockscope-top-tp"]
        if a.modes:
            # `--modes a,b`: only these (untraced always first), e.g. an ablation side by side.
            modes = ["untraced"] + [m for m in a.modes.split(",") if m and m != "untraced"]
        if a.baseline:
            # `--baseline PATH`: the other binary next to each of text/json measured.
            for new, base in (("sockscope-text", "sockscope-base"), ("sockscope-json", "sockscope-base-json")):
                if new in modes and base not in modes:
                    modes.insert(modes.index(new) + 1, base)
        plan = [(op, m) for op in ops for m in modes if applicable(op, m)]
        plan += [("getppid", m) for m in bystanders]
        results = {key: [] for key in plan}
        for rnd in range(a.rounds):
            # Rotate the order each round so no mode always runs first/last (drift, caches).
            k = rnd % len(plan)
            order = plan[k:] + plan[:k]
            t0 = time.monotonic()
            for op, mode in order:
                n = a.calls[op]
                try:
                    r = self.run_mode(op, mode, n)
                except Exception as e:  # keep going: one failed mode must not sink the run
                    log(f"round {rnd + 1}: {op}/{mode} failed: {e}")
                    continue
                r["round"] = rnd
                results[(op, mode)].append(r)
                extra = ""
                if "events" in r:
                    extra = f" events={r['events']} lost={r['lost']}"
                log(f"round {rnd + 1}/{a.rounds} {op:8s} {mode:20s} {r['ns_per_call']:10.1f} ns/call{extra}")
            log(f"round {rnd + 1} took {time.monotonic() - t0:.1f}s")
        return plan, results

    # ---- throughput / loss ---------------------------------------------------------------
    def tp_run(self, threads, n, rate_total=None, fmt="text"):
        """One `sockscope [--json] -o FILE -- loadgen sendto` run; counts delivered lines and checks loss."""
        self.fresh_result()
        outfile = os.path.join(SHM, f"sockscope-bench-{os.getpid()}.out")
        lg = self.loadgen_argv("sendto", n, threads=threads, warmup=0)
        if rate_total:
            lg += ["-R", f"{rate_total / threads:.0f}"]
        json_opt = ["--json"] if fmt == "json" else []
        pr = Proc([self.sockscope, "-s", "64"] + json_opt + ["-o", outfile, "--"] + lg)
        rc = pr.wait()
        try:
            r = parse_result(self.res_file)
            delivered = 0
            mark = b'"eventName":"sendto"' if fmt == "json" else b"sendto("
            with open(outfile, "rb") as f:
                for line in f:
                    if mark in line:
                        delivered += 1
        except Exception as e:
            log(f"throughput t={threads}: failed (sockscope rc={rc}): {e}; {pr.lines[-3:]}")
            return None
        finally:
            try:
                os.unlink(outfile)
            except FileNotFoundError:
                pass
        s = pr.summary()
        row = {
            "threads": threads, "format": fmt, "paced": rate_total, "calls": r["syscalls"], "elapsed_ns": r["elapsed_ns"],
            "offered_per_s": r["syscalls"] * 1e9 / r["elapsed_ns"], "delivered": delivered,
            "events": s[0] if s else None, "lost": s[1] if s else None,
            "hwm_kib": pr.hwm_kib, "attach_s": pr.attach_s(), "rc": rc,
        }
        row["delivered_per_s"] = delivered * 1e9 / r["elapsed_ns"]
        row["lost_check"] = (s is not None and s[1] == r["syscalls"] - delivered)
        log(f"throughput {fmt} t={threads} {'paced %.0f/s' % rate_total if rate_total else 'full speed'}: "
            f"calls={row['calls']} delivered={delivered} summary={s} offered={row['offered_per_s']:.0f}/s "
            f"check={'ok' if row['lost_check'] else 'MISMATCH'}")
        return row

    def throughput(self):
        """Text and JSON, full speed at 1, 2, 4 producers; where that loses events, paced runs
        stepping down from the delivered rate find the highest rate sustained without loss (a few
        tries)."""
        a = self.args
        out = []
        for fmt in ("text", "json"):
            for threads in a.tp_threads:
                full = []
                for _ in range(a.tp_reps):
                    row = self.tp_run(threads, a.tp_calls * threads, fmt=fmt)
                    if row:
                        out.append(row)
                        full.append(row)
                lossy = [r for r in full if r["lost"] or r["delivered"] < r["calls"]]
                if not lossy or not a.tp_pace_tries:
                    continue
                rate = 0.9 * statistics.median([r["delivered_per_s"] for r in lossy])
                for _ in range(a.tp_pace_tries):
                    n = max(20000, int(rate * a.tp_pace_seconds))
                    row = self.tp_run(threads, n, rate_total=rate, fmt=fmt)
                    if not row:
                        break
                    out.append(row)
                    if not row["lost"] and row["delivered"] == row["calls"]:
                        break
                    rate *= 0.7
        return out

    @staticmethod
    def prog_ids():
        out = subprocess.run(["bpftool", "prog", "show", "--json"], capture_output=True, text=True, timeout=60).stdout
        return {p.get("id") for p in json.loads(out or "[]")}

    # ---- per-program cost (kernel.bpf_stats_enabled) -------------------------------------
    def profile(self):
        """ns per eBPF program run, from run_time_ns/run_cnt with kernel.bpf_stats_enabled=1.

        On the sendto loop: sockscope tracing the whole machine (the loop's calls are captured)
        and sockscope `-p <idle pid>` (the loop's calls are filtered out), and the peers'
        programs. On the sendmsg and recvfrom loops (when measured): sockscope capturing, and
        bpftrace counting and making only the reads (bpftrace-reads). {op: {program: {case: ..}}}."""
        import shutil
        if not shutil.which("bpftool"):
            log("bpftool missing: no per-program profile")
            return {}
        knob = "/proc/sys/kernel/bpf_stats_enabled"
        with open(knob) as f:
            orig = f.read().strip()
        out = {}
        try:
            with open(knob, "w") as f:
                f.write("1")
            for op in ["sendto"] + [o for o in ("sendmsg", "recvfrom") if o in self.args.ops]:
                out[op] = self.profile_op(op)
        except Exception as e:
            log(f"profile failed: {e}")
        finally:
            with open(knob, "w") as f:
                f.write(orig)
        return out

    def profile_op(self, op):
        out = {}
        cases = [("captured", [], None)]
        if op == "sendto":
            cases.append(("filtered", ["-p", str(self.idle_pid())], None))
        if self.args.baseline:
            cases.append(("captured (base)", [], self.args.baseline))
        for case, extra, binary in cases:
            # The tracer's own programs: the prog_id of its open program fds (other engineers'
            # tracers may be loading programs with the same names at the same time).
            pr = self.start_sockscope(extra, binary)
            try:
                self.fresh_result()
                self.run_plain(self.loadgen_argv(op, self.args.calls[op]))
                mine = prog_ids_of(pr.p.pid)
                progs = json.loads(subprocess.run(["bpftool", "prog", "show", "--json"], capture_output=True,
                                                  text=True, timeout=60).stdout or "[]")
            finally:
                pr.stop()
            add_progs(out, "", case, progs, mine)
        # The peers' programs: bpftrace runs a shell that runs the loop and then lists programs.
        dump = os.path.join(SHM, f"sockscope-bench-{os.getpid()}.progs")
        peers = [("bpftrace-count", self.bt_prog(op, False))]
        if op in BT_READS:
            peers.append(("bpftrace-reads", self.bt_reads(op)))
        if op == "sendto":
            peers.append(("bpftrace-print", self.bt_prog(op, True)))
        for case, prog in peers:
            self.fresh_result()
            lg = " ".join(self.loadgen_argv(op, self.args.calls[op]))
            # $PPID of the shell is bpftrace: its open program fds name its programs.
            sh = (f"{lg} && grep -h '^prog_id' /proc/$PPID/fdinfo/* > {dump}.ids 2>/dev/null; "
                  f"bpftool prog show --json > {dump}")
            # bpftrace -c splits on spaces and wants an ELF: run /bin/sh on a script file.
            script = os.path.join(BUILD, "profile-loop.sh")  # /dev/shm may be noexec
            with open(script, "w") as f:
                f.write(sh + "\n")
            os.chmod(script, 0o755)
            self.run_plain(["bpftrace", "-o", "/dev/null", "-e", prog, "-c", f"/bin/sh {script}"])
            with open(dump) as f:
                progs = json.load(f)
            with open(dump + ".ids") as f:
                mine = {int(l.split()[1]) for l in f if l.startswith("prog_id")}
            for path in (dump, dump + ".ids", script):
                os.unlink(path)
            add_progs(out, f"{case}: ", "captured", progs, mine)
        return out

    # ---- attach time, idle RSS -----------------------------------------------------------
    def attach(self):
        rows = []
        for rep in range(self.args.attach_reps):
            pr = self.start_sockscope(["-p", str(self.idle_pid())])
            time.sleep(0.3)
            pr.stop()
            rows.append({"attach_s": pr.attach_s(), "hwm_kib": pr.hwm_kib})
        return rows


# ---- report -------------------------------------------------------------------------------
def med_min_max(xs):
    return statistics.median(xs), min(xs), max(xs)


def machine_info(sockscope):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def cmd(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
        except Exception:
            return "?"

    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "kernel": platform.release(),
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "commit": cmd(["git", "-C", REPO, "log", "-1", "--format=%h %s"]),
        "strace": cmd(["strace", "-V"]),
        "bpftrace": cmd(["bpftrace", "--version"]),
        "sockscope": sockscope,
        "sockscope_src": os.environ.get("SOCKSCOPE_BUILT_FROM", "the repo's work tree at run time"),
        "loadavg": open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else "?",
    }


def fmt_ns(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def report(args, info, plan, results, tp, attach, prof):
    L = []
    L.append("# sockscope overhead benchmark — results")
    L.append("")
    L.append(f"- date: {info['date']}")
    L.append(f"- kernel: {info['kernel']}; CPU: {info['cpu']}; nproc: {info['nproc']}; "
             f"load average at start: {' '.join(info['loadavg'])} (shared machine)")
    L.append(f"- repo commit: {info['commit']}")
    L.append(f"- {info['strace']}; {info['bpftrace']}; sockscope binary: `{info['sockscope']}` "
             f"(built from {info['sockscope_src']})")
    L.append(f"- command: `{args.command}`; {args.rounds} interleaved rounds; message size {args.bytes} B; "
             f"calls per run: " + ", ".join(f"{op} {args.calls[op]:,}" for op in args.ops + ["getppid"]))
    L.append(f"- metric: {args.metric}" + (" (the loop thread's CLOCK_THREAD_CPUTIME_ID / calls)" if args.metric == "cpu" else ""))
    L.append("- ns/call: each run's own loop time / calls (clock_gettime around the loop). "
             "ratio = median(mode) / median(untraced); paired = median over rounds of (mode / untraced in the same round).")
    L.append("")
    by_op = {}
    for op, mode in plan:
        by_op.setdefault(op, []).append(mode)
    for op, modes in by_op.items():
        title = "bystander: getppid() loop" if op == "getppid" else f"{op}, {args.bytes}-byte UDP to 127.0.0.1, 1 thread"
        if op == "sendmmsg":
            title += " (8 messages per call; ns are per call)"
        if op == "recvfrom":
            title += " (MSG_PEEK|MSG_DONTWAIT of a queued datagram)"
        if op in ("write", "writev"):
            title = f"{op} on a connected socket, {args.bytes}-byte UDP to 127.0.0.1, 1 thread (a data call: sock_send_length)"
        if op == "read":
            title = (f"read of {args.bytes} bytes from a UNIX stream socket the loop fills itself, 1 thread "
                     "(a data call: sock_recv_length; one refill write per 65,536 reads)")
        L.append(f"## {title}")
        L.append("")
        L.append("| mode | median ns/call | min–max | ratio | paired | target | n | sockscope events / lost | "
                 "consumer CPU µs/event (whole process) |")
        L.append("|---|---:|---:|---:|---:|---|---:|---|---:|")
        base_mode = "bystander-untraced" if op == "getppid" else "untraced"
        base = results.get((op, base_mode), [])
        base_med = statistics.median([r["ns_per_call"] for r in base]) if base else None
        base_by_round = {r["round"]: r["ns_per_call"] for r in base}
        for mode in modes:
            rs = results.get((op, mode), [])
            if not rs:
                L.append(f"| {MODE_DESC[mode]} | failed | | | | {target_of(op, mode)} | 0 | | |")
                continue
            med, lo, hi = med_min_max([r["ns_per_call"] for r in rs])
            ratio = f"{med / base_med:.2f}×" if base_med else "?"
            paired = [r["ns_per_call"] / base_by_round[r["round"]] for r in rs if r["round"] in base_by_round]
            paired_s = f"{statistics.median(paired):.2f}×" if paired else "?"
            ev = ""
            if any("events" in r for r in rs):
                tot_e = sum(r.get("events", 0) for r in rs)
                tot_l = sum(r.get("lost", 0) for r in rs)
                ev = f"{tot_e:,} / {tot_l:,}"
                if mode in ("sockscope-text", "sockscope-json", "sockscope-yy", "sockscope-toctou",
                            "sockscope-base", "sockscope-base-json"):
                    made = sum(r["syscalls"] for r in rs)
                    ev += " (=calls)" if tot_e + tot_l == made else f" (calls made {made:,})"
            elif any("lost" in r for r in rs):
                ev = f"bpftrace lost {sum(r.get('lost', 0) for r in rs):,}"
            # The consumer thread's CPU (ns resolution), then the whole process's in 10 ms ticks
            # with the loader's threads at exit (the figure earlier reports gave): see the README.
            cpu_s = ""
            if mode in ("sockscope-text", "sockscope-json", "sockscope-base", "sockscope-base-json"):
                per_event = {k: [r[k] * 1e6 / r["events"] for r in rs if r.get(k) and r.get("events")]
                             for k in CPU_CLOCKS}
                cons, cpu = per_event["consumer_s"], per_event["cpu_s"]
                cpu_s = " ".join(x for x in (f"{statistics.median(cons):.2f}" if cons else "",
                                             f"({statistics.median(cpu):.1f})" if cpu else "") if x)
            L.append(f"| {MODE_DESC[mode].replace('=OP', '=' + op)} | {fmt_ns(med)} | {fmt_ns(lo)}–{fmt_ns(hi)} | {ratio} | "
                     f"{paired_s} | {target_of(op, mode)} | {len(rs)} | {ev} | {cpu_s} |")
        L.append("")
        # `--baseline`: new / base per round, and each against bpftrace counting.
        for new, base in (("sockscope-text", "sockscope-base"), ("sockscope-json", "sockscope-base-json")):
            nr = {r["round"]: r["ns_per_call"] for r in results.get((op, new), [])}
            br = {r["round"]: r["ns_per_call"] for r in results.get((op, base), [])}
            both = [nr[k] / br[k] for k in nr if k in br]
            if both:
                L.append(f"- {new} / {base} (same round, median of {len(both)}): {statistics.median(both):.3f} "
                         f"(min {min(both):.3f}, max {max(both):.3f})")
        # Same-round ratios against bpftrace counting, and against bpftrace making only the reads
        # a full capture makes (bpftrace-reads), where those were measured.
        said = False
        for peer in ("bpftrace-count", "bpftrace-reads"):
            bt = {r["round"]: r["ns_per_call"] for r in results.get((op, peer), [])}
            if not bt:
                continue
            for m in ("sockscope-text", "sockscope-base", "sockscope-json", "sockscope-base-json", "bpftrace-reads"):
                if m == peer:
                    continue
                xs = [r["ns_per_call"] / bt[r["round"]] for r in results.get((op, m), []) if r["round"] in bt]
                if xs:
                    L.append(f"- {m} / {peer} (same round, median of {len(xs)}): {statistics.median(xs):.3f} "
                             f"(min {min(xs):.3f}, max {max(xs):.3f})")
                    said = True
        if said or any(m.startswith("sockscope-base") for m in modes):
            L.append("")

    if tp:
        L.append("## sockscope throughput and loss (sendto 64 B, default settings, text and `--json` output to a tmpfs file)")
        L.append("")
        L.append("Full-speed runs first; where they lose events, paced runs (`loadgen -R`) step down from the "
                 "delivered rate to find a rate sustained with no loss.")
        L.append("")
        L.append("| output | producer threads | load | calls made | offered calls/s | delivered lines | delivered events/s | "
                 "lost (summary) | lost == calls − delivered | peak RSS |")
        L.append("|---|---:|---|---:|---:|---:|---:|---:|---|---:|")
        for row in tp:
            load = f"paced {row['paced']:,.0f}/s" if row.get("paced") else "full speed"
            L.append(f"| {row.get('format', 'text')} | {row['threads']} | {load} | {row['calls']:,} | {row['offered_per_s']:,.0f} | {row['delivered']:,} | "
                     f"{row['delivered_per_s']:,.0f} | {row['lost'] if row['lost'] is not None else '?'} | "
                     f"{'yes' if row['lost_check'] else 'NO'} | {row['hwm_kib'] / 1024:.1f} MiB |")
        L.append("")

    for op, table in (prof or {}).items():
        L.append(f"## eBPF programs: ns per run (kernel.bpf_stats_enabled=1, {op} loop)")
        L.append("")
        if op == "sendto":
            L.append("Whole-machine sockscope (the loop's calls captured) vs `-p <idle pid>` (the loop's calls "
                     "filtered out), and the peers' programs. bpf_stats itself adds a little to each run.")
        else:
            L.append("Whole-machine sockscope capturing the loop's calls, bpftrace counting them, and bpftrace "
                     "making only the reads a full capture makes (no map, no output). bpf_stats itself adds a "
                     "little to each run.")
        L.append("")
        cases = ["captured"] + (["filtered"] if op == "sendto" else []) + (["captured (base)"] if args.baseline else [])
        L.append("| program | " + " | ".join(f"runs ({c}) | ns/run ({c})" for c in cases) + " |")
        L.append("|---|" + "---:|---:|" * len(cases))
        for name in sorted(table):
            cells = []
            for case in cases:
                d = table[name].get(case)
                if d and d["run_cnt"]:
                    cells += [f"{d['run_cnt']:,}", f"{d['run_time_ns'] / d['run_cnt']:,.0f}"]
                else:
                    cells += [f"{d['run_cnt'] if d else 0}", "–"]
            L.append(f"| {name} | " + " | ".join(cells) + " |")
        L.append("")

    # Resources: RSS and attach time over every sockscope run.
    hwm = [r["hwm_kib"] for rs in results.values() for r in rs if r.get("hwm_kib")]
    hwm += [r["hwm_kib"] for r in tp if r.get("hwm_kib")] + [r["hwm_kib"] for r in attach if r.get("hwm_kib")]
    att = [r["attach_s"] for rs in results.values() for r in rs if r.get("attach_s") is not None]
    att += [r["attach_s"] for r in attach if r.get("attach_s") is not None]
    att_idle = [r["attach_s"] for r in attach if r.get("attach_s") is not None]
    L.append("## sockscope resources")
    L.append("")
    L.append("| metric | median | min–max | n | target |")
    L.append("|---|---:|---:|---:|---|")
    if att_idle:
        m, lo, hi = med_min_max(att_idle)
        L.append(f"| start → `attached` line, `-p <idle pid>` | {m * 1000:.0f} ms | "
                 f"{lo * 1000:.0f}–{hi * 1000:.0f} ms | {len(att_idle)} | < 1 s |")
    if att:
        m, lo, hi = med_min_max(att)
        L.append(f"| start → `attached` line, every sockscope run | {m * 1000:.0f} ms | {lo * 1000:.0f}–{hi * 1000:.0f} ms | "
                 f"{len(att)} | < 1 s |")
    if hwm:
        m, lo, hi = med_min_max(hwm)
        L.append(f"| peak RSS (VmHWM) over every sockscope run | {m / 1024:.1f} MiB | {lo / 1024:.1f}–{hi / 1024:.1f} MiB | "
                 f"{len(hwm)} | ≤ 64 MiB |")
    L.append("")
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="~1.5 minutes: 5 rounds of sendto + bystander only, fewer calls")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--modes", help="comma list of modes to measure (untraced is always included), e.g. sockscope-text,sockscope-toctou,bpftrace-count")
    ap.add_argument("--ops", help="comma list of sendto,recvfrom,sendmsg,sendmmsg,write,writev,read")
    ap.add_argument("--bytes", type=int, default=64)
    ap.add_argument("--sockscope", required=True)
    ap.add_argument("--output", default=os.path.join(HERE, "results.md"))
    ap.add_argument("--command", default="bench/run.sh")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-profile", action="store_true")
    ap.add_argument("--metric", choices=["wall", "cpu"], default="wall",
                    help="ns/call from the loop's wall time (default) or the loop thread's CPU time")
    ap.add_argument("--baseline", metavar="PATH",
                    help="a second sockscope binary measured in the same interleaved rounds (modes sockscope-base "
                         "next to sockscope-text, sockscope-base-json next to sockscope-json; its programs in the profile)")
    ap.add_argument("--top", action="store_true",
                    help="only untraced / full capture / `sockscope top` on the loop and the bystander")
    args = ap.parse_args()

    if args.quick:
        args.rounds = args.rounds or 5
        ops = args.ops or "sendto"
        args.calls = {"sendto": 30000, "sendmsg": 30000, "sendmmsg": 4000, "recvfrom": 100000, "getppid": 1000000,
                      "write": 30000, "writev": 30000, "read": 100000}
        args.tp_threads, args.tp_reps, args.tp_calls, args.attach_reps = [1, 2, 4], 1, 100000, 3
        args.tp_pace_tries, args.tp_pace_seconds = 2, 0.5
    else:
        args.rounds = args.rounds or 5
        ops = args.ops or "sendto,recvfrom,sendmsg,sendmmsg,write,writev,read"
        args.calls = {"sendto": 100000, "sendmsg": 100000, "sendmmsg": 12500, "recvfrom": 300000, "getppid": 3000000,
                      "write": 100000, "writev": 100000, "read": 300000}
        args.tp_threads, args.tp_reps, args.tp_calls, args.attach_reps = [1, 2, 4], 3, 200000, 5
        args.tp_pace_tries, args.tp_pace_seconds = 4, 1.0
    args.ops = [o for o in ops.split(",") if o]
    for o in args.ops:
        if o not in BT_SIZE_ARG:
            ap.error(f"unknown op {o}")

    b = Bench(args)
    t0 = time.monotonic()
    try:
        info = machine_info(args.sockscope)
        plan, results = b.overhead()
        tp = [] if args.skip_throughput else b.throughput()
        attach = b.attach()
        prof = {} if args.skip_profile else b.profile()
    finally:
        b.close()
    md = report(args, info, plan, results, tp, attach, prof)
    md += f"\nTotal benchmark time: {time.monotonic() - t0:.0f} s.\n"
    print(md)
    with open(args.output, "w") as f:
        f.write(md)
    raw = {"info": info, "results": {f"{op}/{m}": rs for (op, m), rs in results.items()},
           "throughput": tp, "attach": attach, "profile": prof}
    os.makedirs(BUILD, exist_ok=True)
    with open(os.path.join(BUILD, "raw.json"), "w") as f:
        json.dump(raw, f, indent=1)
    log(f"wrote {args.output} and {os.path.join(BUILD, 'raw.json')}")


if __name__ == "__main__":
    main()
