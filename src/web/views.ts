// The memory page's views: server-rendered HTML in which every stored string passes through escapeHtml,
// and each form carries its CSRF token. The layout around them is ./layout.ts.
import type { Memory } from "../memory/memory-store.ts";
import type { HttpResponse } from "../protocol/http.ts";
import { escapeHtml } from "../signin/html.ts";
import type { ToolOutput } from "../tools/tool.ts";
import { htmlPage } from "./layout.ts";

type SearchResult = ToolOutput<"search_memories">["results"][number];

/** Contents longer than this are folded: the head shows, the rest opens on demand (no script: <details>). */
export const FOLD_CHARS = 400;
const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

export function signInPage(
  status: number,
  view: { token: string; error?: string },
  headers: Record<string, string>,
  cookies: string[],
): HttpResponse {
  const described = view.error === undefined ? "key-help" : "key-help key-error";
  const main = `<h1>Sign in to your memories</h1>
${view.error === undefined ? "" : `<p class="error" id="key-error" role="alert">${escapeHtml(view.error)}</p>\n`}<form method="post" action="/memories/sign-in">
<input type="hidden" name="csrf" value="${escapeHtml(view.token)}">
<label for="api-key">API key of this server</label>
<input id="api-key" name="api_key" type="password" autocomplete="current-password" required autofocus aria-describedby="${described}"${view.error === undefined ? "" : ' aria-invalid="true"'}>
<p class="help" id="key-help">The key you got from <code>make deploy</code> (or <code>npm start</code>). You stay signed in for at most 12 hours in this browser.</p>
<div class="actions"><button type="submit">Sign in</button></div>
</form>`;
  return { ...htmlPage(status, { title: "Sign in", main }, headers), cookies };
}

export interface ListView {
  csrf: string;
  memories: readonly Memory[];
  tag?: string;
  /** Set when this is not the first page. */
  cursor?: string;
  nextCursor?: string;
  notice?: string;
}

export function listPage(view: ListView): HttpResponse {
  const title = view.tag === undefined ? "Your memories" : `Memories tagged ${view.tag}`;
  const filter =
    view.tag === undefined
      ? ""
      : `<p class="filter">Only memories tagged <strong>${escapeHtml(view.tag)}</strong>. <a href="/memories">Show all memories</a></p>\n`;
  const items =
    view.memories.length === 0
      ? `<p>${view.tag === undefined ? "No memories yet." : "No memory carries this tag."}</p>`
      : `<ol class="memories">\n${view.memories.map((memory) => memoryItem(memory)).join("\n")}\n</ol>`;
  const tagQuery = view.tag === undefined ? "" : `tag=${encodeURIComponent(view.tag)}`;
  const newer =
    view.cursor === undefined
      ? "<span></span>"
      : `<a href="/memories${tagQuery === "" ? "" : `?${tagQuery}`}">Newest memories</a>`;
  const older =
    view.nextCursor === undefined
      ? ""
      : `<a href="/memories?${tagQuery === "" ? "" : `${tagQuery}&amp;`}cursor=${encodeURIComponent(view.nextCursor)}" rel="next">Older memories</a>`;
  const main = `<h1>${escapeHtml(title)}</h1>
${noticeHtml(view.notice)}${searchForm("", view.tag)}
${filter}${items}
<nav class="pager" aria-label="Pages">${newer}${older}</nav>`;
  return htmlPage(200, { title, csrf: view.csrf, main });
}

export function searchPage(view: {
  csrf: string;
  query: string;
  tag?: string;
  results?: readonly SearchResult[];
  searched?: number;
  errors?: readonly string[];
}): HttpResponse {
  const status = view.errors === undefined ? 200 : 400;
  const results = view.results ?? [];
  const summary =
    view.errors !== undefined
      ? errorList("The search could not run:", view.errors)
      : `<p role="status">${results.length === 0 ? "Nothing matched" : `${results.length} best match${results.length === 1 ? "" : "es"}`} among ${view.searched ?? 0} memories${view.tag === undefined ? "" : ` tagged <strong>${escapeHtml(view.tag)}</strong>`}, most relevant first.</p>`;
  const items =
    results.length === 0
      ? ""
      : `<ol class="memories">\n${results
          .map(
            (result) => `<li><article>
<p class="content" dir="auto">${escapeHtml(result.snippet)}${result.snippetTruncated ? " …" : ""}</p>
${tagList(result.tags)}${times(result)}
<div class="actions"><a href="/memories/${result.id}">Open and edit<span class="vh"> this memory</span></a><span class="help">Relevance ${result.score.toFixed(2)}</span></div>
</article></li>`,
          )
          .join("\n")}\n</ol>`;
  const main = `<h1>Search results</h1>
${searchForm(view.query, view.tag)}
${summary}
${items}
<p><a href="/memories">Back to all memories</a></p>`;
  return htmlPage(status, { title: `Search: ${view.query}`, csrf: view.csrf, main });
}

export interface EditView {
  csrf: string;
  memory: Memory;
  /** What the form shows: the stored text, or the text the person sent when it could not be saved. */
  content: string;
  tags: string;
  /** The version the form will claim to have read. */
  version: number;
  errors?: readonly string[];
  /** Set after a version conflict: the memory as it is now, shown above the person's own edit. */
  conflict?: boolean;
  notice?: string;
}

