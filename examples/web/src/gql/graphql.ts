/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Input of cancelVerificationSession. */
export type CancelVerificationSessionInput = {
  /** The ID of the session to cancel (`vs_…`). */
  id: string | number;
  /** Makes the call safe to retry. Sent to Stripe as the Idempotency-Key header. */
  idempotencyKey?: string | null | undefined;
};

/** Input of createVerificationSession. */
export type CreateVerificationSessionInput = {
  /**
   * A string to reference this user (a customer ID, for example), to reconcile the
   * verification with your systems. For an end user it is set to their user ID;
   * any other value is a FORBIDDEN user error. A server key may set any value.
   */
  clientReferenceId?: string | null | undefined;
  /** Makes the call safe to retry: a second call with the same key returns the first result. Sent to Stripe as the Idempotency-Key header. */
  idempotencyKey?: string | null | undefined;
  /** Key-value pairs to attach (at most 50; keys up to 40 characters without square brackets, values up to 500). An entry with an empty or null value is ignored. */
  metadata?: Array<MetadataEntryInput> | null | undefined;
  /** Options of the verification checks. */
  options?: VerificationSessionOptionsInput | null | undefined;
  /** Details about the user being verified; they may be shown to the user. */
  providedDetails?: ProvidedDetailsInput | null | undefined;
  /** The ID of the Customer this session is for. */
  relatedCustomer?: string | null | undefined;
  /** The ID of the Account representing the customer this session is for. */
  relatedCustomerAccount?: string | null | undefined;
  /** The Person (and its Account) this verification is for. */
  relatedPerson?: RelatedPersonInput | null | undefined;
  /** The URL the user is sent to after completing the verification flow. */
  returnUrl?: string | null | undefined;
  /** The type of verification check to perform. Give either `type` or `verificationFlow`. */
  type?: VerificationSessionType | null | undefined;
  /** The ID of a verification flow from the Dashboard. Give either `type` or `verificationFlow`. */
  verificationFlow?: string | null | undefined;
};

/** Options of the document check. */
export type DocumentOptionsInput = {
  /** The identity document types to allow. */
  allowedTypes?: Array<DocumentType> | null | undefined;
  /** Collect an ID number and check it against the document's name and date of birth. */
  requireIdNumber?: boolean | null | undefined;
  /** Disable image uploads: documents must be captured with the device's camera. */
  requireLiveCapture?: boolean | null | undefined;
  /** Capture a selfie and compare it with the document's photo. */
  requireMatchingSelfie?: boolean | null | undefined;
};

/** A type of identity document. */
export type DocumentType =
  /** Driving license. */
  | 'DRIVING_LICENSE'
  /** Identity card. */
  | 'ID_CARD'
  /** Passport. */
  | 'PASSPORT'
  /** A document type this version of idgraph does not know yet (Stripe added it). Never accepted as input. */
  | 'UNKNOWN';

/** A metadata entry to set or, with an empty or null value, to unset. */
export type MetadataEntryInput = {
  /** The key: at most 40 characters, no square brackets. */
  key: string;
  /** The value: at most 500 characters; empty or null unsets the key. */
  value?: string | null | undefined;
};

/** Details about the user being verified. */
export type ProvidedDetailsInput = {
  /** Email of the user being verified. */
  email?: string | null | undefined;
  /** Phone number of the user being verified. */
  phone?: string | null | undefined;
};

/** Input of redactVerificationSession. */
export type RedactVerificationSessionInput = {
  /** The ID of the session to redact (`vs_…`). */
  id: string | number;
  /** Makes the call safe to retry. Sent to Stripe as the Idempotency-Key header. */
  idempotencyKey?: string | null | undefined;
};

/** The state of a redaction. */
export type RedactionStatus =
  /** The redaction is in progress (it may take up to four days). */
  | 'PROCESSING'
  /** The object and its related objects have been redacted. */
  | 'REDACTED'
  /** A status this version of idgraph does not know yet (Stripe added it). */
  | 'UNKNOWN'
  /** The redaction request was validated and will be processed. */
  | 'VALIDATED';

/** The Person (and its Account) a verification is for. */
export type RelatedPersonInput = {
  /** The ID of the connected Account of the Person. */
  account: string;
  /** The ID of the Person. */
  person: string;
};

/** The kind of a user error. */
export type UserErrorCode =
  /**
   * The caller may not do this: another user's client reference ID, or an option
   * that the app's verification policy imposes (e.g. turning off the selfie check).
   */
  | 'FORBIDDEN'
  /** The idempotency key was already used with different input. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** An input value is invalid: missing, malformed, out of range or unknown to Stripe. */
  | 'INVALID'
  /** The session's status does not allow the operation (e.g. cancel once verified). */
  | 'INVALID_STATE'
  /** No session has this ID. */
  | 'NOT_FOUND';

