#!/bin/sh
# Bytes allocated per unit of an in-process probe that counts its scavenges (GC_BYTES=1; today
# probe-chat-path.ts): the probe is bundled as probe-count.sh does and run twice with a fixed young
# generation (semi-space of SEMI MiB, default 1), with N1 and N2 units; the figure is
# (scavenges(N2) - scavenges(N1)) * SEMI MiB / (N2 - N1), so start-up cancels out. A scavenge comes
# each time the semi-space fills, so this is the young allocation to within one semi-space per run
# (what survives a scavenge and is promoted is not counted twice).
#
#   sh test/bench/probe-alloc.sh test/bench/probe-chat-path.ts 20000 100000 bench-gov
#
# For an A/B, run the same line in a copy of the tree from before the change. No valgrind needed.
set -eu
entry=$1
n1=$2
n2=$3
shift 3
semi=${SEMI:-1}
here=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$here/test/.tmp"
out=$(mktemp -d "$here/test/.tmp/probe.XXXXXX")
trap 'rm -rf "$out"' EXIT
"$here/node_modules/.bin/esbuild" "$entry" --bundle --platform=node --format=esm --outfile="$out/probe.mjs" \
  --log-level=warning --external:better-sqlite3 \
  "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
count() {
  GC_BYTES=1 node --single-threaded --min-semi-space-size="$semi" --max-semi-space-size="$semi" "$out/probe.mjs" "$@" |
    awk '/scavenges/ {print $3}'
}
a=$(count "$@" "$n1")
b=$(count "$@" "$n2")
echo "$entry $*: $(((b - a) * semi * 1048576 / (n2 - n1))) bytes per unit ($a scavenges at $n1, $b at $n2)"
