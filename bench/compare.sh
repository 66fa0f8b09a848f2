#!/usr/bin/env bash
# Benchmarks archlint on a directory against its own parse-only floor and, when they are installed,
# against peer tools, with hyperfine; prints a Markdown table of medians and ratios on stdout.
#
#   bench/compare.sh DIR
#
# Runs (each its own hyperfine measurement, so slow peers can take fewer runs):
#   archlint DIR --no-cache --exit-zero -o /dev/null   the full scan, all default rules, all cores
#   archlint DIR --parse-only                          walk, read and parse only: the floor
#   archlint DIR --no-cache --jobs 1 ...               the full scan on one thread
#   archlint DIR --no-cache --jobs 2 ...               on two threads (the ratio to --jobs 1 is the speed-up)
#   archlint DIR --cache-dir TMP ...                   a re-run with a warm result cache (kept in a temporary
#                                                      directory, so DIR is not written to)
#   archlint FILE... --cache-dir TMP ...               20 files of DIR, as a pre-commit hook passes them, warm cache
#   oxlint DIR                                       if `oxlint` is on PATH or in node_modules/.bin
#   semgrep scan --config bench/semgrep-rules DIR    if `semgrep` is on PATH: a local pack mirroring six archlint rules
#   njsscan DIR                                      if `njsscan` is on PATH and DIR holds JavaScript/TypeScript
#   eslint DIR (eslint-plugin-security)              if `npm ci --prefix bench/eslint` has installed it
# Peers are optional: a missing one is reported on stderr and left out. Nothing is downloaded.
#
# Environment:
#   RUNS=N          runs per archlint and oxlint command (default 10, after one warm-up run)
#   PEER_RUNS=N     runs per Semgrep and njsscan command (default 3, no warm-up run: the runs
#                   before them have already brought the tree into the page cache)
#   WAIT_IDLE=1     before each measurement, wait (up to 10 minutes) until the CPUs have been at
#                   least 90% idle for 3 seconds: for shared machines where builds come and go
#   ARCHLINT=PATH   use this binary instead of building target/release/archlint
#   SEMGREP, NJSSCAN, OXLINT, ESLINT=PATH  use these executables for the peers
#   SKIP="oxlint njsscan eslint"   leave these peers out (e.g. on a Rust tree with a few stray .js files)
set -euo pipefail

usage() { echo "usage: bench/compare.sh DIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
DIR=$1
[ -d "$DIR" ] || { echo "bench/compare.sh: \`$DIR\` is not a directory" >&2; exit 2; }
DIR=$(cd "$DIR" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-10}
PEER_RUNS=${PEER_RUNS:-3}

if ! command -v hyperfine >/dev/null; then
  cat >&2 <<'MSG'
bench/compare.sh: hyperfine is not installed; it runs and times every command here.
Install it with your package manager (Debian/Ubuntu: `apt-get install hyperfine`, macOS: `brew install hyperfine`)
or with `cargo install hyperfine`, then run this script again.
MSG
  exit 2
fi
command -v python3 >/dev/null || { echo "bench/compare.sh: python3 is needed to read hyperfine's JSON results" >&2; exit 2; }

if [ -z "${ARCHLINT:-}" ]; then
  echo "== building archlint (release)" >&2
  (cd "$ROOT" && cargo build --release --quiet)
  ARCHLINT="${CARGO_TARGET_DIR:-$ROOT/target}/release/archlint"
fi
[ -x "$ARCHLINT" ] || { echo "bench/compare.sh: no archlint binary at $ARCHLINT" >&2; exit 2; }
ARCHLINT=$(cd "$(dirname "$ARCHLINT")" && pwd)/$(basename "$ARCHLINT")  # some commands run in DIR

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# CPU idle fraction over `seconds`, from /proc/stat (Linux); prints 1 where unknown.
idle_fraction() {
  local seconds=$1
  [ -r /proc/stat ] || { echo 1; return; }
  local a b
  a=($(head -1 /proc/stat)); sleep "$seconds"; b=($(head -1 /proc/stat))
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  local idle=$((b[4] - a[4] + b[5] - a[5]))
  python3 -c "print($idle / max($total, 1))"
}

wait_idle() {
  [ "${WAIT_IDLE:-0}" = 1 ] || return 0
  local waited=0
  until python3 -c "import sys; sys.exit(0 if $(idle_fraction 3) >= 0.9 else 1)"; do
    waited=$((waited + 3))
    if [ $waited -ge 600 ]; then echo "   (machine still busy after 10 minutes; measuring anyway)" >&2; return 0; fi
  done
}

# names[i], commands[i], runs[i], warmups[i]
names=(); commands=(); runs=(); warmups=()
add() { names+=("$1"); commands+=("$2"); runs+=("$3"); warmups+=("${4:-1}"); }

q=$(printf '%q' "$DIR")
a=$(printf '%q' "$ARCHLINT")
cache=$(printf '%q' "$OUT/cache")
add "archlint" "$a $q --no-cache --exit-zero -o /dev/null" "$RUNS"
add "archlint --parse-only" "$a $q --parse-only" "$RUNS"
add "archlint --jobs 1" "$a $q --no-cache --jobs 1 --exit-zero -o /dev/null" "$RUNS"
add "archlint --jobs 2" "$a $q --no-cache --jobs 2 --exit-zero -o /dev/null" "$RUNS"
# The warm-up run fills the cache.
add "archlint, warm cache" "$a $q --cache-dir $cache --exit-zero -o /dev/null" "$RUNS"
# Twenty files spread over the tree, as a pre-commit hook would pass staged files (same cache).
twenty=$(cd "$DIR" && find . -path '*/node_modules' -prune -o -path '*/target' -prune -o -type f \( -name '*.ts' -o -name '*.rs' -o -name '*.js' \) -print \
  | LC_ALL=C sort | awk -v n="$(cd "$DIR" && find . -path '*/node_modules' -prune -o -path '*/target' -prune -o -type f \( -name '*.ts' -o -name '*.rs' -o -name '*.js' \) -print | wc -l)" \
    'BEGIN { step = int(n / 20); if (step < 1) step = 1 } (NR - 1) % step == 0 && count < 20 { printf "%s ", $0; count++ }')
if [ -n "$twenty" ]; then
  add "archlint, 20 files, warm cache" "cd $q && $a $twenty --cache-dir $cache --exit-zero -o /dev/null" "$RUNS"
fi

has_js=$(find "$DIR" -path '*/node_modules' -prune -o \( -name '*.js' -o -name '*.ts' -o -name '*.tsx' -o -name '*.jsx' -o -name '*.mjs' -o -name '*.cjs' \) -print -quit 2>/dev/null)

skip() { case " ${SKIP:-} " in *" $1 "*) echo "-- $1 skipped (SKIP)" >&2; return 0;; esac; return 1; }

