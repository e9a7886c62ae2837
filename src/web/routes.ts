// The memory page's routes, loaded on the page's first request (./memory-page.ts): sign-in and sign-out,
// browse, search, edit, delete and download. Every POST is a form from this origin carrying the CSRF token
// of the session (or of the sign-in cookie); every request re-checks that the session's key is configured.

import type { ListOptions } from "../memory/memory-store.ts";
import type { HttpRequest, HttpResponse } from "../protocol/http.ts";
import type { RequestLog } from "../protocol/log.ts";
import { checkOwnerKey, KeyGuard, lockoutMessage, WRONG_KEY_DELAY_MS } from "../signin/key-guard.ts";
import { downloadAll } from "./download.ts";
import type { LoadedAtInit, MemoryPageOptions } from "./memory-page.ts";
import { cookieValue, csrfMatches, type Session, SessionCookies, SessionSealer } from "./session.ts";
import { deletePage, editPage, listPage, messagePage, searchPage, signInPage } from "./views.ts";

/** Memories a page shows, as list_memories' default. */
export const PAGE_SIZE = 20;
/** A Crockford base32 ULID, as the store makes them (any case: ids are case-insensitive). */
const MEMORY_PATH = /^\/memories\/([0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26})(\/delete)?$/;
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "[::1]"]);

export type Routes = (request: HttpRequest, log: RequestLog) => Promise<HttpResponse>;

interface Context {
  request: HttpRequest;
  log: RequestLog;
  baseUrl: string;
  cookies: SessionCookies;
  query: URLSearchParams;
}

