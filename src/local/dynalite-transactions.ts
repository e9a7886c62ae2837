// TransactWriteItems for dynalite, which lacks it (https://github.com/architect/dynalite/issues/151): an
// HTTP front that passes every other request through and runs a transaction as single-item writes.
// For tests and the local server only; the Lambda talks to DynamoDB itself.
//
// How a transaction is emulated: it takes an exclusive lock (every other request takes a shared one, so
// nothing observes or interleaves with a half-applied transaction), applies each action as a conditional
// PutItem / DeleteItem / UpdateItem with ReturnValues ALL_OLD, and if any condition failed, restores the
// old images of the actions that were applied and answers TransactionCanceledException with one
// cancellation reason per action, the way DynamoDB does. Actions target distinct items (DynamoDB rejects
// a transaction that touches one item twice, and so does this front), so each condition is evaluated
// against the state before the transaction. Idempotency tokens: a transaction repeating the
// ClientRequestToken of one that succeeded (the SDK's retry after a lost answer) succeeds without writing
// again, as in DynamoDB. Not emulated: ConditionCheck actions, TransactionConflict (transactions here never
// overlap), and durability across a crash mid-transaction.
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { ReadWriteLock } from "./read-write-lock.ts";
import {
  type Action,
  type ActionKind,
  type AppliedAction,
  canonicalJson,
  isObject,
  type JsonObject,
  SINGLE_ITEM_OPERATION,
  type UpstreamJson,
  undo,
  writeBatch,
} from "./transaction-writes.ts";

const TARGET_PREFIX = "DynamoDB_20120810.";
const TRANSACT_WRITE_ITEMS = `${TARGET_PREFIX}TransactWriteItems`;
const ERROR_TYPE_PREFIX = "com.amazonaws.dynamodb.v20120810#";
const MAX_TRANSACTION_ITEMS = 100;
const ACTION_KINDS = Object.keys(SINGLE_ITEM_OPERATION) as ActionKind[]; // the keys of the literal above
// dynalite checks that a request is signed but not the signature, so internal calls carry a fixed one.
const INTERNAL_AUTH_HEADERS = {
  authorization:
    "AWS4-HMAC-SHA256 Credential=local/20000101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
  "x-amz-date": "20000101T000000Z",
};

export interface TransactionProxy {
  /** Where to point a DynamoDBClient. */
  endpoint: string;
  stop(): Promise<void>;
}

