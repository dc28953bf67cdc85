"""Where `sockscope top`'s cost per socket call goes (issue 14): the sendto loop's own CPU time
per call (CLOCK_THREAD_CPUTIME_ID, robust on a loaded machine) untraced, under `sockscope top`,
and under two ablation builds of it passed as ABLATE_SCOPE / ABLATE_INO (binaries whose flow
program returns after the scope check, resp. after the socket's inode and the clock reads).
Interleaved rounds; medians. Usage: sudo python3 bench/top_ablation.py (after bench/run.sh
built bench/build/loadgen)."""
import subprocess, statistics, os
LG=os.path.join(os.path.dirname(os.path.abspath(__file__)), "build", "loadgen")
res="/dev/shm/abl.res"
def run(argv):
    try: os.unlink(res)
    except FileNotFoundError: pass
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    d=dict(kv.split("=") for kv in open(res).read().split())
    return float(d["cpu_ns_per_call"])
lg=[LG,"sendto","-n","100000","-s","64","-t","1","-w","1000","-r",res]
modes={"untraced":lg,
 "top-full":[os.environ.get("SOCKSCOPE", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "target/release/sockscope")),"top","-b","--"]+lg,
 "top-scope-only":[os.environ.get("ABLATE_SCOPE", "/tmp/ablate-scope"),"top","-b","--"]+lg,
 "top-upto-ino+ktime":[os.environ.get("ABLATE_INO", "/tmp/ablate-ino"),"top","-b","--"]+lg}
modes={m: a for m, a in modes.items() if m == "untraced" or os.path.exists(a[0])}
r={m:[] for m in modes}
names=list(modes)
for i in range(11):
    k=i%len(names)
    for m in names[k:]+names[:k]:
        r[m].append(run(modes[m]))
base=statistics.median(r["untraced"])
for m in names:
    med=statistics.median(r[m]); print(f"{m:22s} median {med:7.0f} ns  min {min(r[m]):7.0f}  ratio {med/base:.3f}  +{med-base:.0f} ns")
