// Splits each request's CPU into the part spent inside the AWS SDK (from DynamoDBClient#send to its answer)
// and the rest (the subject's own code): the handler is wrapped, and the two figures ride back to
// bench/split.ts in a response header. Only for bench/split.ts; never in the Lambda bundle.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";

export const SPLIT_HEADER = "x-bench-cpu-split";

type Handler = (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** `client` is the subject's DynamoDBClient class, imported by the entry (see bench/split/ours.ts). */
export function withCpuSplit(client: typeof DynamoDBClient, handler: Handler): Handler {
  let sdkMs = 0;
  const send = client.prototype.send;
  // Requests are sent one at a time, so CPU between a send and its answer is the SDK's (the wait is idle).
  client.prototype.send = async function (this: DynamoDBClient, ...args: Parameters<typeof send>) {
    const started = cpuMs();
    try {
      return await send.apply(this, args);
    } finally {
      sdkMs += cpuMs() - started;
    }
  } as typeof send;
  return async (event) => {
    sdkMs = 0;
    const started = cpuMs();
    const result = await handler(event);
    const totalMs = cpuMs() - started;
    if (typeof result === "string") return result;
    return { ...result, headers: { ...result.headers, [SPLIT_HEADER]: `${totalMs} ${sdkMs}` } };
  };
}