interface UpstreamReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Starts the front on 127.0.0.1 (a free port) before a DynamoDB-compatible endpoint such as dynalite. */
export async function startTransactionProxy(upstream: string): Promise<TransactionProxy> {
  const upstreamUrl = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const lock = new ReadWriteLock();
  const keySchemas = new Map<string, string[]>();
  /** ClientRequestTokens of transactions that succeeded, oldest first (DynamoDB keeps them 10 minutes). */
  const succeeded = new Set<string>();

  const send = (
    path: string,
    method: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): Promise<UpstreamReply> =>
    new Promise((resolve, reject) => {
      const outgoing = request(
        new URL(path, upstreamUrl),
        {
          method,
          headers: { ...headers, host: upstreamUrl.host, "content-length": String(body.length) },
          agent,
        },
        (response) => {
          readBody(response).then(
            (responseBody) =>
              resolve({ status: response.statusCode ?? 500, headers: response.headers, body: responseBody }),
            reject,
          );
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });

  const call = async (
    operation: string,
    input: JsonObject,
  ): Promise<{ status: number; body: JsonObject }> => {
    const reply = await send(
      "/",
      "POST",
      {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": TARGET_PREFIX + operation,
        ...INTERNAL_AUTH_HEADERS,
      },
      Buffer.from(JSON.stringify(input)),
    );
    return { status: reply.status, body: parseObject(reply.body.toString("utf8")) ?? {} };
  };

  const keyAttributes = async (tableName: string): Promise<string[] | undefined> => {
    const known = keySchemas.get(tableName);
    if (known !== undefined) return known;
    const described = await call("DescribeTable", { TableName: tableName });
    const table = described.body.Table;
    if (described.status !== 200 || !isObject(table) || !Array.isArray(table.KeySchema)) return undefined;
    const names = table.KeySchema.flatMap((element: unknown) =>
      isObject(element) && typeof element.AttributeName === "string" ? [element.AttributeName] : [],
    );
    keySchemas.set(tableName, names);
    return names;
  };

  const transact = async (body: Buffer): Promise<{ status: number; body: JsonObject }> => {
    const transaction = parseObject(body.toString("utf8"));
    const token = transaction?.ClientRequestToken;
    if (typeof token === "string" && succeeded.has(token)) return { status: 200, body: {} };
    const items = transaction?.TransactItems;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_TRANSACTION_ITEMS) {
      return validationError(`TransactItems must hold between 1 and ${MAX_TRANSACTION_ITEMS} actions`);
    }
    const actions: Action[] = [];
    for (const item of items) {
      const parsed = await parseAction(item, keyAttributes);
      if (typeof parsed === "string") return validationError(parsed);
      actions.push(parsed);
    }
    const targets = new Set(actions.map((action) => `${action.tableName}\u0000${canonicalJson(action.key)}`));
    if (targets.size !== actions.length) {
      return validationError("Transaction request cannot include multiple operations on one item");
    }

    // The actions target distinct items and hold the exclusive lock, so they may run side by side; those
    // with a condition go first, so a transaction that loses a race costs no writes to undo.
    const run = (action: Action) => async () => {
      const { ReturnValuesOnConditionCheckFailure: returnOnFailure, ...input } = action.input;
      const outcome = await call(SINGLE_ITEM_OPERATION[action.kind], {
        ...input,
        ReturnValues: "ALL_OLD",
        ReturnConsumedCapacity: "TOTAL",
      });
      let current: UpstreamJson | undefined;
      if (returnOnFailure === "ALL_OLD" && errorType(outcome.body) === "ConditionalCheckFailedException") {
        current = await call("GetItem", {
          TableName: action.tableName,
          Key: action.key,
          ConsistentRead: true,
        });
      }
      return { action, outcome, current };
    };
    const conditional = actions.map((action) => action.input.ConditionExpression !== undefined);
    type Outcome = Awaited<ReturnType<ReturnType<typeof run>>>;
    const results: (Outcome | undefined)[] = await Promise.all(
      actions.map((action, index) => (conditional[index] ? run(action)() : undefined)),
    );
    if (results.every((result) => result === undefined || result.outcome.status === 200)) {
      // Unconditional puts and deletes (an index's postings, say) go as batches: one read of their old
      // images for the undo, one write, instead of a request per item.
      const plain = actions.map(
        (action, index) =>
          !conditional[index] && action.kind !== "Update" && action.input.ConditionExpression === undefined,
      );
      const [rest, batched] = await Promise.all([
        Promise.all(
          actions.map((action, index) => (conditional[index] || plain[index] ? undefined : run(action)())),
        ),
        writeBatch(
          actions.filter((_, index) => plain[index]),
          call,
        ),
      ]);
      rest.forEach((result, index) => {
        if (result !== undefined) results[index] = result;
      });
      let next = 0;
      actions.forEach((action, index) => {
        if (plain[index])
          results[index] = { action, outcome: batched[next++] as UpstreamJson, current: undefined }; // one outcome per plain action
      });
    }
    const outcomes = results.map(
      (result, index) =>
        result ?? {
          action: actions[index] as Action, // every index below actions.length has an action
          outcome: { status: 200, body: { Attributes: undefined, skipped: true } },
          current: undefined,
        },
    );
    const applied: AppliedAction[] = [];
    const reasons: JsonObject[] = [];
    let failure: UpstreamJson | undefined;
    let writeUnits = 0;
    for (const { action, outcome, current } of outcomes) {
      if (outcome.status === 200 && outcome.body.skipped === true) {
        // Not run, because a condition failed: DynamoDB reports such an action as "None" too.
        reasons.push({ Code: "None" });
      } else if (outcome.status === 200) {
        const old = outcome.body.Attributes;
        applied.push({
          tableName: action.tableName,
          key: action.key,
          oldItem: isObject(old) ? old : undefined,
        });
        reasons.push({ Code: "None" });
        const consumed = outcome.body.ConsumedCapacity;
        if (isObject(consumed) && typeof consumed.CapacityUnits === "number")
          writeUnits += consumed.CapacityUnits;
      } else if (errorType(outcome.body) === "ConditionalCheckFailedException") {
        const reason: JsonObject = {
          Code: "ConditionalCheckFailed",
          Message: "The conditional request failed",
        };
        if (current !== undefined && isObject(current.body.Item)) reason.Item = current.body.Item;
        reasons.push(reason);
      } else {
        failure ??= outcome;
      }
    }
    if (failure !== undefined) {
      // A validation error or worse fails the whole request, as in DynamoDB.
      await undo(applied, call);
      return failure;
    }
    if (reasons.some((reason) => reason.Code !== "None")) {
      await undo(applied, call);
      const codes = reasons.map((reason) => reason.Code).join(", ");
      return {
        status: 400,
        body: {
          __type: `${ERROR_TYPE_PREFIX}TransactionCanceledException`,
          Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
          CancellationReasons: reasons,
        },
      };
    }
    // A transactional write costs twice the units of the same writes made singly.
    const capacity =
      transaction?.ReturnConsumedCapacity === "TOTAL" || transaction?.ReturnConsumedCapacity === "INDEXES"
        ? { ConsumedCapacity: [{ TableName: actions[0]?.tableName, CapacityUnits: 2 * writeUnits }] }
        : {};
    if (typeof token === "string") {
      succeeded.add(token);
      if (succeeded.size > 10_000) succeeded.delete(succeeded.values().next().value ?? "");
    }
    return { status: 200, body: capacity };
  };

  const handle = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(incoming);
    // A client that gave up waiting (the SDK's request timeout) reads no answer: its work is skipped, as
    // it would only delay everyone queued behind it, and "not applied" is one outcome a timeout allows.
    const abandoned = (): boolean => response.destroyed || incoming.socket.destroyed;
    const skipped = { status: 503, headers: {}, body: Buffer.alloc(0) };
    if (incoming.headers["x-amz-target"] === TRANSACT_WRITE_ITEMS) {
      const outcome = await lock.exclusive(() =>
        abandoned() ? Promise.resolve({ status: 503, body: {} }) : transact(body),
      );
      respond(
        response,
        outcome.status,
        { "content-type": "application/x-amz-json-1.0" },
        JSON.stringify(outcome.body),
      );
      return;
    }
    const reply = await lock.shared(() =>
      abandoned()
        ? Promise.resolve(skipped)
        : send(incoming.url ?? "/", incoming.method ?? "POST", incoming.headers, body),
    );
    const {
      "content-length": _length,
      "transfer-encoding": _encoding,
      connection: _connection,
      ...headers
    } = reply.headers;
    respond(response, reply.status, headers, reply.body);
  };

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      respond(
        response,
        500,
        { "content-type": "application/x-amz-json-1.0" },
        JSON.stringify({ __type: `${ERROR_TYPE_PREFIX}InternalServerError`, message }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo; // a TCP server's address is an AddressInfo

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async (): Promise<void> => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}

async function parseAction(
  item: unknown,
  keyAttributes: (tableName: string) => Promise<string[] | undefined>,
): Promise<Action | string> {
  if (!isObject(item)) return "Each TransactItems entry must be an object";
  if ("ConditionCheck" in item) return "ConditionCheck actions are not emulated in front of dynalite";
  const kinds = ACTION_KINDS.filter((kind) => kind in item);
  const kind = kinds[0];
  const input = kind === undefined ? undefined : item[kind];
  if (kinds.length !== 1 || kind === undefined || !isObject(input)) {
    return "Each TransactItems entry must hold exactly one of Put, Delete or Update";
  }
  const tableName = input.TableName;
  if (typeof tableName !== "string") return "TableName is required";
  if (kind !== "Put") {
    return isObject(input.Key) ? { kind, input, tableName, key: input.Key } : "Key is required";
  }
  const newItem = input.Item;
  const names = await keyAttributes(tableName);
  if (!isObject(newItem)) return "Item is required";
  if (names === undefined) return `Requested resource not found: Table: ${tableName} not found`;
  const key: JsonObject = {};
  for (const name of names) key[name] = newItem[name];
  return { kind, input, tableName, key };
}

function validationError(message: string): { status: number; body: JsonObject } {
  return { status: 400, body: { __type: "com.amazon.coral.validate#ValidationException", message } };
}

function errorType(body: JsonObject): string | undefined {
  return typeof body.__type === "string" ? body.__type.slice(body.__type.indexOf("#") + 1) : undefined;
}

function respond(
  response: ServerResponse,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: string | Buffer,
): void {
  response.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
  response.end(body);
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

function parseObject(json: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
