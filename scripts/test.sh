#!/usr/bin/env bash
# Runs every kume test on this machine: installs what is missing (PostgreSQL +
# PostGIS, GDAL, Chromium, Node), starts a throwaway PostGIS cluster unless
# KUME_TEST_DATABASE_URL is set, checks that go.mod and go.sum are tidy, runs
# go vet, staticcheck, go test and the browser tests of web/, and stops the
# cluster. The tests of read replicas start a primary and a standby of their
# own with scripts/testdb.sh (pg_basebackup -R), as the cluster owner. Under
# CI=true a missing component is an error, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '== %s\n' "$*" >&2; }

# as_root runs a command as root (directly, or with sudo when available).
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null 2>&1; then sudo "$@"
	else log "need root to run: $*"; return 1; fi
}

need_pkgs=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_pkgs+=(postgresql-15)
[ -x /usr/lib/postgresql/15/bin/pg_basebackup ] || need_pkgs+=(postgresql-client-15)
[ -f /usr/share/postgresql/15/extension/postgis.control ] || need_pkgs+=(postgresql-15-postgis-3)
command -v ogrinfo >/dev/null 2>&1 || need_pkgs+=(gdal-bin)
[ -x /usr/lib/chromium/chromium ] || need_pkgs+=(chromium)
command -v node >/dev/null 2>&1 || need_pkgs+=(nodejs npm)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	log "installing ${need_pkgs[*]}"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

dbdir=""
cleanup() { [ -n "$dbdir" ] && scripts/testdb.sh stop "$dbdir" || true; }
trap cleanup EXIT
if [ -z "${KUME_TEST_DATABASE_URL:-}" ]; then
	dbdir=$(mktemp -d /tmp/kume-testdb.XXXXXX)
	KUME_TEST_DATABASE_URL=$(scripts/testdb.sh start "$dbdir")
	export KUME_TEST_DATABASE_URL
	log "throwaway PostGIS at $KUME_TEST_DATABASE_URL"
fi

failed=()
log "go mod tidy"
if ! tidy=$(go mod tidy -diff 2>&1); then
	printf '%s\n' "$tidy" >&2
	log "go.mod or go.sum is not tidy: run go mod tidy"
	failed+=("go mod tidy")
fi
log "go vet"
go vet ./... || failed+=("go vet")
log "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./... || failed+=(staticcheck)
log "go test"
# The PMTiles archives are read back by an independent reader, the pmtiles
# JavaScript library, in the tests of tiles/pmtiles.
(cd tiles/pmtiles/testdata/js && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || failed+=("npm ci (tiles/pmtiles)")
go test -count=1 ${GOTESTFLAGS:-} ./... || failed+=("go test")

log "browser tests (web/)"
if (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null && node --test --test-timeout=600000 test/*.test.mjs); then :
else failed+=("browser tests"); fi

if [ ${#failed[@]} -gt 0 ]; then
	log "FAILED: ${failed[*]}"
	exit 1
fi
log "all checks passed"