OXLINT=${OXLINT:-$(command -v oxlint || true)}
[ -n "$OXLINT" ] || { [ -x "$ROOT/node_modules/.bin/oxlint" ] && OXLINT="$ROOT/node_modules/.bin/oxlint"; } || true
[ -n "$OXLINT" ] || { [ -x "$DIR/node_modules/.bin/oxlint" ] && OXLINT="$DIR/node_modules/.bin/oxlint"; } || true
if skip oxlint; then
  :
elif [ -z "$OXLINT" ]; then
  echo "-- oxlint not found (on PATH or in node_modules/.bin): skipped; \`npm i -g oxlint\` installs it" >&2
elif [ -z "$has_js" ]; then
  echo "-- oxlint skipped: no JavaScript/TypeScript in $DIR" >&2
else
  add "oxlint (default rules)" "$(printf '%q' "$OXLINT") $q" "$RUNS"
fi

SEMGREP=${SEMGREP:-$(command -v semgrep || true)}
if skip semgrep; then
  :
elif [ -z "$SEMGREP" ]; then
  echo "-- semgrep not found: skipped; \`pip install semgrep\` installs Semgrep CE" >&2
else
  add "semgrep (bench/semgrep-rules)" \
    "$(printf '%q' "$SEMGREP") scan --config $(printf '%q' "$ROOT/bench/semgrep-rules") --metrics=off --disable-version-check --quiet --output /dev/null $q" \
    "$PEER_RUNS" 0
fi

NJSSCAN=${NJSSCAN:-$(command -v njsscan || true)}
if skip njsscan; then
  :
elif [ -z "$NJSSCAN" ]; then
  echo "-- njsscan not found: skipped; \`pip install njsscan\` installs it" >&2
elif [ -z "$has_js" ]; then
  echo "-- njsscan skipped: no JavaScript/TypeScript in $DIR" >&2
else
  add "njsscan (.js and templates only)" "$(printf '%q' "$NJSSCAN") -o /dev/null $q" "$PEER_RUNS" 0
fi

ESLINT=${ESLINT:-}
[ -n "$ESLINT" ] || { [ -x "$ROOT/bench/eslint/node_modules/.bin/eslint" ] && ESLINT="$ROOT/bench/eslint/node_modules/.bin/eslint"; } || true
if skip eslint; then
  :
elif [ -z "$ESLINT" ]; then
  echo "-- eslint not found in bench/eslint/node_modules: skipped; \`npm ci --prefix bench/eslint\` installs eslint with eslint-plugin-security" >&2
elif [ -z "$has_js" ]; then
  echo "-- eslint skipped: no JavaScript/TypeScript in $DIR" >&2
