// The token endpoint (OAuth 2.1 §3.2): the authorization_code grant (single use, 2 minutes, PKCE S256,
// exact redirect URI, RFC 8707 resource) and the refresh_token grant with rotation (OAuth 2.1 §4.3.1).
//
// Refresh tokens are "<grant id>.<n>.<mac>": token n of a grant's chain, mac = HMAC-SHA256(grant seed,
// "<grant id>.<n>"), the seed being random and stored with the grant. Only token n = generation redeems,
// once; a token of the chain that is already spent (valid mac, n < generation, or two redemptions racing)
// revokes the whole grant, as does a second redemption of an authorization code.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { sha256Hex } from "../protocol/auth.ts";
import { bodyText, type HttpRequest, type HttpResponse } from "../protocol/http.ts";
import type { RequestLog } from "../protocol/log.ts";
import { ACCESS_TOKEN_LIFETIME_S, mintAccessToken } from "./access-token.ts";
import { type Endpoints, namesResource } from "./base-url.ts";
import type { ClientDirectory, OAuthClient } from "./clients.ts";
import { verifierMatches } from "./pkce.ts";
import type { SigningKeyRing } from "./signing-keys.ts";
import type { GrantRecord, OAuthStore } from "./store.ts";
import {
  isFormContentType,
  jsonResponse,
  methodNotAllowed,
  oauthError,
  type Params,
  parseParams,
} from "./wire.ts";

/** A grant (and its refresh token) lapses after this long without a refresh. */
export const GRANT_IDLE_MS = 90 * 24 * 60 * 60_000;
const MAX_TOKEN_REQUEST_BYTES = 16 * 1024;
const REFRESH_TOKEN = /^([A-Za-z0-9_-]{22})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/;

const RETIRED_KEY = "the API key that approved this access has been retired; sign in again";

export interface TokenContext {
  /** The accepted API keys' digests, lowercase hex: a grant approved with a retired key is over. */
  keyDigests: ReadonlySet<string>;
  endpoints: Endpoints;
  clients: ClientDirectory;
  keys: SigningKeyRing;
  store: OAuthStore;
  now: () => number;
}

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

type Refusal = { ok: false; response: HttpResponse };

export async function handleToken(
  request: HttpRequest,
  log: RequestLog,
  context: TokenContext,
): Promise<HttpResponse> {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const refuse = (status: number, error: string, description: string, headers?: Record<string, string>) => {
    log.oauthError = error;
    return oauthError(status, error, description, headers);
  };
  if (!isFormContentType(request.headers["content-type"]))
    return refuse(400, "invalid_request", "send the token request as application/x-www-form-urlencoded");
  const body = bodyText(request, MAX_TOKEN_REQUEST_BYTES);
  if (!body.ok) return refuse(body.problem === "too_large" ? 413 : 400, "invalid_request", "unreadable body");
  const parsed = parseParams(body.text);
  if (!parsed.ok) return refuse(400, "invalid_request", parsed.error);
  const params = parsed.params;
  const resource = params.get("resource");
  if (resource !== undefined && !namesResource(resource, context.endpoints))
    return refuse(400, "invalid_target", `this server issues tokens for ${context.endpoints.resource} only`);

  const authenticated = await authenticateClient(request, params, context, refuse);
  if (!authenticated.ok) return authenticated.response;
  const client = authenticated.client;
  switch (params.get("grant_type")) {
    case "authorization_code":
      return redeemCode(params, client, log, context, refuse);
    case "refresh_token":
      if (!client.refreshable)
        return refuse(400, "unauthorized_client", "this client did not register the refresh_token grant");
      return refresh(params, client, log, context, refuse);
    case undefined:
      return refuse(400, "invalid_request", "grant_type is missing");
    default:
      return refuse(400, "unsupported_grant_type", "use authorization_code or refresh_token");
  }
}

type Refuse = (
  status: number,
  error: string,
  description: string,
  headers?: Record<string, string>,
) => HttpResponse;

async function redeemCode(
  params: Params,
  client: OAuthClient,
  log: RequestLog,
  context: TokenContext,
  refuse: Refuse,
): Promise<HttpResponse> {
  const code = params.get("code");
  if (code === undefined) return refuse(400, "invalid_request", "code is missing");
  const now = context.now();
  // The code is spent by this very attempt, whatever follows: one try per code.
  const redeemed = await context.store.redeemCode(sha256Hex(code), now);
  if (redeemed.kind === "unknown") return refuse(400, "invalid_grant", "unknown authorization code");
  if (redeemed.kind === "reused") {
    // OAuth 2.1 §4.1.3: deny, and revoke what the first redemption handed out.
    await context.store.revokeGrant(redeemed.code.grantId, now, now + GRANT_IDLE_MS);
    return codeReused(log);
  }
  const record = redeemed.code;
  if (record.validUntil <= now) return refuse(400, "invalid_grant", "the authorization code has expired");
  if (record.clientId !== client.clientId)
    return refuse(400, "invalid_grant", "the authorization code was issued to another client");
  if (params.get("redirect_uri") !== record.redirectUri)
    return refuse(400, "invalid_grant", "redirect_uri is not the one of the authorization request");
  if (!verifierMatches(params.get("code_verifier") ?? "", record.codeChallenge))
    return refuse(400, "invalid_grant", "code_verifier does not match the code_challenge (PKCE)");
  if (!context.keyDigests.has(record.approvedBy)) return refuse(400, "invalid_grant", RETIRED_KEY);

  const grant: GrantRecord = {
    grantId: record.grantId,
    clientId: client.clientId,
    resource: record.resource,
    scope: record.scope,
    seed: randomBytes(32),
    generation: 0,
    approvedBy: record.approvedBy,
    createdAt: now,
    expiresAt: now + GRANT_IDLE_MS,
  };
  if (client.refreshable && !(await context.store.putGrant(grant))) {
    // A second redemption revoked this grant while we were checking the first.
    return codeReused(log);
  }
  return issue(grant, client, context, now);
}

