#!/bin/sh
# Bytes allocated on V8's heap, and scavenges, per unit of any in-process probe (unlike
# probe-alloc.sh, the probe needs no GC_BYTES support, and the bytes are exact): the probe bundled
# as probe-count.sh bundles it, run twice under `node --single-threaded --trace-gc-nvp` with N1 and
# N2 units and a last young-generation GC at exit (so what was allocated since the previous GC is
# counted too); the figures are the differences divided by (N2 - N1). Not timed: the same code
# allocates the same bytes whatever the VM's speed (probe-store.ts modes 0 and 1 repeat to the byte
# with NODE_FLAGS="--hash-seed=1 --random-seed=1"; its mode 2, ~100 KB per row, moves with N1..N2).
#
#   sh test/bench/probe-gc-bytes.sh test/bench/probe-store.ts 2048 6144 keep 1
#
# Optional NODE_FLAGS (e.g. "--max-semi-space-size=16") go to node. See docs/benchmarks.md,
# "Twenty-second round (b)".
set -eu
entry=$1
n1=$2
n2=$3
shift 3
here=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$here/test/.tmp"
out=$(mktemp -d "$here/test/.tmp/probe.XXXXXX")
trap 'rm -rf "$out"' EXIT
"$here/node_modules/.bin/esbuild" "$entry" --bundle --platform=node --format=esm --outfile="$out/probe.mjs" \
  --log-level=warning --external:better-sqlite3 \
  "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url); process.on('exit', () => globalThis.gc({ type: 'minor' }));"
# Prints "ALLOCATED SCAVENGES" summed over the run's GC lines.
count() {
  # shellcheck disable=SC2086
  node --single-threaded --expose-gc --trace-gc-nvp ${NODE_FLAGS:-} "$out/probe.mjs" "$@" 2>/dev/null |
    awk '/ gc=/ { if (match($0, / allocated=[0-9]+/)) a += substr($0, RSTART + 11, RLENGTH - 11); if ($0 ~ / gc=s /) s++ }
         END { printf "%d %d\n", a, s }'
}
set -- "$@"
a=$(count "$@" "$n1")
b=$(count "$@" "$n2")
a1=${a% *}; s1=${a#* }; b1=${b% *}; s2=${b#* }
echo "$entry $*: $(((b1 - a1) / (n2 - n1))) bytes allocated per unit, $(((s2 - s1) * 1000 / (n2 - n1))) scavenges per 1000 units ($a1 B, $s1 scavenges at $n1; $b1 B, $s2 at $n2)"
