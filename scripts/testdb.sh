#!/usr/bin/env bash
# testdb.sh starts and stops a throwaway PostgreSQL + PostGIS cluster for tests.
#
#   scripts/testdb.sh start DIR   initdb in DIR, start a server on a free port of
#                                 127.0.0.1 (and a unix socket in DIR), create the
#                                 database kume_test with PostGIS, and print its URL
#                                 as the only line on stdout
#   scripts/testdb.sh stop DIR    stop that server and remove DIR
#   scripts/testdb.sh standby PRIMARY DIR
#                                 make a streaming replica of the cluster started
#                                 in PRIMARY with pg_basebackup -R, start it on
#                                 another free port (hot standby), and print the
#                                 URL of its kume_test database
#   scripts/testdb.sh halt DIR    stop the server of DIR at once (immediate
#                                 shutdown), keeping DIR
#   scripts/testdb.sh resume DIR  start the halted server of DIR again, on its port
#
# The server runs with fsync=off and trust authentication: it is for tests only.
# initdb refuses to run as root, so under root the cluster belongs to the
# "postgres" system user (or a "kume-test" user created on demand).
#
# PG_BINDIR overrides where the PostgreSQL binaries are looked up; PG_PORT
# asks for a port (it must be free).
#
# Typical use:
#   tmp=$(mktemp -d)
#   URL=$(scripts/testdb.sh start "$tmp")
#   KUME_TEST_DATABASE_URL=$URL go test ./...
#   scripts/testdb.sh stop "$tmp"
set -euo pipefail

die() {
	echo "testdb: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 start|stop|halt|resume DIR, or $0 standby PRIMARY_DIR DIR" >&2
	exit 2
}

# find_bindir prints the directory holding initdb, pg_ctl and psql.
find_bindir() {
	local d
	if [[ -n "${PG_BINDIR:-}" ]]; then
		[[ -x "$PG_BINDIR/initdb" && -x "$PG_BINDIR/pg_ctl" && -x "$PG_BINDIR/psql" ]] ||
			die "PG_BINDIR=$PG_BINDIR lacks initdb, pg_ctl or psql"
		echo "$PG_BINDIR"
		return
	fi
	for d in /usr/lib/postgresql/15/bin; do
		if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/psql" ]]; then
			echo "$d"
			return
		fi
	done
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir)
		if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/psql" ]]; then
			echo "$d"
			return
		fi
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/psql" ]]; then
			echo "$d"
			return
		fi
	done
	die "PostgreSQL server binaries (initdb, pg_ctl, psql) not found; install postgresql-15 and postgresql-15-postgis-3 or set PG_BINDIR"
}

# run_as runs a command as the cluster owner.
run_as() {
	if [[ -n "$OWNER" ]]; then
		runuser -u "$OWNER" -- "$@"
	else
		"$@"
	fi
}

# pick_owner sets OWNER to the non-root user that owns the cluster ("" when the
# script does not run as root and the current user is used).
pick_owner() {
	OWNER=""
	if [[ $(id -u) -ne 0 ]]; then
		return
	fi
	if id -u postgres >/dev/null 2>&1; then
		OWNER=postgres
	else
		if ! id -u kume-test >/dev/null 2>&1; then
			useradd --system --no-create-home --shell /usr/sbin/nologin kume-test >&2 ||
				die "cannot create user kume-test"
		fi
		OWNER=kume-test
	fi
}

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
	local dir=$1 bindir sharedir port pgdata user
	bindir=$(find_bindir)
	sharedir=$("$bindir/pg_config" --sharedir 2>/dev/null || echo /usr/share/postgresql/15)
	[[ -f "$sharedir/extension/postgis.control" ]] ||
		die "PostGIS extension not found in $sharedir/extension; install postgresql-15-postgis-3"
	pick_owner

	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	pgdata=$dir/data
	[[ ! -e "$pgdata" ]] || die "$pgdata already exists"
	if [[ -n "$OWNER" ]]; then
		chown "$OWNER" "$dir"
		chmod 755 "$dir"
		run_as test -w "$dir" ||
			die "user $OWNER cannot write $dir (is a parent directory closed to it?)"
	fi
	user=${OWNER:-$(id -un)}

	run_as "$bindir/initdb" --pgdata="$pgdata" --username="$user" --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; die "initdb failed"; }

	port=$(listen "$bindir" "$dir")

	"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$user" -d postgres \
		-c "CREATE DATABASE kume_test" >&2 || { stop_server "$dir"; die "cannot create database kume_test"; }
	"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$user" -d kume_test \
		-c "CREATE EXTENSION postgis" >&2 || { stop_server "$dir"; die "cannot create extension postgis"; }

	echo "postgres://$user@127.0.0.1:$port/kume_test?sslmode=disable"
}

