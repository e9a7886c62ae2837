// How the dynalite transaction front (./dynalite-transactions.ts) applies and undoes a transaction's
// single-item writes, and the JSON shapes they share.

export const SINGLE_ITEM_OPERATION = { Put: "PutItem", Delete: "DeleteItem", Update: "UpdateItem" } as const;
export type ActionKind = keyof typeof SINGLE_ITEM_OPERATION;
export type JsonObject = Record<string, unknown>;
export type UpstreamJson = { status: number; body: JsonObject };

export interface Action {
  kind: ActionKind;
  input: JsonObject;
  tableName: string;
  key: JsonObject;
}

export interface AppliedAction {
  tableName: string;
  key: JsonObject;
  oldItem: JsonObject | undefined;
}

/**
 * Applies unconditional Put and Delete actions with one BatchGetItem (their old images, for an undo) and
 * BatchWriteItem requests; answers one outcome per action as its single-item request would (Attributes:
 * the old image; the batch's consumed capacity on the first).
 */
export async function writeBatch(
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

export async function undo(
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

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys, so two spellings of one key compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}