/** `kit`: what this module uses of the modules INIT loads, passed in (see LOADED_AT_INIT in ./memory-page.ts). */
export function createRoutes(options: MemoryPageOptions, kit: LoadedAtInit): Routes {
  const { store } = options;
  const { normaliseTags, StoreError, validate } = kit;
  const now = options.now ?? Date.now;
  const sealer = new SessionSealer(new kit.SigningKeyRing(options.oauthStore, now), now);
  const guard = new KeyGuard(options.oauthStore, now);
  const configured: ReadonlySet<string> = new Set(options.keyDigests.map((digest) => digest.toString("hex")));
  const wrongKeyDelayMs = options.wrongKeyDelayMs ?? WRONG_KEY_DELAY_MS;

  async function route(request: HttpRequest, log: RequestLog): Promise<HttpResponse> {
    const baseUrl = kit.baseUrlFor(request, options.publicBaseUrl);
    if (baseUrl === undefined)
      return messagePage(400, "Bad request", "The request has no usable Host header.");
    const host = new URL(baseUrl).hostname;
    const context: Context = {
      request,
      log,
      baseUrl,
      cookies: new SessionCookies(!LOOPBACK_HOSTS.has(host)),
      query: new URLSearchParams(request.query ?? ""),
    };
    if (request.method !== "GET" && request.method !== "POST")
      return messagePage(405, "Method not allowed", "This page answers GET and POST only.", {
        headers: { allow: "GET, POST" },
      });
    if (request.method === "POST") {
      const refusal = refuseForeignPost(context, kit);
      if (refusal !== undefined) return refusal;
    }
    const form = request.method === "POST" ? readForm(request, kit) : new Map<string, string>();
    if (!(form instanceof Map)) return form;

    if (request.path === "/memories/sign-in" && request.method === "POST") return signIn(context, form);
    const session = await currentSession(context);
    if (session === undefined) {
      if (request.method === "POST") {
        log.oauthError = "no_session";
        return messagePage(403, "You are signed out", "Sign in again; nothing was changed.");
      }
      if (request.path === "/memories") return signInForm(context.cookies, 200, undefined);
      return { status: 303, headers: { location: "/memories", "cache-control": "no-store" }, body: "" };
    }
    if (request.method === "POST" && !csrfMatches(session, form.get("csrf") ?? "")) {
      log.oauthError = "csrf_refused";
      return messagePage(
        403,
        "This form was refused",
        "It did not come from this page. Nothing was changed.",
        {
          csrf: session.csrf,
        },
      );
    }

    if (request.path === "/memories" || request.path === "/memories/") {
      if (request.method !== "GET") return notFound(session);
      return context.query.has("q") ? search(context, session) : browse(context, session);
    }
    if (request.path === "/memories/sign-out" && request.method === "POST") {
      return {
        status: 303,
        headers: { location: "/memories", "cache-control": "no-store" },
        body: "",
        cookies: [context.cookies.clear(context.cookies.session)],
      };
    }
    if (request.path === "/memories/export.jsonl" && request.method === "GET")
      return downloadAll(store, now(), options.maxDownloadBytes, session.csrf);
    const match = MEMORY_PATH.exec(request.path);
    if (match === null) return notFound(session);
    const id = kit.normaliseId(match[1] ?? "");
    if (match[2] === undefined)
      return request.method === "GET" ? showEditor(context, session, id) : save(session, id, form);
    return request.method === "GET" ? confirmDelete(session, id) : remove(session, id);
  }

  async function currentSession(context: Context): Promise<Session | undefined> {
    const value = cookieValue(context.request.headers.cookie, context.cookies.session);
    return value === undefined ? undefined : sealer.read(value, configured);
  }

  async function signInForm(
    cookies: SessionCookies,
    status: number,
    error: string | undefined,
    headers: Record<string, string> = {},
  ): Promise<HttpResponse> {
    const form = await sealer.signInForm();
    return signInPage(status, { token: form.token, ...(error === undefined ? {} : { error }) }, headers, [
      cookies.set(cookies.signIn, form.cookie, form.maxAgeSeconds),
    ]);
  }

  async function signIn(context: Context, form: ReadonlyMap<string, string>): Promise<HttpResponse> {
    const { cookies, log } = context;
    const nonce = cookieValue(context.request.headers.cookie, cookies.signIn) ?? "";
    if (!(await sealer.signInTokenMatches(nonce, form.get("csrf") ?? ""))) {
      log.oauthError = "csrf_refused";
      return signInForm(
        cookies,
        403,
        "This sign-in form has expired or did not come from this page. Try again.",
      );
    }
    const check = await checkOwnerKey(form.get("api_key") ?? "", {
      guard,
      matchKey: (key) => kit.matchingDigest(key, options.keyDigests),
      wrongKeyDelayMs,
    });
    if (!check.ok && check.reason === "locked") {
      log.oauthError = "sign_in_locked";
      return signInForm(cookies, 429, lockoutMessage(check.retryAfterMs), {
        "retry-after": String(Math.ceil(check.retryAfterMs / 1000)),
      });
    }
    if (!check.ok) {
      log.oauthError = "wrong_api_key";
      return signInForm(cookies, 403, "That is not the API key of this server. Try again.");
    }
    const session = await sealer.open(check.digest);
    return {
      status: 303,
      headers: { location: "/memories", "cache-control": "no-store" },
      body: "",
      cookies: [
        cookies.set(cookies.session, session.value, session.maxAgeSeconds),
        cookies.clear(cookies.signIn),
      ],
    };
  }

  async function browse(context: Context, session: Session): Promise<HttpResponse> {
    const tag = context.query.get("tag") ?? undefined;
    const cursor = context.query.get("cursor") ?? undefined;
    const listOptions: ListOptions = { limit: PAGE_SIZE };
    if (tag !== undefined && tag.trim() !== "") listOptions.tags = normaliseTags([tag]);
    if (cursor !== undefined && cursor !== "") listOptions.cursor = cursor;
    try {
      const page = await store.list(listOptions);
      return listPage({
        csrf: session.csrf,
        memories: page.memories,
        ...(listOptions.tags?.[0] === undefined ? {} : { tag: listOptions.tags[0] }),
        ...(listOptions.cursor === undefined ? {} : { cursor: listOptions.cursor }),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
        ...noticeFrom(context.query),
      });
    } catch (error) {
      if (error instanceof StoreError && error.kind === "invalid_cursor")
        return messagePage(400, "This page link is broken", "Start again from the newest memories.", {
          csrf: session.csrf,
        });
      throw error;
    }
  }

  async function search(context: Context, session: Session): Promise<HttpResponse> {
    const query = context.query.get("q") ?? "";
    const tag = context.query.get("tag") ?? undefined;
    const input = { query, ...(tag === undefined || tag === "" ? {} : { tags: [tag] }) };
    const checked = validate(kit.search_memories_input, input);
    const tagView = tag === undefined || tag === "" ? {} : { tag };
    if (!checked.ok) return searchPage({ csrf: session.csrf, query, ...tagView, errors: checked.errors });
    const found = await kit.searchStore(store, checked.value);
    return searchPage({
      csrf: session.csrf,
      query,
      ...tagView,
      results: found.results,
      searched: found.searched,
    });
  }

  async function showEditor(context: Context, session: Session, id: string): Promise<HttpResponse> {
    const memory = await store.get(id);
    if (memory === undefined) return gone(session);
    return editPage(200, {
      csrf: session.csrf,
      memory,
      content: memory.content,
      tags: memory.tags.join(", "),
      version: memory.version,
      ...(context.query.get("saved") === "1" ? { notice: `Saved (version ${memory.version}).` } : {}),
    });
  }

  async function save(
    session: Session,
    id: string,
    form: ReadonlyMap<string, string>,
  ): Promise<HttpResponse> {
    const content = form.get("content") ?? "";
    const tagsText = form.get("tags") ?? "";
    const tags = tagsText
      .split(",")
      .map((tag) => tag.trim())
      .filter((tag) => tag !== "");
    const version = Number(form.get("version"));
    const input = { id, content, tags, expectedVersion: version };
    const checked = validate(kit.update_memory_input, input);
    const current = await store.get(id);
    if (current === undefined) return gone(session);
    const again = { csrf: session.csrf, memory: current, content, tags: tagsText };
    if (!checked.ok) return editPage(400, { ...again, version, errors: checked.errors });
    try {
      await store.update(id, { content, tags: normaliseTags(tags) }, version);
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      if (error.kind === "not_found") return gone(session);
      if (error.kind === "version_conflict") {
        // Shown, never overwritten: the form now claims the stored version, so a second Save is a decision.
        const latest = (await store.get(id)) ?? current;
        return editPage(409, { ...again, memory: latest, version: latest.version, conflict: true });
      }
      if (error.kind === "duplicate_content")
        return editPage(409, {
          ...again,
          version,
          errors: ["Another memory already holds exactly this content."],
        });
      throw error;
    }
    return {
      status: 303,
      headers: { location: `/memories/${id}?saved=1`, "cache-control": "no-store" },
      body: "",
    };
  }

  async function confirmDelete(session: Session, id: string): Promise<HttpResponse> {
    const memory = await store.get(id);
    return memory === undefined ? gone(session) : deletePage({ csrf: session.csrf, memory });
  }

  async function remove(session: Session, id: string): Promise<HttpResponse> {
    try {
      await store.delete(id);
    } catch (error) {
      if (error instanceof StoreError && error.kind === "not_found") return gone(session);
      throw error;
    }
    return {
      status: 303,
      headers: { location: "/memories?done=deleted", "cache-control": "no-store" },
      body: "",
    };
  }

  return route;
}

