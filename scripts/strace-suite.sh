#!/usr/bin/env bash
# Fetch strace 6.1's source as Debian's source package and build the test programs of strace's own
# test suite that sockscope/tests/it/strace_suite.rs runs under sockscope. Nothing of strace is kept
# in the project: the source is downloaded at test time into DIR (target/strace-suite by default)
# and reused by later runs (configure once, make only what is missing).
#
#   scripts/strace-suite.sh DIR PROG...   fetch (once), configure (once), build PROG... in DIR/strace-6.1/tests
#   scripts/strace-suite.sh DIR           fetch and configure only
#
# Prints progress on stderr. A program that fails to build is left missing (the Rust test reports
# it); `make -k` builds all the others.
set -euo pipefail

log() { printf 'strace-suite: %s\n' "$*" >&2; }

dir=${1:?usage: strace-suite.sh DIR [PROG...]}
shift
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
src="$dir/strace-6.1"

if [ ! -f "$src/.sockscope-configured" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "strace-suite: must run as root (apt-get source)" >&2
    exit 2
  fi
  # Debian's source index for bookworm main: added once (scripts/deb-src.sh).
  . "$(dirname "$0")/deb-src.sh"
  ensure_deb_src
  for tool in dpkg-source make gcc xz; do
    command -v "$tool" >/dev/null 2>&1 || {
      echo "strace-suite: $tool missing (scripts/setup.sh installs it)" >&2
      exit 2
    }
  done
  rm -rf "$src" "$dir"/strace_6.1*
  log "apt-get source strace (6.1) into $dir"
  (cd "$dir" && apt-get source -qq strace=6.1-0.1 >/dev/null 2>"$dir/apt-source.log") || {
    cat "$dir/apt-source.log" >&2
    exit 1
  }
  log "configuring strace's tests (about half a minute)"
  (cd "$src" && ./configure --enable-mpers=no --disable-gcc-Werror >"$dir/configure.log" 2>&1) || {
    tail -20 "$dir/configure.log" >&2
    exit 1
  }
  # The tests' library needs the generated syscall-number header; strace itself is not built.
  make -s -C "$src/src" scno.h >"$dir/make-scno.log" 2>&1
  touch "$src/.sockscope-configured"
fi

if [ $# -gt 0 ]; then
  missing=()
  for p in "$@"; do
    [ -x "$src/tests/$p" ] || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "building ${#missing[@]} test programs"
    make -k -s -C "$src/tests" -j"$(nproc)" libtests.a "${missing[@]}" >"$dir/make-tests.log" 2>&1 ||
      log "some programs did not build (see $dir/make-tests.log)"
  fi
fi
