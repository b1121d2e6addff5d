// threadline UI behaviour. No inline scripts anywhere: the CSP allows only files from /static.
document.addEventListener("htmx:configRequest", (event) => {
  // htmx requests that change state carry the session's CSRF token.
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRF-Token"] = token.content;
});
