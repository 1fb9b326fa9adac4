#!/usr/bin/env bash
# connect-backend vs. the Express reference, with the shared harness (../shared/bench), then
# GET /auth/me (token verification alone) and the ES256 micro-benchmark; writes
# docs/performance.md. A benchmark, not a test: CI does not run it.
#
# usage: bench/compare.sh [--rounds 3] [--duration 10] [--connections 64] [--threads 1]
#          [--warmup 10] [--latency-rounds 1] [--port 8000] [--output docs/performance.md]
#
# Needs nginx, wrk, node >= 20 + npm (see ../shared/bench/README.md) and the project's .venv.
# Everything runs pinned (--pin): the service under test and nginx on CPU 0, wrk on CPU 1.
# The harness is read-only where CI lays it out, so it is copied to a temporary directory and
# the reference's npm dependencies are installed there. The service runs with a fresh key and
# SQLite database in that directory, as `connect-backend serve` with production settings and the
# default rate limits, behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1/32): the load scripts
# name a client of their own in X-Forwarded-For on every request, as a proxy in front would.
# Nothing is lifted for the benchmark.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${BENCH_HARNESS:-$ROOT/../shared/bench}
ROUNDS=3 DURATION=10 CONNS=64 THREADS=1 WARMUP=10 LATENCY_ROUNDS=1 PORT=8000
OUTPUT=$ROOT/docs/performance.md
ARGS=("$@")
usage() { sed -n '6,7p' "$0" | cut -c3- >&2; exit 2; }
while (($#)); do
  case $1 in
    --rounds)         ROUNDS=${2:?};         shift 2 ;;
    --duration)       DURATION=${2:?};       shift 2 ;;
    --connections)    CONNS=${2:?};          shift 2 ;;
    --threads)        THREADS=${2:?};        shift 2 ;;
    --warmup)         WARMUP=${2:?};         shift 2 ;;
    --latency-rounds) LATENCY_ROUNDS=${2:?}; shift 2 ;;
    --port)           PORT=${2:?};           shift 2 ;;
    --output)         OUTPUT=${2:?};         shift 2 ;;
    -h|--help)        usage ;;
    *)                echo "bench/compare.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
log() { echo "[bench/compare.sh] $*" >&2; }
[[ -x $ROOT/.venv/bin/python ]] || { log "no $ROOT/.venv: run 'make dev' first"; exit 1; }
[[ -d $HARNESS ]] || { log "no harness at $HARNESS (set BENCH_HARNESS)"; exit 1; }
for tool in nginx wrk node npm taskset; do
  command -v "$tool" >/dev/null || { log "$tool is not installed"; exit 1; }
done

