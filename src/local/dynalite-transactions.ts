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
// against the state before the transaction. Not emulated: ConditionCheck actions, idempotency tokens,
// TransactionConflict (transactions here never overlap), and durability across a crash mid-transaction.
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

const TARGET_PREFIX = "DynamoDB_20120810.";
const TRANSACT_WRITE_ITEMS = `${TARGET_PREFIX}TransactWriteItems`;
const ERROR_TYPE_PREFIX = "com.amazonaws.dynamodb.v20120810#";
const MAX_TRANSACTION_ITEMS = 100;
const SINGLE_ITEM_OPERATION = { Put: "PutItem", Delete: "DeleteItem", Update: "UpdateItem" } as const;
type ActionKind = keyof typeof SINGLE_ITEM_OPERATION;
const ACTION_KINDS = Object.keys(SINGLE_ITEM_OPERATION) as ActionKind[]; // the keys of the literal above
// dynalite checks that a request is signed but not the signature, so internal calls carry a fixed one.
const INTERNAL_AUTH_HEADERS = {
  authorization:
    "AWS4-HMAC-SHA256 Credential=local/20000101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
  "x-amz-date": "20000101T000000Z",
};

type JsonObject = Record<string, unknown>;
type UpstreamJson = { status: number; body: JsonObject };

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

interface Action {
  kind: ActionKind;
  input: JsonObject;
  tableName: string;
  key: JsonObject;
}

interface AppliedAction {
  tableName: string;
  key: JsonObject;
  oldItem: JsonObject | undefined;
}

/** Starts the front on 127.0.0.1 (a free port) before a DynamoDB-compatible endpoint such as dynalite. */
export async function startTransactionProxy(upstream: string): Promise<TransactionProxy> {
  const upstreamUrl = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const lock = new ReadWriteLock();
  const keySchemas = new Map<string, string[]>();

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

/**
 * Applies unconditional Put and Delete actions with one BatchGetItem (their old images, for an undo) and
 * BatchWriteItem requests; answers one outcome per action as its single-item request would (Attributes:
 * the old image; the batch's consumed capacity on the first).
 */
async function writeBatch(
  actions: readonly Action[],
  call: (operation: string, input: JsonObject) => Promise<UpstreamJson>,
): Promise<UpstreamJson[]> {
  if (actions.length === 0) return [];
  const tableName = actions[0]?.tableName ?? "";
  if (actions.some((action) => action.tableName !== tableName)) {
    return Promise.all(
      actions.map((action) =>
        call(SINGLE_ITEM_OPERATION[action.kind], {
          ...action.input,
          ReturnValues: "ALL_OLD",
          ReturnConsumedCapacity: "TOTAL",
        }),
      ),
    );
  }
  const old = new Map<string, JsonObject>();
  const read = await call("BatchGetItem", {
    RequestItems: { [tableName]: { Keys: actions.map((action) => action.key), ConsistentRead: true } },
  });
  if (read.status !== 200) return actions.map(() => read);
  const responses = read.body.Responses;
  const found = isObject(responses) && Array.isArray(responses[tableName]) ? responses[tableName] : [];
  const keyNames = Object.keys(actions[0]?.key ?? {});
  for (const item of found) {
    if (!isObject(item)) continue;
    const key: JsonObject = {};
    for (const name of keyNames) key[name] = item[name];
    old.set(canonicalJson(key), item);
  }
  let units = 0;
  for (let start = 0; start < actions.length; start += 25) {
    const requests = actions
      .slice(start, start + 25)
      .map((action) =>
        action.kind === "Put"
          ? { PutRequest: { Item: action.input.Item } }
          : { DeleteRequest: { Key: action.key } },
      );
    const written = await call("BatchWriteItem", {
      RequestItems: { [tableName]: requests },
      ReturnConsumedCapacity: "TOTAL",
    });
    // A batch rejected before any write (validation) fails the transaction; an earlier batch is undone then.
    if (written.status !== 200)
      return actions.map((_, index) =>
        index < start
          ? { status: 200, body: { Attributes: old.get(canonicalJson(actions[index]?.key)) } }
          : written,
      );
    const unprocessed = written.body.UnprocessedItems;
    if (isObject(unprocessed) && Object.keys(unprocessed).length > 0)
      throw new Error("dynalite left items unprocessed");
    const consumed = written.body.ConsumedCapacity;
    for (const entry of Array.isArray(consumed) ? consumed : []) {
      if (isObject(entry) && typeof entry.CapacityUnits === "number") units += entry.CapacityUnits;
    }
  }
  return actions.map((action, index) => ({
    status: 200,
    body: {
      Attributes: old.get(canonicalJson(action.key)),
      ...(index === 0 ? { ConsumedCapacity: { TableName: tableName, CapacityUnits: units } } : {}),
    },
  }));
}

async function undo(
  applied: readonly AppliedAction[],
  call: (operation: string, input: JsonObject) => Promise<{ status: number; body: JsonObject }>,
): Promise<void> {
  for (const action of [...applied].reverse()) {
    const outcome =
      action.oldItem === undefined
        ? await call("DeleteItem", { TableName: action.tableName, Key: action.key })
        : await call("PutItem", { TableName: action.tableName, Item: action.oldItem });
    // Nothing else writes while the exclusive lock is held, so a failed undo is a bug worth a loud 500.
    if (outcome.status !== 200)
      throw new Error(`could not undo a cancelled transaction: ${JSON.stringify(outcome.body)}`);
  }
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

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys, so two spellings of one key compare equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Many shared holders or one exclusive holder, granted in arrival order so a transaction is not starved. */
class ReadWriteLock {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly waiting: { exclusive: boolean; grant: () => void }[] = [];

  shared<T>(work: () => Promise<T>): Promise<T> {
    return this.run(false, work);
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.run(true, work);
  }

  private async run<T>(exclusive: boolean, work: () => Promise<T>): Promise<T> {
    await new Promise<void>((grant) => {
      this.waiting.push({ exclusive, grant });
      this.pump();
    });
    try {
      return await work();
    } finally {
      if (exclusive) this.exclusiveHeld = false;
      else this.sharedHolders -= 1;
      this.pump();
    }
  }

  private pump(): void {
    for (let next = this.waiting[0]; next !== undefined; next = this.waiting[0]) {
      if (this.exclusiveHeld) return;
      if (next.exclusive && this.sharedHolders > 0) return;
      this.waiting.shift();
      if (next.exclusive) this.exclusiveHeld = true;
      else this.sharedHolders += 1;
      next.grant();
      if (next.exclusive) return;
    }
  }
}
