// The model the tool fuzzer (fuzz-tools.test.ts) checks the server against, and the interpreter that plays
// each operation through a tool call and checks its answer: valid calls do exactly what the model says,
// invalid ones are isError results that change nothing. Counts the outcomes reached, and keeps every marked
// content and query it sent, which no log line may hold.
import assert from "node:assert/strict";
import { input } from "../../src/generated/input-validators.js";
import type { ToolResult } from "../helpers/tools.ts";
import type { Operation, Target, Text, ToolName } from "./fuzz-tools-operations.ts";
import { SEED } from "./support.ts";

export interface ModelMemory {
  id: string;
  content: string;
  tags: string[];
  version: number;
}

/** What dedupe compares: NFC, whitespace runs as one space, trimmed (compared as text, not by hash). */
function dedupeKey(content: string): string {
  return content.normalize("NFC").replace(/\s+/gu, " ").trim();
}

/** Lower case, deduplicated, in the order given. */
function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.normalize("NFC").toLowerCase().trim()))];
}

/** A UTF-16 surrogate not paired with its other half (in a `u` regular expression). */
const LONE_SURROGATE = /\p{Cs}/u;

/** Schema-valid and made of well-formed Unicode: what a tool must accept. */
function acceptable(tool: ToolName, args: unknown): boolean {
  return input[tool](args) && !hasLoneSurrogate(args);
}

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasLoneSurrogate);
  return false;
}

/** Every marked content and query sent: none may reach a log line. */
export const secrets = new Set<string>();

/** How often each outcome was reached: a run must reach every branch. */
export const outcomes = new Map<string, number>();
function count(outcome: string): void {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}

let markerCounter = 0;
/** The text to send; `existing` and `current` read the model (`current` needs the target's content). */
function materialise(value: Text, memories: readonly ModelMemory[] = [], current?: string): string {
  if (value.kind === "raw") return value.text;
  if (value.kind === "current") return current ?? "no such memory";
  if (value.kind === "existing") {
    const content = memories[value.pick % Math.max(1, memories.length)]?.content ?? "nothing stored yet";
    return content;
  }
  // A unique, searchable word: the log check of fuzz-tools.test.ts looks for it.
  const marker = `zq${(++markerCounter).toString(36)}mark${SEED.toString(36)}`;
  secrets.add(marker);
  return `${marker} ${value.tail}`;
}

/**
 * Plays `operations` one by one through `call` on an empty table, checking each answer against the model,
 * and returns the model: what the table must hold afterwards.
 */
