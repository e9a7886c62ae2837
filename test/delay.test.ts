// Pins down delay(): it waits, and an abort ends the wait at once with the signal's reason.
import assert from "node:assert/strict";
import { test } from "node:test";
import { delay } from "../src/delay.ts";

test("resolves after the given time", async () => {
  const started = process.hrtime.bigint();
  await delay(30);
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 >= 29);
});

test("an abort during the wait rejects at once with the signal's reason", async () => {
  const started = process.hrtime.bigint();
  await assert.rejects(delay(5_000, AbortSignal.timeout(20)), { name: "TimeoutError" });
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 1_000);
});

test("an aborted signal rejects without waiting; a signal that never fires changes nothing", async () => {
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await assert.rejects(delay(5_000, controller.signal), { message: "stop" });
  await delay(1, new AbortController().signal);
});
