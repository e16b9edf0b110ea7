#!/usr/bin/env bash
# Loads the public status page with wrk and prints requests per second beside
# nginx serving the very same bytes as a static file on this machine, so the
# figure reads as "how close to a static file server is the page cache".
#
# Usage: scripts/load-status-page.sh [seconds] [connections]
# Needs wrk and nginx (installed with apt-get if missing). Traffic goes only
# to 127.0.0.1; every run is bounded by the duration given.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
amends_port=18080
nginx_port=18081

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

# The same bytes, gzipped as Amends sends them, for nginx to serve.
mkdir -p "$work/www"
curl -fs "http://127.0.0.1:$amends_port/" -o "$work/www/index.html"
gzip -9 -k "$work/www/index.html"
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
run() {
	wrk -t2 -c"$conns" -d"${secs}s" -H 'Accept-Encoding: gzip' "$1" | awk -v name="$2" '
		/Requests\/sec/ {rps=$2}
		/Latency/ {lat=$2}
		END {printf "%-28s %12s req/s   avg latency %s\n", name, rps, lat}'
}
run "http://127.0.0.1:$amends_port/" "amends GET /"
run "http://127.0.0.1:$nginx_port/index.html" "nginx static, same bytes"
