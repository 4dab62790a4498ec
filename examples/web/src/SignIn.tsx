// Signing in as a development user: the dev server mints a token with
// idgraph's `token` command (devtoken.ts), so no secret is ever in the
// bundle. With any other idgraph, paste a token from its identity provider.
import { useState, type FormEvent } from "react";
import { signInWithToken, useAuth } from "./auth";
import { idgraphURL } from "./config";

const readOutputs = "identity:read_outputs";

async function fetchDevToken(user: string, scopes: string[]): Promise<string> {
  let res: Response;
  try {
    res = await fetch("/dev/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sub: user, scopes }),
    });
  } catch {
    throw new Error("The app's dev server cannot be reached. Is `npm run dev` still running?");
  }
  const body = (await res.json().catch(() => ({}))) as { token?: unknown; error?: unknown };
  if (res.ok && typeof body.token === "string") return body.token;
  if (res.status === 404) throw new Error("This server does not sign in development users (only `npm run dev` and `npm run preview` do). Paste a token instead.");
  throw new Error(typeof body.error === "string" ? body.error : `The dev sign-in failed (HTTP ${res.status}).`);
}

export function SignIn() {
  const { start, endedBecause } = useAuth();
  const [user, setUser] = useState("");
  const [mayReadName, setMayReadName] = useState(true);
  const [pasted, setPasted] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function devSignIn(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const scopes = mayReadName ? [readOutputs] : [];
    try {
      start({ token: await fetchDevToken(user.trim(), scopes), user: user.trim(), scopes });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  function tokenSignIn(e: FormEvent) {
    e.preventDefault();
    start(signInWithToken(pasted.trim().replace(/^Bearer\s+/i, "")));
  }

  return (
    <main className="narrow">
      <h1>Verify your identity</h1>
      <p className="muted">
        An example app on <a href={idgraphURL}>idgraph</a> at <code>{idgraphURL}</code>.
      </p>
      {endedBecause !== null && (
        <p role="alert" className="error" id="signed-out-reason">
          {endedBecause}
        </p>
      )}
      <form onSubmit={devSignIn} aria-labelledby="dev-heading">
        <h2 id="dev-heading">Sign in as a development user</h2>
        <label htmlFor="user">Your user name</label>
        <input
          id="user"
          name="user"
          required
          pattern="[A-Za-z0-9_.@\-]{1,64}"
          title="1 to 64 letters, digits, _ . @ or -"
          placeholder="alice"
          value={user}
          onChange={(e) => setUser(e.target.value)}
        />
        <label className="check">
          <input type="checkbox" name="read-outputs" checked={mayReadName} onChange={(e) => setMayReadName(e.target.checked)} />
          Let this app read my verified name (scope <code>{readOutputs}</code>)
        </label>
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        {error !== null && (
          <p role="alert" className="error" id="sign-in-error">
            {error}
          </p>
        )}
      </form>
      <details>
        <summary>Or sign in with a token</summary>
        <form onSubmit={tokenSignIn}>
          <label htmlFor="token">An end user's token (e.g. from <code>go run . token -sub alice</code>)</label>
          <textarea id="token" name="token" rows={4} required value={pasted} onChange={(e) => setPasted(e.target.value)} />
          <button type="submit">Sign in with this token</button>
        </form>
      </details>
    </main>
  );
}
