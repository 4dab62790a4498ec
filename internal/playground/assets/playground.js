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

  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });

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
