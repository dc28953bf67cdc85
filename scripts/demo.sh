#!/usr/bin/env bash
# Set-up (idempotent) + build + install + the main job: trace the bundled demo workload, which exchanges
# a few messages over loopback UDP (IPv4 and IPv6), TCP and a UNIX socket, and show the calls.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release -p sockscope --bins
./scripts/install.sh                       # sockscope on PATH, man page, completions
# The trace goes to stderr (the demo's own output to stdout), as strace's.
exec ./target/release/sockscope -T "$@" -- ./target/release/sockscope-demo
