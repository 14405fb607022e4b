#!/usr/bin/env bash
# Scenario runs end to end on PostgreSQL: `aurum serve` (no in-process worker) and two
# `aurum worker` processes delivering `scenario.run.succeeded` to a local webhook receiver.
#   1. runs/s: RUNS runs submitted by CLIENTS concurrent clients, from the first submit until
#      every run is `succeeded` (polling the database);
#   2. events/s: the outbox relays' delivery rate, measured by re-queueing the RUNS delivered
#      events at once and timing the two workers until every one is delivered again.
#   bash benches/load/scenarios.sh                  # RUNS=2000 CLIENTS=8 CONCURRENCY=3
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/services.sh
ensure_postgres
RUNS="${RUNS:-2000}"; CLIENTS="${CLIENTS:-8}"; CONCURRENCY="${CONCURRENCY:-3}"
PORT="${PORT:-18283}"; HOOK_PORT="${HOOK_PORT:-18284}"; POLL_MS="${POLL_MS:-20}"
DB_URL="${AURUM_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
SCHEMA=aurum_bench_scenarios
cargo build --release --locked -p aurum >/dev/null 2>&1
BIN="${CARGO_TARGET_DIR:-target}/release/aurum"
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
sql() { psql -qtAX "$DB_URL" -c "SET search_path = $SCHEMA" -c "$1"; }
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", n / (b - a) }'; }

psql -q "$DB_URL" -c "SET client_min_messages = warning" \
  -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE; CREATE SCHEMA $SCHEMA" >/dev/null
export AURUM_DATABASE_URL="$DB_URL" AURUM_DB_SCHEMA=$SCHEMA AURUM_LOG=warn
"$BIN" migrate >/dev/null

# The webhook receiver: answers 200 at once, counts requests and distinct event ids.
cat >"$WORK/receiver.py" <<'PY'
import http.server, json, sys, threading
lock, ids, stats = threading.Lock(), set(), {"requests": 0}
class Hook(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            stats["requests"] += 1
            ids.add(self.headers.get("X-Aurum-Event-Id"))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def do_GET(self):
        with lock:
            body = json.dumps({"requests": stats["requests"], "distinct": len(ids)}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 1024  # the default backlog of 5 drops the relays' concurrent connects
    daemon_threads = True
Server(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
python3 "$WORK/receiver.py" "$HOOK_PORT" & PIDS+=($!)

# The client: a few scenarios, then RUNS submissions (distinct seeds) from CLIENTS threads.
cat >"$WORK/submit.py" <<'PY'
import http.client, json, sys, threading
port, runs, clients = (int(a) for a in sys.argv[1:4])
headers = {"Content-Type": "application/json", "X-Tenant-ID": "bench"}
def call(conn, path, body, expected):
    conn.request("POST", path, json.dumps(body), headers)
    res = conn.getresponse()
    data = res.read()
    if res.status != expected:
        raise SystemExit(f"{path}: {res.status} {data[:300]!r}")
    return data
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
scenarios = [json.loads(call(conn, "/v2/scenarios", {"name": f"load {s}", "assumptions": [
    {"driver_type": "policy", "payload": {"policy_name": "Clean"}}]}, 201))["data"]["id"]
    for s in range(4)]
def submit(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(k, runs, clients):
        call(c, f"/v2/scenarios/{scenarios[i % len(scenarios)]}/runs", {"seed": i}, 202)
print("go", flush=True)  # the clock starts at the first submit
threads = [threading.Thread(target=submit, args=(k,)) for k in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
PY

AURUM_PORT=$PORT AURUM_WORKER_IN_PROCESS=false AURUM_RATE_LIMIT_ENABLED=false "$BIN" serve & PIDS+=($!)
until curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1; do sleep 0.1; done
until curl -fsS "http://127.0.0.1:$HOOK_PORT/" >/dev/null 2>&1; do sleep 0.1; done
for _ in 1 2; do
  AURUM_WORKER_CONCURRENCY=$CONCURRENCY AURUM_WORKER_POLL_MS=$POLL_MS AURUM_EVENT_SINK=webhook \
    AURUM_WEBHOOK_URL="http://127.0.0.1:$HOOK_PORT/hook" AURUM_WEBHOOK_SECRET=bench \
    "$BIN" worker & PIDS+=($!)
done

echo "== $RUNS runs, $CLIENTS clients, 2 workers × $CONCURRENCY run loops"
python3 "$WORK/submit.py" "$PORT" "$RUNS" "$CLIENTS" >"$WORK/submit.out" &
SUBMIT=$!
until grep -q go "$WORK/submit.out" 2>/dev/null; do sleep 0.01; done
start=$(now)
wait $SUBMIT
submitted=$(now)
until [ "$(sql "SELECT count(*) FROM scenario_run WHERE status = 'succeeded'")" -ge "$RUNS" ]; do
  sleep 0.05
done
succeeded=$(now)
until [ "$(sql "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL")" -ge "$RUNS" ]; do
  sleep 0.05
done
delivered=$(now)
echo "submit: $(rate "$RUNS" "$start" "$submitted") runs/s accepted"
echo "end to end: $(rate "$RUNS" "$start" "$succeeded") runs/s (first submit → all succeeded)"
echo "events delivered alongside: all $RUNS after $(awk -v a="$start" -v b="$delivered" 'BEGIN { printf "%.2f", b - a }') s"

echo "== outbox relay: $RUNS events re-queued at once"
redrive=$(now)
sql "UPDATE outbox SET delivered_at = NULL, lease_until = NULL, attempts = 0, next_attempt_at = now()" >/dev/null
until [ "$(sql "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL")" -ge "$RUNS" ]; do
  sleep 0.05
done
drained=$(now)
echo "delivery: $(rate "$RUNS" "$redrive" "$drained") events/s"
echo "receiver: $(curl -fsS "http://127.0.0.1:$HOOK_PORT/")"
runs_per_s=$(rate "$RUNS" "$start" "$succeeded"); events_per_s=$(rate "$RUNS" "$redrive" "$drained")
echo "runs_per_s=$runs_per_s events_per_s=$events_per_s (targets: 200, 1000)"
