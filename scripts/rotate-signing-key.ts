// Rotates the OAuth signing key of a deployed table: `npx tsx scripts/rotate-signing-key.ts <table> [--immediately]`
// with the deployer's AWS credentials (the function itself never needs to rotate). Without --immediately,
// tokens signed by the old key keep working until they expire; with it (a leaked key), every access token
// stops within 10 minutes and clients refresh silently. Refresh tokens and grants are not affected.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createOAuthStore } from "../src/dynamodb/oauth-store.ts";
import { rotateSigningKey } from "../src/oauth/signing-keys.ts";

const args = process.argv.slice(2);
const tableName = args.find((arg) => !arg.startsWith("--"));
if (tableName === undefined) {
  console.error("usage: npx tsx scripts/rotate-signing-key.ts <table-name> [--immediately]");
  process.exit(2);
}
const client = new DynamoDBClient({});
try {
  const result = await rotateSigningKey(createOAuthStore({ client, tableName }), Date.now(), {
    immediately: args.includes("--immediately"),
  });
  console.log(
    `New signing key ${result.kid}; retired: ${result.retired.length === 0 ? "none" : result.retired.join(", ")}.`,
  );
} finally {
  client.destroy();
}
