#!/usr/bin/env bash
# Vets and tests every module of the workspace. The framework's own packages run with the race detector.
# Usage: scripts/test.sh [extra go test flags]
set -euo pipefail
cd "$(dirname "$0")/.."

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null | grep -v '/testdata/' || true) 2>/dev/null || true)
if [ -n "$unformatted" ]; then
	echo "gofmt would change these files:" >&2
	echo "$unformatted" >&2
	exit 1
fi

status=0
for mod in $(scripts/modules.sh); do
	race=""
	[ "$mod" = "framework" ] && race="-race"
	echo "==> $mod: go vet"
	(cd "$mod" && go vet ./...) || status=1
	echo "==> $mod: go test $race"
	(cd "$mod" && go test $race -timeout 10m "$@" ./...) || status=1
done
exit $status
