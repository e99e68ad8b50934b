#!/usr/bin/env bash
# `make bench`: llmgate against a plain nginx reverse proxy, side by side in one run.
#
#   bench/run.sh [path/to/llmgate]      (default: builds and uses build/release/llmgate)
#
# Starts, all on loopback:
#   - the upstream stand-in: nginx answering POST /v1/chat/completions with a fixed
#     chat.completion (or, when the request accepts text/event-stream, a fixed SSE body),
#     and /slow/v1/chat/completions with the SSE body trickled at BENCH_SLOW_RATE bytes/s;
#   - the floor: a second nginx doing a bare proxy_pass to the stand-in (keep-alive pool);
#   - llmgate with default settings on a SQLite database in the output folder, a model
#     priced and granted to the default group, and a user key with a large monthly quota:
#     auth, grants, billing and chat records are all on.
# Then runs the phases in BENCH_PHASES (throughput, sequential, memory, growth; profile on
# request: llmgate and the nginx floor under callgrind) and writes results.jsonl and
# report.md into BENCH_OUT. Timings are reported, never asserted.
#
# Settings (environment):
#   BENCH_DURATION=10        seconds per wrk run
#   BENCH_REPEATS=3          runs per scenario (the report takes the median)
#   BENCH_SEQUENTIAL_REQUESTS=3000  requests per one-at-a-time run (latency.js)
#   BENCH_OPEN_STREAMS=1000  streams held open for the memory phase
#   BENCH_SLOW_RATE=40       bytes/s of the slow SSE upstream
#   BENCH_GROWTH_KEYS=10000 BENCH_GROWTH_THREADS=1000000
#   BENCH_PHASES=throughput,sequential,memory,growth   (also: profile and perf, not in the
#                            default: callgrind instruction counts; perf CPU shares by thread
#                            and library under load, kernel included)
#   BENCH_NORMAL=1           also measure "llmgate-normal", a second gateway with
#                            LLMGATE_SQLITE_SYNCHRONOUS=normal (commits wait for the OS, not
#                            the disk): the share of fsync in the added latency. 0 leaves it out.
#   BENCH_PROFILE_REQUESTS=2000  requests per mode under callgrind (profile phase)
#   BENCH_MAX_LOAD=          if set (e.g. 0.5): first wait, polling every 30 s for up to
#                            BENCH_LOAD_WAIT=1200 s, until the 1-minute load is below it
#   BENCH_OUT=/tmp/llmgate-bench-<time>   BENCH_PORT_BASE=18900   BENCH_SKIP_DEPS=1
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")

binary=${1:-}
duration=${BENCH_DURATION:-10}
repeats=${BENCH_REPEATS:-3}
sequential_requests=${BENCH_SEQUENTIAL_REQUESTS:-3000}
open_streams=${BENCH_OPEN_STREAMS:-1000}
slow_rate=${BENCH_SLOW_RATE:-40}
growth_keys=${BENCH_GROWTH_KEYS:-10000}
growth_threads=${BENCH_GROWTH_THREADS:-1000000}
phases=${BENCH_PHASES:-throughput,sequential,memory,growth}
normal=${BENCH_NORMAL:-1}
profile_requests=${BENCH_PROFILE_REQUESTS:-2000}
max_load=${BENCH_MAX_LOAD:-}
load_wait=${BENCH_LOAD_WAIT:-1200}
out=${BENCH_OUT:-${TMPDIR:-/tmp}/llmgate-bench-$(date +%Y%m%d-%H%M%S)}
port_base=${BENCH_PORT_BASE:-18900}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
has_phase() { [[ ",$phases," == *",$1,"* ]]; }

# --- dependencies and the binary ---------------------------------------------------------
[[ -n ${BENCH_SKIP_DEPS:-} ]] || "$root/scripts/install-bench-deps.sh"
if [[ -z $binary ]]; then
  log "building the release binary"
  (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release -j 2 --target llmgate llmgate_sqlite_search)
  binary=$root/build/release/llmgate
