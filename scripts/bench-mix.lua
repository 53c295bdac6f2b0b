-- wrk script: cycles through the request paths of a file (one per line), so that one run measures
-- a mix of searches rather than one cached answer.  Usage: wrk -s bench-mix.lua URL -- PATHS_FILE
local paths = {}
local i = 0

function init(args)
    for line in io.lines(args[1]) do
        if #line > 0 and line:sub(1, 1) ~= "#" then
            paths[#paths + 1] = line
        end
    end
end

function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
