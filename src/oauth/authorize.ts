// The authorization endpoint (OAuth 2.1 §4.1): GET checks the request and shows the consent page; POST (the
// page's form) proves ownership with the deployment's API key and sends the browser back to the client
// with a code, or with access_denied.
//
// The form carries the checked request as a signed, 10-minute "ticket" (HMAC under the consent-ticket key),
// so nothing in it can be altered between GET and POST, and a ticket from another request or an older page
// is refused. There is no cookie and no session: the API key itself is the only credential, so a
// cross-site form post gains nothing without it. Errors about the client or its redirect URI are shown,
// never redirected (RFC 6749 §4.1.2.1); all later errors go back to the client.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { matchingDigest, sha256Hex } from "../protocol/auth.ts";
import { bodyText, type HttpRequest, type HttpResponse } from "../protocol/http.ts";
import type { RequestLog } from "../protocol/log.ts";
import { checkOwnerKey, type KeyGuard, lockoutMessage } from "../signin/key-guard.ts";
import { type Endpoints, MEMORY_SCOPE, namesResource } from "./base-url.ts";
import type { ClientDirectory, OAuthClient } from "./clients.ts";
import { type ConsentView, consentPage, errorPage } from "./consent-page.ts";
import { isS256Challenge } from "./pkce.ts";
import { redirectUriRegistered } from "./redirect-uri.ts";
import type { SigningKeyRing } from "./signing-keys.ts";
import type { OAuthStore } from "./store.ts";
import { isFormContentType, methodNotAllowed, parseParams, redirect } from "./wire.ts";

/** OAuth 2.1 §4.1.2: short-lived; the client redeems it right after the redirect. */
export const CODE_LIFETIME_MS = 2 * 60_000;
/** The code item outlives the code, so that a late second redemption is still recognised as reuse. */
const CODE_ITEM_LIFETIME_MS = 60 * 60_000;
/** How long the consent page may stay open before its form is refused. */
export const TICKET_LIFETIME_MS = 10 * 60_000;
const MAX_FORM_BYTES = 16 * 1024;
const MAX_STATE_LENGTH = 2048;
const MAX_PARAMETER_LENGTH = 2048;

export interface AuthorizeContext {
  endpoints: Endpoints;
  clients: ClientDirectory;
  keys: SigningKeyRing;
  guard: KeyGuard;
  store: OAuthStore;
  keyDigests: readonly Buffer[];
  now: () => number;
  wrongKeyDelayMs: number;
}

