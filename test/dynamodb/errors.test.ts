// Pins down how DynamoDB failures reach the model: throttling and outages become StoreError "throttled" /
// "unavailable" with fixed messages (no stack, no AWS detail) after the SDK's 3 attempts, within the Lambda's
// 10 s; lost races are retried and then reported as version_conflict; everything else is rethrown untouched.
// The mapping is unit-tested on constructed SDK exceptions; the wire tests use a stub HTTP endpoint because
// dynalite cannot be made to throttle, fail or hang, and the client under test is createDynamoDbClient().
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
} from "@aws-sdk/client-dynamodb";
import {
  createDynamoDbClient,
  createDynamoDbStore,
  MAX_WRITE_ATTEMPTS,
  toServiceStoreError,
} from "../../src/dynamodb/memory-store.ts";
import { type MemoryStore, StoreError } from "../../src/memory/memory-store.ts";

const THROTTLED = {
  kind: "throttled",
  message: "The memory database is throttling requests right now; retry in a few seconds.",
};
const UNAVAILABLE = {
  kind: "unavailable",
  message: "The memory database could not be reached or failed; retry in a few seconds.",
};
const ID = "01J0000000000000000000000Z";

const metadata = { httpStatusCode: 400, attempts: 3, totalRetryDelay: 1_500 };

function described(error: StoreError | undefined): { kind: string; message: string } | undefined {
  return error === undefined ? undefined : { kind: error.kind, message: error.message };
}

function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: metadata,
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

describe("toServiceStoreError", () => {
  test("throttling, including throttled transaction actions, is throttled", () => {
    const errors = [
      new ThrottlingException({ message: "Rate exceeded", $metadata: metadata }),
      new ProvisionedThroughputExceededException({ message: "exceeded", $metadata: metadata }),
      new RequestLimitExceeded({ message: "account limit", $metadata: metadata }),
      cancelled("None", "ThrottlingError"),
      cancelled("ProvisionedThroughputExceeded", "None"),
    ];
    for (const error of errors)
      assert.deepStrictEqual(described(toServiceStoreError(error)), THROTTLED, error.name);
  });

  test("server faults, network errors and timeouts are unavailable", () => {
    const errors = [
      new InternalServerError({ message: "boom", $metadata: { ...metadata, httpStatusCode: 500 } }),
      new DynamoDBServiceException({
        name: "ServiceUnavailable",
        $fault: "server",
        message: "",
        $metadata: { httpStatusCode: 503 },
      }),
      Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", $metadata: { attempts: 3 } }),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("socket hang up"), { code: "EPIPE" }),
      Object.assign(new Error("getaddrinfo EAI_AGAIN dynamodb"), { code: "EAI_AGAIN" }),
      Object.assign(new Error("requestTimeout exceeded"), { name: "TimeoutError", code: "ETIMEDOUT" }),
    ];
    for (const error of errors) {
      assert.deepStrictEqual(described(toServiceStoreError(error)), UNAVAILABLE, error.message);
    }
  });

  test("a backoff cut short by the tool deadline (the AbortError of node:timers/promises) is unavailable", async () => {
    const deadline = AbortSignal.abort(new DOMException("deadline", "TimeoutError"));
    const error: unknown = await delay(60_000, undefined, { signal: deadline }).catch(
      (reason: unknown) => reason,
    );
    assert.deepStrictEqual(described(toServiceStoreError(error)), UNAVAILABLE);
  });

  test("condition failures, conflicts, validation and programming errors are left to the caller", () => {
    const errors: unknown[] = [
      new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: metadata }),
      cancelled("ConditionalCheckFailed", "None"),
      cancelled("TransactionConflict"),
      new TransactionConflictException({ message: "conflict", $metadata: metadata }),
      new ResourceNotFoundException({ message: "Requested resource not found", $metadata: metadata }),
      new DynamoDBServiceException({
        name: "ValidationException",
        $fault: "client",
        message: "One or more parameter values were invalid",
        $metadata: metadata,
      }),
      new TypeError("cannot read properties of undefined"),
      new RangeError("bad limit"),
      "a string",
      undefined,
    ];
    for (const error of errors) assert.equal(toServiceStoreError(error), undefined, String(error));
  });
});

/** Answers every DynamoDB request with `reply(target)`: an error type and status, or "hang" to never answer. */
async function startStub(
  reply: (target: string, body: Record<string, unknown>) => { status: number; body: unknown } | "hang",
): Promise<{ endpoint: string; targets: string[]; server: Server }> {
  const targets: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const target = String(request.headers["x-amz-target"]).split(".")[1] ?? "";
      targets.push(target);
      const answer = reply(target, JSON.parse(Buffer.concat(chunks).toString("utf8")));
      if (answer === "hang") return;
      response.writeHead(answer.status, { "content-type": "application/x-amz-json-1.0" });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo; // a TCP server's address is an AddressInfo
  return { endpoint: `http://127.0.0.1:${port}`, targets, server };
}

function errorBody(type: string, message: string): unknown {
  return { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message };
}

/** A store on createDynamoDbClient(), which finds the endpoint in AWS_ENDPOINT_URL_DYNAMODB as in Lambda. */
function storeAt(endpoint: string): MemoryStore {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  return createDynamoDbStore({
    client: createDynamoDbClient(),
    tableName: "memories",
    cursorSecret: "secret",
  });
}

