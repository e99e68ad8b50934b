#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (SPEC 11: the same suite on both backends).
#
#   scripts/test-postgres.sh run -- COMMAND...   start a cluster, run COMMAND with the
#                                                variables below, stop it (also on failure)
#   scripts/test-postgres.sh start DIR           start a cluster under DIR (created, empty);
#                                                DIR/env then holds the variables
#   scripts/test-postgres.sh stop DIR            stop it and remove DIR
#
# The cluster listens on a free loopback port, keeps everything under its directory, and
# trusts nobody: user `llmgate` with a password (scram-sha-256). fsync is off: it lives for
# one test run. PostgreSQL refuses to run as root, so as root the cluster runs as the
# `postgres` user (Debian's package creates it), or as a `llmgate-test` system user made
# here when there is none. Runs without stdin (CI).
#
# Variables COMMAND gets (see tests/e2e/README.md):
#   LLMGATE_TEST_POSTGRES_URL            the cluster's `postgres` database, for unit tests
#   LLMGATE_TEST_DATABASE_URL_TEMPLATE   a fresh database per e2e gateway ({id})
#   LLMGATE_TEST_DATABASE_SETUP          creates that database (createdb)
set -euo pipefail

readonly kUser=llmgate
readonly kPassword=llmgate-test-password

die() {
  echo "test-postgres: $*" >&2
  exit 1
}

# The newest installed server's programs: Debian keeps them out of PATH.
find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    # "return 0", not "return": in the EXIT trap a bare return gives the status of the
    # command that failed before the trap.
    [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && { echo "$dir"; return 0; }
  done
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  die "no PostgreSQL server found (initdb, pg_ctl); run scripts/install-deps.sh"
}

# Who runs the server: ourselves, unless we are root.
server_user() {
  if [[ $(id -u) -ne 0 ]]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    id llmgate-test >/dev/null 2>&1 ||
      useradd --system --no-create-home --shell /usr/sbin/nologin llmgate-test
    echo llmgate-test
  fi
}

as_server_user() {
  local user=$1
  shift
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local dir=$1
  [[ -n "$dir" ]] || die "start: no directory"
  mkdir -p "$dir"
  local bindir user
  bindir=$(find_bindir)
  user=$(server_user)
  [[ $(id -u) -eq 0 ]] && chown "$user" "$dir"
  chmod 0700 "$dir"

  printf '%s\n' "$kPassword" >"$dir/password"
  [[ $(id -u) -eq 0 ]] && chown "$user" "$dir/password"
  # C.UTF-8: Unicode case folding for lower() and the full-text search, as in production.
  as_server_user "$user" "$bindir/initdb" -D "$dir/data" --username="$kUser" \
    --pwfile="$dir/password" --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 </dev/null || {
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  }

  local port attempt started=""
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    if as_server_user "$user" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir/data \
          -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null </dev/null; then
      started=1
      break
    fi
  done
  [[ -n "$started" ]] || {
    tail -20 "$dir/server.log" >&2 || true
    die "the server did not start"
  }

  local base="postgresql://$kUser:$kPassword@127.0.0.1:$port"
  {
    echo "export LLMGATE_TEST_POSTGRES_URL='$base/postgres'"
    echo "export LLMGATE_TEST_DATABASE_URL_TEMPLATE='$base/llmgate_e2e_{id}'"
    # createdb takes the database name from the URL's last part.
    echo "export LLMGATE_TEST_DATABASE_SETUP='PGPASSWORD=$kPassword $bindir/createdb -h 127.0.0.1 -p $port -U $kUser \"\${LLMGATE_TEST_DATABASE_URL##*/}\"'"
    echo "export LLMGATE_TEST_POSTGRES_BINDIR='$bindir'"
  } >"$dir/env"
  echo "test-postgres: PostgreSQL ($("$bindir/postgres" --version)) on 127.0.0.1:$port, data in $dir" >&2
}

stop() {
  set +e  # also from the EXIT trap of a failed run: stop whatever can be stopped
  local dir=$1
  [[ -n "$dir" && -d "$dir" ]] || return 0
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    local bindir user
    bindir=$(find_bindir)
    user=$(stat -c %U "$dir/data")
    as_server_user "$user" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null \
      </dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

run() {
  [[ "${1:-}" == "--" ]] && shift
  (($#)) || die "run: no command"
  local parent=${TMPDIR:-/tmp}
  # As root the server runs as another user, who must be able to reach the directory: a
  # TMPDIR under /root would not do.
  if [[ $(id -u) -eq 0 ]] && ! runuser -u "$(server_user)" -- test -x "$parent" 2>/dev/null; then
    parent=/tmp
  fi
  # Global, not local: the EXIT trap runs after this function has returned.
  cluster_dir=$(mktemp -d "$parent/llmgate-postgres.XXXXXX")
  trap 'stop "$cluster_dir"' EXIT
  trap 'exit 130' INT TERM
  start "$cluster_dir"
  # shellcheck disable=SC1091
  source "$cluster_dir/env"
  "$@"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  run) shift; run "$@" ;;
  *) die "usage: $0 run -- COMMAND... | start DIR | stop DIR" ;;
esac
