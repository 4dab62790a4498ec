// Runs the GraphQL-over-HTTP spec's audit (graphql-http's auditServer)
// against a running idgraph and fails unless every MUST and every SHOULD
// passes; MAYs are printed but do not count.
//
// usage: node audit.mjs URL      (default: $IDGRAPH_AUDIT_URL)
// With IDGRAPH_AUDIT_TOKEN set, every request carries
// "Authorization: Bearer $IDGRAPH_AUDIT_TOKEN" (a server API key).
import { auditServer } from 'graphql-http';

const url = process.argv[2] || process.env.IDGRAPH_AUDIT_URL;
if (!url) {
  console.error('usage: node audit.mjs URL (or set IDGRAPH_AUDIT_URL)');
  process.exit(2);
}
const token = process.env.IDGRAPH_AUDIT_TOKEN;

/** fetch, with the audit token when there is one. */
function fetchFn(input, init = {}) {
  if (!token) return fetch(input, init);
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn });

const levels = ['MUST', 'SHOULD', 'MAY'];
const counts = Object.fromEntries(levels.map((l) => [l, { ok: 0, all: 0 }]));
for (const r of results) {
  const level = levels.find((l) => r.name.startsWith(l + ' '));
  counts[level].all++;
  if (r.status === 'ok') counts[level].ok++;
  let line = `${level.padEnd(6)} ${r.status.padEnd(6)} ${r.id} ${r.name}`;
  if (r.status !== 'ok') {
    line += `\n         ${r.reason}`;
    // The answer itself says most about a failure; the body is short.
    const body = await r.response.text().catch(() => '');
    line += `\n         HTTP ${r.response.status} ${r.response.headers.get('content-type') ?? ''} ${body.slice(0, 300)}`;
  }
  console.log(line);
}
const summary = levels.map((l) => `${l} ${counts[l].ok}/${counts[l].all}`).join(', ');
console.log(`${url}${token ? ' (with a bearer token)' : ''}: ${summary}`);

const required = ['MUST', 'SHOULD'];
if (required.some((l) => counts[l].ok !== counts[l].all)) {
  console.error('graphql-http audit: not every MUST and SHOULD passes');
  process.exit(1);
}
