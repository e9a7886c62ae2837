// Property-based fuzzing of the HTTP and JSON-RPC layers through the real Lambda handler (src/lambda.ts
// on dynalite): arbitrary methods, paths, headers and bodies (valid and broken JSON, deep nesting, huge
// numbers, `__proto__` keys, invalid UTF-8, base64 or not) never throw, never answer a server fault (the
// database is healthy, so even a bare -32603 would be a bug), never leak a stack, a path or a key, answer
// valid JSON-RPC or an empty 202, refuse in the fixed order of checks, and echo every id exactly. Every log
// line written meanwhile is checked for secrets. The seed is fixed (HARDENING_SEED replays another).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import fc from "fast-check";
import { MAX_BATCH_MESSAGES, MAX_BODY_BYTES } from "../../src/protocol/http.ts";
import { functionUrlEvent, TEST_API_KEY, UNAUTHORIZED_MESSAGE } from "../fixtures/events.ts";
import { type LambdaUnderTest, loadLambda } from "../helpers/lambda.ts";
import { type Exchange, type MessageText, messageText, statelessExchange } from "./generators-messages.ts";
import {
  type BodyChoice,
  body as bodyArbitrary,
  type Choice,
  type Headers,
  headers as headersArbitrary,
  httpMethod,
  type PathChoice,
  requestPath,
} from "./generators-transport.ts";
import {
  type Answer,
  assertLogLines,
  assertNothingSecret,
  assertWellFormedAnswer,
  type CapturedOutput,
  captureProcessOutput,
  idKey,
  responseIdTexts,
  runs,
  SEED,
} from "./support.ts";

let lambda: LambdaUnderTest;
let output: CapturedOutput;
before(async () => {
  lambda = await loadLambda();
  output = captureProcessOutput();
});
after(async () => {
  output.restore();
  await lambda.stop();
});

interface FuzzRequest {
  method: Choice<string>;
  path: PathChoice;
  headers: Headers;
  body: BodyChoice;
}

function toEvent(request: FuzzRequest): LambdaFunctionURLEvent {
  const { headers } = request;
  const set: Record<string, string> = {
    // "" removes a default header of the event factory.
    authorization: headers.authorization.value ?? "",
    accept: headers.accept.value ?? "",
    "content-type": headers.contentType.value ?? "",
  };
  if (headers.origin.value !== undefined) set.origin = headers.origin.value;
  if (headers.apiKey.value !== undefined) set["x-api-key"] = headers.apiKey.value;
  if (headers.protocolVersion !== undefined) set["mcp-protocol-version"] = headers.protocolVersion;
  if (headers.mcpMethod !== undefined) set["mcp-method"] = headers.mcpMethod;
  if (headers.mcpName !== undefined) set["mcp-name"] = headers.mcpName;
  const event = functionUrlEvent({
    method: request.method.value,
    path: request.path.path,
    headers: set,
    ...(request.body.text === undefined ? {} : { body: request.body.text }),
    base64: request.body.base64,
  });
  if (request.body.bytes !== undefined) {
    event.body = Buffer.from(request.body.bytes).toString("base64");
    event.isBase64Encoded = true;
  }
  for (const [name, value] of headers.extra) {
    // As the Lambda runtime's JSON.parse would make it: an own property, even for "__proto__".
    Object.defineProperty(event.headers, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return event;
}

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method: httpMethod,
  path: requestPath,
  headers: headersArbitrary,
  body: bodyArbitrary,
});

/** The refusal the fixed check order demands (method, Origin, key, Accept, Content-Type, size, parse), if known. */
type Verdict = { status: number; message: string } | "dispatch" | "unknown";

