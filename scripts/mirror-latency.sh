#!/usr/bin/env bash
# Measures how soon a change shows in the static mirror that
# `amends serve --export-dir` keeps: it declares incidents through the API
# and times, for each, the moment the mirror's index.html names it.
#
# Usage: scripts/mirror-latency.sh [incidents]
# Needs curl. Traffic goes only to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
port=$((18000 + RANDOM % 2000))

work=$(mktemp -d)
cleanup() {
	[ -n "${amends_pid:-}" ] && kill "$amends_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/amends" ./cmd/amends
db="$work/amends.db"
echo "a long enough password" | "$work/amends" user add --db "$db" --email ops@example.com --name Ops --role admin >/dev/null
token=$("$work/amends" token create --db "$db" --user ops@example.com --name latency)
"$work/amends" serve --demo --db "$db" --addr "127.0.0.1:$port" --export-dir "$work/site" >"$work/amends.out" 2>"$work/amends.log" &
amends_pid=$!
for _ in $(seq 1 200); do
	[ -f "$work/site/index.html" ] && break
	sleep 0.05
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }
total=0
worst=0
for i in $(seq 1 "$n"); do
	title="Latency probe $i $RANDOM"
	start=$(now_ms)
	curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		-d "{\"title\":\"$title\",\"message\":\"Investigating.\",\"components\":[{\"component\":\"elb-us-east-1\",\"status\":\"degraded_performance\",\"affected_percent\":1}]}" \
		"http://127.0.0.1:$port/api/v1/incidents"
	posted=$(now_ms)
	until grep -qF "$title" "$work/site/index.html" 2>/dev/null; do
		sleep 0.005
		if [ $(($(now_ms) - start)) -gt 30000 ]; then
			echo "incident $i never showed in the mirror" >&2
			exit 1
		fi
	done
	took=$(($(now_ms) - start))
	echo "incident $i: in the mirror after ${took} ms (the API answered after $((posted - start)) ms)"
	total=$((total + took))
	[ "$took" -gt "$worst" ] && worst=$took
	sleep 0.3
done
files=$(find -L "$work/site" -type f ! -name '*.gz' | wc -l)
echo "mean $((total / n)) ms, worst ${worst} ms, over $n incidents; the mirror holds $files files"