else
  # Exit status 1 means "found problems"; the config lists the plugin's recommended rules only.
  add "eslint + eslint-plugin-security" \
    "cd $q && $(printf '%q' "$ESLINT") --no-config-lookup -c $(printf '%q' "$ROOT/bench/eslint/eslint.config.mjs") --format json -o /dev/null ." \
    "$PEER_RUNS" 0
fi

for i in "${!names[@]}"; do
  echo "== ${names[$i]}: ${commands[$i]}" >&2
  wait_idle
  hyperfine --style basic --warmup "${warmups[$i]}" --runs "${runs[$i]}" --ignore-failure \
    --command-name "${names[$i]}" --export-json "$OUT/$i.json" "${commands[$i]}" >&2
  # Peak resident memory of one more run, where GNU time is there to tell it.
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$OUT/$i.rss" bash -c "${commands[$i]}" >/dev/null 2>&1 || true
  fi
done

load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "n/a")
python3 - "$OUT" "${#names[@]}" "$DIR" "$load" <<'PY'
import json, os, sys, platform, subprocess
out, count, target, load = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = []
for i in range(count):
    result = json.load(open(os.path.join(out, f"{i}.json")))["results"][0]
    rss_path = os.path.join(out, f"{i}.rss")
    rss = None
    if os.path.exists(rss_path):
        try:
            rss = int(open(rss_path).read().strip().splitlines()[-1]) * 1024
        except (ValueError, IndexError):
            rss = None
    rows.append({
        "name": result["command"],
        "median": result["median"],
        "min": result["min"],
        "mean": result["mean"],
        "stddev": result.get("stddev") or 0.0,
        "cpu": result["user"] + result["system"],
        "runs": len(result["times"]),
        "rss": rss,
        "exit": sorted(set(result.get("exit_codes", []))),
    })
by = {r["name"]: r for r in rows}
full, floor = by["archlint"], by["archlint --parse-only"]

def s(x): return f"{x:.3f}"
def ratio(a, b): return f"{a / b:.2f}×" if b > 0 else "n/a"
def mib(n): return "n/a" if n is None else f"{n / 1048576:.0f} MiB"

cores = os.cpu_count()
print(f"archlint benchmark: `{target}` on {platform.system()} {platform.machine()}, {cores} cores (load average at the end: {load})\n")
print("| command | median wall (s) | min wall (s) | mean ± σ (s) | CPU user+sys (s) | runs | peak RSS | wall ÷ archlint | wall ÷ parse-only | CPU ÷ parse-only |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['name']} | {s(r['median'])} | {s(r['min'])} | {s(r['mean'])} ± {s(r['stddev'])} | {s(r['cpu'])} | {r['runs']} | {mib(r['rss'])} "
          f"| {ratio(r['median'], full['median'])} | {ratio(r['median'], floor['median'])} | {ratio(r['cpu'], floor['cpu'])} |")
print()
print("Ratios of medians; CPU is hyperfine's mean user+sys time per run.\n")
print("Targets (issue 7):\n")
print(f"- full scan CPU ÷ `--parse-only` CPU: **{ratio(full['cpu'], floor['cpu'])}** (target ≤ 1.5×)")
j1, j2 = by.get("archlint --jobs 1"), by.get("archlint --jobs 2")
if j1 and j2:
    print(f"- `--jobs 1` ÷ `--jobs 2` wall: **{ratio(j1['median'], j2['median'])}** (target ≥ 1.8×)")
for name, r in by.items():
    if name.startswith("semgrep"):
        print(f"- Semgrep ÷ archlint wall: **{ratio(r['median'], full['median'])}** (target ≥ 50×)")
    if name.startswith("oxlint"):
        print(f"- archlint ÷ oxlint wall: **{ratio(full['median'], r['median'])}** (target ≤ 3×)")
    if name.startswith("eslint"):
        print(f"- eslint-plugin-security ÷ archlint wall: **{ratio(r['median'], full['median'])}**")
    if name.startswith("njsscan"):
        print(f"- njsscan ÷ archlint wall: **{ratio(r['median'], full['median'])}**")
warm, twenty = by.get("archlint, warm cache"), by.get("archlint, 20 files, warm cache")
if warm:
    print(f"- cold ÷ warm-cache wall: **{ratio(full['median'], warm['median'])}** (target ≥ 5×)")
if twenty:
    print(f"- 20 files with a warm cache: **{twenty['median'] * 1000:.0f} ms** wall (target < 200 ms)")
print(f"- archlint peak RSS: **{mib(full['rss'])}** (target < 300 MB)")
for r in rows:
    if any(code not in (0, 1) for code in r["exit"]):
        print(f"\nNote: `{r['name']}` exited with {r['exit']}: check that it really ran.")
PY
