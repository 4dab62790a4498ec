#!/usr/bin/env bash
# Sends each attack the first round measured to a fresh idgraph with curl, as
# a stranger would, and prints its status, time and code, then the server's
# resident memory before and after 200 more of them. Budgets are off, so the
# limits alone answer. Usage: scripts/abuse-curl.sh (from anywhere).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
(cd "$repo" && go build -o "$tmp/idgraph" .)
port="$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
url="http://127.0.0.1:$port/graphql"
IDGRAPH_ADDR="127.0.0.1:$port" IDGRAPH_EMULATOR_DB="$tmp/em.db" IDGRAPH_BUDGET=off "$tmp/idgraph" >"$tmp/log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.1; done
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$pid/status"; }

node - "$tmp" <<'JS'
const fs = require("fs"), dir = process.argv[2];
const nested = n => {
  let s = `query { verificationSessions { nodes { ...F${n} } } }\nfragment F0 on VerificationSession { id }\n`;
  for (let i = 1; i <= n; i++) s += `fragment F${i} on VerificationSession { ...F${i - 1} ...F${i - 1} }\n`;
  return s;
};
const times = (n, f) => Array.from({length: n}, (_, i) => f(i)).join(" ");
const attacks = {
  "nested-24": nested(24),
  "nested-40": nested(40),
  "introspection-20x20": "{ " + times(20, i => `s${i}: __schema { ${times(20, j => `t${j}: types { name }`)} }`) + " }",
  "typename-23000": "{ " + "__typename ".repeat(23000) + "}",
  "id-21000": '{ verificationSession(id: "vs_1") { ' + "id ".repeat(21000) + "} }",
  "id-5000": '{ verificationSession(id: "vs_1") { ' + "id ".repeat(5000) + "} }",
  "creates-100": "mutation { " + times(100, i => `c${i}: createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id } }`) + " }",
};
for (const [k, q] of Object.entries(attacks)) fs.writeFileSync(`${dir}/${k}.json`, JSON.stringify({query: q}));
fs.writeFileSync(`${dir}/nested-30.graphql`, nested(30));
fs.writeFileSync(`${dir}/malformed-json.json`, '{"query": "{ __typename }", oops}');
fs.writeFileSync(`${dir}/batch.json`, '[{"query":"{ __typename }"},{"query":"{ __typename }"}]');
fs.writeFileSync(`${dir}/chunked-1MiB.json`, '{"query":"{ __typename }","x":"' + " ".repeat(1 << 20) + '"}');
JS

code() { node -e 'let d="";process.stdin.on("data",c=>d+=c).on("end",()=>{try{console.log(JSON.parse(d).errors[0].extensions.code)}catch{console.log("(not JSON) "+d.slice(0,60))}})'; }
echo "memory before: $(rss)"
for name in nested-24 nested-40 introspection-20x20 typename-23000 id-21000 id-5000 creates-100 malformed-json batch; do
	printf '%-22s ' "$name"
	curl -s -o "$tmp/out" -w '%{http_code} %{time_total}s ' -H 'Content-Type: application/json' --data-binary "@$tmp/$name.json" "$url"
	code <"$tmp/out"
done
printf '%-22s ' "nested-30 as a GET"
curl -s -o "$tmp/out" -w '%{http_code} %{time_total}s ' -G --data-urlencode "query@$tmp/nested-30.graphql" "$url"
code <"$tmp/out"
printf '%-22s ' "chunked 1 MiB"
curl -s -o "$tmp/out" -w '%{http_code} %{time_total}s ' -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary "@$tmp/chunked-1MiB.json" "$url"
code <"$tmp/out"
for _ in $(seq 50); do
	for name in nested-40 introspection-20x20 id-21000 creates-100; do
		curl -s -o /dev/null -H 'Content-Type: application/json' --data-binary "@$tmp/$name.json" "$url"
	done
done
echo "memory after 200 more: $(rss)"
printf 'sessions created by the attacks: '
curl -s -G --data-urlencode 'query={ verificationSessions(first: 100) { nodes { id } } }' "$url" |
	node -e 'let d="";process.stdin.on("data",c=>d+=c).on("end",()=>console.log(JSON.parse(d).data.verificationSessions.nodes.length))'
