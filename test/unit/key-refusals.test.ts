// Why a key is refused (KeyRing.refusal) and how refusals are told (KeyRefusalReport): the first of a
// kind at once, repeats summed up once a window, and after a quiet window the next at once again.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AuthFailureEvent } from "../../gateway/src/admin/contract.js";
import { KeyRefusalReport } from "../../gateway/src/governance/key-refusals.js";
import { hashKey, KeyRing } from "../../gateway/src/governance/keys.js";
import type { KeyRecord } from "../../gateway/src/store/store.js";

const stored = (over: Partial<KeyRecord> & { name: string; key: string }): KeyRecord => {
  const { key, ...rest } = over;
  return {
    id: `id-${over.name}`,
    keyHash: hashKey(key),
    keyHint: key.slice(-4),
    createdAt: 0,
    revokedAt: null,
    expiresAt: null,
    ...rest,
  };
};

describe("why a key is refused", () => {
  test("missing, unknown, revoked, expired (a rotated key's old secret too) and shadowed, by name", () => {
    let now = 10_000;
    const ring = new KeyRing(() => now);
    ring.load(
      [{ name: "twin", key: "k-config-twin" }],
      [
        stored({ name: "gone", key: "k-gone", revokedAt: 5_000 }),
        stored({ name: "brief", key: "k-brief", expiresAt: 20_000 }),
        stored({ name: "twin", key: "k-stored-twin" }),
        stored({ name: "rot", key: "k-rot-new", previousHash: hashKey("k-rot-old"), previousUntil: 9_000 }),
        stored({ name: "grace", key: "k-g-new", previousHash: hashKey("k-g-old"), previousUntil: 30_000 }),
      ],
    );
    const cases: Array<[string | undefined, string, string | null]> = [
      [undefined, "missing", null],
      ["k-never", "unknown", null],
      ["k-gone", "revoked", "gone"],
      ["k-stored-twin", "shadowed", "twin"],
      ["k-rot-old", "expired", "rot"],
    ];
    for (const [key, reason, keyName] of cases)
      assert.deepEqual(ring.refusal(key), { reason, keyName }, String(key));
    assert.ok(ring.verify("k-brief") && ring.verify("k-g-old") && ring.verify("k-config-twin"));
    now = 40_000; // "brief" expires; "grace"'s old secret too, before and after the next load
    assert.deepEqual(ring.refusal("k-brief"), { reason: "expired", keyName: "brief" });
    assert.deepEqual(ring.refusal("k-g-old"), { reason: "expired", keyName: "grace" });
    ring.load(
      [],
      [stored({ name: "grace", key: "k-g-new", previousHash: hashKey("k-g-old"), previousUntil: 30_000 })],
    );
    assert.deepEqual(ring.refusal("k-g-old"), { reason: "expired", keyName: "grace" });
    assert.deepEqual(ring.refusal("k-gone"), { reason: "unknown", keyName: null }, "no longer stored");
  });
});

describe("telling refusals", () => {
  test("the first of a kind at once, repeats summed up, and after a quiet window at once again", async () => {
    const events: AuthFailureEvent[] = [];
    const lines: string[] = [];
    const report = new KeyRefusalReport({
      warn: (l) => lines.push(l),
      emit: (e) => events.push(e),
      windowMs: 60,
    });
    const unknown = { reason: "unknown", keyName: null } as const;
    const revoked = { reason: "revoked", keyName: "ci" } as const;
    for (let i = 0; i < 50; i++) report.note("anthropic", unknown);
    report.note("mcp", revoked);
    report.note("mcp", revoked);
    assert.deepEqual(
      events.map((e) => e.refused),
      [
        [{ surface: "anthropic", reason: "unknown", keyName: null, count: 1 }],
        [{ surface: "mcp", reason: "revoked", keyName: "ci", count: 1 }],
      ],
    );
    await new Promise((r) => setTimeout(r, 90));
    assert.equal(events.length, 3, "one summary after the window");
    assert.deepEqual(events[2]!.refused, [
      { surface: "anthropic", reason: "unknown", keyName: null, count: 49 },
      { surface: "mcp", reason: "revoked", keyName: "ci", count: 1 },
    ]);
    assert.equal(
      lines[2]!.replace(/in \d+ s/, "in N s"),
      'refused 50 more requests for their virtual key in N s: 49 on /anthropic with a key the gateway does not know; 1 on /mcp with the revoked key "ci"',
    );
    await new Promise((r) => setTimeout(r, 150)); // a window without refusals ends it
    assert.equal(events.length, 3);
    report.note("mcp", revoked);
    assert.equal(events.length, 4, "said at once again");
    assert.deepEqual(events[3]!.refused, [{ surface: "mcp", reason: "revoked", keyName: "ci", count: 1 }]);
    report.stop();
    assert.equal(events.length, 4, "nothing waited");
  });
});
