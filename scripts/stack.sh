#!/usr/bin/env bash
# The docker-compose stack (docker-compose.yaml, deploy/):
#   scripts/stack.sh up      build the images, start everything, wait until every container is healthy,
#                            print the URLs (TERN_UP_TIMEOUT seconds at most, default 600)
#   scripts/stack.sh down    stop and remove the containers (VOLUMES=1 also deletes the data volumes)
#   scripts/stack.sh logs    follow the logs (SERVICE=cart for one service)
#   scripts/stack.sh ps      list the containers and their health
set -euo pipefail
cd "$(dirname "$0")/.."

compose() { docker compose --project-directory . -f docker-compose.yaml "$@"; }

# need_engine exits with a clear message when there is no Docker engine to talk to.
need_engine() {
	if ! command -v docker >/dev/null 2>&1; then
		echo "make $1: the docker command is not installed." >&2
		echo "Install Docker (engine and the compose plugin), or run the shop without it: make run" >&2
		exit 2
	fi
	if ! docker info >/dev/null 2>&1; then
		echo "make $1: no Docker engine is reachable (docker info failed: is the daemon running, and may this user use it?)." >&2
		echo "The shop also runs without Docker: make run" >&2
		exit 2
	fi
	if ! docker compose version >/dev/null 2>&1; then
		echo "make $1: 'docker compose' (Compose v2) is not available; install the compose plugin." >&2
		exit 2
	fi
}

urls() {
	cat <<'URLS'

The shop is up:
  shop (web page and API)  http://localhost:8080          (demo users: alice/wonderland, bob/builder, carol/christmas)
  Jaeger (traces)          http://localhost:16686
  Grafana (RPC dashboard)  http://localhost:3000/d/tern-rpc (anonymous viewer; admin/admin to edit)
  Nacos (registry)         http://localhost:8848/nacos
  Prometheus               http://localhost:9090

make logs follows the logs, make ps shows the containers, make down stops everything (data is kept).
URLS
}

cmd=${1:-}
case "$cmd" in
up)
	need_engine up
	timeout=${TERN_UP_TIMEOUT:-600}
	echo "==> building the images and starting the stack (waiting up to ${timeout}s for every health check)"
	if ! compose up --build --detach --wait --wait-timeout "$timeout"; then
		echo "" >&2
		echo "make up: the stack did not become healthy. Containers:" >&2
		compose ps --all >&2 || true
		echo "" >&2
		echo "Last logs of the shop's services:" >&2
		compose logs --no-color --tail 30 item stock cart gateway >&2 || true
		exit 1
	fi
	compose ps
	urls
	;;
down)
	need_engine down
	if [ "${VOLUMES:-}" = 1 ]; then
		compose down --remove-orphans --volumes
	else
		compose down --remove-orphans
	fi
	;;
logs)
	need_engine logs
	# shellcheck disable=SC2086 # SERVICE may name several services
	compose logs --follow --tail 100 ${SERVICE:-}
	;;
ps)
	need_engine ps
	compose ps --all
	;;
*)
	echo "usage: scripts/stack.sh up|down|logs|ps" >&2
	exit 2
	;;
esac