/** What the client's HTTP handler resolved its settings to (NodeHttpHandler's httpHandlerConfigs()). */
function httpHandlerSettings(client: DynamoDBClient): Record<string, unknown> {
  const handler: object = client.config.requestHandler;
  assert.ok("httpHandlerConfigs" in handler && typeof handler.httpHandlerConfigs === "function");
  return { ...handler.httpHandlerConfigs() };
}

async function rejectsWith(
  promise: Promise<unknown>,
  expected: { kind: string; message: string },
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.deepStrictEqual(
      { kind: error.kind, message: error.message, existingId: error.existingId },
      {
        ...expected,
        existingId: undefined,
      },
    );
    return true;
  });
}

describe("through the SDK", () => {
  const servers: Server[] = [];
  before(() => {
    Object.assign(process.env, {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
  });
  after(() => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });

  test("throttling after the SDK's 3 attempts is throttled", async () => {
    const stub = await startStub(() => ({
      status: 400,
      body: errorBody("ThrottlingException", "Rate exceeded"),
    }));
    servers.push(stub.server);
    await rejectsWith(storeAt(stub.endpoint).get(ID), THROTTLED);
    assert.deepStrictEqual(stub.targets, ["GetItem", "GetItem", "GetItem"]);
  });

  test("a failing service after the SDK's 3 attempts is unavailable", async () => {
    const stub = await startStub(() => ({
      status: 500,
      body: errorBody("InternalServerError", "Internal error"),
    }));
    servers.push(stub.server);
    await rejectsWith(storeAt(stub.endpoint).list({ limit: 5 }), UNAVAILABLE);
    assert.deepStrictEqual(stub.targets, ["Query", "Query", "Query"]);
  });

  test("a refused connection is unavailable", async () => {
    const stub = await startStub(() => "hang");
    const { endpoint } = stub;
    await new Promise((resolve) => stub.server.close(resolve));
    await rejectsWith(storeAt(endpoint).delete(ID), UNAVAILABLE);
  });

  test("an endpoint that never answers is unavailable after 3 x 2.5 s, inside the 10 s Lambda timeout", async () => {
    const stub = await startStub(() => "hang");
    servers.push(stub.server);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = stub.endpoint;
    const client = createDynamoDbClient();
    const store = createDynamoDbStore({ client, tableName: "memories", cursorSecret: "secret" });
    const started = performance.now();
    await rejectsWith(store.get(ID), UNAVAILABLE);
    const elapsed = performance.now() - started;
    assert.deepStrictEqual(stub.targets, ["GetItem", "GetItem", "GetItem"]);
    // Each attempt waited out its request timeout: a lower bound, which a loaded machine cannot break.
    assert.ok(elapsed >= 7_400, `took ${Math.round(elapsed)} ms`);
    // The upper bound follows from the client's settings, not from this machine's speed: 3 attempts cut off
    // 2.5 s after they start, plus backoff, is at most 7.65 s (createDynamoDbClient's comment does the sum).
    const { connectionTimeout, requestTimeout, throwOnRequestTimeout } = httpHandlerSettings(client);
    assert.deepStrictEqual(
      {
        maxAttempts: await client.config.maxAttempts(),
        connectionTimeout,
        requestTimeout,
        throwOnRequestTimeout,
      },
      { maxAttempts: 3, connectionTimeout: 1_000, requestTimeout: 2_500, throwOnRequestTimeout: true },
    );
    client.destroy();
  });

  test("a validation error is rethrown untouched, without retries", async () => {
    const stub = await startStub(() => ({
      status: 400,
      body: errorBody("ValidationException", "One or more parameter values were invalid"),
    }));
    servers.push(stub.server);
    await assert.rejects(storeAt(stub.endpoint).get(ID), {
      name: "ValidationException",
      message: "One or more parameter values were invalid",
    });
    assert.deepStrictEqual(stub.targets, ["GetItem"]);
  });

  test("an update losing to transaction conflicts every time ends in version_conflict after bounded retries", async () => {
    const item = {
      pk: { S: "MEM" },
      sk: { S: `M#${ID}` },
      id: { S: ID },
      content: { S: "contended" },
      tags: { L: [] },
      createdAt: { S: "2026-03-01T10:00:00.000Z" },
      updatedAt: { S: "2026-03-01T10:00:00.000Z" },
      version: { N: "1" },
      terms: { S: "contend" },
      contentHash: { S: "0".repeat(64) },
    };
    const stub = await startStub((target) =>
      target === "GetItem"
        ? { status: 200, body: { Item: item } }
        : {
            status: 400,
            body: errorBody("TransactionConflictException", "Transaction is ongoing for the item"),
          },
    );
    servers.push(stub.server);
    await rejectsWith(storeAt(stub.endpoint).update(ID, { tags: ["new"] }), {
      kind: "version_conflict",
      message: `Memory ${ID} kept changing while we wrote it (concurrent updates); get it again and retry.`,
    });
    // MAX_WRITE_ATTEMPTS read-and-write rounds (a tag change moves postings: a transaction); the SDK does not
    // retry TransactionConflictException itself.
    assert.deepStrictEqual(
      stub.targets,
      Array.from({ length: MAX_WRITE_ATTEMPTS }, () => ["GetItem", "TransactWriteItems"]).flat(),
    );
  });
});
