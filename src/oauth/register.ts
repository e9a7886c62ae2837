// Dynamic Client Registration (RFC 7591), bounded so that strangers cannot fill the table: a small body, a
// few https-or-loopback redirect URIs, short strings, and at most MAX_UNAPPROVED_CLIENTS registrations the
// owner has never approved (the oldest gives way to a new one; unused ones expire after 24 h anyway).
import { randomBytes } from "node:crypto";
import { sha256Hex } from "../protocol/auth.ts";
import { bodyText, type HttpRequest, type HttpResponse } from "../protocol/http.ts";
import type { RequestLog } from "../protocol/log.ts";
import { MEMORY_SCOPE } from "./base-url.ts";
import { UNAPPROVED_CLIENT_LIFETIME_MS } from "./clients.ts";
import { checkRedirectUri } from "./redirect-uri.ts";
import type { ClientAuthMethod, ClientRecord, OAuthStore } from "./store.ts";
import { isJsonContentType, jsonResponse, methodNotAllowed, oauthError } from "./wire.ts";

export const MAX_REGISTRATION_BYTES = 8 * 1024;
export const MAX_REDIRECT_URIS = 5;
export const MAX_CLIENT_NAME_LENGTH = 100;
export const MAX_UNAPPROVED_CLIENTS = 100;

const AUTH_METHODS: readonly ClientAuthMethod[] = ["none", "client_secret_basic", "client_secret_post"];
const GRANT_TYPES = ["authorization_code", "refresh_token"];
/** Control and format characters (zero-width, direction overrides) could disguise a name on the consent page. */
const UNSAFE_TEXT = /[\p{Cc}\p{Cf}]/u;

export interface RegisterContext {
  store: OAuthStore;
  now: () => number;
}

export async function handleRegister(
  request: HttpRequest,
  log: RequestLog,
  context: RegisterContext,
): Promise<HttpResponse> {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const refuse = (error: string, description: string, status = 400): HttpResponse => {
    log.oauthError = error;
    return oauthError(status, error, description);
  };
  if (!isJsonContentType(request.headers["content-type"]))
    return refuse("invalid_client_metadata", "send the client metadata as application/json");
  const body = bodyText(request, MAX_REGISTRATION_BYTES);
  if (!body.ok) {
    return body.problem === "too_large"
      ? refuse(
          "invalid_client_metadata",
          `the registration is larger than ${MAX_REGISTRATION_BYTES} bytes`,
          413,
        )
      : refuse("invalid_client_metadata", "the body is not UTF-8");
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(body.text);
  } catch {
    return refuse("invalid_client_metadata", "the body is not valid JSON");
  }
  const checked = checkMetadata(metadata);
  if (!checked.ok) return refuse(checked.error, checked.description);

  const now = context.now();
  await makeRoom(context.store, now);
  const clientId = randomBytes(16).toString("base64url");
  const secret = checked.value.authMethod === "none" ? undefined : randomBytes(32).toString("base64url");
  const record: ClientRecord = {
    clientId,
    clientName: checked.value.clientName,
    redirectUris: checked.value.redirectUris,
    grantTypes: checked.value.grantTypes,
    authMethod: checked.value.authMethod,
    createdAt: now,
    expiresAt: now + UNAPPROVED_CLIENT_LIFETIME_MS,
    ...(secret === undefined ? {} : { secretHash: sha256Hex(secret) }),
  };
  await context.store.putClient(record);
  // RFC 7591 §3.2.1: the client information plus every registered metadata value.
  return jsonResponse(201, {
    client_id: clientId,
    client_id_issued_at: Math.floor(now / 1000),
    ...(secret === undefined ? {} : { client_secret: secret, client_secret_expires_at: 0 }),
    client_name: record.clientName,
    redirect_uris: record.redirectUris,
    grant_types: record.grantTypes,
    response_types: ["code"],
    token_endpoint_auth_method: record.authMethod,
    scope: MEMORY_SCOPE,
  });
}

interface CheckedMetadata {
  clientName: string;
  redirectUris: string[];
  grantTypes: string[];
  authMethod: ClientAuthMethod;
}

type MetadataCheck =
  | { ok: true; value: CheckedMetadata }
  | { ok: false; error: "invalid_redirect_uri" | "invalid_client_metadata"; description: string };

/** RFC 7591 §2 and §3.2.2; fields this server has no use for (logo_uri, contacts, ...) are not kept. */
function checkMetadata(metadata: unknown): MetadataCheck {
  const invalid = (description: string): MetadataCheck => ({
    ok: false,
    error: "invalid_client_metadata",
    description,
  });
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))
    return invalid("the client metadata must be a JSON object");
  const fields = metadata as Record<string, unknown>; // checked just above: a non-null, non-array object

  const uris = fields.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0)
    return {
      ok: false,
      error: "invalid_redirect_uri",
      description: "redirect_uris must list at least one URI",
    };
  if (uris.length > MAX_REDIRECT_URIS)
    return {
      ok: false,
      error: "invalid_redirect_uri",
      description: `at most ${MAX_REDIRECT_URIS} redirect_uris`,
    };
  for (const uri of uris) {
    const check = checkRedirectUri(uri);
    if (!check.ok) return { ok: false, error: "invalid_redirect_uri", description: check.error };
  }
  const redirectUris = [...new Set(uris as string[])]; // each one checked to be a string above

  const name = fields.client_name ?? "Unnamed client";
  if (typeof name !== "string" || name.trim() === "" || name.length > MAX_CLIENT_NAME_LENGTH)
    return invalid(`client_name must be a string of 1 to ${MAX_CLIENT_NAME_LENGTH} characters`);
  if (UNSAFE_TEXT.test(name)) return invalid("client_name holds control or direction-changing characters");

  // RFC 7591 §2: the default is client_secret_basic.
  const authMethod = fields.token_endpoint_auth_method ?? "client_secret_basic";
  if (!AUTH_METHODS.includes(authMethod as ClientAuthMethod))
    return invalid(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(", ")}`);

  // Without grant_types a client gets both: it may not know to ask, and refreshing is what keeps it signed in.
  const grantTypes = fields.grant_types ?? GRANT_TYPES;
  if (
    !Array.isArray(grantTypes) ||
    !grantTypes.includes("authorization_code") ||
    !grantTypes.every((type) => GRANT_TYPES.includes(type))
  )
    return invalid(`grant_types must include authorization_code and may add refresh_token`);
  const responseTypes = fields.response_types ?? ["code"];
  if (!Array.isArray(responseTypes) || responseTypes.length !== 1 || responseTypes[0] !== "code")
    return invalid('response_types may only be ["code"]');

  return {
    ok: true,
    value: {
      clientName: name.trim(),
      redirectUris,
      grantTypes: GRANT_TYPES.filter((type) => grantTypes.includes(type)),
      authMethod: authMethod as ClientAuthMethod, // one of AUTH_METHODS, checked above
    },
  };
}

/** Keeps the never-approved registrations under the cap by removing the oldest of them. */
async function makeRoom(store: OAuthStore, now: number): Promise<void> {
  const pending = (await store.listClients())
    .filter((client) => client.approvedAt === undefined && client.expiresAt > now)
    .sort((a, b) => a.createdAt - b.createdAt);
  for (const client of pending.slice(0, Math.max(0, pending.length - MAX_UNAPPROVED_CLIENTS + 1))) {
    await store.deleteUnapprovedClient(client.clientId);
  }
}
