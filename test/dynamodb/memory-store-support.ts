// Shared by the memory store's tests (memory-store-*.test.ts, client.test.ts): one dynalite for the importing
// file, started before its tests and stopped after them; stores on fresh tables with a clock that moves only
// when told; the raw items the store wrote; and the exact StoreError and Memory a test expects.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  type Memory,
  type MemoryStore,
  StoreError,
  type StoreErrorKind,
} from "../../src/memory/memory-store.ts";
import { createTestStore, type Dynalite, startDynalite } from "../helpers/dynalite.ts";

export const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
export const START = "2026-03-01T10:00:00.000Z";

/** The importing file's dynalite: set before its first test. */
export let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

/** A clock that moves only when told, so timestamps in expected objects are known. */
export function fakeClock(start = START): { now: () => Date; advance: (ms?: number) => string } {
  let time = Date.parse(start);
  return {
    now: () => new Date(time),
    advance: (ms = 1_000) => {
      time += ms;
      return new Date(time).toISOString();
    },
  };
}

export async function freshStore(): Promise<{
  store: MemoryStore;
  tableName: string;
  clock: ReturnType<typeof fakeClock>;
}> {
  const clock = fakeClock();
  const { store, tableName } = await createTestStore(database, { now: clock.now });
  return { store, tableName, clock };
}

/** Every item of the memory partition, sort key and attributes, in sort key order: what the store really
 * wrote for memories and guards (the search index has partitions of its own: test/dynamodb/search-index.test.ts). */
export async function rawItems(tableName: string): Promise<Record<string, unknown>[]> {
  const output = await database.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return (output.Items ?? [])
    .filter((item) => item.pk?.S === "MEM")
    .map((item) =>
      Object.fromEntries(Object.entries(item).map(([name, value]) => [name, value.S ?? value.N ?? value.L])),
    )
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

export async function guardsOf(tableName: string): Promise<unknown[]> {
  return (await rawItems(tableName))
    .filter((item) => String(item.sk).startsWith("H#"))
    .map((item) => item.memoryId);
}

export async function rejectsWith(
  promise: Promise<unknown>,
  expected: { kind: StoreErrorKind; message: string; existingId?: string },
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.deepStrictEqual(
      { kind: error.kind, message: error.message, existingId: error.existingId },
      { existingId: undefined, ...expected },
    );
    return true;
  });
}

export function memoryAt(
  id: string,
  content: string,
  tags: string[],
  createdAt: string,
  updatedAt = createdAt,
  version = 1,
): Memory {
  return { id, content, tags, createdAt, updatedAt, version };
}
