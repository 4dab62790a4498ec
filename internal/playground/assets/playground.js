// playground.js starts GraphiQL on the page that playground.Handler serves.
//
// It is a file of its own, not an inline <script>, so that the page's CSP can
// say script-src 'self' with no 'unsafe-inline'. The page passes its settings
// in data- attributes of the #graphiql element, which html/template escapes.
(function () {
  'use strict';

  // GraphiQL's dialogs (settings, shortcuts) use react-remove-scroll, which
  // injects one <style> element and puts window.__webpack_nonce__ in its nonce
  // attribute when that is set. The page's CSP allows styles with this
  // response's nonce, which the server put on this <script> element; reading
  // it from .nonce works because browsers hide the attribute from the DOM.
  var self = document.currentScript;
  if (self && self.nonce) {
    window.__webpack_nonce__ = self.nonce;
  }

  var root = document.getElementById('graphiql');
  var config = root.dataset;

  var plugins = [];
  // The explorer is optional: the page still works if its bundle is dropped.
  if (window.GraphiQLPluginExplorer) {
    plugins.push(window.GraphiQLPluginExplorer.explorerPlugin());
  }

  // Queries and mutations go over HTTP; subscriptions over a WebSocket
  // (graphql-transport-ws, with the graphql-ws client that graphiql.min.js
  // bundles) to the same endpoint. Resolving the endpoint against the page's
  // location makes it work on any host and port, and wss: under https:.
  var endpoint = new URL(config.endpoint, window.location.href);
  var subscriptionUrl = new URL(endpoint.href);
  subscriptionUrl.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

  // A browser cannot put headers on a WebSocket, so GraphiQL sends what the
  // Headers tab holds, such as {"Authorization": "Bearer …"}, as the payload
  // of connection_init, where idgraph reads the credential. Each subscription
  // opens its own connection with the headers of the moment, closed when the
  // subscription ends.
  var fetcher = GraphiQL.createFetcher({
    url: endpoint.href,
    subscriptionUrl: subscriptionUrl.href,
  });

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      // Used only until the user edits the query: GraphiQL keeps the editors'
      // contents in localStorage after that.
      defaultQuery: config.defaultQuery,
      plugins: plugins,
    }),
  );
})();
