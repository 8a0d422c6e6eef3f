#!/usr/bin/env bash
# Runs every test of Email Center Pro against real parts: installs the test
# peers where missing, makes sure PostgreSQL answers, runs the Rust tests on
# both databases, then the browser tests when they exist.
#
#   ./scripts/test.sh           tests only
#   ./scripts/test.sh --lint    also rustfmt and clippy (CI does this)
#
# Extra arguments after `--` go to cargo nextest, e.g. `-- -p ecp-server`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

lint=0
nextest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --lint) lint=1 ;;
    --) shift; nextest_args=("$@"); break ;;
    *) echo "usage: $0 [--lint] [-- NEXTEST-ARGS...]" >&2; exit 2 ;;
  esac
  shift
done

# Outside the clone, so a fresh CI checkout reuses compiled dependencies.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/ecp-target}"
# Incremental caches only help repeated local edits, and they grow by
# gigabytes per checkout: a test run does without them.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export ECP_TEST_PG_URL="${ECP_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

step() { printf '\n== %s\n' "$*"; }
started=$SECONDS

step "test peers (Dovecot, swaks, Chromium, aiosmtpd, playwright-core)"
"$root/scripts/install-test-deps.sh"

step "PostgreSQL at 127.0.0.1:5432"
pg_ready() { psql "$ECP_TEST_PG_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; }
if ! pg_ready; then
  echo "not answering; starting the local cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  pg_ready || { echo "PostgreSQL does not answer at $ECP_TEST_PG_URL" >&2; exit 1; }
fi
echo "ok"

drop_test_databases() {
  # Tests drop their own databases; this catches those of a killed run.
  # Names are ecp_test_<pid>_...: a database whose test process still runs
  # (someone else's suite on the same machine) is left alone.
  psql "$ECP_TEST_PG_URL" -qtAc \
    "SELECT datname FROM pg_database WHERE datname LIKE 'ecp\_test\_%'" 2>/dev/null |
    while read -r name; do
      [ -n "$name" ] || continue
      pid="${name#ecp_test_}"; pid="${pid%%_*}"
      if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then continue; fi
      psql "$ECP_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
trap drop_test_databases EXIT

status=0
if [ "$lint" = 1 ]; then
  step "cargo fmt --check"
  cargo fmt --all -- --check || status=1
fi

step "Rust tests (both databases)"
# nextest runs each test in its own process, in parallel, and ends with a
# one-line summary ("Summary [...] N tests run: N passed").
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "${nextest_args[@]}" || status=1
else
  cargo test --workspace --no-fail-fast || status=1
fi

if [ "$lint" = 1 ]; then
  # After the tests: it reuses their dependency builds.
  step "cargo clippy"
  cargo clippy --workspace --all-targets -- -D warnings || status=1
fi

if [ -f "$root/tests/browser/run.sh" ]; then
  step "browser tests (Chromium)"
  bash "$root/tests/browser/run.sh" || status=1
fi

step "done in $((SECONDS - started)) s"
if [ "$status" -ne 0 ]; then
  echo "FAILED: see the output above" >&2
fi
exit "$status"
