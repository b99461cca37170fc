-- (3) consumer fetch: each request reads `limit` messages from a pre-filled partition, walking the offsets
-- in steps of `limit` and wrapping around (every thread starts at a different place).
-- args: <topic> <messages in the partition> <limit>
local topic, total, limit = "bench-fetch", 2000000, 10000
local counter = 0
local threads = {}
local offset = 0

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

function init(args)
    topic = args[1] or topic
    total = tonumber(args[2] or total)
    limit = tonumber(args[3] or limit)
    local slots = math.floor(total / limit)
    offset = ((id or 0) * 37 % slots) * limit
end

function request()
    local path = "/v1/topics/" .. topic .. "/partitions/0/messages?offset=" .. offset .. "&limit=" .. limit ..
        "&max_bytes=67108864"
    offset = offset + limit
    if offset + limit > total then offset = 0 end
    return wrk.format("GET", path)
end
