import { useEffect, useState } from "react";
import { useMutation, useQuery } from "urql";
import { describeError } from "./errors";
import { graphql } from "./gql";
import type { MySessionsQuery, VerificationSessionStatus } from "./gql/graphql";
import { UserErrors } from "./UserErrors";

/** Sessions per page: small, so that "Load more" shows early. */
export const pageSize = 5;

const MySessions = graphql(`
  query MySessions($first: Int!, $after: String) {
    verificationSessions(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          status
          created
          lastError {
            reason
          }
          redaction {
            status
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const CancelSession = graphql(`
  mutation CancelSession($input: CancelVerificationSessionInput!) {
    cancelVerificationSession(input: $input) {
      verificationSession {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const RedactSession = graphql(`
  mutation RedactSession($input: RedactVerificationSessionInput!) {
    redactVerificationSession(input: $input) {
      verificationSession {
        id
        status
        redaction {
          status
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

type Session = MySessionsQuery["verificationSessions"]["edges"][number]["node"];

const statusWords: Record<VerificationSessionStatus, string> = {
  REQUIRES_INPUT: "Waiting for a submission",
  PROCESSING: "Being checked",
  VERIFIED: "Verified",
  CANCELED: "Canceled",
  UNKNOWN: "Unknown",
};

interface ListProps {
  /** Changes when the list must be read again (a status changed live). */
  version: number;
  current: string | null;
  onShow: (id: string) => void;
}

/**
 * MyVerifications lists the user's sessions, newest first: one page per
 * cursor, "Load more" adding the page after the last one (Relay's first and
 * after). idgraph lists only the signed-in user's own sessions.
 */
export function MyVerifications(props: ListProps) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return (
    <section aria-labelledby="list-heading">
      <h2 id="list-heading">My verifications</h2>
      <ul id="sessions" className="sessions">
        {cursors.map((after, i) => (
          <Page
            key={after ?? ""}
            after={after}
            last={i === cursors.length - 1}
            onMore={(next) => setCursors((c) => [...c, next])}
            {...props}
          />
        ))}
      </ul>
    </section>
  );
}

function Page({ after, last, onMore, version, current, onShow }: ListProps & { after: string | null; last: boolean; onMore: (after: string) => void }) {
  const [{ data, fetching, error }, reload] = useQuery({ query: MySessions, variables: { first: pageSize, after } });
  useEffect(() => {
    if (version > 0) reload({ requestPolicy: "network-only" });
  }, [version, reload]);
  const page = data?.verificationSessions;
  return (
    <>
      {page?.edges.map(({ node }) => (
        <SessionRow key={node.id} session={node} current={node.id === current} onShow={onShow} />
      ))}
      {error && (
        <li role="alert" className="error" id="list-error">
          {describeError(error)}{" "}
          <button type="button" className="secondary" onClick={() => reload({ requestPolicy: "network-only" })}>
            Try again
          </button>
        </li>
      )}
      {fetching && page === undefined && <li className="muted">Loading…</li>}
      {page !== undefined && after === null && page.edges.length === 0 && <li className="muted">No verifications yet.</li>}
      {last && page?.pageInfo.hasNextPage && page.pageInfo.endCursor != null && (
        <li>
          <button type="button" id="load-more" className="secondary" onClick={() => onMore(page.pageInfo.endCursor ?? "")}>
            Load more
          </button>
        </li>
      )}
    </>
  );
}

function SessionRow({ session, current, onShow }: { session: Session; current: boolean; onShow: (id: string) => void }) {
  const [cancelState, cancel] = useMutation(CancelSession);
  const [redactState, redact] = useMutation(RedactSession);
  const [confirming, setConfirming] = useState<"cancel" | "redact" | null>(null);
  const userErrors = [
    ...(cancelState.data?.cancelVerificationSession.userErrors ?? []),
    ...(redactState.data?.redactVerificationSession.userErrors ?? []),
  ];
  const failure = cancelState.error ?? redactState.error;
  const redacted = session.redaction != null;
  const canCancel = session.status === "REQUIRES_INPUT";
  const canRedact = !redacted && (session.status === "REQUIRES_INPUT" || session.status === "VERIFIED");
  const busy = cancelState.fetching || redactState.fetching;

  function run(action: "cancel" | "redact") {
    setConfirming(null);
    const input = { input: { id: session.id } };
    void (action === "cancel" ? cancel(input) : redact(input));
  }

  return (
    <li className={current ? "session current" : "session"} data-id={session.id} data-status={session.status}>
      <div className="session-id">
        <code>{session.id}</code>
        <UserErrors errors={userErrors} field={["id"]} />
      </div>
      <div>
        <span className="session-status">{statusWords[session.status]}</span>
        {redacted && <span className="muted"> · personal data erased</span>}
        {session.status === "REQUIRES_INPUT" && session.lastError?.reason && (
          <span className="muted"> · last attempt: {session.lastError.reason}</span>
        )}
        <br />
        <time className="muted" dateTime={session.created}>
          {new Date(session.created).toLocaleString()}
        </time>
      </div>
      <div className="actions">
        {!current && (
          <button type="button" className="secondary show" onClick={() => onShow(session.id)}>
            Show status
          </button>
        )}
        {confirming === null ? (
          <>
            {canCancel && (
              <button type="button" className="secondary cancel" disabled={busy} onClick={() => setConfirming("cancel")}>
                Cancel
              </button>
            )}
            {canRedact && (
              <button type="button" className="secondary redact" disabled={busy} onClick={() => setConfirming("redact")}>
                Redact
              </button>
            )}
          </>
        ) : (
          <span className="confirm">
            {confirming === "cancel" ? "Cancel this verification for good?" : "Erase all personal data of this verification? This cannot be undone."}{" "}
            <button type="button" className="danger confirm-yes" onClick={() => run(confirming)}>
              Yes, {confirming}
            </button>{" "}
            <button type="button" className="secondary" onClick={() => setConfirming(null)}>
              Keep it
            </button>
          </span>
        )}
      </div>
      <UserErrors errors={userErrors} others={[["id"]]} />
      {failure && (
        <p role="alert" className="error">
          {describeError(failure)}
        </p>
      )}
    </li>
  );
}
