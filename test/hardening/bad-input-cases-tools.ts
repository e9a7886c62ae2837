// Bad tool arguments (SEP-1303): each a tools/call result with isError and a message the model can act on,
// never a protocol error; among them a stale expectedVersion and content another memory already holds.
import { functionUrlEvent } from "../fixtures/events.ts";
import { args, type Case, NO_SUCH_ID, PATTERN_ID, TAG_PATTERN, toolCall } from "./bad-input-cases.ts";

/** The two memories the test file creates before the cases run, read when a case is built or checked. */
export interface CatalogueMemories {
  first: { id: string; version: number };
  second: { id: string };
}

export function toolCases(memories: () => CatalogueMemories): Case[] {
  return [
    ...(
      [
        [
          "create_memory without content",
          "create_memory",
          {},
          'arguments: missing required property "content"',
        ],
        [
          "empty content",
          "create_memory",
          { content: "" },
          '"content": must NOT have fewer than 1 characters; "content": must contain some non-whitespace text',
        ],
        [
          "whitespace-only content",
          "create_memory",
          { content: " \n\t " },
          '"content": must contain some non-whitespace text',
        ],
        [
          "content of 10,001 characters",
          "create_memory",
          { content: "x".repeat(10_001) },
          '"content": must NOT have more than 10000 characters',
        ],
        ["numeric content", "create_memory", { content: 42 }, '"content": must be string'],
        [
          "content holding half an emoji (a lone surrogate)",
          "create_memory",
          { content: "my daughter \ud83d" },
          '"content": must be well-formed Unicode text (it holds half of a surrogate pair, as when an emoji is cut)',
        ],
        [
          "eleven tags",
          "create_memory",
          { content: "c", tags: Array(11).fill("t") },
          '"tags": must NOT have more than 10 items',
        ],
        ["a tag with a comma", "create_memory", { content: "c", tags: ["a,b"] }, `"tags.0": ${TAG_PATTERN}`],
        [
          "a tag of 41 characters",
          "create_memory",
          { content: "c", tags: ["t".repeat(41)] },
          '"tags.0": must NOT have more than 40 characters',
        ],
        [
          "a tag with a leading space",
          "create_memory",
          { content: "c", tags: [" family"] },
          `"tags.0": ${TAG_PATTERN}`,
        ],
        ["tags as a string", "create_memory", { content: "c", tags: "family" }, '"tags": must be array'],
        [
          "an unknown argument",
          "create_memory",
          { content: "c", importance: 5 },
          'arguments: unknown property "importance"',
        ],
        ["arguments as an array", "create_memory", ["c"], "arguments: must be object"],
        [
          "an empty query",
          "search_memories",
          { query: "" },
          '"query": must NOT have fewer than 1 characters; "query": must contain some non-whitespace text',
        ],
        [
          "a query of 501 characters",
          "search_memories",
          { query: "q".repeat(501) },
          '"query": must NOT have more than 500 characters',
        ],
        ["a search limit of 26", "search_memories", { query: "tea", limit: 26 }, '"limit": must be <= 25'],
        ["a search limit of 0", "search_memories", { query: "tea", limit: 0 }, '"limit": must be >= 1'],
        ["a list limit of 51", "list_memories", { limit: 51 }, '"limit": must be <= 50'],
        ["a fractional list limit", "list_memories", { limit: 1.5 }, '"limit": must be integer'],
        [
          "a cursor of 513 characters",
          "list_memories",
          { cursor: "c".repeat(513) },
          '"cursor": must NOT have more than 512 characters',
        ],
        ["an id of the wrong shape", "get_memory", { id: "123" }, `"id": ${PATTERN_ID}`],
        [
          "an id with the letter U (not Crockford)",
          "delete_memory",
          { id: "U".repeat(26) },
          `"id": ${PATTERN_ID}`,
        ],
        ["an update that changes nothing named", "update_memory", { id: NO_SUCH_ID }, null],
        [
          "an expectedVersion of 0",
          "update_memory",
          { id: NO_SUCH_ID, content: "c", expectedVersion: 0 },
          '"expectedVersion": must be >= 1',
        ],
      ] as const
    ).map(
      ([name, tool, toolArgs, issues]): Case => ({
        name: `${tool}: ${name}`,
        layer: "tool",
        request: { body: toolCall(tool, toolArgs) },
        expected: {
          status: 200,
          toolError:
            issues === null
              ? 'Invalid arguments for update_memory: give "content", "tags" or both to change.'
              : args(tool, issues),
        },
      }),
    ),
    {
      name: "create_memory: a `__proto__` argument is an unknown property, not a prototype",
      layer: "tool",
      request: {
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_memory","arguments":{"content":"c","__proto__":{"tags":["x"]}}}}',
      },
      expected: { status: 200, toolError: args("create_memory", 'arguments: unknown property "__proto__"') },
    },
    {
      name: "list_memories: a forged cursor",
      layer: "tool",
      request: {
        body: toolCall("list_memories", {
          cursor: "eyJ2IjoxLCJzayI6Ik0jWiIsImYiOiJ4In0.AAAAAAAAAAAAAAAAAAAAAA",
        }),
      },
      expected: {
        status: 200,
        toolError:
          "The cursor is not valid: pass the nextCursor of the previous page unchanged, or omit it to start over.",
      },
    },
    {
      name: "get_memory: an id no memory has",
      layer: "tool",
      request: { body: toolCall("get_memory", { id: NO_SUCH_ID }) },
      expected: {
        status: 200,
        toolError: `No memory has id ${NO_SUCH_ID}. Use search_memories or list_memories to find the right id.`,
      },
    },
    {
      name: "update_memory: an id no memory has",
      layer: "tool",
      request: { body: toolCall("update_memory", { id: NO_SUCH_ID, content: "c" }) },
      expected: { status: 200, toolError: `No memory has id ${NO_SUCH_ID}.` },
    },
    {
      name: "update_memory: a stale expectedVersion",
      layer: "tool",
      request: () =>
        functionUrlEvent({
          body: toolCall("update_memory", {
            id: memories().first.id,
            content: "changed",
            expectedVersion: 7,
          }),
        }),
      expected: () => ({
        status: 200,
        toolError: `Memory ${memories().first.id} is at version 1, not 7: it changed since you read it. Get it again and reapply your change to the current content.`,
      }),
    },
    {
      name: "update_memory: content another memory already holds",
      layer: "tool",
      request: () =>
        functionUrlEvent({
          body: toolCall("update_memory", {
            id: memories().first.id,
            content: "  Catalogue memory two:\nAda's passport expires in May 2031 ",
          }),
        }),
      expected: () => ({
        status: 200,
        toolError: `Memory ${memories().second.id} already holds this content; update or delete that memory instead.`,
      }),
    },
    {
      name: "delete_memory: an id no memory has",
      layer: "tool",
      request: { body: toolCall("delete_memory", { id: NO_SUCH_ID }) },
      expected: { status: 200, toolError: `No memory has id ${NO_SUCH_ID}.` },
    },
  ];
}
