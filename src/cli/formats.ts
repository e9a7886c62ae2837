// The import formats: one line of a file in, the memories it holds out, each checked with create_memory's
// own validator (schemas/create_memory.json: the same limits as a memory Claude stores), or the reason the
// line is refused. A line is taken whole or not at all.
import { create_memory_input } from "../generated/input-validators.js";
import type { Memory } from "../memory/memory-store.ts";
import { isUlid } from "../memory/ulid.ts";
import { validate } from "../tools/tool.ts";

export const IMPORT_FORMATS = ["jsonl", "memory-server", "text"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export type ImportRecord =
  /** Our own export: stored with its id, timestamps and version. */
  | { kind: "restore"; memory: Memory }
  /** A new memory, with a new id and the time of the import. */
  | { kind: "create"; content: string; tags: string[] };

export type ParsedLine = { ok: true; records: ImportRecord[] } | { ok: false; reason: string };

export function parseLine(format: ImportFormat, text: string): ParsedLine {
  if (text.trim() === "") return { ok: true, records: [] };
  switch (format) {
    case "jsonl":
      return parseExportLine(text);
    case "memory-server":
      return parseMemoryServerLine(text);
    case "text":
      return parseTextLine(text);
  }
}

/** What a file holds, judged by its first non-blank line: used when --from is not given. */
export function detectFormat(firstLine: string): ImportFormat {
  const value = parseJson(firstLine);
  if (!isObject(value)) return "text";
  return value.type === "entity" || value.type === "relation" ? "memory-server" : "jsonl";
}

// --- jsonl: our export (src/memory/jsonl.ts) ---------------------------------------------------------

const MEMORY_FIELDS = ["id", "content", "tags", "createdAt", "updatedAt", "version"] as const;
const MEMORY_FIELD_NAMES: ReadonlySet<string> = new Set(MEMORY_FIELDS);

function parseExportLine(text: string): ParsedLine {
  const value = parseJson(text);
  if (value === NOT_JSON) return { ok: false, reason: "not JSON" };
  if (!isObject(value)) return { ok: false, reason: "must be a JSON object: one memory" };
  const unknown = Object.keys(value).find((key) => !MEMORY_FIELD_NAMES.has(key));
  if (unknown !== undefined) return { ok: false, reason: `unknown property "${unknown}"` };
  const missing = MEMORY_FIELDS.find((field) => !(field in value));
  if (missing !== undefined) return { ok: false, reason: `missing required property "${missing}"` };

  const { id, content, tags, createdAt, updatedAt, version } = value;
  const checked = validate(create_memory_input, { content, tags });
  if (
    !checked.ok ||
    !isUlidText(id) ||
    !isIsoTime(createdAt) ||
    !isIsoTime(updatedAt) ||
    !isVersion(version)
  ) {
    const problems: string[] = [];
    if (!isUlidText(id)) problems.push('"id": must be a memory id (26-character ULID)');
    if (!checked.ok) problems.push(...checked.errors);
    if (!isIsoTime(createdAt)) problems.push(`"createdAt": ${ISO_TIME_RULE}`);
    if (!isIsoTime(updatedAt)) problems.push(`"updatedAt": ${ISO_TIME_RULE}`);
    if (!isVersion(version)) problems.push('"version": must be a whole number from 1 up');
    return { ok: false, reason: problems.join("; ") };
  }
  const memory: Memory = {
    id,
    content: checked.value.content,
    tags: checked.value.tags ?? [],
    createdAt,
    updatedAt,
    version,
  };
  return { ok: true, records: [{ kind: "restore", memory }] };
}

const ISO_TIME_RULE = "must be a UTC time such as 2026-01-02T03:04:05.678Z";

function isUlidText(value: unknown): value is string {
  return typeof value === "string" && isUlid(value);
}

/** As Date.prototype.toISOString writes it, the only form the store writes. */
function isIsoTime(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}

function isVersion(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
}

// --- memory-server: the reference server's knowledge graph (@modelcontextprotocol/server-memory) -------

/**
 * An entity line, {"type":"entity","name","entityType","observations":[...]}, becomes one memory per
 * observation, "<name>: <observation>", tagged with the name and the type; an entity without observations
 * becomes "<name> (<type>)". A relation line, {"type":"relation","from","to","relationType"}, becomes
 * "<from> <relationType> <to>", tagged with both names. Identical content is stored once, so importing
 * the file twice adds nothing.
 */
function parseMemoryServerLine(text: string): ParsedLine {
  const value = parseJson(text);
  if (value === NOT_JSON) return { ok: false, reason: "not JSON" };
  if (!isObject(value)) return { ok: false, reason: "must be a JSON object: an entity or a relation" };
  if (value.type === "entity") {
    const { name, entityType, observations } = value;
    if (!isText(name)) return { ok: false, reason: 'entity: "name" must be a non-empty string' };
    if (!isText(entityType)) return { ok: false, reason: 'entity: "entityType" must be a non-empty string' };
    if (!Array.isArray(observations) || !observations.every((item) => typeof item === "string")) {
      return { ok: false, reason: 'entity: "observations" must be a list of strings' };
    }
    const tags = entityTags(name, entityType);
    const contents =
      observations.length === 0
        ? [`${name} (${entityType})`]
        : observations.map((observation) => `${name}: ${observation}`);
    return checkedCreates(
      contents.map((content) => ({ content, tags })),
      (index) => (observations.length === 0 ? "entity" : `observation ${index + 1}`),
    );
  }
  if (value.type === "relation") {
    const { from, to, relationType } = value;
    if (!isText(from)) return { ok: false, reason: 'relation: "from" must be a non-empty string' };
    if (!isText(to)) return { ok: false, reason: 'relation: "to" must be a non-empty string' };
    if (!isText(relationType))
      return { ok: false, reason: 'relation: "relationType" must be a non-empty string' };
    const content = `${from} ${relationType} ${to}`;
    return checkedCreates([{ content, tags: entityTags(from, to) }], () => "relation");
  }
  return { ok: false, reason: '"type" must be "entity" or "relation"' };
}

const MAX_TAG_CHARACTERS = 40;
const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Entity names and types as tags: no commas, spaces collapsed, cut to 40 characters between graphemes. */
function entityTags(...names: string[]): string[] {
  const tags = names.map((name) => {
    const plain = name
      .normalize("NFC")
      .replace(/[\s,]+/gu, " ")
      .trim();
    let tag = "";
    for (const { segment } of graphemes.segment(plain)) {
      if ([...tag].length + [...segment].length > MAX_TAG_CHARACTERS) break;
      tag += segment;
    }
    return tag.trim();
  });
  return tags.filter((tag) => tag !== "");
}

// --- text: one memory a line or Markdown bullet -------------------------------------------------------

const BULLET = /^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?/u;
const HEADING = /^\s{0,3}#{1,6}(?:\s|$)/u;
const THEMATIC_BREAK = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/u;

function parseTextLine(text: string): ParsedLine {
  // Headings and rules give a notes file its shape; they are not facts.
  if (HEADING.test(text) || THEMATIC_BREAK.test(text)) return { ok: true, records: [] };
  const content = text.replace(BULLET, "").trim();
  if (content === "") return { ok: true, records: [] };
  return checkedCreates([{ content, tags: [] }], () => "");
}

// --- shared -----------------------------------------------------------------------------------------

/** Validates every memory of a line with create_memory's validator; the first failure refuses the line. */
function checkedCreates(
  memories: { content: string; tags: string[] }[],
  label: (index: number) => string,
): ParsedLine {
  for (const [index, memory] of memories.entries()) {
    const checked = validate(create_memory_input, memory);
    if (!checked.ok) {
      const where = label(index);
      return { ok: false, reason: `${where === "" ? "" : `${where}: `}${checked.errors.join("; ")}` };
    }
  }
  return { ok: true, records: memories.map((memory) => ({ kind: "create", ...memory })) };
}

const NOT_JSON = Symbol("not JSON");

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}
