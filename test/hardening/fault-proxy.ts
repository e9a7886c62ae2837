// A fault-injecting HTTP proxy on loopback in front of a DynamoDB endpoint (dynalite behind its
// transaction front). A programmable schedule picks, request by request, what happens: pass it through,
// answer a DynamoDB error the SDK understands (500 InternalServerError, 400 ThrottlingException or
// ProvisionedThroughputExceededException), hold it past the SDK's requestTimeout (then drop it or still
// deliver it late), reset the connection before forwarding, or forward it and then drop the response.
import { randomUUID } from "node:crypto";
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Fault =
  | { kind: "pass" }
  /** A DynamoDB error answer: `type` is the exception name (x-amzn-ErrorType and `__type`). */
  | { kind: "error"; status: number; type: string; message: string }
  /** Hold the request `ms`, then `deliver` it upstream anyway (late arrival) or never. Nothing is answered. */
  | { kind: "hold"; ms: number; deliver: boolean }
  /** Close the connection before anything reaches the database. */
  | { kind: "reset" }
  /** Forward the request, let the database apply it, then close the connection instead of answering. */
  | { kind: "dropResponse" };

export const FAULTS = {
  pass: { kind: "pass" },
  internalError: {
    kind: "error",
    status: 500,
    type: "InternalServerError",
    message: "Internal server error",
  },
  throttling: {
    kind: "error",
    status: 400,
    type: "ThrottlingException",
    message: "Rate of requests exceeds the allowed throughput.",
  },
  provisionedThroughput: {
    kind: "error",
    status: 400,
    type: "ProvisionedThroughputExceededException",
    message: "The level of configured provisioned throughput for the table was exceeded.",
  },
  /** Past the SDK's 2.5 s requestTimeout (createDynamoDbClient), never delivered. */
  timeout: { kind: "hold", ms: 3_000, deliver: false },
  /** Past the requestTimeout, then delivered: the database sees the request after the client gave up. */
  lateDelivery: { kind: "hold", ms: 3_000, deliver: true },
  reset: { kind: "reset" },
  dropResponse: { kind: "dropResponse" },
} as const satisfies Record<string, Fault>;

export interface ProxiedRequest {
  /** The DynamoDB operation, e.g. "TransactWriteItems". */
  operation: string;
  /** 1-based count of requests so far, across operations. */
  index: number;
  body: string;
}

export interface RecordedRequest {
  operation: string;
  fault: Fault["kind"];
  at: number;
}

export type Schedule = (request: ProxiedRequest) => Fault;

export interface FaultProxy {
  endpoint: string;
  /** Replaces the schedule (and clears the record); the default passes everything. */
  setSchedule(schedule: Schedule): void;
  /** What each request met, in arrival order, since the last setSchedule. */
  readonly requests: RecordedRequest[];
  /** Resolves once every held or late-delivered request has finished. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** The first `faults.length` requests for `operation` (every operation when "*") meet these faults in turn. */
export function firstRequests(operation: string, faults: readonly Fault[]): Schedule {
  let seen = 0;
  return (request) => {
    if (operation !== "*" && request.operation !== operation) return FAULTS.pass;
    const fault = faults[seen++];
    return fault ?? FAULTS.pass;
  };
}

/** Every request for `operation` (every operation when "*") meets `fault`. */
export function always(operation: string, fault: Fault): Schedule {
  return (request) => (operation === "*" || request.operation === operation ? fault : FAULTS.pass);
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const upstreamUrl = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  let schedule: Schedule = () => FAULTS.pass;
  let count = 0;
  const requests: RecordedRequest[] = [];
  const pending = new Set<Promise<unknown>>();
  const sockets = new Set<Socket>();

  const forward = (
    incoming: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      headers.host = upstreamUrl.host;
      headers["content-length"] = String(body.length);
      const outgoing = request(
        new URL(incoming.url ?? "/", upstreamUrl),
        { method: incoming.method ?? "POST", headers, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const out: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined && name !== "connection" && name !== "keep-alive")
                out[name] = Array.isArray(value) ? value.join(", ") : value;
            }
            resolve({ status: response.statusCode ?? 500, headers: out, body: Buffer.concat(chunks) });
          });
          response.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });

  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => {});
    return promise;
  };

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer); // no setEncoding: Buffers
    const body = Buffer.concat(chunks);
    const target = String(incoming.headers["x-amz-target"] ?? "");
    const operation = target.slice(target.indexOf(".") + 1);
    const fault = schedule({ operation, index: ++count, body: body.toString("utf8") });
    requests.push({ operation, fault: fault.kind, at: performance.now() });
    switch (fault.kind) {
      case "pass": {
        const answer = await forward(incoming, body);
        response.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      case "error": {
        const payload = JSON.stringify({
          __type: `com.amazonaws.dynamodb.v20120810#${fault.type}`,
          message: fault.message,
        });
        response
          .writeHead(fault.status, {
            "content-type": "application/x-amz-json-1.0",
            "x-amzn-errortype": fault.type,
            "x-amzn-requestid": randomUUID(),
            "content-length": String(Buffer.byteLength(payload)),
          })
          .end(payload);
        return;
      }
      case "hold": {
        await track(new Promise((resolve) => setTimeout(resolve, fault.ms)));
        if (fault.deliver) await track(forward(incoming, body));
        incoming.socket.destroy();
        return;
      }
      case "reset":
        incoming.socket.destroy();
        return;
      case "dropResponse":
        await forward(incoming, body);
        incoming.socket.destroy();
        return;
    }
  }

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch(() => incoming.socket.destroy());
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo; // a TCP server's address is an AddressInfo

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setSchedule(next) {
      schedule = next;
      requests.length = 0;
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async stop() {
      await Promise.allSettled([...pending]);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
