"""The Lua both save benchmarks hand to `wrk` (`bench/answers.py`, `bench/cbt_rooms.py`): each
script is `PRELUDE` + its own `init`/`request` + `COUNTS`.

`PRELUDE`: the threads numbered in `setup` (`tid`, 1 and 2: wrk runs two), `mine(path)` this
thread's half of a file's lines (every other line from its number, so the two threads never share
a respondent or a student), and `client_id()` a fresh UUID-shaped client id. `COUNTS`: every
response's status counted, and the totals of all threads printed as `status <code>: <n>` lines
(`bench.dashboard.wrk` reads them)."""

PRELUDE = r"""
counts = {}
threads_list = {}
function setup(thread) threads_list[#threads_list + 1] = thread; thread:set("tid", #threads_list) end
local function mine(path)
  local all, out = {}, {}
  for line in io.lines(path) do all[#all + 1] = line end
  for i = id, #all, 2 do out[#out + 1] = all[i] end
  return out
end
local function hex(k) local s = "" for _ = 1, k do s = s .. string.format("%x", math.random(0, 15)) end return s end
local function client_id() return hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-a" .. hex(3) .. "-" .. hex(12) end
"""

COUNTS = r"""
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads_list) do
    for k, v in pairs(t:get("counts")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status %s: %d\n", k, v)) end
end
"""
