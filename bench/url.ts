// `--url` mode: HTTP round trips against any MCP endpoint (a deployed Function URL, or the local server):
// the session a client opens (initialize, notifications/initialized, tools/list), then a create_memory and a
// search_memories, repeated; wall-clock latency percentiles per request. Memories it creates are deleted again.
import {
  checkResponse,
  messageOf,
  PROTOCOL_VERSION,
  REQUEST_LABELS,
  type RequestLabel,
  SEARCH_QUERY,
} from "./session.ts";
import { quantile } from "./stats.ts";

export interface UrlLatency {
  label: RequestLabel;
  /** The very first round trip of the run (a cold start, if the function was cold). */
  firstMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface UrlResults {
  url: string;
  date: string;
  iterations: number;
  latencies: UrlLatency[];
}

export async function runUrlBench(url: string, key: string, iterations: number): Promise<UrlResults> {
  const timings = new Map<RequestLabel, number[]>(REQUEST_LABELS.map((label) => [label, []]));
  const created: string[] = [];
  let id = 0;
  const post = async (label: RequestLabel | undefined, body: unknown, session: boolean): Promise<unknown> => {
    const started = performance.now();
    const response = await fetch(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(session ? { "mcp-protocol-version": PROTOCOL_VERSION } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const elapsed = performance.now() - started;
    if (label !== undefined) {
      checkResponse(label, { statusCode: response.status, body: text }, true);
      timings.get(label)?.push(elapsed);
    }
    return text === "" ? undefined : messageOf(text);
  };
  const request = (method: string, params?: unknown): unknown => ({
    jsonrpc: "2.0",
    id: ++id,
    method,
    ...(params === undefined ? {} : { params }),
  });

  try {
    for (let iteration = 0; iteration < iterations; iteration++) {
      await post(
        "initialize",
        request("initialize", {
          protocolVersion: PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: "memory-mcp-bench", version: "1.0.0" },
        }),
        false,
      );
      await post("initialized", { jsonrpc: "2.0", method: "notifications/initialized" }, true);
      await post("tools/list", request("tools/list"), true);
      const content = `memory-mcp-lambda benchmark probe ${new Date().toISOString()} ${Math.random().toString(36).slice(2)}: my daughter's birthday is 14 March.`;
      const answer = (await post(
        "create",
        request("tools/call", { name: "create_memory", arguments: { content, tags: ["benchmark"] } }),
        true,
      )) as { result?: { structuredContent?: { memory?: { id?: unknown } } } };
      const memoryId = answer.result?.structuredContent?.memory?.id;
      if (typeof memoryId === "string") created.push(memoryId);
      await post(
        "search",
        request("tools/call", { name: "search_memories", arguments: { query: SEARCH_QUERY } }),
        true,
      );
    }
  } finally {
    for (const memoryId of created) {
      await post(
        undefined,
        request("tools/call", { name: "delete_memory", arguments: { id: memoryId } }),
        true,
      );
    }
  }

  return {
    url: redact(url),
    date: new Date().toISOString(),
    iterations,
    latencies: REQUEST_LABELS.map((label) => {
      const values = timings.get(label) ?? [];
      const sorted = [...values].sort((a, b) => a - b);
      return {
        label,
        firstMs: values[0] ?? Number.NaN,
        p50Ms: quantile(sorted, 0.5),
        p90Ms: quantile(sorted, 0.9),
        p99Ms: quantile(sorted, 0.99),
        maxMs: sorted[sorted.length - 1] ?? Number.NaN,
      };
    }),
  };
}

/** A key carried in the path (/mcp/<key>) must not end up in a report. */
function redact(url: string): string {
  return url.replace(/\/mcp\/[^/?#]+/, "/mcp/<key>");
}

export function renderUrlMarkdown(results: UrlResults): string {
  return [
    `# HTTP round trips: ${results.url}`,
    "",
    `${results.date.slice(0, 16).replace("T", " ")} UTC, ${results.iterations} sessions, wall-clock ms as seen by the client (keep-alive).`,
    "",
    "| Request | first | p50 | p90 | p99 | max |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...results.latencies.map(
      (latency) =>
        `| ${latency.label} | ${latency.firstMs.toFixed(1)} | ${latency.p50Ms.toFixed(1)} | ${latency.p90Ms.toFixed(1)} | ${latency.p99Ms.toFixed(1)} | ${latency.maxMs.toFixed(1)} |`,
    ),
    "",
  ].join("\n");
}
