#!/usr/bin/env bash
# Installs every build and test dependency from Debian's archive and the npm registry.
# Idempotent: does nothing when everything is already present. Runs without stdin (CI).
set -euo pipefail
cd "$(dirname "$0")/.."

# libjemalloc-dev: the gateway's allocator (many small allocations on three threads).
# libpq-dev: the PostgreSQL client for the build; postgresql: the server that `make test`
# starts a throwaway cluster of (scripts/test-postgres.sh) to run the suites on it too.
apt_packages=(
  build-essential cmake ninja-build pkg-config ccache clang-format
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev ca-certificates libsqlite3-dev libpq-dev postgresql
  libjemalloc-dev libfmt-dev libspdlog-dev libcli11-dev libtomlplusplus-dev libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev
  nodejs npm curl chromium
)

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# node/npm may come from outside Debian on some images; accept any working install.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for pkg in "${missing[@]}"; do [[ "$pkg" == nodejs || "$pkg" == npm ]] || filtered+=("$pkg"); done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq </dev/null
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi

# End-to-end test clients (official openai package, playwright-core), locked by
# package-lock.json.
if [[ -f tests/package.json ]]; then
  if [[ ! -d tests/node_modules || tests/package-lock.json -nt tests/node_modules ]]; then
    (cd tests && npm ci --no-audit --no-fund --loglevel=error </dev/null)
    touch tests/node_modules
  fi
fi
