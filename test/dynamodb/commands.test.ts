// Pins down that the DynamoDB commands the memory store declares (src/dynamodb/commands.ts, for the IAM
// policy) are exactly the ones its source files send, transaction actions included.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import {
  DYNAMODB_COMMANDS_USED,
  DYNAMODB_IAM_ACTIONS,
  DYNAMODB_SETUP_COMMANDS,
  DYNAMODB_STORE_SOURCES,
} from "../../src/dynamodb/memory-store.ts";

/** The source of every file of src/dynamodb/ that sends commands for the memory store. */
async function storeSource(): Promise<string> {
  const files = await Promise.all(
    DYNAMODB_STORE_SOURCES.map((file) =>
      readFile(new URL(`../../src/dynamodb/${file}`, import.meta.url), "utf8"),
    ),
  );
  return files.join("\n");
}

describe("declared commands", () => {
  test("DYNAMODB_COMMANDS_USED and DYNAMODB_SETUP_COMMANDS are exactly the commands the store's files send", async () => {
    const source = await storeSource();
    const sent = [...new Set([...source.matchAll(/new (\w+)Command\(/g)].map((match) => match[1]))].sort();
    assert.deepStrictEqual(sent, [...DYNAMODB_COMMANDS_USED, ...DYNAMODB_SETUP_COMMANDS].sort());
  });

  test("DYNAMODB_IAM_ACTIONS covers the commands and the kinds of transaction action in the source", async () => {
    const source = await storeSource();
    const transactionKinds = [...source.matchAll(/\b(Put|Update|Delete|ConditionCheck): /g)].map((match) =>
      match[1] === "ConditionCheck" ? "ConditionCheckItem" : `${match[1]}Item`,
    );
    const plain = DYNAMODB_COMMANDS_USED.filter((command) => command !== "TransactWriteItems");
    const expected = [...new Set([...plain, ...transactionKinds])]
      .map((action) => `dynamodb:${action}`)
      .sort();
    assert.deepStrictEqual([...DYNAMODB_IAM_ACTIONS], expected);
  });
});
