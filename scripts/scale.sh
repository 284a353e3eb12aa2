#!/usr/bin/env bash
# Time and peak memory of `ringcast plan` against agents and queues, for
# docs/performance.md. Needs ../shared/data/us_bank_2003_5min.csv for the US
# bank rows (skipped without it). Usage: scripts/scale.sh [WORK_DIR]
# Every roster is checked with scripts/check_roster.py.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${RINGCAST:-${CARGO_TARGET_DIR:-$here/target}/release/ringcast}"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
us="$here/../shared/data/us_bank_2003_5min.csv"

row() { # label, out folder, agents file, command...
  local label="$1" out="$2" agents="$3"; shift 3
  local t; t=$( { /usr/bin/time -f "%e %M" "$@" >"$out.stdout" 2>"$out.stderr"; } 2>&1 | tail -1 ) || { cat "$out.stderr"; exit 1; }
  t=$(tail -1 "$out.stderr")
  local secs=${t% *} kb=${t#* }
  local rules; rules=$(python3 "$here/scripts/check_roster.py" "$agents" "$out/roster.csv" | tail -1)
  local roster; roster=$(grep -E "^roster " "$out.stdout" | sed 's/^roster *//')
  printf '| %s | %s s | %d MB | %s | %s |\n' "$label" "$secs" $((kb / 1024)) "$roster" "$rules"
}

echo "| input | time | peak memory | roster | rules |"
echo "|---|---|---|---|---|"
if [ -f "$us" ]; then
  cp "$here/benches/data/us_bank.toml" "$work/us.toml"
  for n in 150 800 2000 5000; do
    "$bin" synth --agents "$n" --demand-scale 1 --weeks 1 --out "$work/a$n" >/dev/null
    # The generated agents start at 08:00; the bank opens at 07:00.
    sed 's/,08:00,22:00,/,07:00,22:00,/' "$work/a$n/agents.csv" > "$work/agents$n.csv"
    row "US bank week, $n agents" "$work/us$n" "$work/agents$n.csv" \
      "$bin" plan --history "$us" --media "" --media-plan "" --config "$work/us.toml" --agents "$work/agents$n.csv" --out "$work/us$n"
  done
fi
for q in 1 10; do
  "$bin" synth --agents 5000 --queues "$q" --out "$work/c$q" >/dev/null
  c="$work/c$q"
  flag=(); [ "$q" -gt 1 ] && flag=(--all-queues)
  row "generated centre, 5000 agents, $q queue(s)" "$work/o$q" "$c/agents.csv" \
    "$bin" plan "${flag[@]}" --history "$c/history.csv" --media "$c/media_history.csv" --media-plan "$c/media_plan_next_week.csv" \
    --config "$c/centre.toml" --agents "$c/agents.csv" --out "$work/o$q"
done
