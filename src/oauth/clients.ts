// Finds the client a client_id names: a registered one (RFC 7591, an item in the table) or, for an https
// client_id, the one its Client ID Metadata Document describes. Both look the same to /authorize and /token.
import { type ClientMetadataDocuments, isClientIdUrl } from "./client-metadata-document.ts";
import type { ClientAuthMethod, OAuthStore } from "./store.ts";

/** Clients that registered but were never approved on the consent page expire after this. */
export const UNAPPROVED_CLIENT_LIFETIME_MS = 24 * 60 * 60_000;
/**
 * An approved client stays this long after its last use (consent or refresh): longer than its grants
 * (90 days idle), so a client coming back after those lapsed signs in again without registering again.
 */
export const APPROVED_CLIENT_IDLE_MS = 180 * 24 * 60 * 60_000;

export interface OAuthClient {
  clientId: string;
  clientName: string;
  redirectUris: readonly string[];
  /** Whether refresh tokens are issued (the client's registered grant_types). */
  refreshable: boolean;
  authMethod: ClientAuthMethod;
  secretHash?: string;
  kind: "registered" | "document";
}

export type ClientLookup = { ok: true; client: OAuthClient } | { ok: false; error: string };

export class ClientDirectory {
  constructor(
    private readonly store: OAuthStore,
    private readonly documents: ClientMetadataDocuments,
    private readonly now: () => number,
  ) {}

  async find(clientId: string): Promise<ClientLookup> {
    if (isClientIdUrl(clientId)) {
      const document = await this.documents.resolve(clientId);
      if (!document.ok) return document;
      return {
        ok: true,
        client: { ...document.client, refreshable: true, authMethod: "none", kind: "document" },
      };
    }
    if (clientId === "" || clientId.length > 64) return { ok: false, error: "unknown client_id" };
    const record = await this.store.getClient(clientId);
    if (record === undefined || record.expiresAt <= this.now())
      return { ok: false, error: "unknown client_id: register again" };
    return {
      ok: true,
      client: {
        clientId: record.clientId,
        clientName: record.clientName,
        redirectUris: record.redirectUris,
        refreshable: record.grantTypes.includes("refresh_token"),
        authMethod: record.authMethod,
        ...(record.secretHash === undefined ? {} : { secretHash: record.secretHash }),
        kind: "registered",
      },
    };
  }

  /** Records a use of a registered client, so that it lives on while its grants do. */
  async touch(client: OAuthClient): Promise<boolean> {
    if (client.kind !== "registered") return true;
    const now = this.now();
    return this.store.touchClient(client.clientId, now, now + APPROVED_CLIENT_IDLE_MS);
  }
}
