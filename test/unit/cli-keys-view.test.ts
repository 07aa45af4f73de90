// How `gatehouse keys list` describes a key's rules: an empty allow-list (a key given no MCP
// servers at all) reads as "none", not as a name cut off at the end of the line; a revoked key
// does not claim the old secret of a rotation still works.
import assert from "node:assert/strict";
import { test } from "node:test";
import { describeRules, keyListLines, storedKeyLines } from "../../gateway/src/cli-keys-view.js";
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

test("a revoked key that was rotated with a grace period does not claim its old secret still works", () => {
  const now = Date.parse("2026-11-27T16:30:00Z");
  const rotated = {
    id: "k1",
    name: "dave",
    keyHash: "0".repeat(64),
    keyHint: "7Tsd",
    createdAt: now - 3_600_000,
    revokedAt: null,
    expiresAt: null,
    previousHash: "1".repeat(64),
    previousUntil: now + 3_600_000,
  };
  const [live] = keyListLines([], [rotated], now);
  assert.match(live!, /\(old key until 2026-11-27T17:30:00\.000Z\)/);
  const [revoked] = keyListLines([], [{ ...rotated, revokedAt: now - 60_000 }], now);
  assert.match(revoked!, /\trevoked\t/);
  assert.doesNotMatch(revoked!, /old key until/);
  assert.match(storedKeyLines(rotated, new Set(), now).join("\n"), /old key +works until 2026-11-27T17:30/);
  assert.doesNotMatch(
    storedKeyLines({ ...rotated, revokedAt: now - 60_000 }, new Set(), now).join("\n"),
    /old key/,
  );
});
