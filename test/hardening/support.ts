// Shared pieces of the hardening suite: the secrets that must never leave the process, the shape every
// answer must have (valid JSON-RPC or an empty 202, no CORS, no stack, no path, no key), exact id
// comparison, captured process output, and the raw-table check that no change was half written.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type AttributeValue, type DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { sha256Hex } from "../../src/protocol/auth.ts";
import { ROTATED_API_KEY, TEST_API_KEY } from "../fixtures/events.ts";
import { assertIndexConsistent } from "../helpers/search-index.ts";

/** Every key the suite's servers accept, and the SHA-256 digests the server is configured with. */
export const SECRET_KEYS: readonly string[] = [TEST_API_KEY, ROTATED_API_KEY];
export const SECRET_DIGESTS: readonly string[] = SECRET_KEYS.map(sha256Hex);

/** The fixed seed of every property; HARDENING_SEED replays another run. */
export const SEED = Number(process.env.HARDENING_SEED ?? 20_260_728);

/** Runs for each property; HARDENING_RUNS scales them all (e.g. 10 for a deep run). */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * Number(process.env.HARDENING_RUNS ?? 1)));
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** HTTP statuses the transport may answer with; 500 is allowed only as a bare -32603. */
const CLIENT_FAULT_STATUSES = new Set([200, 202, 400, 401, 403, 404, 405, 406, 413, 415]);

