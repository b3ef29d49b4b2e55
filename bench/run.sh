#!/usr/bin/env bash
# Side-by-side benchmark of headroom's load engine against wrk, hey and
# vegeta, all against the same trivial loopback server, in one run:
#
#   (a) maximum throughput: headroom's closed "max" mode vs wrk -t2 -c64,
#       hey -c64 and vegeta -rate=0 -max-workers=64;
#   (b) a fixed 5000 req/s for 10 s: achieved rate and client CPU per 1000
#       requests (user+sys of the client process, from /usr/bin/time);
#   (c) a server that blocks all handlers for 100 ms once a second, at
#       5000 req/s: reported p95/p99 against the truth (~50 ms / ~90 ms).
#
# On a machine with 2+ cores, (a) and (b) run the server on core 0 and the
# clients on core 1 (taskset), as in the reference measurements; (b) is then
# repeated with the client unpinned, and (c) runs unpinned (as the reference
# did). Usage:
#
#   bench/run.sh            # DURATION=10 by default
#   DURATION=5 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10}"
load_start="$(cut -d" " -f1-3 /proc/loadavg)"
CONC="${CONC:-64}"
RATE="${RATE:-5000}"
PORT="${PORT:-18089}"
STALL_PORT="${STALL_PORT:-18090}"

