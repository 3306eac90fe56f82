import json, sys, time
# A 2026-07-28-only stdio server that starts slowly: its first answer comes 1.5 s late.
first = True
for line in sys.stdin:
    msg = json.loads(line)
    if first:
        time.sleep(1.5)
        first = False
    if "id" not in msg:
        continue
    m = msg.get("method")
    if m == "server/discover":
        result = {"supportedVersions": ["2026-07-28"], "capabilities": {}, "serverInfo": {"name": "slow", "version": "1"}}
        out = {"jsonrpc": "2.0", "id": msg["id"], "result": result}
    elif m == "initialize":
        out = {"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32022, "message": "serving 2026-07-28 only"}}
    elif m == "ping":
        out = {"jsonrpc": "2.0", "id": msg["id"], "result": {}}
    else:
        out = {"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32601, "message": "no such method"}}
    sys.stdout.write(json.dumps(out) + "\n"); sys.stdout.flush()
