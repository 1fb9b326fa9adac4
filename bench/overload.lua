-- wrk script of bench/overload.py: one request, sent from a client address of its own each time,
-- and the answers counted by status. What to send comes from the environment:
--   OVERLOAD_METHOD (GET), OVERLOAD_BODY (a JSON body, optional), OVERLOAD_AUTHORIZATION (optional).
-- When wrk finishes it prints one line: OVERLOAD_JSON {"statuses": {...}, "errors": {...}, ...}.
wrk.method = os.getenv("OVERLOAD_METHOD") or "GET"
local body = os.getenv("OVERLOAD_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local authorization = os.getenv("OVERLOAD_AUTHORIZATION")
if authorization and authorization ~= "" then wrk.headers["Authorization"] = authorization end

local threads = {}
function setup(thread)
  thread:set("seed", #threads + 1)
  table.insert(threads, thread)
end

-- Per thread (each has its own Lua state): read back by done() through thread:get.
statuses = {}
function init(args)
  math.randomseed(seed * 7919 + os.time())
end

-- As a load balancer in front would say (the service trusts 127.0.0.1 as its proxy): the
-- per-client limits count many clients, and the per-account limits all of them together.
request = function()
  wrk.headers["X-Forwarded-For"] = "198.18." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format()
end

-- Counted by status, and a 5xx also by its `error` code (service_unavailable, request_timeout,
-- internal_error, ...).
function response(status, headers, body)
  local key = tostring(status)
  if status >= 500 then key = key .. " " .. (string.match(body, '"error":"([^"]+)"') or "?") end
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do totals[status] = (totals[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(totals) do table.insert(parts, string.format('"%s":%d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'OVERLOAD_JSON {"statuses":{%s},"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
      .. '"requests":%d,"duration_s":%.2f,"p50_ms":%.1f,"p99_ms":%.1f,"max_ms":%.1f}\n',
    table.concat(parts, ","), e.connect, e.read, e.write, e.timeout, summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