/** An authorization request after every check: what the ticket carries and the code remembers. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state?: string;
  resource: string;
  scope: string;
}

export async function handleAuthorize(
  request: HttpRequest,
  log: RequestLog,
  context: AuthorizeContext,
): Promise<HttpResponse> {
  if (request.method === "GET") return showConsent(request, log, context);
  if (request.method === "POST") return decide(request, log, context);
  return methodNotAllowed("GET, POST");
}

async function showConsent(
  request: HttpRequest,
  log: RequestLog,
  context: AuthorizeContext,
): Promise<HttpResponse> {
  const parsed = parseParams(request.query ?? "");
  if (!parsed.ok)
    return refusePage(log, 400, "invalid_request", "This sign-in request is malformed", parsed.error);
  const params = parsed.params;
  const tooLong = [...params.entries()].find(
    ([name, value]) => value.length > (name === "state" ? MAX_STATE_LENGTH : MAX_PARAMETER_LENGTH),
  );
  if (tooLong !== undefined)
    return refusePage(
      log,
      400,
      "invalid_request",
      "This sign-in request is malformed",
      `${tooLong[0]} is too long.`,
    );
  const clientId = params.get("client_id");
  if (clientId === undefined)
    return refusePage(
      log,
      400,
      "invalid_request",
      "This sign-in request is malformed",
      "It names no client_id.",
    );
  const lookup = await context.clients.find(clientId);
  if (!lookup.ok)
    return refusePage(log, 400, "invalid_client", "Unknown application", capitalise(lookup.error));
  const client = lookup.client;
  const redirectUri = params.get("redirect_uri");
  if (redirectUri === undefined || !redirectUriRegistered(redirectUri, client.redirectUris)) {
    return refusePage(
      log,
      400,
      "invalid_redirect_uri",
      "This sign-in request is not safe",
      `The redirect URI is not one that ${client.clientName} registered, so the approval cannot be sent there.`,
    );
  }

  // From here on the redirect URI is trusted: errors go back to the client (RFC 6749 §4.1.2.1).
  const state = params.get("state");
  const backToClient = (error: string, description: string): HttpResponse => {
    log.oauthError = error;
    return redirectToClient(
      302,
      redirectUri,
      context.endpoints,
      { error, error_description: description },
      state,
    );
  };
  if (params.get("response_type") !== "code")
    return backToClient("unsupported_response_type", 'response_type must be "code"');
  const codeChallenge = params.get("code_challenge");
  if (codeChallenge === undefined || !isS256Challenge(codeChallenge))
    return backToClient("invalid_request", "PKCE is required: send an S256 code_challenge");
  if (params.get("code_challenge_method") !== "S256")
    return backToClient("invalid_request", 'code_challenge_method must be "S256"');
  const resource = params.get("resource");
  // RFC 8707 §2: the token is bound to this one resource; a request for any other is refused.
  if (resource !== undefined && !namesResource(resource, context.endpoints))
    return backToClient("invalid_target", `this server issues tokens for ${context.endpoints.resource} only`);

  const authorization: AuthorizationRequest = {
    clientId,
    redirectUri,
    codeChallenge,
    resource: context.endpoints.resource,
    // One scope, always granted: requested scopes this server does not know are ignored (RFC 6749 §3.3).
    scope: MEMORY_SCOPE,
    ...(state === undefined ? {} : { state }),
  };
  return consentPage(200, await viewFor(client, authorization, context));
}

async function decide(
  request: HttpRequest,
  log: RequestLog,
  context: AuthorizeContext,
): Promise<HttpResponse> {
  if (!isFormContentType(request.headers["content-type"]))
    return refusePage(
      log,
      415,
      "invalid_request",
      "This form was not sent as a form",
      "Send it from the page.",
    );
  // The page sends no referrer (Referrer-Policy: no-referrer), so browsers send Origin "null" for its form.
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== "null" && origin !== context.endpoints.issuer)
    return refusePage(log, 403, "invalid_request", "This form came from another site", "It was not sent.");
  const body = bodyText(request, MAX_FORM_BYTES);
  if (!body.ok) return refusePage(log, 413, "invalid_request", "This form is too large", "It was not sent.");
  const parsed = parseParams(body.text);
  if (!parsed.ok) return refusePage(log, 400, "invalid_request", "This form is malformed", parsed.error);
  const authorization = await openTicket(parsed.params.get("ticket") ?? "", context);
  if (authorization === undefined) {
    return refusePage(
      log,
      400,
      "invalid_request",
      "This page has expired",
      "The sign-in page was open for too long, or was altered.",
    );
  }
  const lookup = await context.clients.find(authorization.clientId);
  if (!lookup.ok || !redirectUriRegistered(authorization.redirectUri, lookup.client.redirectUris))
    return noLongerRegistered(log);
  const client = lookup.client;
  const action = parsed.params.get("action");
  if (action === "deny") {
    log.oauthError = "access_denied";
    return redirectToClient(
      303,
      authorization.redirectUri,
      context.endpoints,
      { error: "access_denied", error_description: "the owner denied access" },
      authorization.state,
    );
  }
  if (action !== "approve")
    return refusePage(log, 400, "invalid_request", "This form is malformed", "No decision.");

  const check = await checkOwnerKey(parsed.params.get("api_key") ?? "", {
    guard: context.guard,
    matchKey: (key) => matchingDigest(key, context.keyDigests),
    wrongKeyDelayMs: context.wrongKeyDelayMs,
  });
  if (!check.ok && check.reason === "locked") {
    log.oauthError = "consent_locked";
    const view = await viewFor(client, authorization, context);
    return consentPage(
      429,
      { ...view, error: lockoutMessage(check.retryAfterMs) },
      { "retry-after": String(Math.ceil(check.retryAfterMs / 1000)) },
    );
  }
  if (!check.ok) {
    log.oauthError = "wrong_api_key";
    const view = await viewFor(client, authorization, context);
    return consentPage(403, { ...view, error: "That is not the API key of this server. Try again." });
  }
  const approvedBy = check.digest;
  if (!(await context.clients.touch(client))) return noLongerRegistered(log);

  const code = randomBytes(32).toString("base64url");
  const now = context.now();
  await context.store.putCode({
    codeHash: sha256Hex(code),
    clientId: authorization.clientId,
    redirectUri: authorization.redirectUri,
    codeChallenge: authorization.codeChallenge,
    resource: authorization.resource,
    scope: authorization.scope,
    grantId: randomBytes(16).toString("base64url"),
    approvedBy,
    validUntil: now + CODE_LIFETIME_MS,
    expiresAt: now + CODE_ITEM_LIFETIME_MS,
  });
  return redirectToClient(303, authorization.redirectUri, context.endpoints, { code }, authorization.state);
}

async function viewFor(
  client: OAuthClient,
  authorization: AuthorizationRequest,
  context: AuthorizeContext,
): Promise<ConsentView> {
  return {
    clientName: client.clientName,
    clientId: client.clientId,
    ...(client.kind === "document" ? { documentHost: new URL(client.clientId).host } : {}),
    redirectUri: authorization.redirectUri,
    ticket: await sealTicket(authorization, context),
  };
}

/** The authorization response (RFC 6749 §4.1.2) with `state` echoed and `iss` added (RFC 9207). */
function redirectToClient(
  status: 302 | 303,
  redirectUri: string,
  endpoints: Endpoints,
  values: Record<string, string>,
  state: string | undefined,
): HttpResponse {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(values)) url.searchParams.append(name, value);
  if (state !== undefined) url.searchParams.append("state", state);
  url.searchParams.append("iss", endpoints.issuer);
  return redirect(status, url.href);
}

