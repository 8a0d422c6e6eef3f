#!/usr/bin/env bash
# Outbox benchmark: `ecp-bench outbox` queues COUNT messages and times the
# product's sender delivering them to a local SMTP server (aiosmtpd that
# accepts and discards), and in the same run a raw SMTP client sending the
# same bytes over one connection to the same server. SQLite, then
# PostgreSQL when one answers at 127.0.0.1:5432. Prints messages per second
# and the ratio (target: the sender reaches at least 50% of the raw rate).
#
# Usage: scripts/bench-outbox.sh            (2000 messages, one round)
#        COUNT=500 RUNS=3 scripts/bench-outbox.sh
# Environment: CARGO_TARGET_DIR (default /var/tmp/ecp-target);
# ECP_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres, a
# fresh database is created on that server for the run); SKIP_PG=1 skips
# PostgreSQL. Needs python3 with aiosmtpd (scripts/install-test-deps.sh).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/ecp-target}"
count="${COUNT:-2000}"
runs="${RUNS:-1}"
pg_url="${ECP_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

echo "building ecp-bench (release, target $CARGO_TARGET_DIR)" >&2
# The executable cargo reports for this checkout: target/release/ecp-bench
# may be another checkout's build when the target folder is shared.
bench="$(cd "$here" && cargo build --release -p ecp-bench --message-format=json-render-diagnostics \
  | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") \
            and m["target"]["name"] == "ecp-bench":
        print(m["executable"])')"
[ -x "$bench" ] || { echo "ecp-bench was not built" >&2; exit 1; }

# The server: aiosmtpd that accepts every message and keeps nothing, so
# both clients are measured against the same, cheap handler.
work="$(mktemp -d /var/tmp/ecp-bench-outbox.XXXXXX)"
cat >"$work/server.py" <<'PY'
import socket, sys
from aiosmtpd.controller import Controller

class Accept:
    async def handle_DATA(self, server, session, envelope):
        return "250 2.0.0 Ok: queued"

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
controller = Controller(Accept(), hostname="127.0.0.1", port=port)
controller.start()
print(port, flush=True)
try:
    sys.stdin.read()
finally:
    controller.stop()
PY
coproc SERVER { python3 "$work/server.py"; }
server_pid=$SERVER_PID
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
read -r port <&"${SERVER[0]}"
[ -n "$port" ] || { echo "the SMTP server did not start (aiosmtpd installed?)" >&2; exit 1; }

pg_ok=0
if [ "${SKIP_PG:-0}" != 1 ] && command -v pg_isready >/dev/null 2>&1 \
  && pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ok=1
fi

for i in $(seq 1 "$runs"); do
  [ "$runs" -gt 1 ] && echo && echo "## round $i of $runs"
  echo "Outbox to aiosmtpd at 127.0.0.1:$port, $count messages — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
  "$bench" outbox --smtp "127.0.0.1:$port" --count "$count"
  if [ "$pg_ok" = 1 ]; then
    "$bench" outbox --smtp "127.0.0.1:$port" --count "$count" --database-url "$pg_url"
  fi
done
