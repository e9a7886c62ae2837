// The memory page's shell: one stylesheet allowed by its hash, no script at all, and the headers that keep
// the page out of frames, caches and other sites' Referer headers.
import { createHash } from "node:crypto";
import type { HttpResponse } from "../protocol/http.ts";
import { escapeHtml } from "../signin/html.ts";

const STYLE = `
:root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1b1b; background: #fff; }
body { margin: 0; }
a { color: #0b57d0; }
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, summary:focus-visible {
  outline: 3px solid #0b57d0; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 0.5rem; top: 0.5rem; background: #fff; padding: 0.25rem 0.5rem; }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
header, main, footer { max-width: 48rem; margin: 0 auto; padding: 0 1rem; }
header { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem;
  padding-top: 1rem; padding-bottom: 0.5rem; border-bottom: 1px solid #d0d0d0; }
header .site { font-weight: 700; font-size: 1.1rem; color: inherit; text-decoration: none; }
header nav { display: flex; gap: 0.75rem; align-items: center; flex-wrap: wrap; }
header form { margin: 0; }
h1 { font-size: 1.4rem; margin: 1rem 0; }
label { display: block; font-weight: 600; margin-top: 0.75rem; }
input, textarea { font: inherit; width: 100%; box-sizing: border-box; padding: 0.5rem; margin-top: 0.25rem;
  border: 1px solid #6b6b6b; border-radius: 4px; color: inherit; background: #fff; }
textarea { min-height: 12rem; resize: vertical; }
button, .button { font: inherit; padding: 0.45rem 1rem; cursor: pointer; border: 1px solid #0b57d0;
  border-radius: 4px; background: #0b57d0; color: #fff; text-decoration: none; display: inline-block; }
button.quiet { background: #fff; color: #0b57d0; }
button.danger { background: #b3261e; border-color: #b3261e; }
.search { display: flex; gap: 0.5rem; align-items: end; margin: 1rem 0; }
.search div { flex: 1; }
.search label { margin-top: 0; }
.help { font-size: 0.9rem; color: #4a4a4a; margin: 0.25rem 0 0; }
.notice { border-left: 4px solid #1e7a34; padding: 0.5rem 0.75rem; margin: 1rem 0; background: #eef7f0; }
.error { border-left: 4px solid #b3261e; padding: 0.5rem 0.75rem; margin: 1rem 0; background: #fbeeed; }
.error ul { margin: 0.25rem 0 0; padding-left: 1.25rem; }
.filter { margin: 0.5rem 0 1rem; }
ol.memories { list-style: none; padding: 0; margin: 0; }
ol.memories > li { border: 1px solid #d0d0d0; border-radius: 6px; padding: 0.75rem 1rem; margin: 0 0 0.75rem; }
.content { white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: isolate; margin: 0; }
details summary { cursor: pointer; list-style: none; }
details summary::-webkit-details-marker { display: none; }
details .more { color: #0b57d0; text-decoration: underline; white-space: nowrap; }
details[open] .more { display: none; }
.meta { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; font-size: 0.85rem; color: #4a4a4a; margin-top: 0.5rem; }
.tags { display: flex; flex-wrap: wrap; gap: 0.35rem; list-style: none; padding: 0; margin: 0.5rem 0 0; }
.tags a { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; background: #e8eefb;
  font-size: 0.85rem; overflow-wrap: anywhere; unicode-bidi: isolate; }
.foot { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 0 1rem; }
.foot .meta, .foot .actions { margin: 0.5rem 0 0; }
.actions { display: flex; gap: 0.75rem; flex-wrap: wrap; align-items: center; margin-top: 0.75rem; }
.actions form { margin: 0; }
.pager { display: flex; justify-content: space-between; gap: 1rem; margin: 1rem 0 2rem; }
.stored { border: 1px solid #d0d0d0; border-radius: 6px; padding: 0.75rem 1rem; margin: 0.5rem 0 1rem; }
footer { font-size: 0.85rem; color: #4a4a4a; padding-bottom: 2rem; }
`;
const STYLE_HASH = `'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`;

/** Security headers of every answer of the page, the downloads included. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "content-security-policy": `default-src 'none'; style-src ${STYLE_HASH}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
};

export interface Shell {
  title: string;
  /** The CSRF token of the session: present once signed in, for the sign-out button. */
  csrf?: string;
  main: string;
}

export function htmlPage(status: number, shell: Shell, headers: Record<string, string> = {}): HttpResponse {
  const nav =
    shell.csrf === undefined
      ? ""
      : `<nav aria-label="Account">
<a href="/memories/export.jsonl" download>Download all (JSONL)</a>
<form method="post" action="/memories/sign-out"><input type="hidden" name="csrf" value="${escapeHtml(shell.csrf)}"><button type="submit" class="quiet">Sign out</button></form>
</nav>`;
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8", ...PAGE_HEADERS, ...headers },
    body: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(shell.title)} - Personal Memory</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><a class="site" href="/memories">Personal Memory</a>${nav}</header>
<main id="main">
${shell.main}
</main>
<footer><p>Served by your own memory server. Memories are shown exactly as stored.</p></footer>
</body>
</html>
`,
  };
}
