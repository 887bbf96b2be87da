-- wrk script: POST fresh codes, one per request or BATCH per request, never the same code twice
-- (until the pool runs out, which the summary reports as "wrapped").
--
--   wrk -t1 -cN -dS -s benchmarks/codes.lua URL -- CODES_FILE BATCH API_KEY THREADS
--
-- CODES_FILE holds one code per line. BATCH 0 sends {"code": c} (for /v1/verify),
-- BATCH n sends {"codes": [n codes]} (for /v1/verify/batch). Thread i uses the
-- i-th of THREADS equal slices of the pool. done() prints one line starting with
-- "BENCH " followed by JSON, read by benchmarks/bench_http.py.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local codes_file, nthreads = args[1], tonumber(args[4])
  batch = tonumber(args[2])
  local all = {}
  for line in io.lines(codes_file) do
    all[#all + 1] = line
  end
  local per = math.floor(#all / nthreads)
  codes = {}
  for i = id * per + 1, (id + 1) * per do
    codes[#codes + 1] = all[i]
  end
  pos = 1
  wrapped, responses, non200, valid, verdicts = 0, 0, 0, 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[3]
end

local function take()
  local code = codes[pos]
  pos = pos + 1
  if pos > #codes then
    pos = 1
    wrapped = wrapped + 1
  end
  return code
end

function request()
  local body
  if batch == 0 then
    body = '{"code":"' .. take() .. '"}'
  else
    local parts = {}
    for i = 1, batch do
      parts[i] = '"' .. take() .. '"'
    end
    body = '{"codes":[' .. table.concat(parts, ",") .. ']}'
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then
    non200 = non200 + 1
  end
  local _, n = string.gsub(body, '"reason":"VALID"', "")
  local _, m = string.gsub(body, '"reason":"', "")
  valid = valid + n
  verdicts = verdicts + m
end

function done(summary, latency, requests)
  local totals = { wrapped = 0, responses = 0, non200 = 0, valid = 0, verdicts = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"bytes":%d,"errors":%d,"timeouts":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"responses":%d,"non200":%d,"valid":%d,"verdicts":%d,"wrapped":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.status + e.timeout,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    totals.responses, totals.non200, totals.valid, totals.verdicts, totals.wrapped))
end