# --- peers -----------------------------------------------------------------
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v hey >/dev/null 2>&1 || need+=(hey)
command -v jq >/dev/null 2>&1 || need+=(jq)
[ -x /usr/bin/time ] || need+=(time)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
if ((${#need[@]})); then
	echo "bench: installing ${need[*]}" >&2
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
work="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
if command -v vegeta >/dev/null 2>&1; then
	VEGETA="$(command -v vegeta)"
else
	echo "bench: installing vegeta v12.13.0 into a temporary GOBIN" >&2
	GOBIN="$work/bin" go install github.com/tsenart/vegeta/v12@v12.13.0
	VEGETA="$work/bin/vegeta"
fi

echo "bench: building headroom and the target server" >&2
go build -o "$work/headroom" ./cmd/headroom
go build -o "$work/target" ./bench/target

SERVER=()
CLIENT=()
if [ "$(nproc)" -ge 2 ]; then
	SERVER=(taskset -c 0)
	CLIENT=(taskset -c 1)
fi
"${SERVER[@]}" "$work/target" -addr "127.0.0.1:$PORT" &
pids+=($!)
# The stall check runs unpinned, as in the reference measurements: the
# backlog of a stall drains on both cores.
"$work/target" -addr "127.0.0.1:$STALL_PORT" -stall 100ms -every 1s &
pids+=($!)
sleep 0.3
for p in "${pids[@]}"; do
	kill -0 "$p" 2>/dev/null || { echo "bench: a target server did not start (ports $PORT, $STALL_PORT busy?)" >&2; exit 1; }
done
URL="http://127.0.0.1:$PORT/"
STALL_URL="http://127.0.0.1:$STALL_PORT/"
for _ in $(seq 50); do
	(echo >"/dev/tcp/127.0.0.1/$PORT" && echo >"/dev/tcp/127.0.0.1/$STALL_PORT") 2>/dev/null && break
	sleep 0.1
done

# timed NAME CMD...: runs CMD on the client core, keeping its stdout in
# $work/NAME.out and its CPU seconds (user+sys) in $work/NAME.cpu.
timed() {
	local name="$1"
	shift
	/usr/bin/time -f "%U %S" -o "$work/$name.time" "${CLIENT[@]}" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
		echo "bench: $name failed:" >&2
		cat "$work/$name.err" >&2
		return 1
	}
	awk '{ printf "%.3f\n", $1 + $2 }' "$work/$name.time" >"$work/$name.cpu"
	settle
}
# settle waits (at most a minute) until few sockets linger in TIME_WAIT: a
# client that opens many connections can exhaust the ephemeral ports and
# slow down every connect() of the next one.
settle() {
	sleep 1
	command -v ss >/dev/null 2>&1 || return 0
	for _ in $(seq 60); do
		[ "$(ss -tan state time-wait | wc -l)" -lt 2000 ] && return 0
		sleep 1
	done
}
cpu() { cat "$work/$1.cpu"; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
fmt0() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }
fmt1() { awk -v a="$1" 'BEGIN { printf "%.1f", a }'; }

echo "bench: (a) max throughput, ${DURATION}s each" >&2
timed hr_max "$work/headroom" load --url "$URL" --closed "$CONC" --duration "${DURATION}s" --json --quiet
hr_max_n=$(jq '.requests' "$work/hr_max.out")
timed wrk_max wrk -t2 -c"$CONC" -d"${DURATION}s" "$URL"
wrk_max_n=$(awk '/requests in/ { print $1 }' "$work/wrk_max.out")
timed hey_max hey -z "${DURATION}s" -c "$CONC" "$URL"
hey_max_n=$(awk '/\[200\]/ { print $2 }' "$work/hey_max.out")
echo "GET $URL" >"$work/targets.txt"
timed veg_max "$VEGETA" attack -targets="$work/targets.txt" -rate=0 -max-workers="$CONC" -duration="${DURATION}s" -output="$work/veg_max.bin"
"$VEGETA" report -type=json "$work/veg_max.bin" >"$work/veg_max.json"
veg_max_n=$(jq '.requests' "$work/veg_max.json")

# fixed_rate SUFFIX: headroom and vegeta at $RATE for $DURATION against
# $URL; results in hr_rateSUFFIX_{n,p99} and veg_rateSUFFIX_{n,p99}.
fixed_rate() {
	local hr="hr_rate$1" veg="veg_rate$1"
	timed "$hr" "$work/headroom" load --url "$URL" --shape "constant:rate=$RATE,for=${DURATION}s" --json --quiet
	printf -v "${hr}_n" '%s' "$(jq '.requests' "$work/$hr.out")"
	printf -v "${hr}_p99" '%s' "$(jq '.latency.p99 * 1000' "$work/$hr.out")"
	timed "$veg" "$VEGETA" attack -targets="$work/targets.txt" -rate="$RATE" -duration="${DURATION}s" -output="$work/$veg.bin"
	"$VEGETA" report -type=json "$work/$veg.bin" >"$work/$veg.json"
	printf -v "${veg}_n" '%s' "$(jq '.requests' "$work/$veg.json")"
	printf -v "${veg}_p99" '%s' "$(jq '.latencies."99th" / 1e6' "$work/$veg.json")"
}
echo "bench: (b) fixed ${RATE} req/s, ${DURATION}s" >&2
fixed_rate ""
echo "bench: (b') the same, unpinned" >&2
PINNED=("${CLIENT[@]}")
CLIENT=()
fixed_rate _u

echo "bench: (c) stalling server at ${RATE} req/s, ${DURATION}s" >&2
echo "GET $STALL_URL" >"$work/stall.txt"
# stall_get PATH: an HTTP GET on the stall server, without curl.
stall_get() {
	exec 3<>"/dev/tcp/127.0.0.1/$STALL_PORT"
	printf 'GET %s HTTP/1.0\r\nHost: bench\r\n\r\n' "$1" >&3
	sed '1,/^\r$/d' <&3
	exec 3<&-
}
stall_get /__reset >/dev/null
timed hr_stall "$work/headroom" load --url "$STALL_URL" --shape "constant:rate=$RATE,for=${DURATION}s" --json --quiet
hr_p95=$(jq '.latency.p95 * 1000' "$work/hr_stall.out")
hr_p99=$(jq '.latency.p99 * 1000' "$work/hr_stall.out")
stall_get /__stats >"$work/hr_truth.json"
stall_get /__reset >/dev/null
timed veg_stall "$VEGETA" attack -targets="$work/stall.txt" -rate="$RATE" -duration="${DURATION}s" -output="$work/veg_stall.bin"
"$VEGETA" report -type=json "$work/veg_stall.bin" >"$work/veg_stall.json"
stall_get /__stats >"$work/veg_truth.json"
veg_p95=$(jq '.latencies."95th" / 1e6' "$work/veg_stall.json")
veg_p99=$(jq '.latencies."99th" / 1e6' "$work/veg_stall.json")

# --- table -----------------------------------------------------------------
row_max() { # name requests cpu
	local rps; rps=$(awk -v n="$2" -v d="$DURATION" 'BEGIN { print n / d }')
	local core; core=$(awk -v r="$rps" -v c="$3" -v d="$DURATION" 'BEGIN { if (c == 0) print 0; else print r / (c / d) }')
	printf "| %-32s | %9s | %10s | %18s | %8s |\n" "$1" "$(fmt0 "$rps")" "$(fmt1 "$(awk -v c="$3" -v n="$2" 'BEGIN { print c * 1e6 / n }')")" "$(fmt0 "$core")" "$(div "$core" "$veg_core")"
}
veg_core=$(awk -v n="$veg_max_n" -v c="$(cpu veg_max)" 'BEGIN { print (n / c) }')
echo
echo "(a) max throughput, ${DURATION}s, ${CONC} connections"
echo
echo "| client                           |     req/s | CPU ms/1k  | req/s per cli core | ×vegeta  |"
echo "|----------------------------------|-----------|------------|--------------------|----------|"
row_max "headroom --closed $CONC (closed)" "$hr_max_n" "$(cpu hr_max)"
row_max "wrk -t2 -c$CONC" "$wrk_max_n" "$(cpu wrk_max)"
row_max "hey -c $CONC" "$hey_max_n" "$(cpu hey_max)"
row_max "vegeta -rate=0 -max-workers=$CONC" "$veg_max_n" "$(cpu veg_max)"
echo
echo "(b) fixed $RATE req/s, ${DURATION}s; pinned (client core 1, server core 0), then with the client unpinned"
echo
echo "| client                     | achieved req/s | p99 ms | CPU ms/1k | ×vegeta CPU |"
echo "|----------------------------|----------------|--------|-----------|-------------|"
row_rate() { # name requests cpu p99 vegeta-ms/1k
	local k; k=$(awk -v c="$3" -v n="$2" 'BEGIN { print c * 1e6 / n }')
	printf "| %-26s | %14s | %6s | %9s | %11s |\n" "$1" "$(fmt1 "$(awk -v n="$2" -v d="$DURATION" 'BEGIN { print n / d }')")" \
		"$(fmt1 "$4")" "$(fmt1 "$k")" "$(div "$k" "$5")"
}
veg_k=$(awk -v c="$(cpu veg_rate)" -v n="$veg_rate_n" 'BEGIN { print c * 1e6 / n }')
veg_k_u=$(awk -v c="$(cpu veg_rate_u)" -v n="$veg_rate_u_n" 'BEGIN { print c * 1e6 / n }')
row_rate "headroom (open), pinned" "$hr_rate_n" "$(cpu hr_rate)" "$hr_rate_p99" "$veg_k"
row_rate "vegeta -rate=$RATE, pinned" "$veg_rate_n" "$(cpu veg_rate)" "$veg_rate_p99" "$veg_k"
row_rate "headroom (open), unpinned" "$hr_rate_u_n" "$(cpu hr_rate_u)" "$hr_rate_u_p99" "$veg_k_u"
row_rate "vegeta -rate=$RATE, unpinned" "$veg_rate_u_n" "$(cpu veg_rate_u)" "$veg_rate_u_p99" "$veg_k_u"
echo
echo "(c) 100ms stall every second, $RATE req/s, ${DURATION}s. Truth: ideally p95 ≈ 50 ms, p99 ≈ 90 ms;"
echo "    \"server\" is the stall server's own view of the same run (request read → response written)."
echo
echo "| client                    | p95 ms | p99 ms | ÷ 50/90 ideal | server p95/p99 ms | ÷ server  |"
echo "|---------------------------|--------|--------|---------------|-------------------|-----------|"
row_stall() { # name p95 p99 truth.json
	local s95 s99
	s95=$(jq '.p95' "$4")
	s99=$(jq '.p99' "$4")
	printf "| %-25s | %6s | %6s | %13s | %17s | %9s |\n" "$1" "$(fmt1 "$2")" "$(fmt1 "$3")" \
		"$(div "$2" 50) / $(div "$3" 90)" "$(fmt1 "$s95") / $(fmt1 "$s99")" "$(div "$2" "$s95") / $(div "$3" "$s99")"
}
row_stall "headroom (from due time)" "$hr_p95" "$hr_p99" "$work/hr_truth.json"
row_stall "vegeta -rate=$RATE" "$veg_p95" "$veg_p99" "$work/veg_truth.json"
echo
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), load average $load_start at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end; pinned: $([ ${#PINNED[@]} -gt 0 ] && echo "servers of (a) and (b) on core 0, clients of (a) and the first (b) on core 1" || echo no); (c) unpinned"
