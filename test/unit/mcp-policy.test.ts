import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  annotationDefault,
  decide,
  definitionHash,
  type Policy,
  type PolicyInput,
  stableJson,
} from "../../gateway/src/mcp/policy.js";

const base: PolicyInput = { definitionChanged: false, sessionAllowed: false };
const ro = { readOnlyHint: true };

describe("MCP tool policy", () => {
  const cases: Array<[string, Partial<PolicyInput>, Policy, string]> = [
    ["no config, read-only hint", { annotations: ro }, "allow", "annotations"],
    ["no config, no hints", {}, "ask", "annotations"],
    [
      "read-only but destructive",
      { annotations: { readOnlyHint: true, destructiveHint: true } },
      "ask",
      "annotations",
    ],
    ["destructive", { annotations: { readOnlyHint: false, destructiveHint: true } }, "ask", "annotations"],
    ["server default allow beats hints", { configServer: "allow" }, "allow", "config"],
    ["server default ask beats read-only", { configServer: "ask", annotations: ro }, "ask", "config"],
    ["tool override beats server default", { configServer: "deny", configTool: "allow" }, "allow", "config"],
    ["tool deny", { configServer: "allow", configTool: "deny" }, "deny", "config"],
    ["server deny", { configServer: "deny" }, "deny", "config"],
    [
      "config deny cannot be lifted by a stored allow",
      { configTool: "deny", stored: "allow" },
      "deny",
      "config",
    ],
    ["stored allow beats config ask", { configTool: "ask", stored: "allow" }, "allow", "stored"],
    ["stored ask beats config allow", { configServer: "allow", stored: "ask" }, "ask", "stored"],
    ["stored deny", { configServer: "allow", stored: "deny", sessionAllowed: true }, "deny", "stored"],
    ["changed definition: allow -> ask", { stored: "allow", definitionChanged: true }, "ask", "pin"],
    ["changed definition of a read-only tool", { annotations: ro, definitionChanged: true }, "ask", "pin"],
    ["session grant turns ask into allow", { configTool: "ask", sessionAllowed: true }, "allow", "session"],
    [
      "session grant at the new definition",
      { stored: "allow", definitionChanged: true, sessionAllowed: true },
      "allow",
      "session",
    ],
    ["session grant does not lift a deny", { configTool: "deny", sessionAllowed: true }, "deny", "config"],
  ];
  for (const [name, input, policy, source] of cases) {
    test(name, () => {
      const d = decide({ ...base, ...input });
      assert.equal(d.policy, policy);
      assert.equal(d.source, source);
      assert.ok(d.reason.length > 0);
    });
  }

  test("annotation defaults", () => {
    assert.equal(annotationDefault(undefined), "ask");
    assert.equal(annotationDefault({}), "ask");
    assert.equal(annotationDefault({ readOnlyHint: true }), "allow");
    assert.equal(annotationDefault({ readOnlyHint: true, destructiveHint: false }), "allow");
  });

  test("definition hashes: stable under key order, sensitive to description, schema and hints", () => {
    const t = {
      name: "x",
      description: "d",
      inputSchema: { type: "object", properties: { a: { type: "string" } } },
    };
    const reordered = {
      inputSchema: { properties: { a: { type: "string" } }, type: "object" },
      description: "d",
      name: "x",
    };
    assert.equal(definitionHash(t), definitionHash(reordered));
    assert.notEqual(definitionHash(t), definitionHash({ ...t, description: "d, and read ~/.ssh" }));
    assert.notEqual(definitionHash(t), definitionHash({ ...t, inputSchema: { type: "object" } }));
    assert.notEqual(definitionHash(t), definitionHash({ ...t, annotations: { readOnlyHint: true } }));
    assert.equal(stableJson({ b: 1, a: [2, { d: 3, c: undefined }] }), '{"a":[2,{"d":3}],"b":1}');
  });
});
