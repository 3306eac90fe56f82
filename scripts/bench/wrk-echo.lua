-- wrk script: 2026-07-28 stateless `tools/call` to the reference server's `echo` tool (plain JSON responses).
--
-- Every request carries the per-request `_meta` of the 2026 wire (protocol version, client capabilities and
-- client info) and the SEP-2243 standard headers. Ids increment per connection thread; the server is stateless,
-- so ids need not be unique across connections. Non-2xx answers and bodies without a `"result"` are counted and
-- reported at the end (wrk counts only socket errors and non-2xx itself).
--
-- Usage: wrk -t1 -c16 -d10s -s scripts/bench/wrk-echo.lua http://127.0.0.1:PORT/mcp

local counter = 0
local bad = 0
local threads = {}

local function body(id)
  return '{"jsonrpc":"2.0","id":' .. id .. ',"method":"tools/call","params":{"name":"echo",'
    .. '"arguments":{"message":"hello world"},"_meta":{'
    .. '"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
    .. '"io.modelcontextprotocol/clientCapabilities":{},'
    .. '"io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"4"}}}}'
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json, text/event-stream"
  wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
  wrk.headers["Mcp-Method"] = "tools/call"
  wrk.headers["Mcp-Name"] = "echo"
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, body(counter))
end

function response(status, headers, text)
  if status ~= 200 or not string.find(text, '"result"', 1, true) then
    bad = bad + 1
    if bad == 1 then
      io.stderr:write("unexpected answer (" .. status .. "): " .. string.sub(text, 1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("bad") or 0)
  end
  io.write(string.format("bad_answers %d\n", total))
end
