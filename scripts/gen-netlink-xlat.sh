#!/bin/sh
# Dev tool (not run by CI): regenerate the netlink constant tables sockscope/xlat/TABLE.in
# (name, value) in strace 6.1's order, from a configured strace 6.1 source tree
# (`apt-get source strace` + ./configure; nothing of it is copied into the repo: a small C
# program compiled against that tree prints each table's values and names, and this script
# writes them as our own data files).
#   scripts/gen-netlink-xlat.sh /work/strace-netlink/strace-6.1 TABLE...
set -eu
src=$1/src; shift
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '%s\n' "$@" | sort -u > "$tmp/tables"
( cd "$src" && make -s printers.h native_printer_decls.h sys_func.h scno.h >/dev/null 2>&1 || true )
{
  echo '#include "defs.h"'
  for h in arpa/inet.h linux/audit.h linux/cryptouser.h linux/dcbnl.h linux/fib_rules.h \
    linux/filter.h linux/gen_stats.h linux/if_addr.h linux/if_addrlabel.h linux/if_bonding.h \
    linux/if_bridge.h linux/if_link.h linux/inet_diag.h linux/ip.h linux/mpls.h linux/mptcp.h \
    linux/mroute.h linux/mroute6.h linux/neighbour.h linux/netconf.h \
    linux/netfilter/ipset/ip_set.h linux/netfilter/nf_tables.h linux/netfilter/nf_tables_compat.h \
    linux/netfilter/nfnetlink.h linux/netfilter/nfnetlink_acct.h \
    linux/netfilter/nfnetlink_conntrack.h linux/netfilter/nfnetlink_cthelper.h \
    linux/netfilter/nfnetlink_cttimeout.h linux/netfilter/nfnetlink_hook.h \
    linux/netfilter/nfnetlink_log.h linux/netfilter/nfnetlink_osf.h \
    linux/netfilter/nfnetlink_queue.h linux/netlink_diag.h linux/nexthop.h linux/packet_diag.h \
    linux/pkt_cls.h linux/pkt_sched.h linux/rtnetlink.h linux/selinux_netlink.h \
    linux/smc_diag.h linux/sock_diag.h linux/tcp.h linux/tls.h linux/unix_diag.h linux/xfrm.h \
    netinet/in.h sys/socket.h; do echo "#include <$h>"; done
  echo '#include "netlink.h"'
  # tcp_state_flags is written in terms of tcp_states' constants: include that one first.
  grep -qx tcp_states "$tmp/tables" && echo '#include "xlat/tcp_states.h"'
  grep -vx tcp_states "$tmp/tables" | while read -r t; do echo "#include \"xlat/$t.h\""; done
  cat <<'C'
static void dump(const char *n, const struct xlat *x) { printf("T %s\n", n);
  for (uint32_t i = 0; i < x->size; i++) if (x->data[i].str)
    printf("%llu %s\n", (unsigned long long) x->data[i].val, x->data[i].str); }
int main(void) {
C
  while read -r t; do echo "  dump(\"$t\", $t);"; done < "$tmp/tables"
  echo '  return 0; }'
} > "$tmp/dump.c"
( cd "$src" && gcc -DHAVE_CONFIG_H -I. -Ilinux/x86_64 -Ilinux/generic -I.. -w -o "$tmp/dump" "$tmp/dump.c" )
# One data file per table, sockscope/xlat/TABLE.in (format: sockscope/xlat/README.md): an
# existing file keeps its comments and header line (flags/values, fallback), its entries are
# replaced; a new one gets the header `values`. Three strace tables have one shared file of
# ours: addrfams -> address_families, socktypes -> socket_types, inet_diag_shutdown_flags and
# sock_shutdown_flags -> sock_shutdown_flags (give our names).
xlat=$(dirname "$0")/../sockscope/xlat
"$tmp/dump" > "$tmp/rows"
while read -r t; do
  f=$xlat/$t.in
  { if [ -f "$f" ]; then awk '{ print } /^(flags|values)( |$)/ { exit }' "$f"; else echo values; fi
    awk -v t="$t" '/^T / { on = ($2 == t); next } on { print $2, $1 }' "$tmp/rows"
  } > "$tmp/new" && mv "$tmp/new" "$f"
done < "$tmp/tables"
