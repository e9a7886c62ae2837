// What DynamoDB work one call costs: a client that asks every command for its consumed capacity
// (ReturnConsumedCapacity TOTAL) and counts requests and read and write units; and on-demand prices.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoDbClient } from "../src/dynamodb/memory-store.ts";

/** On-demand prices, us-east-1, since 1 Nov 2024 (https://aws.amazon.com/dynamodb/pricing/on-demand/). */
export const USD_PER_MILLION_READ_UNITS = 0.125;
export const USD_PER_MILLION_WRITE_UNITS = 0.625;
/** Lambda, x86, us-east-1: per request, and per GB-second (https://aws.amazon.com/lambda/pricing/). */
export const USD_PER_MILLION_REQUESTS = 0.2;
export const USD_PER_GB_SECOND = 0.0000166667;

export interface Usage {
  requests: number;
  readUnits: number;
  writeUnits: number;
}

export interface MeteredClient {
  client: DynamoDBClient;
  /** Usage since the last take(), and starts counting afresh. */
  take(): Usage;
}

interface CapacityOutput {
  ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
}

const WRITES = new Set([
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "TransactWriteItemsCommand",
]);

export function meteredClient(endpoint: string): MeteredClient {
  const client = createDynamoDbClient({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  let usage: Usage = { requests: 0, readUnits: 0, writeUnits: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = "TOTAL"; // every command takes it
      const result = await next(args);
      const consumed = (result.output as CapacityOutput).ConsumedCapacity; // present when asked for, above
      const units = [consumed ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
      usage.requests += 1;
      if (WRITES.has(context.commandName ?? "")) usage.writeUnits += units;
      else usage.readUnits += units;
      return result;
    },
    { step: "initialize", name: "benchCapacity" },
  );
  return {
    client,
    take() {
      const taken = usage;
      usage = { requests: 0, readUnits: 0, writeUnits: 0 };
      return taken;
    },
  };
}

/** US dollars for `count` calls each using `usage` and `modelledMs` of a 128 MB function. */
export function costUsd(count: number, usage: Usage, modelledMs: number, memoryMb = 128): number {
  const dynamodb =
    (usage.readUnits * USD_PER_MILLION_READ_UNITS + usage.writeUnits * USD_PER_MILLION_WRITE_UNITS) / 1e6;
  const lambda = USD_PER_MILLION_REQUESTS / 1e6 + (modelledMs / 1000) * (memoryMb / 1024) * USD_PER_GB_SECOND;
  return count * (dynamodb + lambda);
}

export interface ChartSeries {
  label: string;
  colour: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

/** A small SVG line chart, log-scaled on both axes: cost against store size. */
export function costChart(title: string, yLabel: string, series: readonly ChartSeries[]): string {
  const [width, height, left, right, top, bottom] = [640, 360, 80, 170, 40, 50];
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
  const [x0, x1] = [Math.log10(Math.min(...xs)), Math.log10(Math.max(...xs))];
  const [y0, y1] = [Math.floor(Math.log10(Math.min(...ys))), Math.ceil(Math.log10(Math.max(...ys)))];
  const px = (x: number): number =>
    left + ((Math.log10(x) - x0) / Math.max(x1 - x0, 1e-9)) * (width - left - right);
  const py = (y: number): number =>
    top + (1 - (Math.log10(Math.max(y, 10 ** y0)) - y0) / Math.max(y1 - y0, 1e-9)) * (height - top - bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">${title}</text>`,
  ];
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end">$${formatUsd(10 ** e)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    parts.push(
      `<text x="${px(x)}" y="${height - bottom + 18}" text-anchor="middle">${x.toLocaleString("en")}</text>`,
    );
  }
  parts.push(
    `<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">memories in the store</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`,
  );
  series.forEach((s, index) => {
    const path = s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ");
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : "";
    parts.push(`<polyline points="${path}" fill="none" stroke="${s.colour}" stroke-width="2"${dash}/>`);
    for (const p of s.points)
      parts.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3" fill="${s.colour}"/>`);
    const ly = top + 10 + index * 20;
    parts.push(
      `<line x1="${width - right + 12}" x2="${width - right + 36}" y1="${ly}" y2="${ly}" stroke="${s.colour}" stroke-width="2"${dash}/>`,
    );
    parts.push(`<text x="${width - right + 42}" y="${ly + 4}">${s.label}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function formatUsd(value: number): string {
  return value >= 1 ? value.toFixed(0) : value.toPrecision(1);
}
