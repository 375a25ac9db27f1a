#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS 3 cluster for the tests and benchmarks of the PostGIS store,
# listening on a Unix socket in DIR only (no TCP, trust authentication: nothing reachable from
# outside the machine). Installs postgresql-15-postgis-3 where missing. A publish holds a lock
# on each table it makes until it commits: a whole city copied in one transaction (18,368
# layers, four relations each) needs more lock slots than the default 64 per connection.
#   scripts/pg-cluster.sh start DIR PORT   prints the store URL (postgres://…)
#   scripts/pg-cluster.sh stop DIR [fast|immediate]
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
cmd=${1:?usage: pg-cluster.sh start DIR PORT | stop DIR [mode]}
dir=${2:?the cluster dir}
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    port=${3:?the port}
    if [[ ! -x $bin/initdb ]] || ! dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1; then
      echo "pg-cluster: apt-get install postgresql-15-postgis-3" >&2
      sudo=""
      [[ $(id -u) -ne 0 ]] && sudo="sudo"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-15-postgis-3 >/dev/null
    fi
    mkdir -p "$dir"
    if [[ ! -f $dir/data/PG_VERSION ]]; then
      mkdir -p "$dir/data" "$dir/run"
      [[ $(id -u) -eq 0 ]] && chown -R postgres "$dir"
      as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start \
      -o "-k $dir/run -p $port -c listen_addresses='' -c shared_buffers=512MB -c fsync=on -c max_locks_per_transaction=1024" >/dev/null
    # The socket dir goes in the host parameter, percent-encoded.
    echo "postgres://postgres@${dir//\//%2F}%2Frun:$port/postgres"
    ;;
  stop)
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m "${3:-fast}" -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "pg-cluster: unknown command $cmd" >&2; exit 2 ;;
esac
