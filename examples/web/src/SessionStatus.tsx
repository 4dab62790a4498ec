import { useEffect, useState } from "react";
import { useSubscription } from "urql";
import { describeError, errorCodes } from "./errors";
import { graphql } from "./gql";
import type { SessionUpdatesSubscription, VerificationSessionStatus } from "./gql/graphql";

const SessionUpdates = graphql(`
  subscription SessionUpdates($id: ID!) {
    verificationSessionUpdated(id: $id) {
      id
      status
      url
      lastError {
        code
        reason
      }
      verifiedOutputs {
        firstName
        lastName
      }
    }
  }
`);

type Session = SessionUpdatesSubscription["verificationSessionUpdated"];

/** headline says where a verification stands, in plain words. */
function headline(s: Session): string {
  switch (s.status) {
    case "REQUIRES_INPUT":
      return s.lastError ? "Your verification did not go through." : "Waiting for you to submit your document.";
    case "PROCESSING":
      return "Checking your document…";
    case "VERIFIED":
      return "You are verified.";
    case "CANCELED":
      return "This verification was canceled.";
    case "UNKNOWN":
      return "This verification is in a state this app does not know.";
  }
}

/**
 * SessionStatus follows one session live: idgraph sends its state at once,
 * then after each change, and every status received is listed in order.
 */
export function SessionStatus({ id, returned, onStatusChange }: { id: string; returned: boolean; onStatusChange: () => void }) {
  const [{ data, error }] = useSubscription({ query: SessionUpdates, variables: { id } });
  const [seen, setSeen] = useState<VerificationSessionStatus[]>([]);
  const session = data?.verificationSessionUpdated;
  const status = session?.status;

  // Each new status joins the list as it is rendered (React's pattern for
  // state that follows another value), so the list never lags the headline.
  if (status !== undefined && seen[seen.length - 1] !== status) setSeen([...seen, status]);
  useEffect(() => {
    if (status !== undefined) onStatusChange();
  }, [status, onStatusChange]);

  // A field the user's scopes do not allow (the verified name) is null
  // with a FORBIDDEN error at its path; the rest of the update is good.
  const nameForbidden = error !== undefined && errorCodes(error).every((c) => c === "FORBIDDEN") && session !== undefined;
  const failed = error !== undefined && !nameForbidden;

  return (
    <section aria-labelledby="status-heading" id="status" data-status={status ?? ""}>
      <h2 id="status-heading">
        Verification <code>{id}</code>
      </h2>
      {returned && <p className="muted">Welcome back. Your result arrives here as soon as it is ready.</p>}
      {failed && (
        <p role="alert" className="error" id="status-error">
          {describeError(error)}
        </p>
      )}
      {session === undefined ? (
        !failed && <p>Connecting…</p>
      ) : (
        <>
          <p className={`status status-${session.status.toLowerCase()}`} id="status-headline" aria-live="polite">
            {headline(session)}
          </p>
          {session.status === "REQUIRES_INPUT" && session.lastError && (
            <p id="status-reason">
              Reason: {session.lastError.reason ?? "none given"}
              {session.lastError.code && <span className="muted"> ({session.lastError.code})</span>}
            </p>
          )}
          {session.status === "VERIFIED" &&
            (session.verifiedOutputs ? (
              <p id="verified-name">
                Verified name: {[session.verifiedOutputs.firstName, session.verifiedOutputs.lastName].filter(Boolean).join(" ")}
              </p>
            ) : nameForbidden ? (
              <p className="muted" id="verified-name-hidden">
                Your sign-in does not let this app read your verified name (it needs the scope identity:read_outputs).
              </p>
            ) : null)}
          {session.status === "REQUIRES_INPUT" && session.url && (
            <p>
              <a href={session.url}>{session.lastError ? "Try again" : "Continue on the verification page"}</a>
            </p>
          )}
        </>
      )}
      {seen.length > 0 && (
        <>
          <h3>Updates received</h3>
          <ol id="status-updates" className="timeline">
            {seen.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
