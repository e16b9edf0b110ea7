#!/usr/bin/env bash
# Declares incidents through the JSON API while wrk loads the status page,
# and prints how long each took to be answered and to show on /, as a
# reader polling the page would see it.
#
# Usage: scripts/declare-under-load.sh [incidents] [connections]
# (defaults 5 and 64). Port: the environment's AMENDS_PORT, or 18082.
# Needs wrk (installed with apt-get if missing). Traffic goes only to
# 127.0.0.1; each wait for the page is bounded (2,000 polls).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5}
conns=${2:-64}
port=${AMENDS_PORT:-18082}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

work=$(mktemp -d)
cleanup() {
	[ -n "${wrk_pid:-}" ] && kill "$wrk_pid" 2>/dev/null || true
	[ -n "${amends_pid:-}" ] && kill "$amends_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/amends" ./cmd/amends
"$work/amends" serve --demo --db "$work/amends.db" --addr "127.0.0.1:$port" >"$work/amends.out" 2>"$work/amends.log" &
amends_pid=$!
for _ in $(seq 1 100); do
	curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
echo 'correct horse battery staple' | "$work/amends" user add --db "$work/amends.db" --email load@example.com --name Load --role admin >/dev/null
token=$("$work/amends" token create --db "$work/amends.db" --user load@example.com --name load | grep -o 'amd_[A-Za-z0-9_-]*' | head -1)

secs=$((count * 2 + 4))
wrk -t2 -c"$conns" -d"${secs}s" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/" >"$work/wrk.out" &
wrk_pid=$!
sleep 2
echo "wrk -t2 -c$conns on / meanwhile; seconds from sending the declaration:"
for i in $(seq 1 "$count"); do
	title="Elevated errors $i-$RANDOM"
	t0=$(date +%s.%N)
	code=$(curl -s -o "$work/resp" -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		-d "{\"title\":\"$title\",\"message\":\"Investigating.\",\"components\":[{\"component\":\"ec2-us-east-1a\",\"status\":\"partial_outage\"}]}" \
		"http://127.0.0.1:$port/api/v1/incidents")
	t1=$(date +%s.%N)
	if [ "$code" != 201 ]; then
		echo "declaration $i: HTTP $code: $(cat "$work/resp")"
		exit 1
	fi
	polls=0
	# Into a file: grep -q leaving a pipe early would fail curl, and so
	# the poll, under pipefail.
	until curl -s -o "$work/page" "http://127.0.0.1:$port/" && grep -qF "$title" "$work/page"; do
		polls=$((polls + 1))
		[ $polls -lt 2000 ] || { echo "declaration $i: not on / after 2000 polls"; exit 1; }
	done
	t2=$(date +%s.%N)
	awk -v i="$i" -v a="$t0" -v b="$t1" -v c="$t2" -v p="$polls" 'BEGIN {printf "declaration %d: answered 201 after %.3f, on / after %.3f (%d polls before)\n", i, b - a, c - a, p}'
	sleep 1
done
wait "$wrk_pid" || true
wrk_pid=
grep 'Requests/sec' "$work/wrk.out"
