// A deployed table opened with a person's own AWS credentials (the standard chain: AWS_PROFILE, SSO, keys),
// for tools run at a terminal (npm run memories), never for the Lambda; and why it cannot be reached, in a
// sentence they can act on.
import type { MemoryStore } from "../memory/memory-store.ts";
import { createDynamoDbClient, createDynamoDbStore } from "./memory-store.ts";

export interface DeployedTable {
  store: MemoryStore;
  /** A sentence for a failure to reach the table (credentials, region, name, permissions), or undefined. */
  describeError(error: unknown): string | undefined;
  close(): void;
}

export async function openDeployedTable(tableName: string, cursorSecret: Uint8Array): Promise<DeployedTable> {
  const client = createDynamoDbClient();
  let region: string | undefined;
  try {
    region = await client.config.region();
  } catch {
    // No region configured: the first command fails with "Region is missing", described below.
  }
  return {
    store: createDynamoDbStore({ client, tableName, cursorSecret }),
    describeError: (error) => describeAccessError(error, { tableName, region }),
    close: () => client.destroy(),
  };
}

export interface AccessContext {
  tableName: string;
  /** The region the client resolved, when it resolved one. */
  region?: string | undefined;
}

/** A sentence for the errors that come from where and as whom the client connects; undefined for others. */
export function describeAccessError(
  error: unknown,
  { tableName, region }: AccessContext,
): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const where = region === undefined ? "" : ` in ${region}`;
  switch (error.name) {
    case "ResourceNotFoundException":
      return (
        `There is no table ${tableName}${where} for these AWS credentials: check the name ` +
        "(`terraform -chdir=terraform output table_name`), the region (AWS_REGION) and the account (AWS_PROFILE)."
      );
    case "CredentialsProviderError":
      return (
        "No AWS credentials found: log in (aws sso login, aws configure), or set AWS_PROFILE, or " +
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
      );
    case "UnrecognizedClientException":
    case "InvalidSignatureException":
    case "ExpiredTokenException":
    case "ExpiredToken":
      return `AWS refused these credentials (${error.message}): they are wrong or expired. Log in again and retry.`;
    case "AccessDeniedException":
      return `Your AWS identity may not use table ${tableName}${where}: ${error.message}`;
  }
  if (/region is missing/i.test(error.message)) {
    return "No AWS region: set AWS_REGION to the region you deployed to (or use a profile that has one).";
  }
  return undefined;
}
