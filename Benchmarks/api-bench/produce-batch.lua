-- (2) batch produce: 1 000 JSON records per request, each stored value exactly 100 bytes
-- (a JSON string of 98 characters plus its two quotes).
local value = '"' .. string.rep("v", 98) .. '"'
local records = {}
for i = 1, 1000 do records[i] = '{"value":' .. value .. '}' end
wrk.method = "POST"
wrk.body = '{"records":[' .. table.concat(records, ",") .. ']}'
wrk.headers["Content-Type"] = "application/json"
