import { useCallback, useState } from "react";
import { useAuth, useSignIn } from "./auth";
import { MyVerifications } from "./MyVerifications";
import { SessionStatus } from "./SessionStatus";
import { VerifyButton } from "./VerifyButton";

/** The session the user last started or chose, kept across the trip to the hosted page. */
const currentKey = "idgraph-example.current-session";

/**
 * Coming back from the hosted page, the browser opens the returnUrl,
 * /?returned: the session is the one saved before leaving; the query is
 * dropped so that a reload does not look like a return.
 */
function takeReturn(): boolean {
  const url = new URL(window.location.href);
  if (!url.searchParams.has("returned")) return false;
  url.searchParams.delete("returned");
  window.history.replaceState(null, "", url);
  return true;
}

export function Home() {
  const { end } = useAuth();
  const { user, scopes } = useSignIn();
  const [returned] = useState(takeReturn);
  const [current, setCurrentState] = useState(() => sessionStorage.getItem(currentKey));
  // Bumped when a session's status changes live, so the list reloads.
  const [listVersion, setListVersion] = useState(0);
  const setCurrent = useCallback((id: string) => {
    sessionStorage.setItem(currentKey, id);
    setCurrentState(id);
  }, []);
  const statusChanged = useCallback(() => setListVersion((v) => v + 1), []);

  return (
    <main>
      <header>
        <p>
          Signed in as <strong id="signed-in-user">{user}</strong>
          {scopes.length > 0 && <span className="muted"> ({scopes.join(", ")})</span>}
        </p>
        <button type="button" className="secondary" onClick={() => end()}>
          Sign out
        </button>
      </header>
      <h1>Verify your identity</h1>
      <VerifyButton onCreated={setCurrent} />
      {current !== null && <SessionStatus key={current} id={current} returned={returned} onStatusChange={statusChanged} />}
      <MyVerifications version={listVersion} current={current} onShow={setCurrent} />
    </main>
  );
}
