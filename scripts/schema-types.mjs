// Turns the tool schemas in schemas/ into TypeScript types (src/generated/tools.ts), so a handler's input and
// output types are the schemas themselves. A small generator rather than a library: the schemas use only the
// keywords compile-schemas.mjs lets through ajv's strict mode, and every one of them maps to one line below.
// A schema shape it does not know (a "type" list, "oneOf" ...) fails the build instead of becoming `unknown`.

const SCALARS = { string: "string", integer: "number", number: "number", boolean: "boolean", null: "null" };

/** The TypeScript type of `schema`; `$ref`s point into `defs` (the part's "$defs"). */
function typeOf(schema, defs, where, indent) {
  if (schema.$ref !== undefined) {
    const name = /^#\/\$defs\/([^/]+)$/.exec(schema.$ref)?.[1];
    const target = name === undefined ? undefined : defs[name];
    if (target === undefined) throw new Error(`${where}: cannot resolve $ref ${schema.$ref}`);
    return typeOf(target, defs, `${where} -> ${schema.$ref}`, indent);
  }
  if (schema.type === "array") return `${wrap(typeOf(schema.items ?? {}, defs, `${where}[]`, indent))}[]`;
  if (schema.type === "object") return objectType(schema, defs, where, indent);
  const scalar = SCALARS[schema.type];
  if (scalar === undefined) throw new Error(`${where}: no TypeScript type for ${JSON.stringify(schema)}`);
  return scalar;
}

function objectType(schema, defs, where, indent) {
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  const members = Object.entries(schema.properties ?? {}).map(([key, property]) => {
    const doc =
      property.description === undefined
        ? ""
        : `${inner}/** ${property.description.replaceAll("*/", "* /")} */\n`;
    const optional = required.has(key) ? "" : "?";
    const type = typeOf(property, defs, `${where}.${key}`, inner);
    return `${doc}${inner}${JSON.stringify(key)}${optional}: ${type};`;
  });
  if (schema.additionalProperties !== false) members.push(`${inner}[key: string]: unknown;`);
  return members.length === 0 ? "{}" : `{\n${members.join("\n")}\n${indent}}`;
}

function wrap(type) {
  return /^[\w.]+$/.test(type) ? type : `(${type})`;
}

/**
 * The module text: the schema documents by tool name (what tools/list serves) and `ToolTypes`, each tool's
 * input and output type. `documents` maps each tool name to its parsed schemas/<name>.json.
 */
export function toolTypesModule(banner, documents) {
  const names = Object.keys(documents);
  const imports = names.map(
    (name) => `import ${name} from "../../schemas/${name}.json" with { type: "json" };`,
  );
  const entries = names.map((name) => {
    const parts = ["input", "output"].map((part) => {
      const { $defs = {}, ...schema } = documents[name][part];
      return `    ${part}: ${typeOf(schema, $defs, `schemas/${name}.json ${part}`, "    ")};`;
    });
    return `  ${name}: {\n${parts.join("\n")}\n  };`;
  });
  return [
    banner,
    ...imports,
    "",
    "/** Each tool's schemas/<name>.json, as tools/list serves them. */",
    `export const toolSchemas = { ${names.join(", ")} };`,
    "",
    "/** Each tool's input (what passed its input schema) and output (what its output schema describes). */",
    "export interface ToolTypes {",
    ...entries,
    "}",
    "",
  ].join("\n");
}
