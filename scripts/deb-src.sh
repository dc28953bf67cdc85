# Sourced by setup.sh and strace-suite.sh: adds Debian's source index for bookworm main (for
# `apt-get source strace`) once. apt refuses every list when two entries for the same archive
# disagree on Signed-By, and machines differ (deb822 `debian.sources` with Signed-By, or a
# classic one-line sources.list without), so the entry is tried with the archive keyring and
# then without; whichever `apt-get update` accepts stays, and a machine that takes neither gets
# its lists back as they were and a one-line error.
ensure_deb_src() {
  apt-cache showsrc strace 2>/dev/null | grep -q '^Version: 6\.1' && return 0
  local d=/etc/apt/sources.list.d
  local f=$d/sockscope-deb-src.sources
  local key=/usr/share/keyrings/debian-archive-keyring.gpg
  rm -f "$d/sockscope-deb-src.list"           # the one-line form older versions wrote
  local variant
  for variant in keyring plain; do
    [ "$variant" = keyring ] && [ ! -f "$key" ] && continue
    {
      printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n'
      [ "$variant" = keyring ] && printf 'Signed-By: %s\n' "$key"
    } > "$f"
    printf 'setup: apt-get update (deb-src for bookworm main, %s)\n' "$variant" >&2
    if apt-get update -qq 2>/tmp/sockscope-apt-update.err &&
      apt-cache showsrc strace 2>/dev/null | grep -q '^Version: 6\.1'; then
      return 0
    fi
  done
  rm -f "$f"
  echo "setup: cannot add Debian's bookworm deb-src index: $(tail -1 /tmp/sockscope-apt-update.err)" >&2
  return 1
}
