#!/usr/bin/env bash
# Regenerates docs/screenshot-status.png and docs/screenshot-dashboard.png:
# builds amends, serves a fresh demo database as of 5 January 2013 (so the
# uptime bars show Christmas 2012), has a support user request December
# 2012's credits and a manager approve them (through the API), and
# photographs both pages in Chromium.
# Needs what README's test command needs (Go, gcc, node with
# scripts/node_modules, chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/amends" ./cmd/amends
port=${PORT:-18089}
"$tmp/amends" serve --demo --db "$tmp/amends.db" --addr "127.0.0.1:$port" \
  --as-of 2013-01-05T00:00:00Z >"$tmp/out" 2>"$tmp/log" &
pid=$!
for _ in $(seq 1 100); do
  grep -q '/setup?code=' "$tmp/out" 2>/dev/null && break
  sleep 0.1
done
link=$(grep -o 'http[^ ]*/setup?code=[^ ]*' "$tmp/out")
base="http://127.0.0.1:$port"
node scripts/screenshots.mjs "$base" "$link" docs status

# The first admin exists now; two more people run the month's credits.
db=(--db "$tmp/amends.db")
echo 'support passphrase for screenshots' | "$tmp/amends" user add "${db[@]}" --email support@example.com --name Support --role support
echo 'manager passphrase for screenshots' | "$tmp/amends" user add "${db[@]}" --email manager@example.com --name Manager --role manager
support=$("$tmp/amends" token create "${db[@]}" --user support@example.com --name screenshots | tail -n1)
manager=$("$tmp/amends" token create "${db[@]}" --user manager@example.com --name screenshots | tail -n1)
api() { curl -fsS -X POST -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "${3:-{\}}" "$base/api/v1$2"; }
run=$(api "$support" /credit-runs '{"month":"2012-12"}' | sed -n 's/^{"id":\([0-9]*\).*/\1/p')
api "$support" "/credit-runs/$run/request" >/dev/null
api "$manager" "/credit-runs/$run/approve" >/dev/null
echo "credit run $run issued"
node scripts/screenshots.mjs "$base" "$link" docs dashboard
