#!/usr/bin/env bash
# Idempotent set-up of everything sockscope needs to build and test on a fresh
# Debian machine of this kind. Does nothing when all is present.
set -euo pipefail

log() { printf 'setup: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: must run as root (installs packages, loads eBPF)" >&2
  exit 2
fi

export PATH="$HOME/.cargo/bin:$PATH"

need_apt=()
dpkg -s llvm-22-dev >/dev/null 2>&1 || need_apt+=(llvm-22-dev)
command -v strace >/dev/null 2>&1 || need_apt+=(strace)
command -v bpftrace >/dev/null 2>&1 || need_apt+=(bpftrace)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v cc >/dev/null 2>&1 || need_apt+=(gcc)
command -v ss >/dev/null 2>&1 || need_apt+=(iproute2)
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)   # tests/it/flows.rs drives `sockscope top` in tmux
command -v jq >/dev/null 2>&1 || need_apt+=(jq)          # README examples (tests/it/readme.rs)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)      # README examples
command -v man >/dev/null 2>&1 || need_apt+=(man-db)     # the man page test reads it with man -l
command -v setpriv >/dev/null 2>&1 || need_apt+=(util-linux)  # capabilities test
# strace's own test suite (scripts/strace-suite.sh, tests/it/strace_suite.rs): apt-get source, build.
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v dpkg-source >/dev/null 2>&1 || need_apt+=(dpkg-dev)
command -v xz >/dev/null 2>&1 || need_apt+=(xz-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Debian's source index for bookworm main (apt-get source strace), added once.
. "$(dirname "$0")/deb-src.sh"
ensure_deb_src

if ! rustup toolchain list | grep -q '^nightly'; then
  log "installing the nightly toolchain"
  rustup toolchain install nightly --profile minimal
fi
if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
  log "adding rust-src to nightly"
  rustup component add rust-src --toolchain nightly
fi

if ! command -v bpf-linker >/dev/null 2>&1; then
  log "building bpf-linker (llvm-22); this takes a few minutes"
  LLVM_PREFIX=/usr/lib/llvm-22 cargo install --locked bpf-linker \
    --no-default-features --features llvm-22
fi

if ! mountpoint -q /sys/kernel/tracing 2>/dev/null; then
  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi
