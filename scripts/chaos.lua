-- wrk script of make chaos (scripts/chaos.sh): sends requests and counts the answers by status and by
-- X-Cache, and notes when the first and the last answer that was not a 2xx arrived (wall clock, ms),
-- so that the drill can tell when errors happened relative to the fault it injected.
--
--   wrk -s chaos.lua URL -- MODE [PATHS_FILE] [ID_PREFIX]
--   MODE list:   cycles through the paths of PATHS_FILE (one per line, # comments), as bench-mix.lua
--   MODE unique: a search near a random point each time, an answer no cache holds (needs PostgreSQL)
-- Each request carries an X-Request-Id ID_PREFIX-THREAD-N, so that its lines can be found in the logs.
-- done() prints lines starting with "CHAOS " for the drill to read.
local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } sc_chaos_timespec;
int clock_gettime(int clk_id, sc_chaos_timespec *tp);
]])
local tsbuf = ffi.new("sc_chaos_timespec")
local function now_ms()
    ffi.C.clock_gettime(0, tsbuf) -- CLOCK_REALTIME: comparable with `date +%s%3N` in the drill
    return tonumber(tsbuf.tv_sec) * 1000 + math.floor(tonumber(tsbuf.tv_nsec) / 1000000)
end

-- Main state: the threads, to gather their counts in done().
local threads = {}
local next_id = 1
function setup(thread)
    thread:set("tid", next_id)
    next_id = next_id + 1
    threads[#threads + 1] = thread
end

-- Thread state.
local paths = {}
local mode = "list"
local prefix = "chaos"
local n = 0
statuses = {}
caches = {}
first_err = 0
last_err = 0

function init(args)
    mode = args[1] or "list"
    prefix = args[3] or "chaos"
    if mode == "list" then
        for line in io.lines(args[2]) do
            if #line > 0 and line:sub(1, 1) ~= "#" then
                paths[#paths + 1] = line
            end
        end
        -- Threads start at different places of the list.
        n = (tid or 0) * 3
    else
        math.randomseed((tid or 0) * 7919 + os.time())
    end
end

function request()
    n = n + 1
    local path
    if mode == "list" then
        path = paths[n % #paths + 1]
    else
        -- Metropolitan France, a point to 1e-5 degree and a radius from 2 to 30 km.
        path = string.format("/api/v1/search?near=%.5f,%.5f,%d&limit=5", 43 + math.random() * 7,
            -1 + math.random() * 8, 2 + math.random(0, 28))
    end
    return wrk.format("GET", path, { ["X-Request-Id"] = string.format("%s-%d-%d", prefix, tid or 0, n) })
end

function response(status, headers, body)
    local k = tostring(status)
    statuses[k] = (statuses[k] or 0) + 1
    local c = headers["X-Cache"] or headers["x-cache"] or "none"
    caches[c] = (caches[c] or 0) + 1
    if status < 200 or status > 299 then
        local t = now_ms()
        if first_err == 0 then
            first_err = t
        end
        last_err = t
    end
end

local function joined(t)
    local keys = {}
    for k in pairs(t) do
        keys[#keys + 1] = k
    end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do
        parts[#parts + 1] = k .. ":" .. t[k]
    end
    return #parts > 0 and table.concat(parts, ",") or "none"
end

function done(summary, latency, requests)
    local st, ca, fe, le = {}, {}, 0, 0
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get("statuses")) do
            st[k] = (st[k] or 0) + v
        end
        for k, v in pairs(t:get("caches")) do
            ca[k] = (ca[k] or 0) + v
        end
        local f, l = t:get("first_err"), t:get("last_err")
        if f > 0 and (fe == 0 or f < fe) then
            fe = f
        end
        if l > le then
            le = l
        end
    end
    local e = summary.errors
    io.write(string.format(
        "CHAOS requests=%d socket_errors=%d connect=%d read=%d write=%d timeout=%d first_error_ms=%d last_error_ms=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
        summary.requests, e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout, fe, le,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
    io.write("CHAOS statuses=" .. joined(st) .. "\n")
    io.write("CHAOS cache=" .. joined(ca) .. "\n")
end