/** Texts that betray internals: a V8 stack frame, an absolute path of this machine, a module path. */
const LEAK_PATTERNS: readonly RegExp[] = [
  /\n\s+at /,
  /\bat [\w.<>]+ \(/,
  /node_modules/,
  /file:\/\//,
  /(?:^|[^\w])\/(?:work|home|root|tmp|var|opt|usr)\//,
  /\.ts:\d+/,
  /\b(?:TypeError|RangeError|ReferenceError|SyntaxError): /,
];

/**
 * The invariant of every answer, whatever was asked: a JSON-RPC response (or, in a 200, a non-empty array
 * of them) with application/json, or an empty 202; a client-fault status unless it is a deliberate
 * -32603; no CORS header; no key or digest; no stack or path that the request itself did not contain.
 * Returns the parsed body (undefined for a 202).
 */
export function assertWellFormedAnswer(answer: Answer, requestText: string): unknown {
  const context = `status ${answer.status}, body ${answer.body.slice(0, 300)}`;
  for (const name of Object.keys(answer.headers)) {
    assert.ok(!name.toLowerCase().startsWith("access-control-"), `CORS header ${name}: ${context}`);
  }
  for (const secret of [...SECRET_KEYS, ...SECRET_DIGESTS]) {
    assert.ok(!answer.body.includes(secret), `a key or digest in the answer: ${context}`);
    for (const value of Object.values(answer.headers)) assert.ok(!value.includes(secret), context);
  }
  for (const pattern of LEAK_PATTERNS) {
    if (pattern.test(answer.body)) {
      assert.ok(pattern.test(requestText), `internal detail ${pattern} in the answer: ${context}`);
    }
  }
  if (answer.status === 202) {
    assert.deepEqual({ headers: answer.headers, body: answer.body }, { headers: {}, body: "" }, context);
    return undefined;
  }
  assert.equal(answer.headers["content-type"], "application/json", context);
  const parsed: unknown = JSON.parse(answer.body);
  if (Array.isArray(parsed)) {
    assert.equal(answer.status, 200, `a batch answer is a 200: ${context}`);
    assert.ok(parsed.length > 0, `an empty array is never an answer: ${context}`);
    for (const element of parsed) assertRpcResponse(element, context);
  } else {
    assertRpcResponse(parsed, context);
  }
  if (answer.status === 500) {
    assert.deepEqual(
      (parsed as { error?: unknown }).error,
      { code: -32603, message: "Internal error" },
      `a 500 is only ever a bare -32603: ${context}`,
    );
  } else {
    assert.ok(CLIENT_FAULT_STATUSES.has(answer.status), `unexpected status: ${context}`);
  }
  return parsed;
}

function assertRpcResponse(value: unknown, context: string): void {
  assert.ok(typeof value === "object" && value !== null && !Array.isArray(value), context);
  const message = value as Record<string, unknown>; // an object, checked just above
  const keys = Object.keys(message).sort();
  assert.equal(message.jsonrpc, "2.0", context);
  const id = message.id;
  assert.ok(id === null || typeof id === "string" || typeof id === "number", `bad id: ${context}`);
  if ("error" in message) {
    assert.deepEqual(keys, ["error", "id", "jsonrpc"], context);
    const error = message.error as Record<string, unknown>;
    assert.ok(Number.isInteger(error.code), context);
    assert.equal(typeof error.message, "string", context);
    assert.ok(
      Object.keys(error).every((key) => key === "code" || key === "message" || key === "data"),
      context,
    );
  } else {
    assert.deepEqual(keys, ["id", "jsonrpc", "result"], context);
    assert.ok(typeof message.result === "object" && message.result !== null, context);
  }
}

/** The raw JSON text of the `id` of each response in an answer body, in order (the server writes id second). */
export function responseIdTexts(body: string): string[] {
  const ids: string[] = [];
  const marker = '{"jsonrpc":"2.0","id":';
  let at = body.indexOf(marker);
  while (at !== -1) {
    const start = at + marker.length;
    let end = start;
    if (body[start] === '"') {
      end = start + 1;
      while (body[end] !== '"') end += body[end] === "\\" ? 2 : 1;
      end += 1;
    } else {
      while (body[end] !== ",") end++;
    }
    ids.push(body.slice(start, end));
    at = body.indexOf(marker, end);
  }
  return ids;
}

/**
 * A JSON id as a comparable key: strings by value, numbers by exact decimal value (so `1e2` and `100`
 * agree, while 2^53 + 1 and 2^53 do not), null as null.
 */
export function idKey(idText: string): string {
  const trimmed = idText.trim();
  if (trimmed.startsWith('"')) return `s:${JSON.parse(trimmed) as string}`;
  if (trimmed === "null") return "null";
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(trimmed);
  assert.ok(match, `not a JSON number: ${trimmed}`);
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
  const digits = `${whole}${fraction}`.replace(/^0+/, "");
  if (digits === "") return "n:0";
  const scale = BigInt(exponent) - BigInt(fraction.length);
  const trimmedDigits = digits.replace(/0+$/, "");
  const shift = BigInt(digits.length - trimmedDigits.length);
  return `n:${sign}${trimmedDigits}e${scale + shift}`;
}

/**
 * What the process itself writes to stdout and stderr while capturing (console, the logger, warnings), passed
 * through untouched. The test runner's own reports travel as Buffers (v8-serialised) and are left out, so a
 * failure message quoting a test key does not count as the server leaking it.
 */
export interface CapturedOutput {
  text(): string;
  restore(): void;
}

export function captureProcessOutput(): CapturedOutput {
  const chunks: string[] = [];
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = function (this: NodeJS.WriteStream, chunk: string | Uint8Array, ...rest: unknown[]) {
      if (typeof chunk === "string") chunks.push(chunk);
      return original.call(this, chunk, ...(rest as [])) as boolean;
    } as typeof stream.write;
  }
  return {
    text: () => chunks.join(""),
    restore() {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}

/** No key, no digest (the digest is what MCP_API_KEY_SHA256 holds) and none of the given contents appear. */
export function assertNothingSecret(text: string, contents: Iterable<string>, what: string): void {
  for (const secret of SECRET_KEYS) assert.ok(!text.includes(secret), `${what} holds an API key`);
  for (const digest of SECRET_DIGESTS) assert.ok(!text.includes(digest), `${what} holds a key digest`);
  for (const content of contents) {
    assert.ok(
      !text.includes(content),
      `${what} holds memory content ${JSON.stringify(content.slice(0, 60))}`,
    );
  }
}

/** Every request log line is one JSON object with only the fields src/protocol/log.ts documents. */
export function assertLogLines(lines: readonly string[]): void {
  const allowed = new Set([
    "level",
    "msg",
    "httpMethod",
    "method",
    "tool",
    "id",
    "batchSize",
    "status",
    "rpcError",
    "endpoint",
    "oauthError",
    "error",
    "durationMs",
  ]);
  for (const line of lines) {
    const entry = JSON.parse(line) as Record<string, unknown>; // a log line is one JSON object
    for (const key of Object.keys(entry)) assert.ok(allowed.has(key), `unexpected log field ${key}: ${line}`);
    // Client-chosen text is cut short: it cannot smuggle a payload into the log.
    for (const key of ["id", "method"]) {
      if (typeof entry[key] === "string") assert.ok((entry[key] as string).length <= 64, line.slice(0, 300));
    }
    for (const key of ["endpoint", "oauthError", "error"]) {
      if (key in entry) assert.equal(typeof entry[key], "string", line);
    }
  }
}

// --- the table, read raw ----------------------------------------------------------------------------

export interface RawMemory {
  id: string;
  content: string;
  tags: string[];
  version: number;
  contentHash: string;
}

/** The hash the store's content guard is named by, computed here independently: NFC, whitespace runs as one space, trimmed. */
export function expectedContentHash(content: string): string {
  const normalised = content.normalize("NFC").replace(/\s+/gu, " ").trim();
  return createHash("sha256").update(normalised, "utf8").digest("hex");
}

/** Every item of the memory partition, read with the SDK: memories (M#) and content guards (H#). */
export async function readPartition(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ memories: RawMemory[]; guards: Map<string, string>; others: string[] }> {
  const memories: RawMemory[] = [];
  const guards = new Map<string, string>();
  const others: string[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: "MEM" } },
        ConsistentRead: true,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    for (const item of page.Items ?? []) {
      const sk = item.sk?.S ?? "";
      if (sk.startsWith("M#")) {
        memories.push({
          id: item.id?.S ?? "",
          content: item.content?.S ?? "",
          tags: (item.tags?.L ?? []).map((tag) => tag.S ?? ""),
          version: Number(item.version?.N),
          contentHash: item.contentHash?.S ?? "",
        });
      } else if (sk.startsWith("H#")) {
        guards.set(sk.slice(2), item.memoryId?.S ?? "");
      } else {
        others.push(sk);
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return { memories, guards, others };
}

/**
 * Nothing half written: every memory names the hash of its own content and that guard points back at it;
 * every guard belongs to a live memory holding that content (an orphan guard would block storing that
 * content forever); no two memories share normalised content; nothing else is in the partition.
 */
export async function assertConsistentTable(
  client: DynamoDBClient,
  tableName: string,
  index: { pending: "allowed" | "none" } = { pending: "none" },
): Promise<{ memories: RawMemory[] }> {
  const { memories, guards, others } = await readPartition(client, tableName);
  assert.deepEqual(others, [], "only memories and guards live in the partition");
  const byHash = new Map<string, string>();
  for (const memory of memories) {
    assert.equal(memory.contentHash, expectedContentHash(memory.content), `hash of ${memory.id}`);
    assert.equal(guards.get(memory.contentHash), memory.id, `guard of ${memory.id}`);
    assert.ok(Number.isInteger(memory.version) && memory.version >= 1, `version of ${memory.id}`);
    assert.equal(byHash.get(memory.contentHash), undefined, `two memories hold the content of ${memory.id}`);
    byHash.set(memory.contentHash, memory.id);
  }
  for (const [hash, memoryId] of guards) {
    assert.equal(byHash.get(hash), memoryId, `guard H#${hash} names ${memoryId}, which does not hold it`);
  }
  await assertIndexConsistent(client, tableName, index);
  return { memories };
}
