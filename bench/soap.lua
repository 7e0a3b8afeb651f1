-- wrk script of bench.register (bench/load.py): POSTs pre-built SOAP envelopes in turn and tells real
-- answers from faults.
--
--   wrk -t T -c C -d D -s bench/soap.lua URL -- PLAN OFFSET MODE T
--
-- PLAN: line 1 is the envelope up to the operation element, line 2 what follows it, then
-- one operation element per line (no newlines inside). Request k (over all threads) sends
-- line OFFSET + k, wrapping around at the end. MODE: echo, register or list (what to count).
-- done() prints one line "BENCH_JSON {...}" with the figures bench/load.py reads.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  plan = args[1]
  local f = assert(io.open(plan, "rb"))
  prefix = f:read("*l")
  suffix = f:read("*l")
  ops = {}
  for line in f:lines() do
    ops[#ops + 1] = line
  end
  f:close()
  mode = args[3] or "echo"
  step = tonumber(args[4] or "1")
  nextop = tonumber(args[2] or "0") + tid
  headers = { ["Content-Type"] = "text/xml; charset=utf-8", ["SOAPAction"] = '""' }
  path = wrk.path
  ok, faults, other, changed, merged, items, wrapped = 0, 0, 0, 0, 0, 0, 0
  first_fault = nil
end

function request()
  local i = nextop % #ops + 1
  if nextop >= #ops then
    wrapped = wrapped + 1
  end
  nextop = nextop + step
  return wrk.format("POST", path, headers, prefix .. ops[i] .. suffix)
end

local find = string.find

function response(status, hdrs, body)
  if status == 200 and not find(body, "Fault>", 1, true) then
    ok = ok + 1
    if mode == "register" then
      if find(body, "changed>true<", 1, true) then
        changed = changed + 1
      end
      if find(body, "mergedCount>", 1, true) and not find(body, "mergedCount>0<", 1, true) then
        merged = merged + 1
      end
    elseif mode == "list" then
      local _, n = string.gsub(body, "startDate>", "")
      items = items + n / 2
    end
  elseif find(body, "Fault>", 1, true) then
    faults = faults + 1
    if first_fault == nil then
      first_fault = body
      local out = io.open(plan .. ".fault." .. tid, "wb")
      if out then
        out:write(body)
        out:close()
      end
    end
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local total = { ok = 0, faults = 0, other = 0, changed = 0, merged = 0, items = 0, wrapped = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(total) do
      total[name] = total[name] + (thread:get(name) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d,'
      .. ' "max_us": %d, "mean_us": %.1f, "ok": %d, "faults": %d, "other": %d, "changed": %d, "merged": %d,'
      .. ' "items": %d, "wrapped": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d,'
      .. ' "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, total.ok, total.faults, total.other, total.changed,
    total.merged, total.items, total.wrapped, e.connect, e.read, e.write, e.status, e.timeout))
end
