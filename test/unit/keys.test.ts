import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { keyState, ShadowWarnings } from "../../gateway/src/governance/key-state.js";
import { generateKey, hashKey, KeyRing, presentedKey } from "../../gateway/src/governance/keys.js";

describe("virtual keys", () => {
  test("generated keys are long, random and prefixed", () => {
    const a = generateKey();
    assert.match(a, /^gk-[A-Za-z0-9_-]{40}$/);
    assert.notEqual(a, generateKey());
  });

  test("a ring verifies config and stored keys, skips revoked and expired ones", () => {
    let now = 1_000;
    const ring = new KeyRing(() => now);
    ring.load(
      [{ name: "cfg", key: "plain-config-key" }],
      [
        {
          id: "1",
          name: "live",
          keyHash: hashKey("k-live"),
          keyHint: "live",
          createdAt: 0,
          revokedAt: null,
          expiresAt: null,
        },
        {
          id: "2",
          name: "gone",
          keyHash: hashKey("k-gone"),
          keyHint: "gone",
          createdAt: 0,
          revokedAt: 5,
          expiresAt: null,
        },
        {
          id: "3",
          name: "soon",
          keyHash: hashKey("k-soon"),
          keyHint: "soon",
          createdAt: 0,
          revokedAt: null,
          expiresAt: 2_000,
        },
      ],
    );
    assert.equal(ring.verify("plain-config-key")?.name, "cfg");
    assert.equal(ring.verify("k-live")?.name, "live");
    assert.equal(ring.verify("k-gone"), null);
    assert.equal(ring.verify("k-soon")?.name, "soon");
    now = 2_000;
    assert.equal(ring.verify("k-soon"), null);
    assert.equal(ring.verify("k-liv"), null);
  });

  test("a rotated key: the new secret works; the old one only until its grace period ends", () => {
    let now = 1_000;
    const ring = new KeyRing(() => now);
    const rotated = (previousUntil: number | null, expiresAt: number | null = null) => ({
      id: "k1",
      name: "laptop",
      keyHash: hashKey("k-new"),
      keyHint: "-new",
      createdAt: 0,
      revokedAt: null,
      expiresAt,
      previousHash: hashKey("k-old"),
      previousUntil,
    });
    ring.load([], [rotated(5_000)]);
    assert.deepEqual(ring.verify("k-new"), { id: "k1", name: "laptop", source: "store" });
    assert.deepEqual(
      ring.verify("k-old"),
      { id: "k1", name: "laptop", source: "store" },
      "same key, same id",
    );
    now = 5_000;
    assert.equal(ring.verify("k-old"), null, "the grace period is over, without a reload");
    assert.equal(ring.verify("k-new")?.name, "laptop");
    // Loaded after the grace period, or rotated without one, or past the key's own expiry.
    ring.load([], [rotated(4_000)]);
    assert.equal(ring.verify("k-old"), null);
    ring.load([], [rotated(null)]);
    assert.equal(ring.verify("k-old"), null);
    now = 1_000;
    ring.load([], [rotated(9_000, 3_000)]);
    now = 3_000;
    assert.equal(ring.verify("k-old"), null, "never past the key's expiry");
    // A revoked key's old secret is refused too.
    ring.load([], [{ ...rotated(9_000), revokedAt: 2_000 }]);
    assert.equal(ring.verify("k-old"), null);
  });

  test("a stored key whose name a config key has is refused, its grace secret too (fail closed)", () => {
    const ring = new KeyRing(() => 1_000);
    const stored = {
      id: "s1",
      name: "dup",
      keyHash: hashKey("k-stored"),
      keyHint: "ored",
      createdAt: 0,
      revokedAt: null,
      expiresAt: null,
      previousHash: hashKey("k-stored-old"),
      previousUntil: 9_000,
    };
    ring.load([{ name: "dup", key: "k-config" }], [stored]);
    assert.equal(ring.verify("k-stored"), null);
    assert.equal(ring.verify("k-stored-old"), null);
    assert.deepEqual(ring.verify("k-config"), { id: "config:dup", name: "dup", source: "config" });
    assert.equal(keyState(stored, new Set(["dup"]), 1_000), "shadowed");
    assert.equal(keyState({ ...stored, revokedAt: 5 }, new Set(["dup"]), 1_000), "revoked");
    // Once the config key is gone, the stored one works again.
    ring.load([], [stored]);
    assert.equal(ring.verify("k-stored")?.id, "s1");
    assert.equal(keyState(stored, new Set(), 1_000), "active");
    assert.equal(keyState({ ...stored, expiresAt: 1_000 }, new Set(), 1_000), "expired");
  });

  test("a shadowed stored key is warned about once per reload, not at every refresh", () => {
    const said: string[] = [];
    const warnings = new ShadowWarnings((m) => said.push(m));
    const rec = (name: string, revokedAt: number | null = null) => ({
      id: name,
      name,
      keyHash: hashKey(name),
      keyHint: "xxxx",
      createdAt: 0,
      revokedAt,
      expiresAt: null,
    });
    const names = new Set(["a", "b"]);
    warnings.check(names, [rec("a"), rec("b", 5), rec("c")]);
    assert.equal(said.length, 1);
    assert.match(said[0]!, /^stored key "a" is shadowed by the config file's key/);
    warnings.check(names, [rec("a"), rec("b", 5), rec("c")]);
    assert.equal(said.length, 1, "a refresh does not repeat it");
    warnings.reset();
    warnings.check(names, [rec("a")]);
    assert.equal(said.length, 2, "a reload says it again");
  });

  test("the key is taken from x-gatehouse-key, x-api-key or Authorization: Bearer", () => {
    assert.equal(presentedKey({ authorization: "Bearer abc" }), "abc");
    assert.equal(presentedKey({ authorization: "bearer abc " }), "abc");
    assert.equal(presentedKey({ "x-api-key": "k1" }), "k1");
    assert.equal(presentedKey({ "x-gatehouse-key": "g", "x-api-key": "k1" }), "g");
    assert.equal(presentedKey({ authorization: "Basic abc" }), undefined);
    assert.equal(presentedKey({}), undefined);
  });
});
