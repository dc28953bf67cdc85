#!/usr/bin/env bash
# Set-up (idempotent) + the whole test suite: unit tests (pure decoders, no root needed) and
# integration tests that load the real eBPF programs and trace real loopback workloads (root).
# Ends with one plain line `N passed, N failed` summed over every test binary (cargo's own last
# `test result` line is the empty doc-test crate's).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release -p sockscope
./scripts/install.sh                       # sockscope on PATH, man page, completions (tested)
log=$(mktemp)
# The integration tests bind fixed loopback ports 40100-40699, inside the kernel's ephemeral
# range (32768-60999): reserved for the run, so that no socket of the machine (another test's
# client, an unbound UDP socket's first send) is auto-bound to one meanwhile (a bind would fail
# at random). The setting is restored at the end.
reserved=/proc/sys/net/ipv4/ip_local_reserved_ports
orig_reserved=$(cat "$reserved" 2>/dev/null || true)
if [ -w "$reserved" ]; then
  echo "${orig_reserved:+$orig_reserved,}40100-40699" > "$reserved" || true
fi
trap 'rm -f "$log"; [ -w "$reserved" ] && echo "$orig_reserved" > "$reserved" || true' EXIT
rm -f target/strace-suite/summary.txt
status=0
cargo test --release --no-fail-fast --workspace --exclude sockscope-ebpf -- --test-threads=1 2>&1 | tee "$log" || status=$?
read -r passed failed < <(awk '/^test result:/ { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p + 0, f + 0 }' "$log")
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi   # a build failure counts
# strace 6.1's own test suite (sockscope/tests/it/strace_suite.rs): its per-group figures.
[ -f target/strace-suite/summary.txt ] && cat target/strace-suite/summary.txt
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
