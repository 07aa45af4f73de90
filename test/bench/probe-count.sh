#!/bin/sh
# Instructions per unit of an in-process probe, counted by callgrind: the probe is bundled with
# esbuild (no tsx, no keepNames: as the gateway's bundle runs) and run twice under
# `valgrind --tool=callgrind node --single-threaded`, with N1 and N2 units; the figure is
# (count(N2) - count(N1)) / (N2 - N1), so start-up and JIT warm-up cancel out.
#
#   sh test/bench/probe-count.sh test/bench/probe-gov-path.ts 4000 12000 bench-gov all
#   sh test/bench/probe-count.sh test/bench/probe-handoff.ts 2048 6144 d 0
#
# For an A/B, run the same line in a copy of the tree from before the change (copy `gateway` and
# `test`, symlink node_modules). Arguments after N2 go to the probe, before the unit count.
# Optional NODE_FLAGS go to node: "--hash-seed=1 --random-seed=1" takes out V8's start-up search
# for a random hash seed (0…18M instructions, different in every process: ±4k per unit at 4096
# units). Optional CALLGRIND_FLAGS go to valgrind: e.g. CALLGRIND_FLAGS="--toggle-collect=Statement::JS_run*"
# counts only what runs inside better-sqlite3's run() (SQLite's side, steadier than the whole).
# Needs valgrind. See docs/benchmarks.md, "Nineteenth round" and "Twenty-second round (b)".
set -eu
entry=$1
n1=$2
n2=$3
shift 3
here=$(cd "$(dirname "$0")/../.." && pwd)
# Inside the tree (test/.tmp, ignored by git), so the bundle finds node_modules (better-sqlite3).
mkdir -p "$here/test/.tmp"
out=$(mktemp -d "$here/test/.tmp/probe.XXXXXX")
trap 'rm -rf "$out"' EXIT
"$here/node_modules/.bin/esbuild" "$entry" --bundle --platform=node --format=esm --outfile="$out/probe.mjs" \
  --log-level=warning --external:better-sqlite3 \
  "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
count() {
  valgrind --tool=callgrind ${CALLGRIND_FLAGS:-} --callgrind-out-file="$out/cg.out" node --single-threaded ${NODE_FLAGS:-} "$out/probe.mjs" "$@" >/dev/null 2>&1
  grep -E '^(summary|totals):' "$out/cg.out" | head -1 | awk '{print $2}'
}
a=$(count "$@" "$n1")
b=$(count "$@" "$n2")
echo "$entry $*: $(((b - a) / (n2 - n1))) instructions per unit ($a at $n1, $b at $n2)"
