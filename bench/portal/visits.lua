-- What real visits send: the article page, then the view beacon (POST /_v/<id>) with the
-- visitor's own "hv" cookie. Every 4th visitor reloads the page at once (page + beacon again,
-- same cookie), which must not count twice. Visitor ids are distinct within a run and across
-- runs (a random nonce): <nonce><thread %02d><visitor %012d>. done() prints how many visitors
-- each thread simulated, so that run.py can re-send the beacons wrk had in flight when it
-- stopped and check that the counter rose by exactly the number of distinct visitors.
--
-- wrk -t2 -c64 -d15s --latency -s visits.lua URL -- PAGE_PATH BEACON_PATH NONCE ORIGIN UA

local threads = {}
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

visitors = 0
local page_request, beacon_path, nonce, origin, agent
local step = 0

function init(args)
  local page_path = args[1]
  beacon_path = args[2]
  nonce = args[3]
  origin = args[4]
  agent = args[5]
  page_request = wrk.format("GET", page_path, {
    ["User-Agent"] = agent,
    ["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ["Accept-Language"] = "id-ID,id;q=0.9,en;q=0.8",
  })
end

local function beacon(n)
  return wrk.format("POST", beacon_path, {
    ["User-Agent"] = agent,
    ["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8",
    ["Origin"] = origin,
    ["Cookie"] = string.format("hv=%s%02d%012d", nonce, tid, n),
  }, "r=")
end

-- step 0: page of a new visitor; 1: their beacon; 2: reload page; 3: reload beacon
function request()
  if step == 0 then
    visitors = visitors + 1
    step = 1
    return page_request
  elseif step == 1 then
    step = (visitors % 4 == 0) and 2 or 0
    return beacon(visitors)
  elseif step == 2 then
    step = 3
    return page_request
  else
    step = 0
    return beacon(visitors)
  end
end

function done(summary, latency, requests)
  local parts = {}
  for _, thread in ipairs(threads) do
    table.insert(parts, string.format("%d:%d", thread:get("tid"), thread:get("visitors")))
  end
  io.write("BENCH-VISITS " .. table.concat(parts, ",") .. "\n")
end