export function editPage(status: number, view: EditView): HttpResponse {
  const { memory } = view;
  const conflict =
    view.conflict === true
      ? `<div class="error" role="alert"><p><strong>This memory was changed elsewhere since you opened it</strong> (it is now version ${memory.version}). Nothing was saved. This is what is stored now:</p>
<div class="stored"><p class="content" dir="auto">${escapeHtml(memory.content)}</p>${tagList(memory.tags)}</div>
<p>Your edit is still in the form below. Save it to replace the stored version, or leave this page to keep it.</p></div>\n`
      : "";
  const errors = view.errors === undefined ? "" : errorList("Nothing was saved:", view.errors, true);
  const main = `<h1>Edit a memory</h1>
${noticeHtml(view.notice)}${conflict}${errors}<form method="post" action="/memories/${memory.id}">
<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">
<input type="hidden" name="version" value="${view.version}">
<label for="content">Content</label>
<textarea id="content" name="content" required maxlength="10000" dir="auto" aria-describedby="content-help">${escapeHtml(view.content)}</textarea>
<p class="help" id="content-help">At most 10,000 characters, stored exactly as written.</p>
<label for="tags">Tags</label>
<input id="tags" name="tags" value="${escapeHtml(view.tags)}" aria-describedby="tags-help" autocomplete="off">
<p class="help" id="tags-help">Separated by commas, at most 10. Stored in lower case.</p>
<div class="actions"><button type="submit">Save</button><a href="/memories">Cancel</a></div>
</form>
${times(memory)}
<p><a href="/memories/${memory.id}/delete">Delete this memory…</a></p>`;
  return htmlPage(status, { title: "Edit a memory", csrf: view.csrf, main });
}

export function deletePage(view: { csrf: string; memory: Memory }): HttpResponse {
  const { memory } = view;
  const main = `<h1>Delete this memory?</h1>
<p>It is removed for good: Claude will no longer find it. Download your memories first if you may want it back.</p>
<div class="stored"><p class="content" dir="auto">${escapeHtml(memory.content)}</p>${tagList(memory.tags)}${times(memory)}</div>
<form method="post" action="/memories/${memory.id}/delete">
<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">
<div class="actions"><button type="submit" class="danger">Delete for good</button><a href="/memories/${memory.id}">Keep it</a></div>
</form>`;
  return htmlPage(200, { title: "Delete this memory?", csrf: view.csrf, main });
}

/** A page that only says something: not found, refused, too large, a server fault. */
export function messagePage(
  status: number,
  title: string,
  message: string,
  options: { csrf?: string | undefined; headers?: Record<string, string> } = {},
): HttpResponse {
  const main = `<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(message)}</p>
<p><a href="/memories">Back to your memories</a></p>`;
  return htmlPage(
    status,
    { title, main, ...(options.csrf === undefined ? {} : { csrf: options.csrf }) },
    options.headers,
  );
}

function memoryItem(memory: Memory): string {
  // Screen readers list links out of context: each names the memory it acts on.
  const which = `<span class="vh">: ${escapeHtml(head(memory.content, 48))}</span>`;
  return `<li><article>
${foldedContent(memory.content)}
${tagList(memory.tags)}<div class="foot">${times(memory)}<div class="actions"><a href="/memories/${memory.id}">Edit${which}</a><a href="/memories/${memory.id}/delete">Delete${which}</a></div></div>
</article></li>`;
}

function foldedContent(content: string): string {
  const shown = head(content, FOLD_CHARS);
  if (shown === content) return `<p class="content" dir="auto">${escapeHtml(content)}</p>`;
  const count = [...content].length.toLocaleString("en");
  return `<details><summary><span class="content" dir="auto">${escapeHtml(shown)}</span> <span class="more">… show all ${count} characters</span></summary><p class="content" dir="auto">${escapeHtml(content.slice(shown.length))}</p></details>`;
}

/** At most `max` UTF-16 units of `text`, cut between graphemes (never inside an emoji or an accented letter). */
function head(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const { index } of graphemes.segment(text)) {
    if (index > max) break;
    end = index;
  }
  return text.slice(0, end);
}

function tagList(tags: readonly string[]): string {
  if (tags.length === 0) return "";
  const items = tags
    .map(
      (tag) =>
        `<li><a href="/memories?tag=${encodeURIComponent(tag)}"><span class="vh">Show memories tagged </span>${escapeHtml(tag)}</a></li>`,
    )
    .join("");
  return `<ul class="tags" aria-label="Tags">${items}</ul>\n`;
}

function times(memory: { createdAt: string; updatedAt: string; version: number }): string {
  const changed =
    memory.version > 1
      ? `<span>Changed <time datetime="${escapeHtml(memory.updatedAt)}">${displayTime(memory.updatedAt)}</time> (version ${memory.version})</span>`
      : "";
  return `<p class="meta"><span>Created <time datetime="${escapeHtml(memory.createdAt)}">${displayTime(memory.createdAt)}</time></span>${changed}</p>\n`;
}

/** "2026-12-03 20:10 UTC": without script the page cannot know the reader's time zone, so it says which it uses. */
function displayTime(iso: string): string {
  return escapeHtml(`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`);
}

function searchForm(query: string, tag: string | undefined): string {
  const tagField = tag === undefined ? "" : `<input type="hidden" name="tag" value="${escapeHtml(tag)}">`;
  return `<form class="search" role="search" method="get" action="/memories">
<div><label for="q">Search${tag === undefined ? "" : ` memories tagged ${escapeHtml(tag)}`}</label>
<input id="q" name="q" type="search" value="${escapeHtml(query)}" maxlength="500" required></div>${tagField}
<button type="submit">Search</button>
</form>`;
}

function noticeHtml(notice: string | undefined): string {
  return notice === undefined ? "" : `<p class="notice" role="status">${escapeHtml(notice)}</p>\n`;
}

function errorList(lead: string, errors: readonly string[], alert = false): string {
  return `<div class="error"${alert ? ' role="alert"' : ""}><p>${escapeHtml(lead)}</p><ul>${errors.map((error) => `<li>${escapeHtml(error)}</li>`).join("")}</ul></div>\n`;
}
