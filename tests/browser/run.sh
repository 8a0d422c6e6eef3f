#!/usr/bin/env bash
# Browser tests of Email Center Pro: Debian's Chromium driven by
# playwright-core, against the real `ecp` binary on a fresh SQLite database.
#
#   tests/browser/run.sh                  every *.test.mjs here
#   tests/browser/run.sh onboarding       only onboarding.test.mjs
#
# Builds `ecp` (debug) first. Each test file starts its own `ecp serve` on a
# free port with a temporary data directory (the New Account Wizard only
# shows on a fresh install) and stops it when done; this script also starts
# one instance as a smoke check that the binary serves, and stops it by its
# PID on exit. Screenshots go to tests/browser/screenshots/ (git-ignored;
# ECP_SCREENSHOT_DIR overrides). Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/ecp-target}"
export ECP_BIN="${ECP_BIN:-$CARGO_TARGET_DIR/debug/ecp}"
export ECP_SCREENSHOT_DIR="${ECP_SCREENSHOT_DIR:-$here/screenshots}"
export ECP_CHROMIUM="${ECP_CHROMIUM:-/usr/bin/chromium}"
started=$SECONDS

if [ ! -x "$ECP_CHROMIUM" ] || [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "Chromium or playwright-core is missing: run scripts/install-test-deps.sh" >&2
  exit 1
fi

echo "== building ecp (debug)"
cargo build --quiet -p ecp-server --bin ecp
# Dovecot and the SMTP sink for the tests that move mail.
cargo build --quiet -p ecp-testkit --bin ecp-fixtures

tmp="$(mktemp -d "${TMPDIR:-/tmp}/ecp-browser.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== smoke check: ecp serve answers /healthz"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
ECP_DATA_DIR="$tmp/data" ECP_HTTP_ADDR="127.0.0.1:$port" ECP_SMTP_ADDR=127.0.0.1:0 ECP_LOG=warn \
  env -u ECP_DATABASE_URL -u ECP_CONFIG "$ECP_BIN" serve >"$tmp/ecp.log" 2>&1 &
server_pid=$!
ready=0
for _ in $(seq 1 150); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  echo "ecp serve did not answer /healthz on port $port:" >&2
  cat "$tmp/ecp.log" >&2
  exit 1
fi
kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
server_pid=""
echo "ok"

rm -rf "$ECP_SCREENSHOT_DIR"
mkdir -p "$ECP_SCREENSHOT_DIR"

files=()
if [ $# -gt 0 ]; then
  for name in "$@"; do files+=("$here/${name%.test.mjs}.test.mjs"); done
else
  files=("$here"/*.test.mjs)
fi

echo "== browser tests (Chromium $("$ECP_CHROMIUM" --version 2>/dev/null | awk '{print $2}'))"
status=0
# One file at a time: each has its own ecp and browser, and the machine has 2 cores.
node --test --test-concurrency=1 --test-reporter=spec "${files[@]}" || status=$?

echo "== screenshots in $ECP_SCREENSHOT_DIR ($(find "$ECP_SCREENSHOT_DIR" -name '*.png' | wc -l) files)"
echo "== browser tests done in $((SECONDS - started)) s"
exit "$status"
