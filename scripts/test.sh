#!/usr/bin/env bash
# Set-up (idempotent) + the whole test suite: unit tests (pure decoders, no root needed) and
# integration tests that load the real eBPF programs and trace real loopback workloads (root).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release -p sockscope
cargo test --release --workspace --exclude sockscope-ebpf -- --test-threads=1