# listen starts the server of the cluster in $2/data on a free port of
# 127.0.0.1, records the port in $2/port and prints it.
listen() {
	local bindir=$1 dir=$2 port try log=$2/postgres.log
	for try in 1 2 3 4 5 6 7 8 9 10; do
		# Below Linux's ephemeral range (32768-60999), so that no client
		# socket holds the port when the server wants it.
		port=${PG_PORT:-$((20000 + RANDOM % 12000))}
		port_free "$port" || continue
		if serve_on "$bindir" "$dir" "$port"; then
			echo "$port" >"$dir/port"
			echo "$port"
			return
		fi
		if ! grep -q "could not bind\|Address already in use" "$log" 2>/dev/null; then
			cat "$log" >&2 || true
			die "postgres failed to start"
		fi
	done
	cat "$log" >&2 || true
	die "no free port found"
}

# serve_on starts the server of the cluster in $2/data on port $3.
serve_on() {
	local bindir=$1 dir=$2 port=$3
	run_as "$bindir/pg_ctl" start --pgdata="$dir/data" --wait --timeout=60 --log="$dir/postgres.log" \
		-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c fsync=off" \
		>&2
}

# standby makes a hot standby of the cluster in $1 (started by start) in $2
# and prints the URL of its kume_test database.
standby() {
	local primary=$1 dir=$2 bindir pport port user
	bindir=$(find_bindir)
	[[ -x "$bindir/pg_basebackup" ]] || die "pg_basebackup not found in $bindir; install postgresql-client-15"
	pick_owner
	[[ -f "$primary/port" ]] || die "$primary has no running test cluster (no port file)"
	primary=$(cd "$primary" && pwd)
	pport=$(cat "$primary/port")
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[[ ! -e "$dir/data" ]] || die "$dir/data already exists"
	if [[ -n "$OWNER" ]]; then
		chown "$OWNER" "$dir"
		chmod 755 "$dir"
	fi
	user=${OWNER:-$(id -un)}
	touch "$dir/initdb.log"
	# -R writes standby.signal and primary_conninfo; -X stream copies the WAL
	# written meanwhile, so the copy starts consistent.
	run_as "$bindir/pg_basebackup" -h 127.0.0.1 -p "$pport" -U "$user" -D "$dir/data" \
		-R -X stream --checkpoint=fast >"$dir/basebackup.log" 2>&1 ||
		{ cat "$dir/basebackup.log" >&2; die "pg_basebackup failed"; }
	rm -f "$dir/data/postmaster.pid" "$dir/data/postmaster.opts"
	port=$(listen "$bindir" "$dir")
	echo "postgres://$user@127.0.0.1:$port/kume_test?sslmode=disable"
}

# halt stops the server of $1 at once, keeping its files.
halt() {
	local dir=$1
	[[ -f "$dir/port" ]] || die "$dir has no test cluster"
	stop_server "$dir"
}

# resume starts the server of $1 again on the port it had.
resume() {
	local dir=$1 bindir
	[[ -f "$dir/port" ]] || die "$dir has no test cluster"
	bindir=$(find_bindir)
	pick_owner
	serve_on "$bindir" "$dir" "$(cat "$dir/port")" || { cat "$dir/postgres.log" >&2 || true; die "postgres failed to start again"; }
}

# stop_server stops the server whose cluster lives in $1/data, if it runs.
stop_server() {
	local dir=$1 bindir
	bindir=$(find_bindir)
	pick_owner
	if [[ -f "$dir/data/postmaster.pid" ]]; then
		run_as "$bindir/pg_ctl" stop --pgdata="$dir/data" --mode=immediate --wait >&2 ||
			die "pg_ctl stop failed for $dir/data"
	fi
}

stop() {
	local dir=$1
	[[ -d "$dir" ]] || die "$dir does not exist"
	[[ -f "$dir/data/PG_VERSION" || -f "$dir/initdb.log" ]] ||
		die "$dir does not look like a test cluster made by $0; not removing it"
	stop_server "$dir"
	rm -rf -- "$dir"
}

case ${1:-} in
start | stop | halt | resume) [[ $# -eq 2 && -n "$2" ]] || usage ;;
standby) [[ $# -eq 3 && -n "$2" && -n "$3" ]] || usage ;;
*) usage ;;
esac
case $1 in
start) start "$2" ;;
stop) stop "$2" ;;
standby) standby "$2" "$3" ;;
halt) halt "$2" ;;
resume) resume "$2" ;;
esac
