// The memory page at /memories (docs/memory-page.md): this module only claims its paths. Everything else
// (./routes.ts and the views) is imported on the page's first request, as the OAuth flows are, so a cold
// start serving /mcp parses none of it.
import { search_memories_input, update_memory_input } from "../generated/input-validators.js";
import { type MemoryStore, normaliseTags, StoreError } from "../memory/memory-store.ts";
import { baseUrlFor } from "../oauth/base-url.ts";
import { SigningKeyRing } from "../oauth/signing-keys.ts";
import type { OAuthStore } from "../oauth/store.ts";
import { isFormContentType, parseParams } from "../oauth/wire.ts";
import { matchingDigest } from "../protocol/auth.ts";
import {
  bodyText,
  type HttpRequest,
  type HttpResponse,
  MAX_BODY_BYTES,
  type PageHook,
} from "../protocol/http.ts";
import type { RequestLog } from "../protocol/log.ts";
import { normaliseId } from "../tools/memory-view.ts";
import { searchStore } from "../tools/search_memories.ts";
import { validate } from "../tools/tool.ts";
import type { Routes } from "./routes.ts";

/**
 * What the page's lazily loaded code uses of modules that INIT loads anyway: handed to it rather than imported.
 * Were ./routes.ts to import them, esbuild would move every module it shares with index.mjs into chunks of
 * their own (one per set of importers), and INIT would load six files instead of four: about 15 ms more INIT
 * CPU in the cold-start benchmark, for the same code. test/lambda-bundle.test.ts keeps the page's chunk
 * free of any import of an INIT file.
 */
export const LOADED_AT_INIT = {
  search_memories_input,
  update_memory_input,
  normaliseTags,
  StoreError,
  baseUrlFor,
  SigningKeyRing,
  isFormContentType,
  parseParams,
  matchingDigest,
  bodyText,
  MAX_BODY_BYTES,
  normaliseId,
  searchStore,
  validate,
};
export type LoadedAtInit = typeof LOADED_AT_INIT;

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
      (module) => module.createRoutes(options, LOADED_AT_INIT),
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
