// The memory tools as the SDK recipes declare them: zod input schemas equivalent to schemas/*.json, our
// titles, descriptions and annotations, and our very handlers on the same DynamoDB store and client.
// Output schemas are left out: the SDKs would validate every result against them (ours does not).
import * as z from "zod";
import createSchemas from "../../schemas/create_memory.json" with { type: "json" };
import listSchemas from "../../schemas/list_memories.json" with { type: "json" };
import searchSchemas from "../../schemas/search_memories.json" with { type: "json" };
import updateSchemas from "../../schemas/update_memory.json" with { type: "json" };
import { INSTRUCTIONS, SERVER_IDENTITY } from "../../src/app.ts";
import { cursorSecretFrom } from "../../src/dynamodb/cursor-secret.ts";
import { createDynamoDbClient, createDynamoDbStore } from "../../src/dynamodb/memory-store.ts";
import { StoreError } from "../../src/memory/memory-store.ts";
import { keyMatches, parseKeyDigests } from "../../src/protocol/auth.ts";
import { tools } from "../../src/tools/index.ts";
import { type ToolAnnotations, ToolError } from "../../src/tools/tool.ts";

export { INSTRUCTIONS, SERVER_IDENTITY };

const env = process.env;
const store = createDynamoDbStore({
  client: createDynamoDbClient(),
  tableName: env.TABLE_NAME ?? "",
  cursorSecret: cursorSecretFrom(env),
});
const digests = parseKeyDigests(env.MCP_API_KEY_SHA256);

/** The same API key check as ours (Authorization: Bearer <key>). */
export function authorised(authorization: string | null | undefined): boolean {
  const key = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "")?.[1];
  return key !== undefined && digests.ok && keyMatches(key, digests.digests);
}

const id = z
  .string()
  .regex(/^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$/)
  .describe(updateSchemas.input.properties.id.description);
const tag = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[^\s,](?:[^,]*[^\s,])?$/);
const tagList = z.array(tag).max(10);
const text = z.string().min(1).max(10_000).regex(/\S/);

const inputSchemas: Readonly<Record<string, z.ZodObject>> = {
  create_memory: z.strictObject({
    content: text.describe(createSchemas.input.properties.content.description),
    tags: tagList.optional().describe(createSchemas.input.properties.tags.description),
  }),
  search_memories: z.strictObject({
    query: z.string().min(1).max(500).regex(/\S/).describe(searchSchemas.input.properties.query.description),
    tags: tagList.optional().describe(searchSchemas.input.properties.tags.description),
    limit: z
      .number()
      .int()
      .min(1)
      .max(25)
      .optional()
      .describe(searchSchemas.input.properties.limit.description),
  }),
  list_memories: z.strictObject({
    limit: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe(listSchemas.input.properties.limit.description),
    cursor: z.string().min(1).max(512).optional().describe(listSchemas.input.properties.cursor.description),
    tags: tagList.optional().describe(listSchemas.input.properties.tags.description),
  }),
  get_memory: z.strictObject({ id }),
  update_memory: z.strictObject({
    id,
    content: text.optional().describe(updateSchemas.input.properties.content.description),
    tags: tagList.optional().describe(updateSchemas.input.properties.tags.description),
    expectedVersion: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(updateSchemas.input.properties.expectedVersion.description),
  }),
  delete_memory: z.strictObject({ id }),
};

export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  annotations: ToolAnnotations;
  inputSchema: z.ZodObject;
}

export const toolDefinitions: readonly ToolDefinition[] = tools.map((tool) => {
  const inputSchema = inputSchemas[tool.name];
  if (inputSchema === undefined) throw new Error(`no zod schema for ${tool.name}`);
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    annotations: tool.annotations,
    inputSchema,
  };
});

export interface ToolResult {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** Runs our handler for `name` on arguments the SDK has already validated. */
export async function callTool(name: string, args: unknown): Promise<ToolResult> {
  const tool = tools.find((candidate) => candidate.name === name);
  if (tool === undefined) throw new Error(`unknown tool ${name}`);
  try {
    // The SDK validated args against the zod schema above; ours checks them again, as tools/call does.
    const output = await tool.call(args, { store });
    return { content: [{ type: "text", text: JSON.stringify(output) }], structuredContent: output };
  } catch (error) {
    if (error instanceof ToolError || error instanceof StoreError) {
      return { content: [{ type: "text", text: error.message }], isError: true };
    }
    throw error;
  }
}
