// Pins down the generator of the tools' TypeScript types (scripts/schema-types.mjs): each keyword the
// schemas use becomes its type, $refs into $defs are followed, and a shape it has no type for fails the build
// naming where, rather than turning into `unknown`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toolTypesModule } from "../../scripts/schema-types.mjs";

const DRAFT = "https://json-schema.org/draft/2020-12/schema";

function moduleFor(input: unknown, output: unknown = { type: "object", properties: {} }): string {
  return toolTypesModule("// banner", { demo_tool: { input, output } });
}

describe("toolTypesModule", () => {
  test("imports each schema document, exports them by name, and types each input and output", () => {
    const input = {
      $schema: DRAFT,
      type: "object",
      required: ["text"],
      additionalProperties: false,
      properties: {
        text: { type: "string", description: "Some */ text." },
        count: { type: "integer" },
        ratio: { type: "number" },
        flags: { type: "array", items: { type: "boolean" } },
      },
    };
    const output = {
      $schema: DRAFT,
      type: "object",
      required: ["items"],
      additionalProperties: false,
      properties: { items: { type: "array", items: { $ref: "#/$defs/item" } } },
      $defs: { item: { type: "object", properties: { id: { type: "string" } } } },
    };
    assert.equal(
      moduleFor(input, output),
      [
        "// banner",
        'import demo_tool from "../../schemas/demo_tool.json" with { type: "json" };',
        "",
        "/** Each tool's schemas/<name>.json, as tools/list serves them. */",
        "export const toolSchemas = { demo_tool };",
        "",
        "/** Each tool's input (what passed its input schema) and output (what its output schema describes). */",
        "export interface ToolTypes {",
        "  demo_tool: {",
        "    input: {",
        "      /** Some * / text. */",
        '      "text": string;',
        '      "count"?: number;',
        '      "ratio"?: number;',
        '      "flags"?: boolean[];',
        "    };",
        "    output: {",
        '      "items": ({',
        '        "id"?: string;',
        "        [key: string]: unknown;",
        "      })[];",
        "    };",
        "  };",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("a shape without a type, or a $ref outside $defs, fails naming where", () => {
    assert.throws(
      () => moduleFor({ type: "object", properties: { pick: { oneOf: [{ type: "string" }] } } }),
      {
        message: 'schemas/demo_tool.json input.pick: no TypeScript type for {"oneOf":[{"type":"string"}]}',
      },
    );
    assert.throws(() => moduleFor({ type: "object", properties: { x: { $ref: "#/$defs/missing" } } }), {
      message: "schemas/demo_tool.json input.x: cannot resolve $ref #/$defs/missing",
    });
  });
});
