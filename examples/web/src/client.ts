// The GraphQL client of one sign-in: urql over HTTP for queries and
// mutations, graphql-ws for subscriptions, both carrying the user's token.
import { createClient as createWSClient, type Client as WSClient } from "graphql-ws";
import { cacheExchange, Client, fetchExchange, mapExchange, subscriptionExchange } from "urql";
import { graphqlURL, graphqlWebSocketURL } from "./config";
import { isUnauthenticated } from "./errors";

/** idgraph closes a subscription socket with 4403 when its token expires. */
const closedForExpiredToken = 4403;

export interface SessionClient {
  client: Client;
  dispose(): void;
}

/**
 * makeClient returns a client that authenticates as token; onUnauthenticated
 * runs when idgraph refuses it (an expired token, on HTTP or on the socket).
 */
export function makeClient(token: string, onUnauthenticated: () => void): SessionClient {
  const authorization = `Bearer ${token}`;
  // The socket is made on the first subscription and made again after
  // dispose (React's StrictMode disposes and reuses a client in development).
  let ws: WSClient | null = null;
  const socket = (): WSClient =>
    (ws ??= createWSClient({
    url: graphqlWebSocketURL,
    // A browser cannot set a WebSocket's headers: the token goes in
    // connection_init's payload.
    connectionParams: { Authorization: authorization },
    lazy: true,
    on: {
      closed: (event) => {
        if ((event as CloseEvent).code === closedForExpiredToken) onUnauthenticated();
      },
    },
  }));
  const client = new Client({
    url: graphqlURL,
    fetchOptions: { headers: { Authorization: authorization } },
    exchanges: [
      mapExchange({
        onError: (error) => {
          if (isUnauthenticated(error)) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: socket().subscribe({ ...request, query: request.query ?? "" }, sink) }),
        }),
      }),
    ],
  });
  return {
    client,
    dispose: () => {
      void ws?.dispose();
      ws = null;
    },
  };
}
