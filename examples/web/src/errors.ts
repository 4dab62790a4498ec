// What a user reads when a call fails: one sentence per kind of failure,
// from idgraph's extensions.code (README, "Errors"), never a blank page.
import type { CombinedError } from "urql";
import { idgraphURL } from "./config";

/** The codes of a failed operation's GraphQL errors. */
export function errorCodes(error: CombinedError): string[] {
  return error.graphQLErrors.map((e) => (typeof e.extensions.code === "string" ? e.extensions.code : "")).filter(Boolean);
}

export function isUnauthenticated(error: CombinedError): boolean {
  return errorCodes(error).includes("UNAUTHENTICATED");
}

export const expiredMessage = "Your sign-in has expired or is no longer valid. Please sign in again.";

/** describeError says, in plain words, what went wrong and what to do. */
export function describeError(error: CombinedError): string {
  const first = error.graphQLErrors[0];
  if (first === undefined) {
    return `Cannot reach idgraph at ${idgraphURL}. Check your network connection, and that idgraph is running; then try again.`;
  }
  const code = typeof first.extensions.code === "string" ? first.extensions.code : "";
  switch (code) {
    case "UNAUTHENTICATED":
      return expiredMessage;
    case "THROTTLED": {
      const after = Number(first.extensions.retryAfter);
      const wait = !Number.isFinite(after) || after <= 0 ? "a moment" : after < 90 ? `${Math.ceil(after)} seconds` : `${Math.ceil(after / 60)} minutes`;
      return `Too many requests just now. Please wait ${wait} and try again.`;
    }
    case "NOT_FOUND":
      return "This verification does not exist, or it is not yours.";
    case "FORBIDDEN":
      return `You are not allowed to see this: ${first.message}`;
    case "RATE_LIMITED":
    case "UPSTREAM_TIMEOUT":
    case "UPSTREAM_UNAVAILABLE":
    case "UNAVAILABLE":
      return "The verification service is busy or unavailable right now. Please try again in a minute.";
    default: {
      const requestId = typeof first.extensions.requestId === "string" ? ` (request ${first.extensions.requestId})` : "";
      return `Something went wrong: ${first.message}${requestId}`;
    }
  }
}