const REFUSALS = {
  notFound: { status: 404, message: "Not Found: the MCP endpoint is POST /mcp" },
  method: { status: 405, message: "Method Not Allowed: use POST" },
  origin: { status: 403, message: "Forbidden: Origin not allowed" },
  key: { status: 401, message: UNAUTHORIZED_MESSAGE },
  accept: { status: 406, message: "Not Acceptable: this server answers application/json" },
  contentType: { status: 415, message: "Unsupported Media Type: send Content-Type: application/json" },
  size: { status: 413, message: `Payload Too Large: the limit is ${MAX_BODY_BYTES} bytes` },
  utf8: { status: 400, message: "Parse error: the body is not valid UTF-8" },
} as const;

function verdict(request: FuzzRequest): Verdict {
  const { path, method, headers, body } = request;
  if (path.routed === undefined) return "unknown";
  if (!path.routed) return REFUSALS.notFound;
  if (!method.ok) return REFUSALS.method;
  if (headers.origin.ok === undefined) return "unknown";
  if (!headers.origin.ok) return REFUSALS.origin;
  // The key comes from the path, else a Bearer Authorization, else x-api-key.
  let keyOk: boolean | undefined;
  if (path.pathKey !== "none") keyOk = path.pathKey;
  else if (headers.authorization.bearer === undefined) keyOk = undefined;
  else if (headers.authorization.bearer !== "none") keyOk = headers.authorization.bearer;
  else keyOk = headers.apiKey.ok;
  if (keyOk === undefined) return "unknown";
  if (!keyOk) return REFUSALS.key;
  if (headers.accept.ok === undefined) return "unknown";
  if (!headers.accept.ok) return REFUSALS.accept;
  if (headers.contentType.ok === undefined) return "unknown";
  if (!headers.contentType.ok) return REFUSALS.contentType;
  if (body.oversized) return REFUSALS.size;
  if (body.unparseable) return REFUSALS.utf8;
  return "dispatch";
}

/** Whether JSON-RPC demands an answer carrying this message's id (classification order of the spec). */
function echoesId(message: unknown): boolean {
  if (typeof message !== "object" || message === null || Array.isArray(message)) return false;
  const { id } = message as Record<string, unknown>; // a plain object, checked above
  if (typeof id !== "string" && typeof id !== "number") return false;
  if ((message as Record<string, unknown>).jsonrpc !== "2.0") return true;
  if ("method" in message) return true;
  return !("result" in message || "error" in message);
}

function expectedIds(messages: readonly MessageText[]): string[] {
  return messages
    .filter((message) => echoesId(JSON.parse(message.text)))
    .map((message) => idKey(message.idText ?? "null"));
}

const outcomes = new Map<string, number>();
let sent = 0;

/** Sends the request through the handler and checks the answer against everything known about it. */
async function exercise(request: FuzzRequest): Promise<void> {
  const event = toEvent(request);
  sent++;
  const { status, headers, body } = await lambda.invoke(event);
  checkAnswer(request, event, { status, headers, body });
}

