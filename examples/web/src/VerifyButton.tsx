import { useState } from "react";
import { useMutation } from "urql";
import { describeError } from "./errors";
import { graphql } from "./gql";
import { UserErrors } from "./UserErrors";

const CreateSession = graphql(`
  mutation CreateSession($input: CreateVerificationSessionInput!) {
    createVerificationSession(input: $input) {
      verificationSession {
        id
        url
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

/**
 * VerifyButton creates a document verification and sends the browser to its
 * hosted page, which sends it back to this app's /?returned.
 */
export function VerifyButton({ onCreated }: { onCreated: (id: string) => void }) {
  const [{ fetching, data, error }, create] = useMutation(CreateSession);
  const [leaving, setLeaving] = useState(false);
  const payload = data?.createVerificationSession;

  async function verify() {
    const returnUrl = new URL("/?returned", window.location.href).href;
    const res = await create({ input: { type: "DOCUMENT", returnUrl } });
    const session = res.data?.createVerificationSession.verificationSession;
    if (session == null) return;
    onCreated(session.id);
    if (session.url != null) {
      setLeaving(true);
      window.location.assign(session.url);
    }
  }

  return (
    <section aria-labelledby="verify-heading">
      <h2 id="verify-heading" className="visually-hidden">
        Start a verification
      </h2>
      <p>We need to check an identity document of yours. It takes a minute.</p>
      <button type="button" id="verify" onClick={() => void verify()} disabled={fetching || leaving}>
        {leaving ? "Opening the verification page…" : fetching ? "Starting…" : "Verify my identity"}
      </button>
      {error && (
        <p role="alert" className="error">
          {describeError(error)}
        </p>
      )}
      {payload && <UserErrors errors={payload.userErrors} />}
      {payload?.verificationSession && payload.verificationSession.url == null && (
        <p className="error">This verification cannot be submitted any more; start another one.</p>
      )}
    </section>
  );
}
