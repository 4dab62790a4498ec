/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query MySessions($first: Int!, $after: String) {\n    verificationSessions(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          created\n          lastError {\n            reason\n          }\n          redaction {\n            status\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.MySessionsDocument,
    "\n  mutation CancelSession($input: CancelVerificationSessionInput!) {\n    cancelVerificationSession(input: $input) {\n      verificationSession {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.CancelSessionDocument,
    "\n  mutation RedactSession($input: RedactVerificationSessionInput!) {\n    redactVerificationSession(input: $input) {\n      verificationSession {\n        id\n        status\n        redaction {\n          status\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.RedactSessionDocument,
    "\n  subscription SessionUpdates($id: ID!) {\n    verificationSessionUpdated(id: $id) {\n      id\n      status\n      url\n      lastError {\n        code\n        reason\n      }\n      verifiedOutputs {\n        firstName\n        lastName\n      }\n    }\n  }\n": typeof types.SessionUpdatesDocument,
    "\n  mutation CreateSession($input: CreateVerificationSessionInput!) {\n    createVerificationSession(input: $input) {\n      verificationSession {\n        id\n        url\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.CreateSessionDocument,
};
const documents: Documents = {
    "\n  query MySessions($first: Int!, $after: String) {\n    verificationSessions(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          created\n          lastError {\n            reason\n          }\n          redaction {\n            status\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.MySessionsDocument,
    "\n  mutation CancelSession($input: CancelVerificationSessionInput!) {\n    cancelVerificationSession(input: $input) {\n      verificationSession {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.CancelSessionDocument,
    "\n  mutation RedactSession($input: RedactVerificationSessionInput!) {\n    redactVerificationSession(input: $input) {\n      verificationSession {\n        id\n        status\n        redaction {\n          status\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.RedactSessionDocument,
    "\n  subscription SessionUpdates($id: ID!) {\n    verificationSessionUpdated(id: $id) {\n      id\n      status\n      url\n      lastError {\n        code\n        reason\n      }\n      verifiedOutputs {\n        firstName\n        lastName\n      }\n    }\n  }\n": types.SessionUpdatesDocument,
    "\n  mutation CreateSession($input: CreateVerificationSessionInput!) {\n    createVerificationSession(input: $input) {\n      verificationSession {\n        id\n        url\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.CreateSessionDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MySessions($first: Int!, $after: String) {\n    verificationSessions(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          created\n          lastError {\n            reason\n          }\n          redaction {\n            status\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query MySessions($first: Int!, $after: String) {\n    verificationSessions(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          created\n          lastError {\n            reason\n          }\n          redaction {\n            status\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelSession($input: CancelVerificationSessionInput!) {\n    cancelVerificationSession(input: $input) {\n      verificationSession {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelSession($input: CancelVerificationSessionInput!) {\n    cancelVerificationSession(input: $input) {\n      verificationSession {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RedactSession($input: RedactVerificationSessionInput!) {\n    redactVerificationSession(input: $input) {\n      verificationSession {\n        id\n        status\n        redaction {\n          status\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RedactSession($input: RedactVerificationSessionInput!) {\n    redactVerificationSession(input: $input) {\n      verificationSession {\n        id\n        status\n        redaction {\n          status\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SessionUpdates($id: ID!) {\n    verificationSessionUpdated(id: $id) {\n      id\n      status\n      url\n      lastError {\n        code\n        reason\n      }\n      verifiedOutputs {\n        firstName\n        lastName\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription SessionUpdates($id: ID!) {\n    verificationSessionUpdated(id: $id) {\n      id\n      status\n      url\n      lastError {\n        code\n        reason\n      }\n      verifiedOutputs {\n        firstName\n        lastName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSession($input: CreateVerificationSessionInput!) {\n    createVerificationSession(input: $input) {\n      verificationSession {\n        id\n        url\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateSession($input: CreateVerificationSessionInput!) {\n    createVerificationSession(input: $input) {\n      verificationSession {\n        id\n        url\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;