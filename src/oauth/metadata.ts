// The two discovery documents: Protected Resource Metadata for /mcp (RFC 9728) and Authorization Server
// Metadata (RFC 8414). Both describe this one function, which is resource server and authorization server.
import { type Endpoints, MEMORY_SCOPE } from "./base-url.ts";

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: string[];
  resource_name: string;
}

/** RFC 9728 §2; MCP requires `authorization_servers` with at least one entry. */
export function protectedResourceMetadata(endpoints: Endpoints): ProtectedResourceMetadata {
  return {
    resource: endpoints.resource,
    authorization_servers: [endpoints.issuer],
    scopes_supported: [MEMORY_SCOPE],
    // Header only: OAuth 2.1 §5.1 and the MCP spec forbid tokens in the query string.
    bearer_methods_supported: ["header"],
    resource_name: "Personal Memory",
  };
}

export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  registration_endpoint: string;
  scopes_supported: string[];
  response_types_supported: string[];
  response_modes_supported: string[];
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  code_challenge_methods_supported: string[];
  client_id_metadata_document_supported: boolean;
  authorization_response_iss_parameter_supported: boolean;
}

export function authorizationServerMetadata(endpoints: Endpoints): AuthorizationServerMetadata {
  return {
    issuer: endpoints.issuer,
    authorization_endpoint: endpoints.authorize,
    token_endpoint: endpoints.token,
    registration_endpoint: endpoints.register,
    scopes_supported: [MEMORY_SCOPE],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    // "none" first: Claude picks Client ID Metadata Documents only when "none" is listed beside
    // client_id_metadata_document_supported; the secret methods serve confidential DCR clients.
    token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
    // MCP clients MUST refuse to proceed without this field (MCP authorization, "Authorization Code Protection").
    code_challenge_methods_supported: ["S256"],
    client_id_metadata_document_supported: true,
    // RFC 9207: the redirect back carries `iss`, which defeats authorization server mix-up.
    authorization_response_iss_parameter_supported: true,
  };
}
