#!/usr/bin/env bash
# Installs what `make bench` needs on top of scripts/install-deps.sh (the build and test
# dependencies): nginx (the upstream stand-in and the proxy_pass floor), wrk (the load
# generator), sqlite3 (bulk data for the growth scenario), procps, valgrind and linux-perf
# (profiling).
# Idempotent, no stdin. Kept apart so that `make test` never installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

bench_packages=(nginx wrk sqlite3 procps valgrind linux-perf)

missing=()
for pkg in "${bench_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "install-bench-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  nginx_was_installed=1
  dpkg-query -W -f='${Status}' nginx 2>/dev/null | grep -q "install ok installed" || nginx_was_installed=0
  "${sudo_cmd[@]}" apt-get update -qq </dev/null
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
  # Debian starts the packaged nginx service on port 80 where services may start; the
  # benchmark runs its own instances, so a service this script brought up is stopped again.
  if ((nginx_was_installed == 0)) && [[ -s /run/nginx.pid ]]; then
    "${sudo_cmd[@]}" nginx -s quit </dev/null 2>/dev/null || true
  fi
fi