function codeReused(log: RequestLog): HttpResponse {
  log.oauthError = "code_reuse";
  return oauthError(400, "invalid_grant", "this authorization code was already used; its tokens are revoked");
}

async function refresh(
  params: Params,
  client: OAuthClient,
  log: RequestLog,
  context: TokenContext,
  refuse: Refuse,
): Promise<HttpResponse> {
  const match = REFRESH_TOKEN.exec(params.get("refresh_token") ?? "");
  if (match === null) return refuse(400, "invalid_grant", "malformed refresh token");
  const [, grantId = "", generationText = "", mac = ""] = match;
  const generation = Number(generationText);
  const now = context.now();
  const grant = await context.store.getGrant(grantId);
  if (grant === undefined || grant.expiresAt <= now)
    return refuse(400, "invalid_grant", "the refresh token is revoked or has expired");
  const expected = Buffer.from(chainMac(grant, generation), "base64url");
  const presented = Buffer.from(mac, "base64url");
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
    return refuse(400, "invalid_grant", "unknown refresh token");
  if (grant.clientId !== client.clientId)
    return refuse(400, "invalid_grant", "the refresh token was issued to another client");
  if (!context.keyDigests.has(grant.approvedBy)) {
    // make retire-key signs out what the old key approved: this grant ends for good.
    await context.store.revokeGrant(grantId, now, now + GRANT_IDLE_MS);
    log.oauthError = "approving_key_retired";
    return oauthError(400, "invalid_grant", RETIRED_KEY);
  }
  const revokeForReuse = async (): Promise<HttpResponse> => {
    await context.store.revokeGrant(grantId, now, now + GRANT_IDLE_MS);
    log.oauthError = "refresh_token_reuse";
    return oauthError(400, "invalid_grant", "this refresh token was already used; the grant is revoked");
  };
  if (generation !== grant.generation) return revokeForReuse();
  if (!(await context.store.advanceGrant(grantId, generation, now, now + GRANT_IDLE_MS)))
    return revokeForReuse();
  await context.clients.touch(client);
  return issue({ ...grant, generation: generation + 1 }, client, context, now);
}

async function issue(
  grant: GrantRecord,
  client: OAuthClient,
  context: TokenContext,
  now: number,
): Promise<HttpResponse> {
  const key = await context.keys.signing();
  const body: TokenResponse = {
    access_token: mintAccessToken(
      key,
      {
        issuer: context.endpoints.issuer,
        resource: grant.resource,
        clientId: client.clientId,
        scope: grant.scope,
      },
      now,
    ),
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_LIFETIME_S,
    scope: grant.scope,
    ...(client.refreshable
      ? { refresh_token: `${grant.grantId}.${grant.generation}.${chainMac(grant, grant.generation)}` }
      : {}),
  };
  return jsonResponse(200, body);
}

function chainMac(grant: GrantRecord, generation: number): string {
  return createHmac("sha256", grant.seed).update(`${grant.grantId}.${generation}`).digest("base64url");
}

type Authenticated = { ok: true; client: OAuthClient } | Refusal;

/**
 * RFC 6749 §2.3.1 and OAuth 2.1 §2.4: public clients send client_id alone; confidential ones their secret
 * by HTTP Basic or in the body. A client must use the kind of authentication it registered.
 */
async function authenticateClient(
  request: HttpRequest,
  params: Params,
  context: TokenContext,
  refuse: Refuse,
): Promise<Authenticated> {
  const basic = basicCredentials(request.headers.authorization);
  const invalidClient = (description: string): Refusal => ({
    ok: false,
    // §5.2: a client that tried HTTP authentication gets 401 with a challenge for the same scheme.
    response: refuse(
      401,
      "invalid_client",
      description,
      basic === undefined ? {} : { "www-authenticate": 'Basic realm="token"' },
    ),
  });
  if (basic === "malformed") return invalidClient("malformed Basic credentials");
  const bodyId = params.get("client_id");
  const bodySecret = params.get("client_secret");
  if (basic !== undefined && (bodySecret !== undefined || (bodyId !== undefined && bodyId !== basic.id)))
    return { ok: false, response: refuse(400, "invalid_request", "use one client authentication method") };
  const clientId = basic?.id ?? bodyId;
  if (clientId === undefined) return invalidClient("client_id is missing");
  const lookup = await context.clients.find(clientId);
  if (!lookup.ok) return invalidClient(lookup.error);
  const client = lookup.client;
  const secret = basic?.secret ?? bodySecret;
  if (client.authMethod === "none") {
    if (secret !== undefined) return invalidClient("this client is public and has no secret");
    return { ok: true, client };
  }
  if (secret === undefined || client.secretHash === undefined)
    return invalidClient("client authentication failed");
  const presented = Buffer.from(sha256Hex(secret), "hex");
  const expected = Buffer.from(client.secretHash, "hex");
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
    return invalidClient("client authentication failed");
  return { ok: true, client };
}

function basicCredentials(
  authorization: string | undefined,
): { id: string; secret: string } | "malformed" | undefined {
  const match = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(authorization ?? "");
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return "malformed";
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
    const decode = (part: string): string => decodeURIComponent(part.replaceAll("+", " "));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    return "malformed";
  }
}
