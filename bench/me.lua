-- wrk script: GET /auth/me with the access token from $ACCESS_TOKEN: token verification alone
-- (signature, claims, deny-list) plus the user's profile (cached in process), no Corbado call.
-- usage: ACCESS_TOKEN=... wrk -s bench/me.lua http://127.0.0.1:PORT/auth/me
-- It prints the same BENCH_JSON line as the harness's scripts (load/report.lua).
local token = os.getenv("ACCESS_TOKEN")
if not token or token == "" then io.stderr:write("ACCESS_TOKEN is not set\n"); os.exit(2) end
local report = os.getenv("BENCH_REPORT_LUA")
if not report or report == "" then io.stderr:write("BENCH_REPORT_LUA is not set\n"); os.exit(2) end

wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. token

dofile(report)
-- Each request names a client of its own in X-Forwarded-For, as the harness's scripts do.
dofile((report:gsub("report%.lua$", "clients.lua")))