export async function play(
  call: (tool: string, argsText: string) => Promise<ToolResult>,
  operations: readonly Operation[],
): Promise<Map<string, ModelMemory>> {
  const model = new Map<string, ModelMemory>();
  const byKey = (key: string): ModelMemory | undefined =>
    [...model.values()].find((memory) => dedupeKey(memory.content) === key);
  const resolve = (t: Target): { id: string; known: ModelMemory | undefined } => {
    if (t.kind === "id") return { id: t.id, known: model.get(t.id.toUpperCase()) };
    const ids = [...model.keys()];
    if (ids.length === 0) return { id: "00000000000000000000000000", known: undefined };
    const id = ids[t.pick % ids.length] as string;
    return { id: t.lower ? id.toLowerCase() : id, known: model.get(id) };
  };
  const invalid = (tool: ToolName, result: ToolResult, args: unknown): void => {
    assert.equal(result.isError, true, `${tool} accepted ${JSON.stringify(args)}`);
    const message = result.content[0]?.text ?? "";
    assert.ok(message.startsWith(`Invalid arguments for ${tool}: `), message);
    count(`invalid ${tool}`);
    if (input[tool](args) && hasLoneSurrogate(args)) assert.match(message, /well-formed Unicode/);
  };

  for (const operation of operations) {
    switch (operation.op) {
      case "create":
      case "recreate": {
        let content: string;
        let tagsArg: unknown;
        if (operation.op === "create") {
          content = materialise(operation.content);
          tagsArg = operation.tags;
        } else {
          const memories = [...model.values()];
          const original = memories[operation.pick % Math.max(1, memories.length)];
          if (original === undefined) continue;
          content = {
            same: original.content,
            spaces: original.content.replace(/ /g, "  \t"),
            nfd: original.content.normalize("NFD"),
            padded: `\n ${original.content} \n`,
          }[operation.variant];
          tagsArg = undefined;
        }
        const args = tagsArg === undefined ? { content } : { content, tags: tagsArg };
        const result = await call("create_memory", JSON.stringify(args));
        if (!acceptable("create_memory", args)) {
          invalid("create_memory", result, args);
          break;
        }
        assert.notEqual(result.isError, true, result.content[0]?.text);
        const { memory, duplicate } = result.structuredContent as { memory: ModelMemory; duplicate: boolean };
        const existing = byKey(dedupeKey(content));
        if (existing) {
          // Stored once: the existing memory comes back untouched.
          assert.deepEqual({ duplicate, memory: pick(memory) }, { duplicate: true, memory: existing });
          count(`duplicate create (${operation.op === "create" ? "same" : operation.variant})`);
        } else {
          assert.equal(duplicate, false);
          assert.equal(model.has(memory.id), false, "a new id");
          const expected = {
            id: memory.id,
            content,
            tags: normaliseTags((tagsArg as string[]) ?? []),
            version: 1,
          };
          assert.deepEqual(pick(memory), expected);
          model.set(memory.id, expected);
          count("create");
        }
        break;
      }
      case "update": {
        const { id, known } = resolve(operation.target);
        const args: Record<string, unknown> = { id };
        if (operation.content !== undefined)
          args.content = materialise(
            operation.content,
            [...model.values()].filter((memory) => memory.id !== known?.id),
            known?.content,
          );
        if (operation.tags !== undefined) args.tags = operation.tags;
        if (operation.expected === "current") args.expectedVersion = known?.version ?? 1;
        else if (operation.expected === "stale") args.expectedVersion = (known?.version ?? 1) + 1;
        else if (operation.expected !== "none") args.expectedVersion = operation.expected;
        const result = await call("update_memory", JSON.stringify(args));
        const message = result.content[0]?.text ?? "";
        if (!acceptable("update_memory", args)) {
          invalid("update_memory", result, args);
          break;
        }
        if (args.content === undefined && args.tags === undefined) {
          assert.equal(
            message,
            'Invalid arguments for update_memory: give "content", "tags" or both to change.',
          );
          break;
        }
        if (known === undefined) {
          assert.deepEqual(
            { isError: result.isError, message },
            { isError: true, message: `No memory has id ${id.toUpperCase()}.` },
          );
          break;
        }
        if (args.expectedVersion !== undefined && args.expectedVersion !== known.version) {
          assert.equal(result.isError, true, message);
          assert.ok(
            message.startsWith(
              `Memory ${known.id} is at version ${known.version}, not ${args.expectedVersion}`,
            ),
            message,
          );
          count("version conflict");
          break;
        }
        const content = (args.content as string | undefined) ?? known.content;
        const nextTags = args.tags === undefined ? known.tags : normaliseTags(args.tags as string[]);
        const holder = byKey(dedupeKey(content));
        if (holder !== undefined && holder.id !== known.id) {
          assert.deepEqual(
            { isError: result.isError, message },
            {
              isError: true,
              message: `Memory ${holder.id} already holds this content; update or delete that memory instead.`,
            },
          );
          count("duplicate content");
          break;
        }
        assert.notEqual(result.isError, true, message);
        const { memory, changed } = result.structuredContent as { memory: ModelMemory; changed: boolean };
        const same = content === known.content && JSON.stringify(nextTags) === JSON.stringify(known.tags);
        const expected = { id: known.id, content, tags: nextTags, version: known.version + (same ? 0 : 1) };
        assert.deepEqual({ memory: pick(memory), changed }, { memory: expected, changed: !same });
        model.set(known.id, expected);
        count(same ? "update unchanged" : "update");
        break;
      }
      case "delete": {
        const { id, known } = resolve(operation.target);
        const args = { id };
        const result = await call("delete_memory", JSON.stringify(args));
        if (!acceptable("delete_memory", args)) {
          invalid("delete_memory", result, args);
          break;
        }
        if (known === undefined) {
          assert.deepEqual(
            { isError: result.isError, message: result.content[0]?.text },
            { isError: true, message: `No memory has id ${id.toUpperCase()}.` },
          );
          break;
        }
        assert.notEqual(result.isError, true, result.content[0]?.text);
        assert.deepEqual(pick((result.structuredContent as { deleted: ModelMemory }).deleted), known);
        model.delete(known.id);
        count("delete");
        break;
      }
      case "get": {
        const { id, known } = resolve(operation.target);
        const args = { id };
        const result = await call("get_memory", JSON.stringify(args));
        if (!acceptable("get_memory", args)) {
          invalid("get_memory", result, args);
          break;
        }
        if (known === undefined) {
          assert.deepEqual(
            { isError: result.isError, message: result.content[0]?.text },
            {
              isError: true,
              message: `No memory has id ${id}. Use search_memories or list_memories to find the right id.`,
            },
          );
          break;
        }
        assert.deepEqual(pick((result.structuredContent as { memory: ModelMemory }).memory), known);
        break;
      }
      case "list": {
        const args: Record<string, unknown> = { limit: operation.limit };
        if (operation.tags !== undefined) args.tags = operation.tags;
        if (!acceptable("list_memories", args)) {
          invalid("list_memories", await call("list_memories", JSON.stringify(args)), args);
          break;
        }
        const wanted = normaliseTags((operation.tags as string[] | undefined) ?? []);
        const expected = [...model.values()]
          .filter((memory) => wanted.every((t) => memory.tags.includes(t)))
          .sort((a, b) => (a.id < b.id ? 1 : -1));
        const seen: ModelMemory[] = [];
        let cursor: string | undefined;
        do {
          const pageArgs = cursor === undefined ? args : { ...args, cursor };
          const result = await call("list_memories", JSON.stringify(pageArgs));
          assert.notEqual(result.isError, true, result.content[0]?.text);
          const page = result.structuredContent as {
            memories: (ModelMemory & { contentTruncated: boolean })[];
            nextCursor?: string;
          };
          assert.ok(page.memories.length <= operation.limit);
          for (const memory of page.memories) {
            const known = model.get(memory.id);
            assert.ok(known, `listed ${memory.id}, which the model does not hold`);
            assert.ok(
              memory.contentTruncated
                ? known.content.startsWith(memory.content)
                : memory.content === known.content,
            );
            seen.push(known);
          }
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        assert.deepEqual(seen, expected, "every page in order, each memory once");
        count(seen.length > operation.limit ? "list of several pages" : "list");
        break;
      }
      case "search": {
        const query =
          operation.query.kind === "existing"
            ? (materialise(operation.query, [...model.values()]).split(" ")[0] ?? "")
            : materialise(operation.query);
        const args: Record<string, unknown> = { query };
        if (operation.tags !== undefined) args.tags = operation.tags;
        const result = await call("search_memories", JSON.stringify(args));
        if (!acceptable("search_memories", args)) {
          invalid("search_memories", result, args);
          break;
        }
        assert.notEqual(result.isError, true, result.content[0]?.text);
        const wanted = normaliseTags((operation.tags as string[] | undefined) ?? []);
        const eligible = [...model.values()].filter((memory) => wanted.every((t) => memory.tags.includes(t)));
        const found = result.structuredContent as {
          results: { id: string; version: number }[];
          searched: number;
        };
        assert.equal(found.searched, eligible.length);
        for (const hit of found.results) {
          const known = eligible.find((memory) => memory.id === hit.id);
          assert.ok(known, `search returned ${hit.id}, not an eligible memory`);
          assert.equal(hit.version, known.version);
        }
        count(found.results.length > 0 ? "search with hits" : "search");
        break;
      }
      case "garbage": {
        // `"arguments": null` counts as absent, as for a tool without arguments.
        const args: unknown = JSON.parse(operation.argsText) ?? {};
        if (acceptable(operation.tool, args)) break; // the other operations cover valid arguments
        invalid(operation.tool, await call(operation.tool, operation.argsText), args);
        break;
      }
    }
  }
  return model;
}

export function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : 1;
}

function pick(memory: ModelMemory): ModelMemory {
  return { id: memory.id, content: memory.content, tags: memory.tags, version: memory.version };
}
