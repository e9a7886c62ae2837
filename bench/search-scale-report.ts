// What bench/search-scale.ts reports: a row's figures per design and size, the Markdown table of searches
// (printed row by row as each completes) and the table of writes, and into --out the rows as JSON and the
// chart of search and create cost against store size (SVG).
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { invokeSlowdown } from "./model.ts";
import { costChart, type Usage } from "./search-cost.ts";

export type Design = "today" | "index";

export interface Cpu {
  cold: number;
  warm: number;
}

export interface Row {
  design: Design;
  memories: number;
  searchCpuMs: Cpu;
  createCpuMs: Cpu;
  updateCpuMs: Cpu;
  deleteCpuMs: Cpu;
  search: Usage;
  create: Usage;
  update: Usage;
  delete: Usage;
  usdPer1000Searches: number;
  usdPer1000Creates: number;
  usdPer1000Updates: number;
  usdPer1000Deletes: number;
  /** os.loadavg() when the row was done: CPU times inflate with it. */
  loadAverage: number[];
}

export interface Fill {
  memories: number;
  items: number;
  seconds: number;
  loadAverage: number[];
}

/** Lambda's slowdown at 128 MB: a call's modelled milliseconds are its CPU milliseconds times this. */
export const factor = invokeSlowdown(128);

/** The head of the table of searches, printed before the first row. */
export function printSearchHeader(): void {
  console.log(
    "| design | memories | search CPU ms cold (modelled 128 MB) | warm | create CPU ms cold (modelled) | warm | " +
      "search: requests / RCU | create: requests / WCU | 1,000 searches | 1,000 creates |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
}

/** The table of writes, printed once every row is done. */
export function printWritesTable(rows: readonly Row[]): void {
  console.log();
  console.log(
    "| operation | design | memories | CPU ms cold (modelled 128 MB) | warm | requests / read units / write units | 1,000 calls |",
  );
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) for (const line of writeLines(row)) console.log(line);
}

/** os.loadavg() to two decimals. */
export function loadAverage(): number[] {
  return loadavg().map((load) => Math.round(load * 100) / 100);
}

function ms(cpu: number): string {
  return `${cpu.toFixed(1)} (${Math.round(cpu * factor)})`;
}

export function printRow(row: Row): void {
  console.log(
    `| ${row.design} | ${row.memories.toLocaleString("en")} | ${ms(row.searchCpuMs.cold)} | ${ms(row.searchCpuMs.warm)} | ` +
      `${ms(row.createCpuMs.cold)} | ${ms(row.createCpuMs.warm)} | ${row.search.requests.toFixed(1)} / ${row.search.readUnits.toFixed(1)} | ` +
      `${row.create.requests.toFixed(1)} / ${row.create.writeUnits.toFixed(1)} | $${row.usdPer1000Searches.toFixed(4)} | $${row.usdPer1000Creates.toFixed(4)} |`,
  );
}

/** The rows of the table of writes for one row: create, update and delete. */
export function writeLines(row: Row): string[] {
  const kinds = [
    ["create", row.createCpuMs, row.create, row.usdPer1000Creates],
    ["update", row.updateCpuMs, row.update, row.usdPer1000Updates],
    ["delete", row.deleteCpuMs, row.delete, row.usdPer1000Deletes],
  ] as const;
  return kinds.map(
    ([operation, cpu, usage, usd]) =>
      `| ${operation} | ${row.design} | ${row.memories.toLocaleString("en")} | ${ms(cpu.cold)} | ${ms(cpu.warm)} | ` +
      `${usage.requests.toFixed(1)} / ${usage.readUnits.toFixed(1)} / ${usage.writeUnits.toFixed(1)} | $${usd.toFixed(4)} |`,
  );
}

/** Writes the rows so far (JSON) and the chart of cost against store size (SVG) into --out. */
export function writeOutputs(out: string, node: string, rows: readonly Row[], fills: readonly Fill[]): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "search-scale.json"), `${JSON.stringify({ node, rows, fills }, null, 2)}\n`);
  const series = (
    design: Design,
    what: "usdPer1000Searches" | "usdPer1000Creates",
    colour: string,
    dashed: boolean,
  ) => ({
    label: `${design === "today" ? "today" : "index"}: 1,000 ${what === "usdPer1000Searches" ? "searches" : "creates"}`,
    colour,
    dashed,
    points: rows.filter((row) => row.design === design).map((row) => ({ x: row.memories, y: row[what] })),
  });
  writeFileSync(
    join(out, "search-cost.svg"),
    costChart(
      "Cost against store size (DynamoDB on demand + Lambda 128 MB, modelled)",
      "US dollars",
      [
        series("today", "usdPer1000Searches", "#c0392b", false),
        series("index", "usdPer1000Searches", "#2471a3", false),
        series("today", "usdPer1000Creates", "#c0392b", true),
        series("index", "usdPer1000Creates", "#2471a3", true),
      ].filter((s) => s.points.length > 0),
    ),
  );
}