fi
binary=$(realpath "$binary")
[[ -x $binary ]] || { echo "bench: no executable at $binary" >&2; exit 1; }
# The search index's tokenizer for the sqlite3 shell that fills the grown database: beside the
# binary (a build directory), else built in build/release.
search_extension=$(dirname "$binary")/libllmgate_sqlite_search.so
if [[ ! -f $search_extension ]]; then
  (cd "$root" && cmake --preset release >/dev/null &&
    cmake --build --preset release -j 2 --target llmgate_sqlite_search)
  search_extension=$root/build/release/libllmgate_sqlite_search.so
fi
for tool in nginx wrk node curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

mkdir -p "$out/tmp"
results=$out/results.jsonl
: >"$results"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

# --- process bookkeeping: only what this script started is stopped ------------------------
started_pids=()
cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
wait_http() {  # url [seconds]
  local deadline=$((SECONDS + ${2:-30}))
  until curl -s -o /dev/null "$1"; do
    ((SECONDS < deadline)) || { echo "bench: $1 did not come up" >&2; exit 1; }
    sleep 0.1
  done
}
json_get() {  # path.into.json < json
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);
    for(const k of process.argv[1].split("."))v=v[k];console.log(typeof v==="object"?JSON.stringify(v):v)})' "$1"
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
load1() { cut -d' ' -f1 /proc/loadavg; }
record() { echo "$1" >>"$results"; }

# --- wait for a quiet machine -------------------------------------------------------------
if [[ -n $max_load ]]; then
  waited=0
  while awk -v l="$(load1)" -v m="$max_load" 'BEGIN {exit !(l >= m)}'; do
    if ((waited >= load_wait)); then log "load still $(load1) after ${waited}s; going on"; break; fi
    log "load $(load1) >= $max_load; waiting"
    sleep 30
    waited=$((waited + 30))
  done
fi
record "$(node -e 'const os=require("os");console.log(JSON.stringify({phase:"machine",
  nproc:os.cpus().length,cpu:os.cpus()[0].model,mem_mib:Math.round(os.totalmem()/1048576),
  kernel:os.release(),loadavg:require("fs").readFileSync("/proc/loadavg","utf8").trim(),
  nginx:process.argv[1],wrk:process.argv[2],llmgate:process.argv[3],date:new Date().toISOString(),
  duration_s:+process.argv[4],repeats:+process.argv[5]}))' \
  "$(nginx -v 2>&1 | sed 's/.*: //')" "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)" \
  "$("$binary" version 2>&1 | head -1)" "$duration" "$repeats")"

# --- the upstream stand-in and the floor --------------------------------------------------
standin_port=$(free_port "$port_base")
floor_port=$(free_port $((standin_port + 1)))
gateway_port=$(free_port $((floor_port + 1)))
growth_port=$(free_port $((gateway_port + 1)))
normal_port=$(free_port $((growth_port + 1)))
profile_port=$(free_port $((normal_port + 1)))

