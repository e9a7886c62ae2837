// The memory page at /memories (docs/memory-page.md): this module only claims its paths. Everything else
// (./routes.ts and the views) is imported on the page's first request, as the OAuth flows are, so a cold
// start serving /mcp parses none of it.
import type { MemoryStore } from "../memory/memory-store.ts";
import type { OAuthStore } from "../oauth/store.ts";
import type { HttpRequest, HttpResponse, PageHook } from "../protocol/http.ts";
import type { RequestLog } from "../protocol/log.ts";
import type { Routes } from "./routes.ts";

export const MEMORY_PAGE_PATH = "/memories";

export interface MemoryPageOptions {
  store: MemoryStore;
  /** Holds the signing keys of the session cookies and the wrong-key counter shared with the consent page. */
  oauthStore: OAuthStore;
  keyDigests: readonly Buffer[];
  publicBaseUrl?: string | undefined;
  now?: (() => number) | undefined;
  wrongKeyDelayMs?: number | undefined;
  /** Tests lower it to reach the "too large to download" answer with a few memories. */
  maxDownloadBytes?: number | undefined;
}

export function createMemoryPage(options: MemoryPageOptions): PageHook {
  let routes: Promise<Routes> | undefined;
  function loadRoutes(): Promise<Routes> {
    routes ??= import("./routes.ts").then(
      (module) => module.createRoutes(options),
      (error: unknown) => {
        routes = undefined; // a failed load is tried again by the next request
        throw error;
      },
    );
    return routes;
  }
  return {
    async handle(request: HttpRequest, log: RequestLog): Promise<HttpResponse | undefined> {
      const { path } = request;
      if (path !== MEMORY_PAGE_PATH && !path.startsWith(`${MEMORY_PAGE_PATH}/`)) return undefined;
      log.endpoint = "memories";
      try {
        return await (await loadRoutes())(request, log);
      } catch (error) {
        // A fault of the database or of the module's loading: no internal detail, the log names its type.
        log.error = error instanceof Error ? error.name : typeof error;
        return {
          status: 500,
          headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
          body: "The memory page could not answer this request. Try again shortly.\n",
        };
      }
    },
  };
}
