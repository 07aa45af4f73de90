// How `gatehouse keys list` describes a key's rules: an empty allow-list (a key given no MCP
// servers at all) reads as "none", not as a name cut off at the end of the line.
import assert from "node:assert/strict";
import { test } from "node:test";
import { describeRules } from "../../gateway/src/cli-keys-view.js";
import { keyGovernanceSchema } from "../../gateway/src/governance/config-schema.js";

test("an empty allow-list is said as none", () => {
  const rules = keyGovernanceSchema.parse({
    team: "platform",
    models: ["gpt/*"],
    mcp_servers: [],
    mcp_tools: [],
  });
  assert.equal(describeRules(rules), "team platform; models gpt/*; mcp servers none; mcp tools none");
});

test("a key without a list has no such part", () => {
  assert.equal(describeRules(keyGovernanceSchema.parse({})), "no rules");
});
