#!/usr/bin/env bash
# Right-sizing benchmark: `headroom rightsize` and `headroom cost` on
# 10,000 containers with 14 days of history at 1-minute resolution, against
# a local Prometheus.
#
#   bench/rightsize/run.sh              # generate (once, cached), then measure
#   STEP=5m bench/rightsize/run.sh      # short-window CPU sampled every 5 minutes (default 1m)
#   MAXPOINTS=10000000 bench/rightsize/run.sh  # larger chunks: fewer queries, more Prometheus memory
#
# The TSDB is written directly by tsdbgen (a small nested Go module using
# the Prometheus TSDB library, v0.42.0 = Prometheus 2.42), not backfilled
# through promtool: see bench/RESULTS-rightsize.md for why and for numbers.
# Everything runs on 127.0.0.1 and stays under bench/out/rightsize.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/out/rightsize
mkdir -p "$out"
ns=${NAMESPACES:-100} deploys=${DEPLOYMENTS:-20} replicas=${REPLICAS:-5} days=${DAYS:-14}
step=${STEP:-1m}
maxpoints=${MAXPOINTS:-5000000}
key="$ns-$deploys-$replicas-$days"

if [ ! -f "$out/tsdb.$key.end" ]; then
	echo "bench: generating $((ns * deploys * replicas)) containers × $days days into $out/tsdb" >&2
	rm -rf "$out/tsdb" "$out"/tsdb.*.end
	(cd bench/rightsize && go build -o "../../$out/tsdbgen" ./tsdbgen)
	end=$(($(date +%s) / 60 * 60 - 120))
	/usr/bin/time -v "$out/tsdbgen" -out "$out/tsdb" -end "$end" -namespaces "$ns" -deployments "$deploys" \
		-replicas "$replicas" -days "$days" 2>"$out/tsdbgen.time"
	echo "$end" >"$out/tsdb.$key.end"
fi
end=$(cat "$out/tsdb.$key.end")
echo "bench: TSDB $(du -sh "$out/tsdb" | cut -f1)" >&2

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prometheus --config.file=/dev/null --storage.tsdb.path="$out/tsdb" --storage.tsdb.retention.time=100y \
	--storage.tsdb.max-block-duration=1d --web.listen-address="127.0.0.1:$port" --log.level=warn \
	>"$out/prometheus.log" 2>&1 &
prom=$!
trap 'kill $prom 2>/dev/null; wait $prom 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
	curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null && break
	sleep 0.1
done
echo "bench: prometheus ready on 127.0.0.1:$port" >&2

go build -o "$out/headroom" ./cmd/headroom
promcpu() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^process_cpu_seconds_total/ {print $2}'; }
# Prometheus's peak anonymous memory (its RSS also counts the TSDB files it
# maps, which the page cache can drop), sampled every 200ms.
echo 0 >"$out/prometheus.anon"
(
	peak=0
	while kill -0 "$prom" 2>/dev/null; do
		a=$(awk '/RssAnon/ {print $2}' "/proc/$prom/status" 2>/dev/null || echo 0)
		if [ "${a:-0}" -gt "$peak" ]; then
			peak=$a
			echo "$peak" >"$out/prometheus.anon"
		fi
		sleep 0.2
	done
) &
sampler=$!
for cmd in rightsize cost; do
	args=(--prometheus "http://127.0.0.1:$port" --window "${days}d" --at "$end" --max-points "$maxpoints")
	if [ "$cmd" = rightsize ]; then args+=(--step "$step"); fi
	c0=$(promcpu)
	/usr/bin/time -v "$out/headroom" "$cmd" "${args[@]}" >"$out/$cmd.txt" 2>"$out/$cmd.time"
	c1=$(promcpu)
	wall=$(grep 'Elapsed (wall clock)' "$out/$cmd.time" | awk '{print $NF}')
	rss=$(grep 'Maximum resident set size' "$out/$cmd.time" | awk '{print $NF}')
	queries=$(grep -o '[0-9]* queries' "$out/$cmd.txt" | head -1)
	summary=$(head -1 "$out/$cmd.txt" | sed 's/.*(//; s/)$//')
	echo "bench: $cmd: $summary; $queries; wall $wall; headroom max RSS $((rss / 1024)) MiB;" \
		"prometheus CPU $(python3 -c "print(round($c1 - $c0, 1))") s"
done
kill "$sampler" 2>/dev/null || true
echo "bench: prometheus peak RSS $(($(awk '/VmHWM/ {print $2}' "/proc/$prom/status") / 1024)) MiB" \
	"(anonymous $(($(cat "$out/prometheus.anon") / 1024)) MiB); load average $(cut -d' ' -f1-3 /proc/loadavg)"
