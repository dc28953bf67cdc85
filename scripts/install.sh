#!/usr/bin/env bash
# Installs the built sockscope (target/release, built by demo.sh / test.sh) for a root shell:
# the binary to /usr/local/bin (so `sockscope` is on PATH), its man page to
# /usr/local/share/man/man1 and its bash, zsh and fish completions, all generated from the
# binary's own command line by sockscope-gen. Idempotent; PREFIX=/usr/local by default.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${PREFIX:-/usr/local}
bin=target/release/sockscope
gen=target/release/sockscope-gen
if [ ! -x "$bin" ] || [ ! -x "$gen" ]; then
  echo "install: build first: cargo build --release -p sockscope" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" "$tmp"
install -D -m 0755 "$bin" "$prefix/bin/sockscope"
install -D -m 0644 "$tmp/man/man1/sockscope.1" "$prefix/share/man/man1/sockscope.1"
install -D -m 0644 "$tmp/completions/sockscope.bash" "$prefix/share/bash-completion/completions/sockscope"
install -D -m 0644 "$tmp/completions/_sockscope" "$prefix/share/zsh/site-functions/_sockscope"
install -D -m 0644 "$tmp/completions/sockscope.fish" "$prefix/share/fish/vendor_completions.d/sockscope.fish"
command -v mandb >/dev/null 2>&1 && mandb -q "$prefix/share/man" >/dev/null 2>&1 || true
printf 'install: %s/bin/sockscope (%s), man page, completions\n' "$prefix" "$("$prefix/bin/sockscope" --version)" >&2
