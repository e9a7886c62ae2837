// An HTTP front for dynalite that answers chosen requests with DynamoDB's ThrottlingException, as a busy
// table does, and passes every other request through untouched: dynalite itself never throttles.
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface ThrottlingFront {
  endpoint: string;
  /** Throttles the next `count` requests whose X-Amz-Target ends with `operation` (e.g. "TransactWriteItems"). */
  throttleNext(operation: string, count: number): void;
  /** How many requests were throttled so far. */
  throttled(): number;
  stop(): Promise<void>;
}

export async function startThrottlingFront(upstream: string): Promise<ThrottlingFront> {
  const pending = new Map<string, number>();
  let throttled = 0;
  const target = new URL(upstream);
  const server = createServer((incoming, outgoing) => {
    const operation =
      String(incoming.headers["x-amz-target"] ?? "")
        .split(".")
        .pop() ?? "";
    const left = pending.get(operation) ?? 0;
    if (left > 0) {
      pending.set(operation, left - 1);
      throttled += 1;
      incoming.resume();
      outgoing.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
      outgoing.end(
        JSON.stringify({
          __type: "com.amazonaws.dynamodb.v20120810#ThrottlingException",
          message: "Rate of requests exceeds the allowed throughput.",
        }),
      );
      return;
    }
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (reply) => {
        outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(outgoing);
      },
    );
    forwarded.on("error", () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo; // a TCP server's address is an AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    throttleNext(operation, count) {
      pending.set(operation, (pending.get(operation) ?? 0) + count);
    },
    throttled: () => throttled,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
