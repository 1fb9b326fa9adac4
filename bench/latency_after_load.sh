#!/usr/bin/env bash
# Latency at 1 connection in one process: fresh, then after 10 s at 64 connections (issue #18
# asked why p50 had been 1.5 ms fresh and 3 ms after the 64-connection phase).
#   bench/latency_after_load.sh     (needs what bench/compare.sh needs; pinned as it pins)
# createConnectToken, the service and the fake Corbado (nginx) on CPU 0, wrk on CPU 1.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=${BENCH_HARNESS:-$ROOT/../shared/bench}
W=$(mktemp -d /tmp/latency-after-load.XXXXXX); cp -R "$HARNESS" $W/bench; chmod -R u+w $W/bench
mkdir -p $W/up/tmp $W/serve
taskset -c 0 setsid nginx -p "$W/up/" -c "$W/bench/upstream/nginx.conf" -e stderr > $W/nginx.log 2>&1 &
NG=$!
$ROOT/.venv/bin/connect-backend keys generate > $W/serve/keys.pem
export SESSION_ISSUER=http://127.0.0.1:8000 SESSION_AUDIENCE=bench SESSION_SIGNING_KEYS=$W/serve/keys.pem
export DATABASE_URL=sqlite+aiosqlite:///$W/serve/db.sqlite3 ALLOW_REGISTRATION=true TRUSTED_PROXIES=127.0.0.1/32
export PORT=8000 CORBADO_BACKEND_API=http://127.0.0.1:18080 CORBADO_PROJECT_ID=pro-1234567890123456789 CORBADO_API_SECRET=corbado1_benchsecret
$ROOT/.venv/bin/connect-backend migrate 2>/dev/null
cd $ROOT; taskset -c 0 setsid .venv/bin/connect-backend serve > $W/serve.log 2>&1 &
SUT=$!
for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/8000) 2>/dev/null && break; sleep 0.1; done
export ACCESS_TOKEN=$(python3 $W/bench/mint-connect-backend.py | tail -n1 | tr -d '[:space:]')
URL=http://127.0.0.1:8000/auth/createConnectToken
run() { taskset -c 1 wrk -t1 -c$1 -d$2s --timeout 10s -s $W/bench/load/create_connect_token.lua $URL | sed -n 's/^BENCH_JSON //p' | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print('$3', 'c=$1', 'rps', d['rps'], 'p50', d['p50_ms'], 'p99', d['p99_ms'])"; }
run 1 10 fresh
run 64 10 load
run 1 10 after-load
run 1 10 after-load-2
kill -TERM -- -$SUT; kill $NG; wait 2>/dev/null || true
rm -rf $W
