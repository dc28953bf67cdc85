#!/usr/bin/env bash
# sockscope overhead benchmark: one command, run as root from anywhere.
#
#   bench/run.sh            full run (~7-9 min): 5 interleaved rounds of sendto, recvfrom, sendmsg,
#                           sendmmsg under every mode, the bystander, throughput/loss, attach, RSS
#   bench/run.sh --quick    ~1.5 min: 5 rounds of sendto + the bystander only, fewer calls
#
# Extra options go to bench/bench.py (--rounds N, --ops sendto,sendmsg, --skip-throughput, ...).
# Environment:
#   SOCKSCOPE=/path/to/sockscope   binary to measure (default: target/release/sockscope under the
#                                  repo root). If it is missing and its path ends in
#                                  release/sockscope, it is built with CARGO_TARGET_DIR set to the
#                                  directory above release/.
#   NO_BUILD=1                     do not run cargo (the binary must exist)
#   SOCKSCOPE_BUILT_FROM=TEXT      what the binary was built from, shown in the report
#
# Installs what is missing (Debian strace, bpftrace; idempotent), builds bench/build/loadgen
# (cc -O2) and sockscope (release), then runs bench/bench.py, which prints a Markdown report and
# writes it to bench/results.md.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH")"
log() { printf 'bench: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  echo "bench: must run as root (loads eBPF programs, installs packages)" >&2
  exit 2
fi
export PATH="$HOME/.cargo/bin:$PATH"

# --- tools --------------------------------------------------------------------------------
need=()
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v bpftrace >/dev/null 2>&1 || need+=(bpftrace)
command -v cc >/dev/null 2>&1 || need+=(gcc)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v bpftool >/dev/null 2>&1 || need+=(bpftool)  # per-program profile (optional)
if [ ${#need[@]} -gt 0 ]; then
  log "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! mountpoint -q /sys/kernel/tracing 2>/dev/null; then
  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi
# bpftrace and sockscope lock map memory; the kernel accounts it to the memcg on 5.11+, but an old
# RLIMIT_MEMLOCK would still bite older kernels.
ulimit -l unlimited 2>/dev/null || true

# --- load generator -----------------------------------------------------------------------
mkdir -p "$BENCH/build"
if [ ! -x "$BENCH/build/loadgen" ] || [ "$BENCH/loadgen.c" -nt "$BENCH/build/loadgen" ]; then
  log "building loadgen"
  cc -O2 -Wall -Wextra -pthread -o "$BENCH/build/loadgen" "$BENCH/loadgen.c"
fi

# --- sockscope ----------------------------------------------------------------------------
SOCKSCOPE="${SOCKSCOPE:-$REPO/target/release/sockscope}"
case "$SOCKSCOPE" in /*) ;; *) SOCKSCOPE="$REPO/$SOCKSCOPE" ;; esac
if [ "${NO_BUILD:-0}" != 1 ]; then
  case "$SOCKSCOPE" in
    */release/sockscope)
      target_dir="$(dirname "$(dirname "$SOCKSCOPE")")"
      if ! command -v bpf-linker >/dev/null 2>&1 && [ -x "$REPO/scripts/setup.sh" ]; then
        log "bpf-linker missing: running scripts/setup.sh"
        "$REPO/scripts/setup.sh"
      fi
      log "building sockscope (release) into $target_dir"
      (cd "$REPO" && CARGO_TARGET_DIR="$target_dir" cargo build --release -q -p sockscope)
      ;;
    *)
      [ -x "$SOCKSCOPE" ] || { log "SOCKSCOPE=$SOCKSCOPE does not exist and is not a cargo release path"; exit 2; }
      ;;
  esac
fi
[ -x "$SOCKSCOPE" ] || { log "no sockscope binary at $SOCKSCOPE"; exit 2; }

cmd="bench/run.sh${*:+ $*}"
exec python3 "$BENCH/bench.py" --sockscope "$SOCKSCOPE" --command "$cmd" "$@"