/**
 * SameSite=Strict already keeps the session cookie off other sites' requests; this refuses their forms
 * before anything is read. The page sends no referrer, so Chromium sends Origin "null" for its own forms.
 */
function refuseForeignPost(context: Context, kit: LoadedAtInit): HttpResponse | undefined {
  const origin = context.request.headers.origin;
  if (origin !== undefined && origin !== "null" && origin !== context.baseUrl) {
    context.log.oauthError = "foreign_origin";
    return messagePage(403, "This form came from another site", "Nothing was changed.");
  }
  if (!kit.isFormContentType(context.request.headers["content-type"]))
    return messagePage(415, "This form was not sent as a form", "Send it from the page.");
  return undefined;
}

function readForm(request: HttpRequest, kit: LoadedAtInit): Map<string, string> | HttpResponse {
  const body = kit.bodyText(request, kit.MAX_BODY_BYTES);
  if (!body.ok)
    return body.problem === "too_large"
      ? messagePage(413, "This form is too large", "Nothing was changed.")
      : messagePage(400, "This form is malformed", "It is not UTF-8 text.");
  const parsed = kit.parseParams(body.text);
  if (!parsed.ok) return messagePage(400, "This form is malformed", parsed.error);
  return new Map(parsed.params);
}

function noticeFrom(query: URLSearchParams): { notice?: string } {
  return query.get("done") === "deleted" ? { notice: "The memory was deleted." } : {};
}

function notFound(session: Session): HttpResponse {
  return messagePage(404, "Not found", "There is no such page.", { csrf: session.csrf });
}

function gone(session: Session): HttpResponse {
  return messagePage(404, "No such memory", "It may have been deleted.", { csrf: session.csrf });
}
