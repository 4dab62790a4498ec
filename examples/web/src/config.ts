// Where idgraph is: index.html's <meta name="idgraph-url">, written at build
// time from VITE_IDGRAPH_URL (vite.config.ts) and rewritable by whoever
// hosts the built app. Nothing secret ever comes from here.

function readIdgraphURL(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="idgraph-url"]');
  const raw = meta?.content ?? "";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`index.html's <meta name="idgraph-url"> holds ${JSON.stringify(raw)}, not idgraph's URL`);
  }
  return url.origin + url.pathname.replace(/\/+$/, "");
}

/** idgraph's base URL, e.g. http://127.0.0.1:8080. */
export const idgraphURL = readIdgraphURL();

/** The GraphQL endpoint, for queries and mutations over HTTP. */
export const graphqlURL = `${idgraphURL}/graphql`;

/** The same endpoint over a WebSocket (graphql-transport-ws), for subscriptions. */
export const graphqlWebSocketURL = graphqlURL.replace(/^http/, "ws");
