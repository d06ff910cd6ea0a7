#!/usr/bin/env bash
# Boots the shop locally with nothing but Go: builds the services, then starts item (8881), stock
# (8882), cart (8883) and, once it exists, the gateway (8080) as separate processes in their dev
# configuration — SQLite files under .tern/data, an embedded Redis in item, direct addresses — with
# their logs prefixed by name. Ctrl-C (or SIGTERM) stops them all gracefully; if one of them dies, the
# others are stopped too.
# Usage: scripts/run.sh        (TERN_RUN_DIR moves .tern elsewhere)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
run_dir=${TERN_RUN_DIR:-$root/.tern}
mkdir -p "$run_dir/bin" "$run_dir/data"
printf '*\n' >"$run_dir/.gitignore" # nothing under .tern is ever committed

services=(item stock cart)
declare -A ports=([item]=8881 [stock]=8882 [cart]=8883 [gateway]=8080)
[ -f app/gateway/main.go ] && services+=(gateway)

for svc in "${services[@]}"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/${ports[$svc]}") 2>/dev/null; then
		echo "run: port ${ports[$svc]} ($svc) is already in use; stop whatever listens there first" >&2
		exit 1
	fi
done

echo "==> building ${services[*]}"
for svc in "${services[@]}"; do
	go build -o "$run_dir/bin/$svc" "./app/$svc"
done

pids=()
# stop asks every service to stop gracefully (SIGTERM) and waits for them.
stop() {
	trap - INT TERM EXIT
	echo "==> stopping"
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	echo "==> stopped"
}
trap stop EXIT
trap 'stop; exit 0' INT TERM

# start SVC runs one service from its own directory, logging with its name in front of every line.
start() {
	local svc=$1
	(cd "app/$svc" && exec env TERN_ENV=dev TERN_CONF_DIR=conf TERN_DB_DSN="$run_dir/data/$svc.db" \
		"$run_dir/bin/$svc") > >(trap '' INT TERM; exec sed -u "s/^/[$svc] /") 2>&1 &
	pids+=($!)
}

# wait_port SVC waits until SVC listens, failing if it exits or takes more than 30 s.
wait_port() {
	local svc=$1 pid=${pids[-1]}
	for _ in $(seq 300); do
		(exec 3<>"/dev/tcp/127.0.0.1/${ports[$svc]}") 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || { echo "run: $svc exited during start-up (see its log above)" >&2; return 1; }
		sleep 0.1
	done
	echo "run: $svc did not listen on ${ports[$svc]} within 30 s" >&2
	return 1
}

for svc in "${services[@]}"; do
	start "$svc"
	wait_port "$svc"
done

echo
echo "==> the shop is running (data in $run_dir/data); Ctrl-C stops it"
for svc in "${services[@]}"; do
	if [ "$svc" = gateway ]; then
		echo "    gateway  http://127.0.0.1:8080/   (API under /api/v1; log in as alice / wonderland, bob / builder or carol / christmas)"
	else
		printf '    %-8s 127.0.0.1:%s\n' "$svc" "${ports[$svc]}"
	fi
done
echo

# Wait until one process ends (then stop the rest) or a signal arrives.
wait -n "${pids[@]}" || true
echo "run: a service exited; stopping the others" >&2
exit 1