WORK=$(mktemp -d /tmp/connect-backend-bench.XXXXXX)
SUT_PID=''
cleanup() {
  if [[ -n $SUT_PID ]]; then kill -TERM -- "-$SUT_PID" 2>/dev/null || true; wait "$SUT_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

log "copying the harness to $WORK/bench and installing the reference's dependencies"
cp -R "$HARNESS" "$WORK/bench"
chmod -R u+w "$WORK/bench"
rm -rf "$WORK/bench/results" "$WORK/bench/reference-express/node_modules"
(cd "$WORK/bench/reference-express" && npm ci --no-audit --no-fund --loglevel=error >&2)

# --- the service's environment: what `serve` needs, behind a proxy on 127.0.0.1 ---
mkdir -m 700 "$WORK/serve"
"$ROOT/.venv/bin/connect-backend" keys generate >"$WORK/serve/keys.pem"
export SESSION_ISSUER="http://127.0.0.1:$PORT"
export SESSION_AUDIENCE=connect-backend-bench
export SESSION_SIGNING_KEYS="$WORK/serve/keys.pem"
export DATABASE_URL="sqlite+aiosqlite:///$WORK/serve/connect-backend.sqlite3"
export ALLOW_REGISTRATION=true
export TRUSTED_PROXIES=127.0.0.1/32
"$ROOT/.venv/bin/connect-backend" migrate 2>/dev/null
SERVE="cd $(printf %q "$ROOT") && exec .venv/bin/connect-backend serve"
MINT="cd $(printf %q "$ROOT") && python3 $(printf %q "$WORK/bench/mint-connect-backend.py")"
COMMON=(--duration "$DURATION" --threads "$THREADS" --warmup "$WARMUP" --pin)

# --- 1. the harness: reference and connect-backend interleaved, $ROUNDS rounds ---
log "harness: $ROUNDS rounds at $CONNS connections"
"$WORK/bench/compare.sh" --name connect-backend --cmd "$SERVE" --port "$PORT" --mint "$MINT" \
  --rounds "$ROUNDS" --connections "$CONNS" "${COMMON[@]}" >&2
mv "$(ls -t "$WORK"/bench/results/compare-*.jsonl | head -n 1)" "$WORK/load.jsonl"

# --- 2. pure latency: one connection ---
if ((LATENCY_ROUNDS > 0)); then
  log "harness: $LATENCY_ROUNDS round(s) at 1 connection"
  "$WORK/bench/compare.sh" --name connect-backend --cmd "$SERVE" --port "$PORT" --mint "$MINT" \
    --rounds "$LATENCY_ROUNDS" --connections 1 "${COMMON[@]}" >&2
  mv "$(ls -t "$WORK"/bench/results/compare-*.jsonl | head -n 1)" "$WORK/latency.jsonl"
fi

# --- 3. GET /auth/me, same settings and pinning as the harness ---
log "GET /auth/me: $ROUNDS x (${WARMUP}s warm-up + ${DURATION}s)"
export PORT CORBADO_BACKEND_API=http://127.0.0.1:18080
export CORBADO_PROJECT_ID=pro-1234567890123456789 CORBADO_API_SECRET=corbado1_benchsecret
export BENCH_REPORT_LUA="$WORK/bench/load/report.lua"
taskset -c 0 setsid bash -c "$SERVE" >"$WORK/me-sut.log" 2>&1 &
SUT_PID=$!
for ((i = 0; i < 300; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
ACCESS_TOKEN=$(bash -c "$MINT" | tail -n 1 | tr -d '[:space:]')
export ACCESS_TOKEN
ME_URL="http://127.0.0.1:$PORT/auth/me"
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ACCESS_TOKEN" "$ME_URL") == 200 ]] ||
  { log "GET /auth/me does not answer 200"; exit 1; }
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${ACCESS_TOKEN%?}" "$ME_URL") == 401 ]] ||
  { log "GET /auth/me accepts a broken token"; exit 1; }
WRK=(taskset -c 1 wrk -t"$THREADS" -c"$CONNS" --timeout 10s -s "$ROOT/bench/me.lua")
: >"$WORK/me.jsonl"
for ((round = 1; round <= ROUNDS; round++)); do
  ((WARMUP > 0)) && "${WRK[@]}" -d"${WARMUP}s" "$ME_URL" >/dev/null
  "${WRK[@]}" -d"${DURATION}s" "$ME_URL" | sed -n 's/^BENCH_JSON //p' >>"$WORK/me.jsonl"
done
kill -TERM -- "-$SUT_PID"; wait "$SUT_PID" 2>/dev/null || true; SUT_PID=''

# --- 4. ES256: bare verify vs. the full verification path, on the same core ---
log "ES256 micro-benchmark"
(cd "$ROOT" && taskset -c 0 .venv/bin/python bench/es256_verify.py) | sed -n 's/^BENCH_JSON //p' >"$WORK/es256.json"

COMMAND="bench/compare.sh${ARGS[*]:+ ${ARGS[*]}}"
LATENCY=()
((LATENCY_ROUNDS > 0)) && LATENCY=(--latency "$WORK/latency.jsonl")
"$ROOT/.venv/bin/python" "$ROOT/bench/report.py" --load "$WORK/load.jsonl" "${LATENCY[@]}" \
  --me "$WORK/me.jsonl" --es256 "$WORK/es256.json" --command "$COMMAND" \
  --connections "$CONNS" --duration "$DURATION" --threads "$THREADS" --warmup "$WARMUP" \
  --output "$OUTPUT"
log "wrote $OUTPUT"
