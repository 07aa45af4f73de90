#!/usr/bin/env bash
# Runs the yardstick harness (../shared/bench/compare.sh: autocannon, a lean mock, the floor) against
# Gatehouse as users run it (`gatehouse serve` from the build), to cross-check this project's own
# benchmark (docs/benchmarks.md, "Sixth round"). The harness is copied to a temporary folder and
# installed there (../shared stays read-only); nothing is written into this repository.
#
#   bash test/bench/yardstick.sh                # default key settings (metadata rows)
#   bash test/bench/yardstick.sh on             # content: full, budgets and a rate limit
#   bash test/bench/yardstick.sh off            # content: off (no log rows, no budgets)
#   REPEATS=1 MODES="json-c32 json-c1" bash test/bench/yardstick.sh   # the harness's own knobs pass through
#
# Prints the path of the harness's report.md (results in $YARD/results). Bounded by the harness
# (MAX_SECONDS per measurement); only 127.0.0.1 is used. Never used as a test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SETTING=${1:-default}
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
YARD=${YARD:-${TMPDIR:-/tmp}/gatehouse-yardstick}
[[ -f "$SHARED/compare.sh" ]] || { echo "yardstick: no harness at $SHARED (set SHARED_BENCH)" >&2; exit 2; }
case $SETTING in
  default) RULES='' ;;
  on) RULES=', "content": "full", "budgets": [{ "usd": 1000000, "period": "day" }, { "tokens": 1000000000000, "period": "month" }, { "usd": 1000000, "per": "session" }], "rate_limit": { "requests_per_minute": 100000000, "tokens_per_minute": 1000000000000 }' ;;
  off) RULES=', "content": "off"' ;;
  *) echo "yardstick: the setting is default, on or off" >&2; exit 2 ;;
esac

[[ -f "$ROOT/dist/gateway/cli.js" ]] || (cd "$ROOT" && npm run build --silent)
mkdir -p "$YARD"
if [[ ! -d "$YARD/node_modules" ]]; then
  (cd "$SHARED" && tar --exclude=./results --exclude=./node_modules -cf - .) | (cd "$YARD" && tar -xf -)
  (cd "$YARD" && npm ci --silent --no-audit --no-fund)
fi
MOCK_PORT=${MOCK_PORT:-18080}; GATEWAY_PORT=${GATEWAY_PORT:-18090}
DATA="$YARD/gatehouse-$SETTING"
rm -rf "$DATA" && mkdir -p "$DATA"
# The harness's client sends its own key (x-api-key / Bearer "sk-mock"): that is the virtual key here.
cat > "$DATA/config.json" <<JSON
{
  "providers": {
    "anth": { "type": "anthropic", "base_url": "http://127.0.0.1:$MOCK_PORT", "api_key": "sk-upstream" },
    "oai": { "type": "openai-compatible", "base_url": "http://127.0.0.1:$MOCK_PORT/v1", "api_key": "sk-upstream" }
  },
  "virtual_keys": [ { "name": "yardstick", "key": "sk-mock"$RULES } ]
}
JSON
OUT="$YARD/results/$SETTING-$(date -u +%Y%m%dT%H%M%SZ)"
cd "$YARD"
TARGETS=${TARGETS-floor} MOCK_PORT=$MOCK_PORT OUT="$OUT" \
  GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT" GATEWAY_NAME="gatehouse-$SETTING" \
  GATEWAY_ANTHROPIC_PATH=/anthropic/v1/messages \
  GATEWAY_CMD="exec node '$ROOT/bin/gatehouse.js' serve --port $GATEWAY_PORT --data-dir '$DATA/data' --config '$DATA/config.json'" \
  bash compare.sh
echo "report: $OUT/report.md"
