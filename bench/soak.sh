#!/usr/bin/env bash
# Memory of a long open-model run: headroom load at a fixed rate against the
# trivial loopback server of bench/target, streaming its results to a file,
# with the resident set size (VmRSS) of the headroom process sampled every
# SAMPLE seconds. A run keeps only its totals (histograms) in memory, so the
# RSS after 10 minutes should match the RSS after 1 minute.
#
#   bench/soak.sh                      # RATE=5000 DURATION=600 SAMPLE=60
#   DURATION=120 SAMPLE=10 bench/soak.sh
#   HEADROOM=/path/to/headroom bench/soak.sh   # measure another build
#
# Prints one line per sample and a final ratio: RSS at the end / RSS at 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE="${RATE:-5000}"
DURATION="${DURATION:-600}"
SAMPLE="${SAMPLE:-60}"
PORT="${PORT:-18091}"

work="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/target" ./bench/target
if [ -z "${HEADROOM:-}" ]; then
	go build -o "$work/headroom" ./cmd/headroom
	HEADROOM="$work/headroom"
fi
"$work/target" -addr "127.0.0.1:$PORT" &
pids+=($!)
for _ in $(seq 50); do
	(echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
	sleep 0.1
done

"$HEADROOM" load --url "http://127.0.0.1:$PORT/" --shape "constant:rate=$RATE,for=${DURATION}s" \
	--out "$work/results.jsonl" --quiet -o json >"$work/summary.json" 2>"$work/err" &
hr=$!
pids+=("$hr")

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
echo "rate ${RATE}/s for ${DURATION}s; RSS of headroom every ${SAMPLE}s"
echo
echo "| elapsed s | RSS MiB | results file MiB |"
echo "|-----------|---------|------------------|"
first=""
last=""
t=0
while [ "$t" -lt "$DURATION" ]; do
	# The last sample comes 2 s before the end, while the run is still on.
	next=$((t + SAMPLE))
	[ "$next" -ge "$DURATION" ] && next=$((DURATION - 2))
	[ "$next" -le "$t" ] && break
	sleep $((next - t))
	t="$next"
	kill -0 "$hr" 2>/dev/null || break
	kb="$(rss "$hr")"
	file="$(stat -c %s "$work/results.jsonl" 2>/dev/null || echo 0)"
	printf "| %9d | %7.1f | %16.1f |\n" "$t" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$(awk -v b="$file" 'BEGIN { print b / 1048576 }')"
	[ "$t" -ge 60 ] && [ -z "$first" ] && first="$kb"
	last="$kb"
done
wait "$hr" || { echo "soak: headroom failed:" >&2; cat "$work/err" >&2; exit 1; }
echo
echo "requests $(jq '.requests' "$work/summary.json"), achieved $(jq '.achieved_rate' "$work/summary.json")/s," \
	"dropped $(jq '.dropped' "$work/summary.json"), p99 $(jq '.latency.p99 * 1000' "$work/summary.json") ms," \
	"most in flight at once $(jq '.. | .max_inflight_seen? // empty' "$work/summary.json" | head -1)"
if [ -n "$first" ] && [ -n "$last" ]; then
	echo "RSS at the end / RSS at 60 s: $(awk -v a="$last" -v b="$first" 'BEGIN { printf "%.2f", a / b }')"
fi
echo "machine: $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg)"
