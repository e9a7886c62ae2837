// The consent page and the error page of /authorize: plain HTML from a template, no script at all, no
// external asset, one inline style allowed by its hash. The policy forbids framing (clickjacking) and
// lets the form submit only to this origin and to the one redirect URI origin the request was checked for
// (Chromium applies form-action to the redirect that follows the POST).
import { createHash } from "node:crypto";
import type { HttpResponse } from "../protocol/http.ts";
import { escapeHtml } from "../signin/html.ts";

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; padding: 1.5rem; display: flex; justify-content: center; }
main { max-width: 32rem; width: 100%; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 1rem 0; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.uri { font-family: ui-monospace, monospace; font-size: 0.85rem; }
.note { border-left: 4px solid #b58900; padding: 0.5rem 0.75rem; margin: 1rem 0; }
.error { border-left: 4px solid #c0392b; padding: 0.5rem 0.75rem; margin: 1rem 0; font-weight: 600; }
label { display: block; font-weight: 600; margin-top: 1rem; }
input { font: inherit; width: 100%; box-sizing: border-box; padding: 0.5rem; margin-top: 0.25rem; }
.help { font-size: 0.9rem; margin: 0.25rem 0 1rem; }
.actions { display: flex; gap: 0.75rem; flex-wrap: wrap; }
button { font: inherit; padding: 0.5rem 1.25rem; cursor: pointer; }
button:focus-visible, input:focus-visible { outline: 3px solid #268bd2; outline-offset: 2px; }
`;
const STYLE_HASH = `'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`;

export interface ConsentView {
  clientName: string;
  clientId: string;
  /** Set for a client identified by a Client ID Metadata Document: the host that vouches for the name. */
  documentHost?: string;
  redirectUri: string;
  /** The signed form token (./authorize.ts) carrying the checked authorization request. */
  ticket: string;
  /** Shown above the form, announced to screen readers. */
  error?: string;
}

export function consentPage(
  status: number,
  view: ConsentView,
  headers: Record<string, string> = {},
): HttpResponse {
  const redirect = new URL(view.redirectUri);
  const name = escapeHtml(view.clientName);
  const loopback = redirect.protocol === "http:";
  const described = view.error === undefined ? "key-help" : "key-help key-error";
  const body = `<main>
<h1>Allow ${name} to use your memory?</h1>
<p>${name} asks to read, add, change and delete the memories kept by this server.</p>
<dl>
<dt>Application</dt><dd>${name}${
    view.documentHost === undefined
      ? ""
      : ` <span class="help">(as described by <strong>${escapeHtml(view.documentHost)}</strong>)</span>`
  }</dd>
<dt>Client ID</dt><dd class="uri">${escapeHtml(view.clientId)}</dd>
<dt>Returns you to</dt><dd><strong>${escapeHtml(redirect.host)}</strong><br><span class="uri">${escapeHtml(view.redirectUri)}</span></dd>
</dl>
${
  loopback
    ? `<p class="note">This approval goes to a program on this computer (${escapeHtml(redirect.host)}). Continue only if you started this connection yourself, from an app running here.</p>\n`
    : ""
}${view.error === undefined ? "" : `<p class="error" id="key-error" role="alert">${escapeHtml(view.error)}</p>\n`}<form method="post" action="/authorize">
<input type="hidden" name="ticket" value="${escapeHtml(view.ticket)}">
<label for="api-key">API key of this server</label>
<input id="api-key" name="api_key" type="password" autocomplete="current-password" required autofocus aria-describedby="${described}"${view.error === undefined ? "" : ' aria-invalid="true"'}>
<p class="help" id="key-help">The key you got from <code>make deploy</code> (or <code>npm start</code>). It proves that you own this server; it is checked here and never given to ${name}.</p>
<div class="actions">
<button type="submit" name="action" value="approve">Allow access</button>
<button type="submit" name="action" value="deny" formnovalidate>Deny</button>
</div>
</form>
</main>`;
  return page(status, `Allow ${view.clientName} to use your memory?`, body, redirect.origin, headers);
}

export function errorPage(status: number, title: string, message: string): HttpResponse {
  const body = `<main>
<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(message)}</p>
<p>Go back to the application you were connecting and start the connection again.</p>
</main>`;
  return page(status, title, body, undefined, {});
}

function page(
  status: number,
  title: string,
  main: string,
  formTarget: string | undefined,
  headers: Record<string, string>,
): HttpResponse {
  const formAction = formTarget === undefined ? "'self'" : `'self' ${formTarget}`;
  return {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": `default-src 'none'; style-src ${STYLE_HASH}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
      ...headers,
    },
    body: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${main}
</body>
</html>
`,
  };
}
