-- Cek Klaim questions for wrk: each request POSTs one of the bodies in BODIES_FILE (one
-- url-encoded form body per line), in turn, to the path given as the first argument.
local bodies = {}
local n = 0
local path = "/"

function init(args)
  path = args[1]
  for line in io.lines(args[2]) do
    n = n + 1
    bodies[n] = line
  end
end

local i = 0
request = function()
  i = (i % n) + 1
  return wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded"}, bodies[i])
end