function refusePage(
  log: RequestLog,
  status: number,
  error: string,
  title: string,
  message: string,
): HttpResponse {
  log.oauthError = error;
  return errorPage(status, title, message);
}

function capitalise(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

interface TicketPayload {
  /** The checked request. */
  r: AuthorizationRequest;
  /** Expiry, epoch ms. */
  e: number;
}

async function sealTicket(authorization: AuthorizationRequest, context: AuthorizeContext): Promise<string> {
  const key = await context.keys.signing();
  const payload: TicketPayload = { r: authorization, e: context.now() + TICKET_LIFETIME_MS };
  const sealed = `${key.kid}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${sealed}.${createHmac("sha256", key.keys["consent-ticket"]).update(sealed).digest("base64url")}`;
}

async function openTicket(
  ticket: string,
  context: AuthorizeContext,
): Promise<AuthorizationRequest | undefined> {
  const [kid = "", payload = "", signature = "", ...rest] = ticket.split(".");
  if (rest.length > 0 || ticket.length > 8192) return undefined;
  const key = await context.keys.verifying(kid);
  if (key === undefined) return undefined;
  const expected = createHmac("sha256", key.keys["consent-ticket"]).update(`${kid}.${payload}`).digest();
  const presented = Buffer.from(signature, "base64url");
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
  let opened: unknown;
  try {
    opened = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const sealed = opened as TicketPayload; // signed by us, so it has the shape we wrote
  if (typeof sealed.e !== "number" || sealed.e <= context.now()) return undefined;
  return sealed.r;
}

function noLongerRegistered(log: RequestLog): HttpResponse {
  return refusePage(
    log,
    400,
    "invalid_client",
    "Unknown application",
    "This application is no longer registered.",
  );
}
