#!/bin/sh
# Real programs over loopback (nc, socat, curl, Python, openssl, Node): bytes on inet sockets
# seen by sockscope against strace. Installs what is missing, builds sockscope unless NO_BUILD=1,
# prints the per-program table (see bench/realprograms.py). Run as root.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SOCKSCOPE=${SOCKSCOPE:-$ROOT/target/release/sockscope}
need=""
command -v nc >/dev/null 2>&1 || need="$need netcat-openbsd"
command -v socat >/dev/null 2>&1 || need="$need socat"
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
command -v strace >/dev/null 2>&1 || need="$need strace"
command -v python3 >/dev/null 2>&1 || need="$need python3"
command -v node >/dev/null 2>&1 || need="$need nodejs"
if [ -n "$need" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
if [ "${NO_BUILD:-0}" != 1 ]; then
    (cd "$ROOT" && PATH=$HOME/.cargo/bin:$PATH cargo build --release -p sockscope >/dev/null)
fi
exec python3 "$ROOT/bench/realprograms.py" --sockscope "$SOCKSCOPE" "$@"