function checkAnswer(request: FuzzRequest, event: LambdaFunctionURLEvent, answer: Answer): void {
  const requestText = `${event.rawPath}\n${JSON.stringify(event.headers)}\n${event.body ?? ""}`;
  const parsed = assertWellFormedAnswer(answer, requestText);
  // The database is healthy here, so nothing a client sends may become a server fault.
  assert.notEqual(
    answer.status,
    500,
    `a client's request answered as a server fault: ${requestText.slice(0, 300)}`,
  );
  const expected = verdict(request);
  const key = `${answer.status}${Array.isArray(parsed) ? " batch" : ""}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

  if (typeof expected === "object") {
    assert.equal(answer.status, expected.status, answer.body);
    assert.deepEqual(parsed, {
      jsonrpc: "2.0",
      id: null,
      error: {
        code: expected === REFUSALS.utf8 ? -32700 : expected === REFUSALS.key ? -32001 : -32600,
        message: expected.message,
      },
    });
    if (expected === REFUSALS.method) assert.equal(answer.headers.allow, "POST");
    // RFC 6750 §3; with the OAuth server on, the challenge also names the resource metadata (RFC 9728 §5.1).
    if (expected === REFUSALS.key) assert.match(answer.headers["www-authenticate"] ?? "", /^Bearer(?: |$)/);
    return;
  }
  if (expected === "unknown") return;
  for (const refusal of Object.values(REFUSALS)) {
    if (refusal === REFUSALS.utf8) continue;
    assert.ok(
      !(answer.status === refusal.status && answer.body.includes(refusal.message)),
      `refused (${refusal.message}) though every check should pass`,
    );
  }
  const { messages, batch } = request.body;
  if (messages === undefined) return;
  if (!batch) {
    const [message] = messages;
    if (message === undefined || !echoesId(JSON.parse(message.text))) return;
    assert.deepEqual(responseIdTexts(answer.body).map(idKey), expectedIds([message]), answer.body);
    return;
  }
  // The event factory drops a header whose value is "", so "" means absent here.
  const version = request.headers.protocolVersion || undefined;
  const batchAllowed = version === undefined || version === "2025-03-26";
  if (!batchAllowed || messages.length === 0 || messages.length > MAX_BATCH_MESSAGES) {
    assert.equal(answer.status, 400, answer.body);
    assert.equal((parsed as { id: unknown }).id, null);
    return;
  }
  const answered = responseIdTexts(answer.body)
    .map(idKey)
    .filter((id) => id !== "null");
  assert.deepEqual(answered, expectedIds(messages), answer.body);
}

test("any request: a well-formed answer, the fixed order of refusals, exact id echoes", async () => {
  await fc.assert(fc.asyncProperty(fuzzRequest, exercise), {
    numRuns: runs(1_000),
    seed: SEED,
  });
  // The generators must keep reaching every layer, or a passing run proves little.
  for (const status of ["200", "202", "400", "401", "403", "404", "405", "406", "413", "415", "200 batch"]) {
    assert.ok(
      (outcomes.get(status) ?? 0) > 0,
      `no ${status} answer in the run: ${JSON.stringify([...outcomes])}`,
    );
  }
});

const validTransport: fc.Arbitrary<Headers> = headersArbitrary.map((headers) => ({
  ...headers,
  origin: { value: undefined, ok: true },
  authorization: { value: `Bearer ${TEST_API_KEY}`, bearer: true },
  accept: { value: undefined, ok: true },
  contentType: { value: "application/json", ok: true },
}));

test("any JSON-RPC message past the transport: its id echoed exactly, never a server fault", async () => {
  const exchange = fc.oneof(
    messageText.map((message): Exchange => ({ message })),
    statelessExchange,
  );
  await fc.assert(
    fc.asyncProperty(validTransport, exchange, fc.boolean(), async (headers, exchange, base64) => {
      await exercise({
        method: { value: "POST", ok: true },
        path: { path: "/mcp", routed: true, pathKey: "none" },
        headers: { ...headers, ...exchange.headers },
        body: { text: exchange.message.text, base64, messages: [exchange.message] },
      });
    }),
    { numRuns: runs(1_000), seed: SEED },
  );
});

test("any batch past the transport: one answer per request, in order, ids exact", async () => {
  await fc.assert(
    fc.asyncProperty(
      validTransport,
      fc.array(messageText, { minLength: 1, maxLength: MAX_BATCH_MESSAGES }),
      async (headers, messages) => {
        await exercise({
          method: { value: "POST", ok: true },
          path: { path: "/mcp", routed: true, pathKey: "none" },
          headers: { ...headers, protocolVersion: undefined },
          body: { text: `[${messages.map((m) => m.text).join(",")}]`, base64: false, messages, batch: true },
        });
      },
    ),
    { numRuns: runs(400), seed: SEED },
  );
});

test("no log line or process output holds a key or a digest, and every line has only documented fields", () => {
  const logs = lambda.takeLogs();
  assert.equal(logs.length, sent, "one log line per request");
  assertLogLines(logs);
  assertNothingSecret(logs.join("\n"), [], "the request log");
  assertNothingSecret(output.text(), [], "stdout and stderr");
  console.log(`fuzz-http outcomes (status: count): ${JSON.stringify(Object.fromEntries(outcomes))}`);
});