nginx_string() {  # file -> the file's bytes as a single-quoted nginx string
  local text
  text=$(cat "$1"; printf x)
  text=${text%x}
  text=${text//\\/\\\\}
  text=${text//\'/\\\'}
  printf "'%s'" "$text"
}
nginx_common() {  # name
  cat <<EOF
worker_processes auto;
worker_rlimit_nofile 65536;
daemon off;
pid $out/$1.pid;
error_log $out/$1-error.log warn;
events { worker_connections 16384; }
EOF
}
nginx_http_common() {  # name
  cat <<EOF
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_temp_path $out/tmp/$1-body;
  proxy_temp_path $out/tmp/$1-proxy;
  fastcgi_temp_path $out/tmp/$1-fastcgi;
  uwsgi_temp_path $out/tmp/$1-uwsgi;
  scgi_temp_path $out/tmp/$1-scgi;
EOF
}

{
  nginx_common standin
  echo "http {"
  nginx_http_common standin
  cat <<EOF
  server {
    listen 127.0.0.1:$standin_port;
    location = /v1/chat/completions {
      if (\$http_accept ~* "event-stream") { rewrite ^ /internal/stream last; }
      default_type application/json;
      return 200 $(nginx_string "$bench_dir/fixtures/completion.json");
    }
    location = /internal/stream {
      internal;
      default_type text/event-stream;
      return 200 $(nginx_string "$bench_dir/fixtures/stream.sse");
    }
    location = /slow/v1/chat/completions {
      default_type text/event-stream;
      limit_rate $slow_rate;
      return 200 $(nginx_string "$bench_dir/fixtures/stream.sse");
    }
  }
}
EOF
} >"$out/standin.conf"

{
  nginx_common floor
  echo "http {"
  nginx_http_common floor
  cat <<EOF
  upstream standin {
    server 127.0.0.1:$standin_port;
    keepalive 128;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
  }
  server {
    listen 127.0.0.1:$floor_port;
    location / {
      proxy_pass http://standin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
} >"$out/floor.conf"

declare -A pid_of  # target -> the process whose CPU time (its threads and children) it costs
for name in standin floor; do
  nginx -t -q -p "$out" -c "$out/$name.conf" -e "$out/$name-error.log"
  nginx -p "$out" -c "$out/$name.conf" -e "$out/$name-error.log" &
  started_pids+=($!)
  pid_of[$name]=$!
done
pid_of[direct]=${pid_of[standin]}
pid_of[nginx]=${pid_of[floor]}

# CPU time in clock ticks (user + system, all threads) of a process and its children.
cpu_ticks() {  # pid
  local total=0 pid ticks
  for pid in "$1" $(pgrep -P "$1" || true); do
    ticks=$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo "$total"
}
clock_tick=$(getconf CLK_TCK)
wait_http "http://127.0.0.1:$standin_port/"
wait_http "http://127.0.0.1:$floor_port/"

# --- llmgate ------------------------------------------------------------------------------
admin_key=$(node -e 'const c="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let s="br-";for(let i=0;i<32;i++)s+=c[require("crypto").randomInt(62)];console.log(s)')

start_gateway() {  # port database-file log [command prefix...] -> sets started_pid
  local port=$1 database=$2 log_file=$3
  shift 3
  LLMGATE_ADMIN_KEY=$admin_key LLMGATE_LISTEN=127.0.0.1:$port LLMGATE_DATABASE=sqlite://$database \
    "$@" "$binary" serve >>"$log_file" 2>&1 &
  started_pid=$!
  started_pids+=("$started_pid")
  wait_http "http://127.0.0.1:$port/readyz" 600
}
stop_gateway() {  # pid
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
admin() {  # port path json
  curl -sS --fail-with-body -H "Authorization: Bearer $admin_key" \
    -H 'Content-Type: application/json' -d "$3" "http://127.0.0.1:$1$2"
}
configure_gateway() {  # port -> prints the bench key
  admin "$1" /admin/model/save '{"name":"bench-model","provider":"openai-compatible","group_id":1,
    "config":{"baseUrl":"http://127.0.0.1:'"$standin_port"'/v1","apiKey":"sk-bench-upstream"},
    "price_in":0.15,"price_out":0.6}' >/dev/null
  admin "$1" /admin/model/save '{"name":"bench-slow","provider":"openai-compatible","group_id":1,
    "config":{"baseUrl":"http://127.0.0.1:'"$standin_port"'/slow/v1","apiKey":"sk-bench-upstream"},
    "price_in":0.15,"price_out":0.6}' >/dev/null
  admin "$1" /admin/api-key/apply '{"name":"bench","group_id":1,"month_quota":100000000}' |
    json_get data.api_key
}

start_gateway "$gateway_port" "$out/llmgate.db" "$out/llmgate.log"
gateway_pid=$started_pid
pid_of[llmgate]=$gateway_pid
declare -A key_of
key_of[llmgate]=$(configure_gateway "$gateway_port")
gateway_targets=(llmgate)
if [[ $normal == 1 ]]; then
  start_gateway "$normal_port" "$out/normal.db" "$out/llmgate-normal.log" \
    env LLMGATE_SQLITE_SYNCHRONOUS=normal
  normal_pid=$started_pid
  pid_of[llmgate-normal]=$normal_pid
  key_of[llmgate-normal]=$(configure_gateway "$normal_port")
  gateway_targets+=(llmgate-normal)
fi
sleep 1
record "{\"phase\":\"memory\",\"what\":\"idle_after_start\",\"rss_kib\":$(rss_kib "$gateway_pid")}"
log "stand-in :$standin_port, nginx floor :$floor_port, llmgate :$gateway_port (pid $gateway_pid); output in $out"

target_port() {
  case $1 in
    direct) echo "$standin_port" ;;
    nginx) echo "$floor_port" ;;
    llmgate) echo "$gateway_port" ;;
    llmgate-empty) echo "$gateway_port" ;;
    llmgate-grown) echo "$growth_port" ;;
    llmgate-normal) echo "$normal_port" ;;
  esac
}
target_key() { [[ $1 == llmgate* ]] && echo "${key_of[$1]}" || true; }

