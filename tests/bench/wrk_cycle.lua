-- State-changing requests through the JSON API, for wrk (tests/bench/test_http_bench.py): an applicant files an
-- objection, the office refuses it, again, without a wait (the server's capacity).
--
-- Run as `wrk -t N -c N`: each thread drives one connection as one applicant, taken in turn from BENCH_APPLICANTS
-- ("entry_id:token,..."), each with its own list entry, so clients never collide; the office's token is
-- BENCH_OFFICE_TOKEN. The tokens are asked for before the run, so no password is checked while it is timed.
-- Each step's latency is timed here (from the request's sending to its answer's end, as wrk times a request), so
-- that the two steps are reported apart; the summary is one line, "WRK {json}", printed at the end.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *now);
]]
local MONOTONIC = 1
local moment = ffi.new("bench_timespec")

local function now()
  ffi.C.clock_gettime(MONOTONIC, moment)
  return tonumber(moment.tv_sec) + tonumber(moment.tv_nsec) / 1e9
end

local GROUNDS = "该记录所依据的行政处罚决定已被复议机关撤销，请核实。"
local REASON = '{"reason": "材料不全，不予受理。"}'
local threads, count = {}, 0

function setup(thread)
  count = count + 1
  thread:set("number", count)
  table.insert(threads, thread)
end

function init(args)
  local applicants = {}
  for item in string.gmatch(os.getenv("BENCH_APPLICANTS"), "[^,]+") do
    table.insert(applicants, item)
  end
  local entry, token = string.match(applicants[(number - 1) % #applicants + 1], "([^:]+):(.+)")
  mine = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  office = {["Authorization"] = "Bearer " .. os.getenv("BENCH_OFFICE_TOKEN"),
            ["Content-Type"] = "application/json"}
  filing = '{"process": "objection", "list_entry_id": ' .. entry .. ', "grounds": "' .. GROUNDS .. '"}'
  case_id, sent = nil, 0
  filed, refused, failed, failures = {}, {}, 0, {}
end

function request()
  sent = now()
  if case_id then
    return wrk.format("POST", "/api/v1/cases/" .. case_id .. "/actions/refuse", office, REASON)
  end
  return wrk.format("POST", "/api/v1/cases", mine, filing)
end

local function failure(status, body)
  failed = failed + 1
  if #failures < 3 then  -- a few examples, as JSON strings
    local text = (status .. " " .. string.sub(body or "", 1, 200)):gsub('[%c"\\]', function(c)
      return (c == '"' or c == "\\") and "\\" .. c or " "
    end)
    table.insert(failures, '"' .. text .. '"')
  end
end

function response(status, headers, body)
  local took = (now() - sent) * 1000
  if case_id then
    table.insert(refused, took)
    if status ~= 200 then
      failure(status, body)
    end
    case_id = nil
    return
  end
  table.insert(filed, took)
  -- the answer's keys are sorted: the case's own id is the one just before its list entry's
  case_id = status == 201 and string.match(body, '"id"%s*:%s*(%d+)%s*,%s*"list_entry_id"') or nil
  if case_id == nil then
    failure(status, body)
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then
    return 0
  end
  return sorted[math.max(1, math.ceil(#sorted * p / 100))]
end

local function step(samples)
  table.sort(samples)
  return string.format('{"count": %d, "p50": %.1f, "p95": %.1f, "p99": %.1f}', #samples,
    percentile(samples, 50), percentile(samples, 95), percentile(samples, 99))
end

function done(summary, latency, requests)
  local filed_all, refused_all, failed_all, examples = {}, {}, 0, {}
  for _, thread in ipairs(threads) do
    for _, ms in ipairs(thread:get("filed")) do table.insert(filed_all, ms) end
    for _, ms in ipairs(thread:get("refused")) do table.insert(refused_all, ms) end
    failed_all = failed_all + thread:get("failed")
    for _, example in ipairs(thread:get("failures")) do
      table.insert(examples, example)
    end
  end
  local errors = summary.errors
  io.write(string.format('WRK {"requests": %d, "seconds": %.3f, "failed": %d, "socket_errors": %d, ' ..
    '"file": %s, "act": %s, "examples": [%s]}\n', summary.requests, summary.duration / 1e6, failed_all,
    errors.connect + errors.read + errors.write + errors.timeout, step(filed_all), step(refused_all),
    table.concat(examples, ", ")))
end
