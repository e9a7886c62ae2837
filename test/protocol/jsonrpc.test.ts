// Pins down the JSON-RPC 2.0 envelope (src/protocol/jsonrpc.ts) on its own: how each message shape is
// classified (request, notification, response, invalid, with the error code, message and HTTP status),
// that ids are echoed as the exact text the client sent, and the exact response text.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  classify,
  ErrorCode,
  errorResponse,
  RpcError,
  type RpcMessage,
  rawIdSource,
  resultResponse,
  serializedResultResponse,
} from "../../src/protocol/jsonrpc.ts";

/** Classifies JSON text as the HTTP layer does: parsed, with the id's source text at hand. */
function classifyText(text: string): unknown {
  return plain(classify(JSON.parse(text), () => rawIdSource(text)));
}

/** The message with its RpcError as a plain object, so that deepEqual compares every field. */
function plain(message: RpcMessage): unknown {
  if (message.kind !== "invalid") return message;
  const { code, message: text, httpStatus, data } = message.error;
  return { ...message, error: { code, message: text, httpStatus, data } };
}

function invalid(id: string, code: number, message: string, httpStatus: number): unknown {
  return { kind: "invalid", id, error: { code, message, httpStatus, data: undefined } };
}

describe("classify", () => {
  test("a request keeps its method and params, and its id as JSON text", () => {
    assert.deepEqual(
      classifyText('{"jsonrpc":"2.0","id":"a\\"b","method":"tools/list","params":{"cursor":"x"}}'),
      {
        kind: "request",
        id: '"a\\"b"',
        method: "tools/list",
        params: { cursor: "x" },
      },
    );
    assert.deepEqual(classifyText('{"jsonrpc":"2.0","id":7,"method":"ping"}'), {
      kind: "request",
      id: "7",
      method: "ping",
      params: {},
    });
  });

  test("numeric ids are echoed digit for digit, even where a double would round them", () => {
    for (const id of ["18446744073709551616", "1.50", "1e400", "1.00000000000000000001", "-0", "1e-400"]) {
      assert.deepEqual(
        classifyText(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`),
        { kind: "request", id, method: "ping", params: {} },
        id,
      );
    }
  });

  test("without the id's source text, a finite number is serialised and an infinite one is no id", () => {
    assert.deepEqual(plain(classify({ jsonrpc: "2.0", id: 2.5, method: "ping" }, () => undefined)), {
      kind: "request",
      id: "2.5",
      method: "ping",
      params: {},
    });
    assert.deepEqual(
      plain(classify({ jsonrpc: "2.0", id: Number.POSITIVE_INFINITY, method: "ping" }, () => undefined)),
      invalid("null", ErrorCode.InvalidRequest, 'Invalid Request: "id" must be a string or a number', 400),
    );
  });

  test("a message without an id is a notification; a result or error with an id is a response", () => {
    assert.deepEqual(classifyText('{"jsonrpc":"2.0","method":"notifications/initialized"}'), {
      kind: "notification",
      method: "notifications/initialized",
      params: {},
    });
    assert.deepEqual(classifyText('{"jsonrpc":"2.0","id":1,"result":{}}'), { kind: "response", params: {} });
    assert.deepEqual(classifyText('{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"x"}}'), {
      kind: "response",
      params: {},
    });
  });

  test("every malformed shape is invalid, with its code, message and HTTP status", () => {
    const cases: [string, unknown][] = [
      ["[]", invalid("null", -32_600, "Invalid Request: a JSON-RPC message must be an object", 400)],
      ["42", invalid("null", -32_600, "Invalid Request: a JSON-RPC message must be an object", 400)],
      [
        '{"jsonrpc":"1.0","id":3,"method":"ping"}',
        invalid("3", -32_600, 'Invalid Request: "jsonrpc" must be exactly "2.0"', 400),
      ],
      [
        '{"id":3,"method":"ping"}',
        invalid("3", -32_600, 'Invalid Request: "jsonrpc" must be exactly "2.0"', 400),
      ],
      [
        '{"jsonrpc":"2.0","id":3,"method":42}',
        invalid("3", -32_600, 'Invalid Request: "method" must be a string', 400),
      ],
      [
        '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}',
        invalid("null", -32_600, 'Invalid Request: "id" must be a string or a number', 400),
      ],
      [
        '{"jsonrpc":"2.0","id":null,"method":"ping"}',
        invalid("null", -32_600, 'Invalid Request: "id" must be a string or a number', 400),
      ],
      [
        '{"jsonrpc":"2.0","id":3,"method":"ping","params":[1]}',
        invalid("3", -32_602, "Invalid params: MCP params must be an object, not an array", 200),
      ],
      [
        '{"jsonrpc":"2.0","id":3,"method":"ping","params":"x"}',
        invalid("3", -32_600, 'Invalid Request: "params" must be an object', 400),
      ],
      [
        '{"jsonrpc":"2.0","id":3}',
        invalid(
          "3",
          -32_600,
          'Invalid Request: a message needs a "method", or a "result" or "error" with an "id"',
          400,
        ),
      ],
      [
        '{"jsonrpc":"2.0","result":{}}',
        invalid(
          "null",
          -32_600,
          'Invalid Request: a message needs a "method", or a "result" or "error" with an "id"',
          400,
        ),
      ],
    ];
    for (const [text, expected] of cases) assert.deepEqual(classifyText(text), expected, text);
  });
});

describe("responses", () => {
  test("a result response is the exact JSON text, with the id as received", () => {
    assert.equal(
      resultResponse("18446744073709551616", { ok: [1] }),
      '{"jsonrpc":"2.0","id":18446744073709551616,"result":{"ok":[1]}}',
    );
    assert.equal(
      serializedResultResponse('"a"', '{"tools":[]}'),
      '{"jsonrpc":"2.0","id":"a","result":{"tools":[]}}',
    );
  });

  test("an error response carries code and message, and data only when there is some", () => {
    assert.equal(
      errorResponse("null", new RpcError(ErrorCode.ParseError, "Parse error", 400)),
      '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}',
    );
    assert.equal(
      errorResponse(
        "1",
        new RpcError(ErrorCode.UnsupportedProtocolVersion, "Unsupported", 400, { supported: ["x"] }),
      ),
      '{"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"Unsupported","data":{"supported":["x"]}}}',
    );
  });

  test("an RpcError defaults to HTTP 200 and no data", () => {
    const error = new RpcError(ErrorCode.MethodNotFound, "Method not found: x");
    assert.deepEqual(
      {
        name: error.name,
        code: error.code,
        message: error.message,
        httpStatus: error.httpStatus,
        data: error.data,
      },
      { name: "RpcError", code: -32_601, message: "Method not found: x", httpStatus: 200, data: undefined },
    );
  });
});

describe("rawIdSource", () => {
  test("finds the id's text at the top level, past strings with escaped quotes and nested values", () => {
    assert.equal(rawIdSource('{"method":"a\\"id\\":9","params":{"id":8,"x":[{"id":7}]},"id":1.50}'), "1.50");
    assert.equal(rawIdSource(' { "id" : "x\\\\" } '), '"x\\\\"');
  });

  test("the last of duplicate ids wins, as in JSON.parse; no id is undefined", () => {
    assert.equal(rawIdSource('{"id":1,"id":2}'), "2");
    assert.equal(rawIdSource('{"method":"ping"}'), undefined);
    assert.equal(rawIdSource("[]"), undefined);
  });

  test("in a batch, finds the id of the message at the index", () => {
    const batch = '[{"id":1,"method":"a"}, {"method":"b","id":1e400}, {"id":"three"}]';
    assert.deepEqual(
      [0, 1, 2, 3].map((index) => rawIdSource(batch, index)),
      ["1", "1e400", '"three"', undefined],
    );
    assert.equal(rawIdSource('{"id":1}', 0), undefined, "an index needs a batch");
  });
});
