/* GraphiQL on /graphql/ (development only: GRAPHQL_DEV_TOOLS). The endpoint comes from the
   page's data attribute; log in with POST /api/v1/auth/token and put
   {"Authorization": "Bearer <access>"} in the Headers tab to ask as a member. */
(function () {
  "use strict";
  var element = document.getElementById("graphiql");
  var fetcher = window.GraphiQL.createFetcher({ url: element.dataset.endpoint });
  var defaultQuery = [
    "# Published listings of this marketplace. Members' data needs a token:",
    '# Headers tab -> {"Authorization": "Bearer <access token>"}',
    "{",
    "  properties(first: 5) { items { id title nightlyPrice currency } nextCursor }",
    "}",
    "",
  ].join("\n");
  window.ReactDOM.createRoot(element).render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    })
  );
})();