# Each target must answer the fixed body before anything is measured.
check_target() {  # port mode key expected-substring
  local accept=application/json answer
  [[ $2 == stream ]] && accept=text/event-stream
  answer=$(curl -sS --fail-with-body -H 'Content-Type: application/json' -H "Accept: $accept" \
    ${3:+-H "Authorization: Bearer $3"} --data-binary "@$bench_dir/fixtures/request-$2.json" \
    "http://127.0.0.1:$1/v1/chat/completions")
  [[ $answer == *"$4"* ]] || { echo "bench: unexpected answer from :$1 ($2): $answer" >&2; exit 1; }
}
for port in "$standin_port" "$floor_port"; do
  check_target "$port" json "" '"usage"'
  check_target "$port" stream "" 'data: [DONE]'
done
for target in "${gateway_targets[@]}"; do
  check_target "$(target_port "$target")" json "${key_of[$target]}" '"model":"bench-model"'
  check_target "$(target_port "$target")" stream "${key_of[$target]}" 'data: [DONE]'
done

run_wrk() {  # phase target mode connections repeat [seconds]
  local phase=$1 target=$2 mode=$3 conns=$4 rep=$5 seconds=${6:-$duration}
  local threads=2 accept="" raw line
  ((conns > 1)) || threads=1
  [[ $mode == stream ]] && accept=text/event-stream
  raw=$out/wrk-$phase-$target-$mode-c$conns-r$rep.txt
  local pid=${pid_of[$target]:-} cpu_before=0 cpu=null
  [[ -z $pid ]] || cpu_before=$(cpu_ticks "$pid")
  BENCH_BODY_FILE=$bench_dir/fixtures/request-$mode.json BENCH_KEY=$(target_key "$target") \
    BENCH_ACCEPT=$accept wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency \
    -s "$bench_dir/lib/chat.lua" "http://127.0.0.1:$(target_port "$target")/v1/chat/completions" \
    >"$raw" 2>&1 || true
  line=$(sed -n 's/^BENCHJSON //p' "$raw")
  [[ -n $line ]] || { echo "bench: wrk failed, see $raw" >&2; cat "$raw" >&2; exit 1; }
  [[ $phase == warmup ]] && return 0
  # CPU microseconds the target spent per request (kernel time included): unlike req/s,
  # this hardly depends on what else the machine is doing.
  [[ -z $pid ]] || cpu=$(node -e 'const [t0,t1,hz,line]=process.argv.slice(1);
    const n=JSON.parse(line).requests;console.log(n>0?((t1-t0)*1e6/hz/n).toFixed(1):"null")' \
    "$cpu_before" "$(cpu_ticks "$pid")" "$clock_tick" "$line")
  record "{\"phase\":\"$phase\",\"target\":\"$target\",\"mode\":\"$mode\",\"conns\":$conns,\"rep\":$rep,\"load\":$(load1),\"cpu_us_per_request\":$cpu,\"result\":$line}"
  log "$phase $target $mode c$conns #$rep: $(node -e 'const r=JSON.parse(process.argv[1]);
    const e=r.errors;console.log(`${r.rps.toFixed(0)} req/s, p50 ${r.p50_us} us, p99 ${r.p99_us} us`+
    (e.connect+e.read+e.write+e.status+e.timeout?`, errors ${JSON.stringify(e)}`:""))' "$line")"
}

# --- throughput and latency ---------------------------------------------------------------
if has_phase throughput; then
  log "warm-up"
  for target in direct nginx "${gateway_targets[@]}"; do
    for mode in json stream; do run_wrk warmup "$target" "$mode" 64 0 2; done
  done
  for rep in $(seq 1 "$repeats"); do
    for mode in json stream; do
      for conns in 1 64; do
        for target in direct nginx "${gateway_targets[@]}"; do
          run_wrk throughput "$target" "$mode" "$conns" "$rep"
        done
      done
    done
  done
fi

# --- one request at a time: wrk's percentiles cross-checked, and the stream's first event --
if has_phase sequential; then
  for rep in $(seq 1 "$repeats"); do
    for mode in json stream; do
      for target in direct nginx "${gateway_targets[@]}"; do
        line=$(node "$bench_dir/lib/latency.js" "$(target_port "$target")" /v1/chat/completions \
          "$bench_dir/fixtures/request-$mode.json" "$sequential_requests" "$(target_key "$target")")
        record "{\"phase\":\"sequential\",\"target\":\"$target\",\"mode\":\"$mode\",\"rep\":$rep,\"load\":$(load1),\"result\":$line}"
        log "sequential $target $mode #$rep: $line"
      done
    done
  done
fi

# --- memory -------------------------------------------------------------------------------
if has_phase memory; then
  sleep 2
  record "{\"phase\":\"memory\",\"what\":\"idle_after_load\",\"rss_kib\":$(rss_kib "$gateway_pid"),\"hwm_kib\":$(hwm_kib "$gateway_pid")}"
  log "opening $open_streams slow streams"
  line=$(node "$bench_dir/lib/open-streams.js" "$gateway_port" "${key_of[llmgate]}" bench-slow \
    "$open_streams" "$gateway_pid")
  record "{\"phase\":\"memory\",\"what\":\"open_streams\",\"result\":$line}"
  log "open streams: $line"
  sleep 3
  record "{\"phase\":\"memory\",\"what\":\"after_streams\",\"rss_kib\":$(rss_kib "$gateway_pid"),\"hwm_kib\":$(hwm_kib "$gateway_pid")}"
fi

# --- perf: where the CPU goes under load, kernel included (not in the default phases) ----
# perf samples every thread of the gateway during a 64-connection run; callgrind (profile)
# counts user-space instructions only and misses system calls, packets and wake-ups.
if has_phase perf; then
  command -v perf >/dev/null || { echo "bench: perf is missing (Debian: linux-perf)" >&2; exit 1; }
  for mode in json stream; do
    BENCH_BODY_FILE=$bench_dir/fixtures/request-$mode.json BENCH_KEY=${key_of[llmgate]} \
      BENCH_ACCEPT=$([[ $mode == stream ]] && echo text/event-stream || true) \
      wrk -t2 -c64 -d8s -s "$bench_dir/lib/chat.lua" \
      "http://127.0.0.1:$gateway_port/v1/chat/completions" >"$out/wrk-perf-$mode.txt" 2>&1 &
    wrk_pid=$!
    sleep 1
    perf record -q -F 999 -g -p "$gateway_pid" -o "$out/perf-$mode.data" -- sleep 5 \
      >"$out/perf-$mode-record.log" 2>&1
    wait "$wrk_pid" || true
    # "share|thread|library" per line, e.g. "29.46%|llmgate-io0|[kernel.kallsyms]".
    perf report -i "$out/perf-$mode.data" --no-children --sort comm,dso -g none -t '|' \
      2>/dev/null | grep -v '^#' | grep '|' >"$out/perf-$mode.txt" || true
    record "$(node -e 'const [mode, file] = process.argv.slice(1);
      const rows = require("fs").readFileSync(file, "utf8").trim().split("\n").filter(Boolean)
        .map((l) => { const [share, thread, library] = l.split("|").map((x) => x.trim());
          return { share: parseFloat(share), thread, library }; });
      console.log(JSON.stringify({ phase: "perf", mode, rows }));' "$mode" "$out/perf-$mode.txt")"
    log "perf $mode: see $out/perf-$mode.txt"
  done
fi

# --- growth: 10,000 keys and 1,000,000 threads ---------------------------------------------
median_ms() {  # url-path port -> median of 7 timings of GET, milliseconds
  local i times=()
  for i in 1 2 3 4 5 6 7; do
    times+=("$(curl -sS -o /dev/null --fail -w '%{time_total}' -H "Authorization: Bearer $admin_key" \
      "http://127.0.0.1:$2$1")")
  done
  printf '%s\n' "${times[@]}" | sort -g | sed -n 4p | awk '{printf "%.2f", $1 * 1000}'
}
if has_phase growth; then
  # A fresh empty gateway and a grown one, measured alternately with the same key settings.
  stop_gateway "$gateway_pid"
  [[ -z ${normal_pid:-} ]] || stop_gateway "$normal_pid"
  start_gateway "$gateway_port" "$out/empty.db" "$out/llmgate-empty.log"
  gateway_pid=$started_pid
  pid_of[llmgate-empty]=$gateway_pid
  key_of[llmgate-empty]=$(configure_gateway "$gateway_port")

  start_gateway "$growth_port" "$out/grown.db" "$out/llmgate-grown.log"
  grown_pid=$started_pid
  key_of[llmgate-grown]=$(configure_gateway "$growth_port")
  stop_gateway "$grown_pid"
  log "filling grown.db to $growth_keys keys and $growth_threads threads"
  seed_started=$(date +%s.%N)
  sed -e "s/@KEYS@/$growth_keys/g" -e "s/@THREADS@/$growth_threads/g" \
    -e "s/@THREADS_PER_SESSION@/10/g" "$bench_dir/lib/growth.sql" |
    sqlite3 -bail -cmd ".load ${search_extension%.so}" "$out/grown.db" >"$out/growth-seed.txt"
  seed_seconds=$(awk -v s="$seed_started" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
  log "filled in ${seed_seconds}s: $(tr '\n' ' ' <"$out/growth-seed.txt")"
  restart_started=$(date +%s.%N)
  start_gateway "$growth_port" "$out/grown.db" "$out/llmgate-grown.log"
  grown_pid=$started_pid
  pid_of[llmgate-grown]=$grown_pid
  restart_seconds=$(awk -v s="$restart_started" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}')
  sleep 1
  record "{\"phase\":\"growth\",\"what\":\"setup\",\"keys\":$(sqlite3 "$out/grown.db" 'SELECT COUNT(*) FROM api_keys'),\"threads\":$(sqlite3 "$out/grown.db" 'SELECT COUNT(*) FROM threads'),\"seed_s\":$seed_seconds,\"start_s\":$restart_seconds,\"rss_kib\":$(rss_kib "$grown_pid"),\"db_mib\":$(du -m "$out/grown.db" | cut -f1)}"

  for query in "/admin/thread/list" "/admin/thread/list?q=123456" "/admin/thread/list?q=kubernetes" \
    "/admin/thread/list?q=answer" "/admin/session/list" "/admin/thread/list?key_id=5" \
    "/admin/thread/list?key_id=5&q=answer" "/admin/session/list?q=kubernetes" \
    "/admin/thread/list?q=%E6%95%B0%E6%8D%AE%E5%BA%93" \
    "/admin/thread/list?q=%E5%AE%9E%E7%94%A8%E6%AD%A5%E9%AA%A4"; do  # 数据库, 实用步骤
    ms=$(median_ms "$query" "$growth_port")
    total=$(curl -sS -H "Authorization: Bearer $admin_key" "http://127.0.0.1:$growth_port$query" | json_get data.total)
    record "{\"phase\":\"growth\",\"what\":\"list\",\"query\":\"$query\",\"ms\":$ms,\"total\":$total}"
    log "GET $query: ${ms} ms (total $total)"
  done

  # A long admin read (statistics sum every thread) must not hold up answers: chat requests
  # one after another for as long as one statistics call runs; the slowest of them.
  stats_ms=$(median_ms "/admin/statistics/total" "$growth_port")
  curl -sS -o /dev/null --fail -H "Authorization: Bearer $admin_key" \
    "http://127.0.0.1:$growth_port/admin/statistics/total" &
  stats_pid=$!
  chat_times=()
  while kill -0 "$stats_pid" 2>/dev/null; do
    chat_times+=("$(curl -sS -o /dev/null --fail -w '%{time_total}' \
      -H "Authorization: Bearer ${key_of[llmgate-grown]}" -H 'Content-Type: application/json' \
      --data-binary @"$bench_dir/fixtures/request-json.json" \
      "http://127.0.0.1:$growth_port/v1/chat/completions")")
  done
  wait "$stats_pid"
  chat_max_ms=$(printf '%s\n' "${chat_times[@]}" | sort -g | tail -1 | awk '{printf "%.2f", $1 * 1000}')
  record "{\"phase\":\"growth\",\"what\":\"statistics\",\"ms\":$stats_ms,\"chats\":${#chat_times[@]},\"chat_max_ms\":$chat_max_ms}"
  log "GET /admin/statistics/total: ${stats_ms} ms; ${#chat_times[@]} chat requests meanwhile, slowest ${chat_max_ms} ms"

  for target in llmgate-empty llmgate-grown; do run_wrk warmup "$target" json 64 0 2; done
  for rep in $(seq 1 "$repeats"); do
    for mode in json stream; do
      for target in llmgate-empty llmgate-grown; do run_wrk growth "$target" "$mode" 64 "$rep"; done
    done
  done
  record "{\"phase\":\"growth\",\"what\":\"after\",\"rss_kib\":$(rss_kib "$grown_pid"),\"hwm_kib\":$(hwm_kib "$grown_pid")}"
fi

# --- profile: instructions per request under callgrind (not in the default phases) --------
if has_phase profile; then
  command -v valgrind >/dev/null || { echo "bench: valgrind is missing" >&2; exit 1; }
  start_gateway "$profile_port" "$out/profile.db" "$out/llmgate-profile.log" \
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.out"
  profile_pid=$started_pid
  key_of[llmgate-profile]=$(configure_gateway "$profile_port")
  for mode in json stream; do
    node "$bench_dir/lib/fixed-load.js" "$profile_port" "${key_of[llmgate-profile]}" \
      "$bench_dir/fixtures/request-$mode.json" 50 8 >/dev/null  # warm the pool and caches
    callgrind_control -z "$profile_pid" >/dev/null
    callgrind_control -i on "$profile_pid" >/dev/null
    load=$(node "$bench_dir/lib/fixed-load.js" "$profile_port" "${key_of[llmgate-profile]}" \
      "$bench_dir/fixtures/request-$mode.json" "$profile_requests" 8)
    sleep 2  # the record batches of these requests are written
    callgrind_control -i off "$profile_pid" >/dev/null
    callgrind_control -d "profile-$mode" "$profile_pid" >/dev/null
    dump=$(ls -t "$out"/callgrind.out.* | head -1)
    mv "$dump" "$out/callgrind-$mode.out"
    callgrind_annotate --inclusive=no "$out/callgrind-$mode.out" >"$out/callgrind-$mode-self.txt"
    callgrind_annotate --inclusive=yes "$out/callgrind-$mode.out" >"$out/callgrind-$mode-inclusive.txt"
    total=$(sed -n 's/^\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' "$out/callgrind-$mode-self.txt" | tr -d ,)
    record "{\"phase\":\"profile\",\"target\":\"llmgate\",\"mode\":\"$mode\",\"load\":$load,\"instructions\":${total:-0},\"per_request\":$(( ${total:-0} / profile_requests ))}"
    log "profile $mode: $load; $(( ${total:-0} / profile_requests )) instructions per request; see $out/callgrind-$mode-self.txt"
  done
  stop_gateway "$profile_pid"

  # The floor under the same measure: one nginx worker (no master) proxying to the stand-in.
  nginx_profile_port=$(free_port $((profile_port + 1)))
  sed -e 's/^worker_processes auto;/worker_processes 1;\nmaster_process off;/' \
    -e "s|pid $out/floor.pid;|pid $out/floor-profile.pid;|" \
    -e "s|listen 127.0.0.1:$floor_port;|listen 127.0.0.1:$nginx_profile_port;|" \
    "$out/floor.conf" >"$out/floor-profile.conf"
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/nginx-callgrind.out" \
    nginx -p "$out" -c "$out/floor-profile.conf" -e "$out/floor-error.log" >>"$out/nginx-profile.log" 2>&1 &
  nginx_profile_pid=$!
  started_pids+=("$nginx_profile_pid")
  wait_http "http://127.0.0.1:$nginx_profile_port/" 60
  for mode in json stream; do
    node "$bench_dir/lib/fixed-load.js" "$nginx_profile_port" "" \
      "$bench_dir/fixtures/request-$mode.json" 50 8 >/dev/null
    callgrind_control -z "$nginx_profile_pid" >/dev/null
    callgrind_control -i on "$nginx_profile_pid" >/dev/null
    load=$(node "$bench_dir/lib/fixed-load.js" "$nginx_profile_port" "" \
      "$bench_dir/fixtures/request-$mode.json" "$profile_requests" 8)
    callgrind_control -i off "$nginx_profile_pid" >/dev/null
    callgrind_control -d "nginx-$mode" "$nginx_profile_pid" >/dev/null
    dump=$(ls -t "$out"/nginx-callgrind.out.* | head -1)
    mv "$dump" "$out/nginx-callgrind-$mode.out"
    callgrind_annotate "$out/nginx-callgrind-$mode.out" >"$out/nginx-callgrind-$mode-self.txt"
    total=$(sed -n 's/^\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' "$out/nginx-callgrind-$mode-self.txt" | tr -d ,)
    record "{\"phase\":\"profile\",\"target\":\"nginx\",\"mode\":\"$mode\",\"load\":$load,\"instructions\":${total:-0},\"per_request\":$(( ${total:-0} / profile_requests ))}"
    log "profile nginx $mode: $load; $(( ${total:-0} / profile_requests )) instructions per request"
  done
  kill "$nginx_profile_pid" 2>/dev/null || true
  wait "$nginx_profile_pid" 2>/dev/null || true
fi

record "{\"phase\":\"end\",\"loadavg\":\"$(cat /proc/loadavg)\",\"date\":\"$(date -Is)\"}"
node "$bench_dir/lib/report.js" "$results" >"$out/report.md"
cat "$out/report.md"
log "raw results: $results; report: $out/report.md"
