#!/usr/bin/env bash
# Loads the public status page with wrk and prints requests per second beside
# nginx serving the very same bytes as a static file on this machine, so the
# figure reads as "how close to a static file server is the page cache".
#
# Usage: scripts/load-status-page.sh [seconds] [connections] [runs]
# It loads Amends and nginx alternately, runs times each (default 5), and
# prints each run, then the medians of requests per second, of p99
# latency and of the server's CPU time per request for both, and Amends'
# rate as a share of nginx's. Ports: the
# environment's AMENDS_PORT and NGINX_PORT, or 18080 and 18081.
# Needs wrk and nginx (installed with apt-get if missing). Traffic goes only
# to 127.0.0.1; every run is bounded by the duration given.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
runs=${3:-5}
amends_port=${AMENDS_PORT:-18080}
nginx_port=${NGINX_PORT:-18081}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
cleanup() {
	[ -n "${amends_pid:-}" ] && kill "$amends_pid" 2>/dev/null || true
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/amends" ./cmd/amends
"$work/amends" serve --demo --db "$work/amends.db" --addr "127.0.0.1:$amends_port" >"$work/amends.out" 2>"$work/amends.log" &
amends_pid=$!
for _ in $(seq 1 100); do
	curl -fs "http://127.0.0.1:$amends_port/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done

# The same bytes, and the very gzip bytes Amends sends, for nginx to serve.
mkdir -p "$work/www"
curl -fs "http://127.0.0.1:$amends_port/" -o "$work/www/index.html"
curl -fs -H "Accept-Encoding: gzip" "http://127.0.0.1:$amends_port/" -o "$work/www/index.html.gz"
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
	access_log off;
	gzip_static on;
	client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
	uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
	server { listen 127.0.0.1:$nginx_port; root $work/www; default_type text/html; }
}
CONF
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf"
sleep 0.3

bytes=$(wc -c <"$work/www/index.html")
echo "status page: $bytes bytes ($(wc -c <"$work/www/index.html.gz") gzipped); wrk -t2 -c$conns -d${secs}s, gzip accepted"
# cpu PID... prints the CPU time of the processes so far, in clock ticks.
cpu() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
ticks=$(getconf CLK_TCK)
# run URL NAME PID... prints one line: NAME, requests per second, p99
# latency in ms, and the server's CPU microseconds per request (its
# processes' CPU time over the run, divided by the requests answered),
# which depends less than the rate on what else the machine is doing.
run() {
	local url=$1 name=$2 before after
	shift 2
	before=$(cpu "$@")
	wrk -t2 -c"$conns" -d"${secs}s" --latency -H 'Accept-Encoding: gzip' "$url" >"$work/wrk.out"
	after=$(cpu "$@")
	awk -v name="$name" -v cpu=$((after - before)) -v ticks="$ticks" '
		function ms(v) {
			if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
			if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
			if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
			return v
		}
		/requests in/ {n=$1}
		/Requests\/sec/ {rps=$2}
		$1 == "99%" {p99=ms($2)}
		END {printf "%s %.2f %.2f %.1f\n", name, rps, p99, cpu * 1e6 / ticks / n}' "$work/wrk.out"
}
median() { sort -g | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2] + v[NR/2+1]) / 2}'; }

: >"$work/runs"
for i in $(seq 1 "$runs"); do
	run "http://127.0.0.1:$amends_port/" amends "$amends_pid" | tee -a "$work/runs"
	run "http://127.0.0.1:$nginx_port/index.html" nginx $(pgrep -P "$(cat "$work/nginx.pid")") | tee -a "$work/runs"
done
a_rps=$(awk '$1 == "amends" {print $2}' "$work/runs" | median)
n_rps=$(awk '$1 == "nginx" {print $2}' "$work/runs" | median)
a_p99=$(awk '$1 == "amends" {print $3}' "$work/runs" | median)
n_p99=$(awk '$1 == "nginx" {print $3}' "$work/runs" | median)
a_cpu=$(awk '$1 == "amends" {print $4}' "$work/runs" | median)
n_cpu=$(awk '$1 == "nginx" {print $4}' "$work/runs" | median)
echo "medians of $runs alternating runs each:"
printf "%-28s %12s req/s   p99 %s ms   CPU %s us/request\n" "amends GET /" "$a_rps" "$a_p99" "$a_cpu"
printf "%-28s %12s req/s   p99 %s ms   CPU %s us/request\n" "nginx static, same bytes" "$n_rps" "$n_p99" "$n_cpu"
awk -v a="$a_rps" -v n="$n_rps" 'BEGIN {printf "amends / nginx: %.2f\n", a / n}'
