// The development sign-in, on the dev server's side (never in the bundle):
// POST /dev/token {"sub": "alice", "scopes": ["identity:read_outputs"]}
// answers {"token": "…"}, a token from `go run <repo> token`, signed with the
// development secret of the emulator database that `go run .` uses (or with
// IDGRAPH_AUTH_HS256_SECRET when set), so the running idgraph accepts it.
// The app calls it on its own origin; a deployed app signs users in through
// its identity provider instead and has no such route.
import { execFile } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

/** The idgraph checkout whose `token` command mints: IDGRAPH_REPO, or the repo this example lives in. */
const repo = process.env.IDGRAPH_REPO ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Scopes a development user may ask for: idgraph's two. */
const knownScopes = new Set(["identity:read_outputs", "identity:read_sensitive"]);

/** A user ID as an app would pass it in clientReferenceId. */
const subjectPattern = /^[A-Za-z0-9_.@-]{1,64}$/;

function mint(sub: string, scopes: string[]): Promise<string> {
  const args = ["run", ".", "token", "-sub", sub, "-ttl", "1h"];
  if (scopes.length > 0) args.push("-scope", scopes.join(" "));
  return new Promise((resolve, reject) => {
    execFile("go", args, { cwd: repo, timeout: 180_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`go run . token failed in ${repo}: ${stderr.trim() || err.message}`));
      else resolve(stdout.trim());
    });
  });
}

async function readJSON(req: IncomingMessage): Promise<unknown> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 4096) throw new Error("body too large");
  }
  return JSON.parse(body);
}

function reply(res: ServerResponse, status: number, body: object): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Cache-Control", "no-store");
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "POST") return reply(res, 405, { error: "POST only" });
  // JSON only: another site's page cannot send it without a CORS preflight,
  // which the dev server grants only to local origins.
  if (!req.headers["content-type"]?.startsWith("application/json")) return reply(res, 415, { error: "send application/json" });
  let input: { sub?: unknown; scopes?: unknown };
  try {
    input = (await readJSON(req)) as typeof input;
  } catch {
    return reply(res, 400, { error: "send JSON: {\"sub\": \"alice\", \"scopes\": [...]}" });
  }
  const sub = typeof input.sub === "string" ? input.sub : "";
  const scopes = Array.isArray(input.scopes) ? input.scopes.filter((s): s is string => typeof s === "string") : [];
  if (!subjectPattern.test(sub)) return reply(res, 400, { error: "a user name is 1 to 64 letters, digits, _ . @ or -" });
  if (scopes.some((s) => !knownScopes.has(s))) return reply(res, 400, { error: "unknown scope" });
  try {
    reply(res, 200, { token: await mint(sub, scopes) });
  } catch (e) {
    reply(res, 502, { error: e instanceof Error ? e.message : String(e) });
  }
}

/** devToken serves POST /dev/token on `vite` and `vite preview`. */
export function devToken(): Plugin {
  const middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (req.url?.split("?")[0] !== "/dev/token") return next();
    void handle(req, res);
  };
  return {
    name: "idgraph-dev-token",
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}
