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
  assert.equal(
    describeRules(rules),
    "team platform; models gpt/*; mcp servers none (no MCP tool allowed); mcp tools none (no MCP tool allowed)",
  );
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
  const [, live] = keyListLines([], [rotated], "UTC", now);
  assert.match(live!, /\(old key until 2026-11-27 17:30:00\)/);
  const [, revoked] = keyListLines([], [{ ...rotated, revokedAt: now - 60_000 }], "UTC", now);
  assert.match(revoked!, /\trevoked\t/);
  assert.doesNotMatch(revoked!, /old key until/);
  assert.match(
    storedKeyLines(rotated, new Set(), "UTC", now).join("\n"),
    /old key +works until 2026-11-27 17:30:00 UTC/,
  );
  assert.doesNotMatch(
    storedKeyLines({ ...rotated, revokedAt: now - 60_000 }, new Set(), "UTC", now).join("\n"),
    /old key/,
  );
});

test("keys list and show give times in the zone logs tail and spend use, and say which", () => {
  const now = Date.parse("2026-11-27T23:30:00Z");
  const key = {
    id: "k2",
    name: "night",
    keyHash: "2".repeat(64),
    keyHint: "abcd",
    createdAt: now,
    revokedAt: null,
    expiresAt: Date.parse("2027-01-01T00:00:00Z"),
    previousHash: null,
    previousUntil: null,
  };
  const [head, line] = keyListLines([], [key], "Europe/Berlin", now);
  assert.equal(head, "NAME\tKEY\tSTATE\tCREATED (Europe/Berlin)\tEXPIRES (Europe/Berlin)\tRULES");
  // 23:30 UTC is half past midnight of the next day in Berlin; the expiry 01:00 on New Year's Day.
  assert.equal(line, "night\t…abcd\tactive\t2026-11-28 00:30:00\t2027-01-01 01:00:00\tno rules");
  const shown = storedKeyLines(key, new Set(), "Europe/Berlin", now).join("\n");
  assert.match(shown, /^ {2}created +2026-11-28 00:30:00 Europe\/Berlin$/m);
  assert.match(shown, /^ {2}expires +2027-01-01 01:00:00 Europe\/Berlin$/m);
});
