// Pins down that terraform/iam.tf grants exactly the DynamoDB actions the deployed code needs: the
// commands src/dynamodb/memory-store.ts declares in DYNAMODB_COMMANDS_USED (sent from the files it lists in
// DYNAMODB_STORE_SOURCES, whose transactions are read for their kinds of action) and src/dynamodb/oauth-store.ts in
// OAUTH_DYNAMODB_COMMANDS_USED, mapped to IAM actions, equal the `dynamodb_actions` list of
// terraform/iam.tf. Nothing more (least privilege), nothing less (an AccessDeniedException found only
// in production).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

const repoRoot = resolve(import.meta.dirname, "../..");
const storeModule = resolve(repoRoot, "src/dynamodb/memory-store.ts");
const oauthStoreModule = resolve(repoRoot, "src/dynamodb/oauth-store.ts");
const iamTf = resolve(repoRoot, "terraform/iam.tf");

/** IAM actions of the commands that have their own. */
const ACTIONS_BY_COMMAND: Readonly<Record<string, readonly string[]>> = {
  GetItem: ["dynamodb:GetItem"],
  Query: ["dynamodb:Query"],
  Scan: ["dynamodb:Scan"],
  PutItem: ["dynamodb:PutItem"],
  UpdateItem: ["dynamodb:UpdateItem"],
  DeleteItem: ["dynamodb:DeleteItem"],
  BatchGetItem: ["dynamodb:BatchGetItem"],
  BatchWriteItem: ["dynamodb:BatchWriteItem"],
  TransactGetItems: ["dynamodb:GetItem"],
};

/**
 * TransactWriteItems has no IAM action of its own: each operation inside is authorised as its item
 * action (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
const ACTIONS_BY_TRANSACT_OPERATION: Readonly<Record<string, string>> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
};

/** Run only against the local database (ensureTable), or destructive: never granted to the function. */
const NEVER_GRANTED = [
  "dynamodb:CreateTable",
  "dynamodb:DescribeTable",
  "dynamodb:DeleteTable",
  "dynamodb:*",
];

/** The quoted actions of `dynamodb_actions = [ ... ]` in terraform/iam.tf, sorted. */
function grantedActions(): string[] {
  const source = readFileSync(iamTf, "utf8");
  const list = /^\s*dynamodb_actions\s*=\s*\[([^\]]*)\]/m.exec(source);
  assert.ok(list?.[1], "terraform/iam.tf has no `dynamodb_actions = [...]` list");
  return [...list[1].matchAll(/"([^"]+)"/g)].map((match) => match[1] ?? "").sort();
}

/**
 * The operation kinds the store's transactions use, read from its source: every `Put:`, `Update:`,
 * `Delete:` or `ConditionCheck:` key of an object literal. Reading more than the transactions hold
 * can only ask for a grant too many, which the equality below then reports.
 */
function transactOperationsInSource(files: readonly string[]): string[] {
  const source = files
    .map((file) => readFileSync(resolve(repoRoot, "src/dynamodb", file), "utf8"))
    .join("\n");
  const found = new Set<string>();
  for (const match of source.matchAll(/[{,]\s*(Put|Update|Delete|ConditionCheck)\s*:/g)) {
    if (match[1] !== undefined) found.add(match[1]);
  }
  return [...found];
}

function exportedStrings(module: unknown, name: string): string[] | undefined {
  if (typeof module !== "object" || module === null || !(name in module)) return undefined;
  const value: unknown = (module as Record<string, unknown>)[name]; // `name in module` checked above
  assert.ok(
    Array.isArray(value) && value.every((entry) => typeof entry === "string"),
    `${name} is not an array of strings`,
  );
  return value as string[]; // each entry checked to be a string just above
}

test("terraform/iam.tf lists its DynamoDB actions where this check can read them", () => {
  const actions = grantedActions();
  assert.ok(actions.length > 0);
  for (const action of actions) assert.match(action, /^dynamodb:[A-Za-z]+$/);
  for (const action of NEVER_GRANTED) assert.equal(actions.includes(action), false, `${action} is granted`);
});

test("the granted DynamoDB actions are exactly those behind the memory and OAuth stores' commands", async () => {
  const store: unknown = await import(pathToFileURL(storeModule).href);
  const oauthStore: unknown = await import(pathToFileURL(oauthStoreModule).href);
  const commands = exportedStrings(store, "DYNAMODB_COMMANDS_USED");
  assert.ok(commands, "src/dynamodb/memory-store.ts exports no DYNAMODB_COMMANDS_USED");

  const needed = new Set<string>();
  for (const command of commands) {
    if (command === "TransactWriteItems") {
      const operations = transactOperationsInSource(exportedStrings(store, "DYNAMODB_STORE_SOURCES") ?? []);
      assert.ok(
        operations.length > 0,
        "TransactWriteItems is used, but no Put/Update/Delete/ConditionCheck found",
      );
      for (const operation of operations) needed.add(ACTIONS_BY_TRANSACT_OPERATION[operation] ?? operation);
      continue;
    }
    const actions = ACTIONS_BY_COMMAND[command];
    assert.ok(actions, `no IAM mapping for DynamoDB command ${command}: add it to ACTIONS_BY_COMMAND`);
    for (const action of actions) needed.add(action);
  }
  const oauthCommands = exportedStrings(oauthStore, "OAUTH_DYNAMODB_COMMANDS_USED");
  assert.ok(oauthCommands, "src/dynamodb/oauth-store.ts exports no OAUTH_DYNAMODB_COMMANDS_USED");
  for (const command of oauthCommands) {
    const actions = ACTIONS_BY_COMMAND[command];
    assert.ok(actions, `no IAM mapping for DynamoDB command ${command}: add it to ACTIONS_BY_COMMAND`);
    for (const action of actions) needed.add(action);
  }
  const granted = grantedActions();
  assert.deepEqual(granted, [...needed].sort());

  // The stores' own statements of their IAM actions must agree too.
  const declared = new Set([
    ...(exportedStrings(store, "DYNAMODB_IAM_ACTIONS") ?? []),
    ...(exportedStrings(oauthStore, "OAUTH_DYNAMODB_IAM_ACTIONS") ?? []),
  ]);
  assert.deepEqual(granted, [...declared].sort());

  for (const command of exportedStrings(store, "DYNAMODB_SETUP_COMMANDS") ?? []) {
    assert.equal(granted.includes(`dynamodb:${command}`), false, `setup command ${command} is granted`);
  }
});