/** Why a verification, a check or a user session failed. */
export type VerificationErrorCode =
  /** The user abandoned the verification. */
  | 'ABANDONED'
  /** The user declined to be verified. */
  | 'CONSENT_DECLINED'
  /** The user's country is not supported. */
  | 'COUNTRY_NOT_SUPPORTED'
  /** The user's device is not supported. */
  | 'DEVICE_NOT_SUPPORTED'
  /** The provided identity document has expired. */
  | 'DOCUMENT_EXPIRED'
  /** The provided identity document is not one of the allowed types. */
  | 'DOCUMENT_TYPE_NOT_SUPPORTED'
  /** Stripe could not verify the provided identity document. */
  | 'DOCUMENT_UNVERIFIED_OTHER'
  /** Stripe could not verify the provided email. */
  | 'EMAIL_UNVERIFIED_OTHER'
  /** The user declined to verify their email. */
  | 'EMAIL_VERIFICATION_DECLINED'
  /** The document lacked the data needed to verify the ID number. */
  | 'ID_NUMBER_INSUFFICIENT_DOCUMENT_DATA'
  /** The ID number did not match the user's other data. */
  | 'ID_NUMBER_MISMATCH'
  /** Stripe could not verify the provided ID number. */
  | 'ID_NUMBER_UNVERIFIED_OTHER'
  /** Stripe could not verify the provided phone number. */
  | 'PHONE_UNVERIFIED_OTHER'
  /** The user declined to verify their phone number. */
  | 'PHONE_VERIFICATION_DECLINED'
  /** The identity document had no photo to match the selfie against. */
  | 'SELFIE_DOCUMENT_MISSING_PHOTO'
  /** The selfie did not match the face on the document. */
  | 'SELFIE_FACE_MISMATCH'
  /** The selfie was manipulated. */
  | 'SELFIE_MANIPULATED'
  /** Stripe could not verify the selfie. */
  | 'SELFIE_UNVERIFIED_OTHER'
  /** The user is under the supported age. */
  | 'UNDER_SUPPORTED_AGE'
  /** A code this version of idgraph does not know yet (Stripe added it). */
  | 'UNKNOWN';

/** Options of the verification checks. */
export type VerificationSessionOptionsInput = {
  /** Options of the document check; null removes them. */
  document?: DocumentOptionsInput | null | undefined;
};

/** The status of a VerificationSession. See Stripe's guide to how sessions work. */
export type VerificationSessionStatus =
  /** The session has been invalidated for future submission attempts. */
  | 'CANCELED'
  /** The session has been submitted and is being processed; most checks take less than a minute. */
  | 'PROCESSING'
  /** Requires user input before processing can continue. */
  | 'REQUIRES_INPUT'
  /** A status this version of idgraph does not know yet (Stripe added it). Never accepted as input. */
  | 'UNKNOWN'
  /** All verification checks are complete and successfully verified. */
  | 'VERIFIED';

/** The type of verification check of a session. */
export type VerificationSessionType =
  /** Document check. */
  | 'DOCUMENT'
  /** ID number check. */
  | 'ID_NUMBER'
  /** A type this version of idgraph does not know yet (Stripe added it). Never accepted as input. */
  | 'UNKNOWN'
  /** Checks configured by a verification flow from the Dashboard. Output only: create with `verificationFlow` instead. */
  | 'VERIFICATION_FLOW';

export type MySessionsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type MySessionsQuery = { verificationSessions: { edges: Array<{ cursor: string, node: { id: string, status: VerificationSessionStatus, created: string, lastError: { reason: string | null } | null, redaction: { status: RedactionStatus } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CancelSessionMutationVariables = Exact<{
  input: CancelVerificationSessionInput;
}>;


export type CancelSessionMutation = { cancelVerificationSession: { verificationSession: { id: string, status: VerificationSessionStatus } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type RedactSessionMutationVariables = Exact<{
  input: RedactVerificationSessionInput;
}>;


export type RedactSessionMutation = { redactVerificationSession: { verificationSession: { id: string, status: VerificationSessionStatus, redaction: { status: RedactionStatus } | null } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type SessionUpdatesSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type SessionUpdatesSubscription = { verificationSessionUpdated: { id: string, status: VerificationSessionStatus, url: string | null, lastError: { code: VerificationErrorCode | null, reason: string | null } | null, verifiedOutputs: { firstName: string | null, lastName: string | null } | null } };

export type CreateSessionMutationVariables = Exact<{
  input: CreateVerificationSessionInput;
}>;


export type CreateSessionMutation = { createVerificationSession: { verificationSession: { id: string, url: string | null } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };


export const MySessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MySessions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verificationSessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"created"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"redaction"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<MySessionsQuery, MySessionsQueryVariables>;
export const CancelSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CancelSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CancelVerificationSessionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelVerificationSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verificationSession"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<CancelSessionMutation, CancelSessionMutationVariables>;
export const RedactSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RedactSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RedactVerificationSessionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"redactVerificationSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verificationSession"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"redaction"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<RedactSessionMutation, RedactSessionMutationVariables>;
export const SessionUpdatesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"SessionUpdates"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verificationSessionUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"verifiedOutputs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}}]}}]}}]}}]} as unknown as DocumentNode<SessionUpdatesSubscription, SessionUpdatesSubscriptionVariables>;
export const CreateSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateVerificationSessionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createVerificationSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verificationSession"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<CreateSessionMutation, CreateSessionMutationVariables>;