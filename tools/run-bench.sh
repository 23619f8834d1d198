#!/usr/bin/env bash
# Runs the benchmarks and regenerates docs/PERFORMANCE.md from what they print (tools/perf-report.py), so
# the document cannot drift from the programs. Every benchmark runs its probers side by side, interleaved,
# BENCH_REPS times with the order rotated; the report gives min and median.
#   tools/run-bench.sh [BUILD_DIR]
#   BENCH_SECONDS (60) per phase, BENCH_REPS (3), BENCH_ENDPOINTS (100,1000), BENCH_DOC (docs/PERFORMANCE.md),
#   BENCH_ONLY: a space-separated subset of engine-nginx engine polite gui charts storage storage-1000 history-1
#   history-1000 bodymemory hostile metrics fleet. A benchmark's output is kept in docs/bench-results/<name>.* (the
#   store, committed) and replaced only when that benchmark runs again, so a subset run regenerates the whole
#   page: its own sections from the new figures, the others from the store, each dated by its own run.
#   BENCH_PEER=0: engine-nginx without the peer (Prometheus + prometheus-blackbox-exporter, run when installed).
# Every benchmark's command line, start and end (UTC), the load average before and after and nproc go to
# runs.jsonl, and the page prints them next to the figures.
set -euo pipefail
build_dir=${1:-build}
seconds=${BENCH_SECONDS:-60}
reps=${BENCH_REPS:-3}
endpoints=${BENCH_ENDPOINTS:-100,1000}
doc=${BENCH_DOC:-docs/PERFORMANCE.md}
only=" ${BENCH_ONLY:-engine-nginx engine polite gui charts storage storage-1000 history-1 history-1000 bodymemory hostile metrics fleet} "
results=$build_dir/bench-results
store=${BENCH_STORE:-docs/bench-results}
rm -rf "$results"
mkdir -p "$results" "$store"
export QT_QPA_PLATFORM=offscreen
json=$results/results.jsonl
: >"$json"

# nginx on loopback, 32 ports (Qt opens at most 6 connections per host:port), a plain 200 for every path; its
# stub_status counts the requests it answered during each phase, the same way for every prober.
nginx_dir=$(mktemp -d)
nginx_pid=
stop_nginx() { [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$nginx_dir"; }
trap stop_nginx EXIT
urls=
if [[ $only == *" engine-nginx "* ]] && { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }; then
  listen=
  for port in $(seq 18480 18511); do
    listen+="    listen 127.0.0.1:$port;"$'\n'
    urls+="${urls:+,}http://127.0.0.1:$port"
  done
  cat >"$nginx_dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_body_temp_path $nginx_dir;
  proxy_temp_path $nginx_dir;
  fastcgi_temp_path $nginx_dir;
  uwsgi_temp_path $nginx_dir;
  scgi_temp_path $nginx_dir;
  server {
$listen    location / { default_type text/plain; return 200 "ok\n"; }
    location = /nginx_status { stub_status; }
  }
}
CONF
  "$(command -v nginx || echo /usr/sbin/nginx)" -p "$nginx_dir" -c "$nginx_dir/nginx.conf" &
  nginx_pid=$!
  sleep 1
  kill -0 "$nginx_pid" 2>/dev/null || { echo "nginx did not start; using the simulator" >&2; urls=; nginx_pid=; }
fi

runs=$results/runs.jsonl
: >"$runs"
run() {
  local name=$1
  shift
  [[ $only == *" $name "* ]] || return 0
  echo "== $name: $*"
  local start load_before
  start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  "$@" | tee "$results/$name.txt"
  /usr/bin/python3 -c 'import json, sys; print(json.dumps(dict(zip(
      ["name", "start", "end", "loadBefore", "loadAfter", "nproc", "settings", "command"],
      sys.argv[1:8] + [sys.argv[8:]]))))' \
    "$name" "$start" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)" \
    "BENCH_SECONDS=$seconds BENCH_REPS=$reps BENCH_ENDPOINTS=$endpoints${BENCH_PEER:+ BENCH_PEER=$BENCH_PEER}" \
    "$@" >>"$runs"
  # Into the store: this benchmark's records, output and run, replacing the previous run of the same name.
  tail -n 1 "$runs" >"$store/$name.run.json"
  mv "$json" "$store/$name.jsonl"
  : >"$json"
  cp "$results/$name.txt" "$store/$name.txt"
}

bench=$build_dir/tests/bench
# The peer (Prometheus + prometheus-blackbox-exporter on the same URLs) runs in the same interleaved run as the
# engine, the bare loop and the curl floor, when both are installed (BENCH_PEER=0 leaves it out).
peer=
if [ "${BENCH_PEER:-1}" != 0 ] && command -v prometheus >/dev/null && command -v prometheus-blackbox-exporter >/dev/null; then
  peer=--peer
elif [ "${BENCH_PEER:-1}" != 0 ]; then
  echo "prometheus or prometheus-blackbox-exporter missing (make deps-bench): the peer is not measured" >&2
fi
if [ -n "$urls" ]; then
  run engine-nginx "$bench/bench_engine" --seconds "$seconds" --reps "$reps" --endpoints "$endpoints" --over-cap \
    $peer --urls "$urls" --server-status http://127.0.0.1:18480/nginx_status --json "$json"
fi
run engine "$bench/bench_engine" --seconds "$seconds" --reps "$reps" --endpoints "$endpoints" --no-curl --json "$json"
run polite "$bench/bench_engine" --polite --seconds "$seconds" --reps "$reps" --json "$json"
run gui "$bench/bench_gui" --seconds "$seconds" --reps "$reps" --json "$json"
run charts "$bench/bench_charts"
# Raw sample storage: schema 1 and schema 2 side by side, 7 days of one endpoint at 1 s (issue 12.5).
run storage "$bench/bench_storage" --days 7 --endpoints 1 --reps "$reps" --json "$json"
# ... and 1,000 endpoints every 2 min (1,000 blocks growing side by side; a rollup row per probe).
run storage-1000 "$bench/bench_storage" --days 1 --endpoints 1000 --interval 120 --reps "$reps" --json "$json"
# 7 days of one endpoint (the single-endpoint path), and 1,000 endpoints (the export's merge path).
run history-1 "$build_dir/tests/history/bench_history" --days 7 --endpoints 1 --interval 1 --reps "$reps" --json "$json"
run history-1000 "$build_dir/tests/history/bench_history" --days 1 --endpoints 1000 --interval 120 --reps "$reps" \
  --json "$json"
# Issue 11's bounds: the body cap's memory, a hostile neighbour, and the /metrics scrape (their own tables).
run bodymemory "$bench/bench_bodymemory" --runs "$reps" --cap-mib 64
run hostile "$bench/bench_hostile" --seconds 10 --shards 1,4 --reps "$reps"
run metrics "$bench/bench_metrics" --seconds 90 --endpoints 1000 --interval 30 --render-every 1 --reps "$reps"
# The dashboard as the fleet's window (issue 15.3): 1,000 endpoints x 3 locations read back from a real Prometheus.
if command -v prometheus >/dev/null; then
  run fleet "$bench/bench_fleet" --endpoints 1000 --locations 3 --polls 7
elif [[ $only == *" fleet "* ]]; then
  echo "prometheus missing (make deps-bench): bench_fleet is not measured" >&2
fi

/usr/bin/python3 tools/perf-report.py "$store" >"$doc.new"
mv "$doc.new" "$doc"
echo "== $doc regenerated from $store"
if [ -n "${BENCH_ONLY:-}" ]; then
  echo "== only $BENCH_ONLY measured now: the other sections keep their figures from the store, with their dates"
fi
