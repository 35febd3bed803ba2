-- What real visits send: the article page, then the view beacon (POST /_v/<id>). A new visitor
-- sends no cookie and keeps the "hv" id the server's answer sets (the server signs its ids; an id
-- it did not sign counts as a new visitor). Every 4th visitor reloads (page + beacon again with
-- the id the server gave it), which must not count twice.
--
-- wrk drops the requests in flight when its time is up, and a first beacon lost that way may or
-- may not have been counted, with no id to tell. So new visitors start only until 2 s before the
-- end (STOP_NEW_AT, seconds after the start); after that the load goes on with the same shape
-- (page, then a beacon of a visitor who has an id: a reload, which costs the server the same).
-- done() writes every id the server issued to IDS_FILE (run.py re-sends each one's beacon, which
-- must not count) and prints how many new visitors each thread started and how many got an id,
-- so that run.py can check the counter rose by exactly the number of distinct visitors.
--
-- wrk -t2 -c64 -d15s --latency -s visits.lua URL -- PAGE_PATH BEACON_PATH ORIGIN UA STOP_NEW_AT IDS_FILE

local threads = {}
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

visitors = 0 -- new visitors started (first beacons sent, without a cookie)
ids = {} -- ids the server issued, in the order they arrived
issued = 0
local page_request, new_beacon, beacon_path, origin, agent
local stop_new_at
local reloads = 0 -- index in ids of the next visitor to reload
local step = 0

function init(args)
  local page_path = args[1]
  beacon_path = args[2]
  origin = args[3]
  agent = args[4]
  stop_new_at = os.time() + tonumber(args[5])
  ids_file = args[6]
  page_request = wrk.format("GET", page_path, {
    ["User-Agent"] = agent,
    ["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ["Accept-Language"] = "id-ID,id;q=0.9,en;q=0.8",
  })
  new_beacon = wrk.format("POST", beacon_path, {
    ["User-Agent"] = agent,
    ["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8",
    ["Origin"] = origin,
  }, "r=")
end

local function returning_beacon()
  -- A visitor who has its id: the oldest one not reloaded yet (or, late in the run, any).
  if issued == 0 then
    return nil
  end
  reloads = reloads + 1
  if reloads > issued then
    reloads = 1
  end
  return wrk.format("POST", beacon_path, {
    ["User-Agent"] = agent,
    ["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8",
    ["Origin"] = origin,
    ["Cookie"] = "hv=" .. ids[reloads],
  }, "r=")
end

-- step 0: page of a visitor; 1: their beacon (a new visitor's, or after STOP_NEW_AT a returning
-- one's); 2: a 4th visitor's reload page; 3: its reload beacon
function request()
  if step == 0 then
    step = 1
    return page_request
  elseif step == 1 then
    if os.time() < stop_new_at then
      visitors = visitors + 1
      step = (visitors % 4 == 0) and 2 or 0
      return new_beacon
    end
    step = 0
    return returning_beacon() or new_beacon
  elseif step == 2 then
    step = 3
    return page_request
  else
    step = 0
    return returning_beacon() or page_request
  end
end

function response(status, headers, body)
  for name, value in pairs(headers) do
    if string.lower(name) == "set-cookie" then
      local id = string.match(value, "^hv=([^;]+)")
      if id then
        issued = issued + 1
        ids[issued] = id
      end
    end
  end
end

function done(summary, latency, requests)
  local parts = {}
  local out = threads[1] and io.open(threads[1]:get("ids_file"), "w")
  for _, thread in ipairs(threads) do
    table.insert(parts, string.format("%d:%d:%d", thread:get("tid"), thread:get("visitors"), thread:get("issued")))
    if out then
      for _, id in ipairs(thread:get("ids")) do
        out:write(id, "\n")
      end
    end
  end
  if out then
    out:close()
  end
  io.write("BENCH-VISITS " .. table.concat(parts, ",") .. "\n")
end
