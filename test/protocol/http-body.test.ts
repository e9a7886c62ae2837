// Pins down what the MCP endpoint accepts as a request body, through the real Lambda handler with Function
// URL v2 events: Accept and Content-Type parsed as media types (406, 415), the size limit in bytes (413),
// base64 bodies, invalid UTF-8 and unparseable JSON (-32700), and a byte order mark.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAX_BODY_BYTES } from "../../src/protocol/http.ts";
import { functionUrlEvent } from "../fixtures/events.ts";
import { lambda, PING, PONG, rpcError } from "./support.ts";

describe("Accept", () => {
  test("JSON is served when Accept is absent or admits application/json", async () => {
    for (const accept of [
      "",
      "*/*",
      "application/json",
      "application/*",
      "application/json, text/event-stream",
      "text/html;q=0.9, */*;q=0.1",
    ]) {
      const response = await lambda.invoke(functionUrlEvent({ headers: { accept }, body: PING }));
      assert.deepEqual(response.json, PONG, accept);
    }
  });

  test("406 when Accept rules JSON out", async () => {
    for (const accept of ["text/event-stream", "text/html", "application/json;q=0", "application/xml"]) {
      const response = await lambda.invoke(functionUrlEvent({ headers: { accept }, body: PING }));
      assert.deepEqual(
        { status: response.status, json: response.json },
        { status: 406, json: rpcError(-32600, "Not Acceptable: this server answers application/json") },
        accept,
      );
    }
  });
});

describe("Content-Type", () => {
  test("application/json with parameters, in any case, is accepted", async () => {
    for (const type of [
      "application/json; charset=utf-8",
      "Application/JSON",
      "application/json;charset=UTF-8",
    ]) {
      const response = await lambda.invoke(
        functionUrlEvent({ headers: { "content-type": type }, body: PING }),
      );
      assert.deepEqual(response.json, PONG, type);
    }
  });

  test("anything else, or none, gets 415", async () => {
    for (const type of [
      "",
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/jsonx",
      "multipart/form-data",
    ]) {
      const response = await lambda.invoke(
        functionUrlEvent({ headers: { "content-type": type }, body: PING }),
      );
      assert.deepEqual(
        { status: response.status, json: response.json },
        {
          status: 415,
          json: rpcError(-32600, "Unsupported Media Type: send Content-Type: application/json"),
        },
        type,
      );
    }
  });
});

describe("body", () => {
  test("a base64-encoded body is decoded", async () => {
    const response = await lambda.invoke(functionUrlEvent({ base64: true, body: PING }));
    assert.deepEqual(response.json, PONG);
  });

  test("a body over the limit gets 413 and a JSON-RPC error, plain or base64", async () => {
    const big = JSON.stringify({ ...PING, params: { pad: "x".repeat(MAX_BODY_BYTES) } });
    for (const base64 of [false, true]) {
      const response = await lambda.invoke(functionUrlEvent({ base64, body: big }));
      assert.deepEqual(
        { status: response.status, json: response.json },
        { status: 413, json: rpcError(-32600, `Payload Too Large: the limit is ${MAX_BODY_BYTES} bytes`) },
      );
    }
  });

  test("a multi-byte body just over the limit in bytes (not characters) gets 413", async () => {
    const pad = "é".repeat(Math.ceil(MAX_BODY_BYTES / 2));
    const response = await lambda.invoke(
      functionUrlEvent({ body: JSON.stringify({ ...PING, params: { pad } }) }),
    );
    assert.equal(response.status, 413);
  });

  test("unparseable JSON gets 400 and -32700 with id null", async () => {
    for (const body of ["{", '{"jsonrpc":"2.0","id":1,', "", "nul", "[1,2", "{'a':1}"]) {
      const response = await lambda.invoke(functionUrlEvent({ body }));
      assert.deepEqual(
        { status: response.status, json: response.json },
        { status: 400, json: rpcError(-32700, "Parse error: the body is not valid JSON") },
        JSON.stringify(body),
      );
    }
  });

  test("invalid UTF-8 is a parse error, never silently replaced", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    const event = functionUrlEvent({ base64: true });
    event.body = bytes.toString("base64");
    const response = await lambda.invoke(event);
    assert.deepEqual(
      { status: response.status, json: response.json },
      { status: 400, json: rpcError(-32700, "Parse error: the body is not valid UTF-8") },
    );
  });

  test("a UTF-8 byte order mark is tolerated", async () => {
    const response = await lambda.invoke(functionUrlEvent({ body: `\uFEFF${JSON.stringify(PING)}` }));
    assert.deepEqual(response.json, PONG);
  });
});
