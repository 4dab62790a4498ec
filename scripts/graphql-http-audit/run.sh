#!/usr/bin/env bash
# Builds idgraph, starts it on the embedded emulator and runs the
# GraphQL-over-HTTP audit (graphql-http's auditServer, audit.mjs) against
# /graphql twice: with authentication off (no settings), and with a server
# API key required (IDGRAPH_API_KEY_SHA256) and sent by the audit. Fails
# unless every MUST and SHOULD passes in both. Needs Go, Node.js and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# The runs configure idgraph themselves: nothing from the caller's
# environment (a Stripe key, auth settings) may change what is audited.
for v in $(compgen -e); do
	case "$v" in IDGRAPH_* | STRIPE_*) unset "$v" ;; esac
done

tmp="$(mktemp -d)"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "--- build idgraph"
(cd "$root" && go build -o "$tmp/idgraph" .)

echo "--- npm ci (graphql-http)"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

# free_port prints a TCP port that is free on 127.0.0.1 now.
free_port() {
	node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# start NAME [VAR=VALUE...] starts idgraph with the given settings on a free
# port, its own emulator database and log, waits until /healthz answers and
# sets $url to its /graphql.
start() {
	local name="$1" port base pid
	shift
	port="$(free_port)"
	base="http://127.0.0.1:$port"
	env IDGRAPH_ADDR="127.0.0.1:$port" IDGRAPH_EMULATOR_DB="$tmp/$name.db" "$@" \
		"$tmp/idgraph" >"$tmp/$name.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 300); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "idgraph ($name) exited; its log:"
			cat "$tmp/$name.log"
			return 1
		fi
		if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$base/healthz"; then
			url="$base/graphql"
			return 0
		fi
		sleep 0.1
	done
	echo "idgraph ($name) did not answer /healthz within 30s; its log:"
	cat "$tmp/$name.log"
	return 1
}

status=0

echo "--- audit: authentication off (the emulator with no settings)"
start open
node "$here/audit.mjs" "$url" || status=1

echo "--- audit: a server API key required, and sent"
keys="$("$tmp/idgraph" apikey)"
key="$(awk '$1 == "key:" { print $2 }' <<<"$keys")"
hash="$(awk '$1 == "sha256:" { print $2 }' <<<"$keys")"
if [ -z "$key" ] || [ -z "$hash" ]; then
	echo "idgraph apikey printed no key and hash:"
	echo "$keys"
	exit 1
fi
start apikey IDGRAPH_API_KEY_SHA256="$hash"
IDGRAPH_AUDIT_TOKEN="$key" node "$here/audit.mjs" "$url" || status=1

exit "$status"
