// Key and token comparison. A presented virtual key is never compared with a real one byte by
// byte: the KeyRing hashes it (SHA-256, whose cost depends only on the length) and does one Map
// lookup by that hash, so how much of a guess matches a real key cannot change the time taken.
// The admin token and login codes are compared with crypto.timingSafeEqual. These tests assert
// that structure (timings are not asserted: tests never measure wall-clock time).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import fc from "fast-check";
import { tokenMatches } from "../../gateway/src/admin/token.js";
import { generateKey, hashKey, KeyRing } from "../../gateway/src/governance/keys.js";
import type { KeyRecord } from "../../gateway/src/store/store.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

function record(name: string, key: string, over: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: `id-${name}`,
    name,
    keyHash: hashKey(key),
    keyHint: key.slice(-4),
    createdAt: 0,
    revokedAt: null,
    expiresAt: null,
    ...over,
  };
}

/** Replaces the ring's map with one that records every key it is asked for. */
function recordLookups(ring: KeyRing): string[] {
  const seen: string[] = [];
  const inner = (ring as unknown as { byHash: Map<string, unknown> }).byHash;
  assert.ok(inner instanceof Map, "the ring keeps its keys in a Map");
  const spy = new Map(inner);
  spy.get = (k: string) => {
    seen.push(k);
    return Map.prototype.get.call(spy, k);
  };
  (ring as unknown as { byHash: Map<string, unknown> }).byHash = spy;
  return seen;
}

describe("virtual key verification (property)", () => {
  test("the ring holds hashes only, never a key", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.string({ minLength: 1, maxLength: 60 }).map((s) => `gk-plain-${s}`),
          { minLength: 1, maxLength: 5 },
        ),
        (keys) => {
          const ring = new KeyRing();
          ring.load(
            [{ name: "cfg", key: keys[0]! }],
            keys.slice(1).map((k, i) => record(`s${i}`, k)),
          );
          const dump = inspect(ring, { depth: 6, showHidden: true, maxStringLength: Infinity });
          assert.ok(!dump.includes("gk-plain-"), "no key in plain text");
          for (const k of keys) assert.ok(dump.includes(sha256(k)), "its SHA-256 is what is kept");
        },
      ),
      { numRuns: 100 },
    );
  });

  test("every verify is exactly one lookup, by the SHA-256 of what was presented, whatever it is", () => {
    const real = generateKey();
    const ring = new KeyRing();
    ring.load([], [record("real", real)]);
    const lookups = recordLookups(ring);
    // Guesses that share 0..all characters of the real key with it, and unrelated strings.
    const guess = fc.oneof(
      fc
        .nat(real.length)
        .chain((n) =>
          fc
            .string({ minLength: real.length - n, maxLength: real.length - n })
            .map((rest) => real.slice(0, n) + rest),
        ),
      fc.string({ maxLength: 80 }),
    );
    fc.assert(
      fc.property(guess, (p) => {
        lookups.length = 0;
        const hit = ring.verify(p);
        assert.deepEqual(lookups, [sha256(p)], "one lookup, by hash");
        assert.equal(hit !== null, p === real, "accepted exactly when it is the key");
      }),
      { numRuns: 500 },
    );
  });

  test("revoked keys are not in the ring; expired ones are refused after the lookup", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), (offset) => {
        const now = 1_000_000;
        const ring = new KeyRing(() => now);
        ring.load(
          [],
          [
            record("revoked", "gk-revoked-key-000000000000", { revokedAt: 1 }),
            record("exp", "gk-expiring-key-00000000000", { expiresAt: now + offset }),
          ],
        );
        assert.equal(ring.verify("gk-revoked-key-000000000000"), null);
        assert.equal(ring.verify("gk-expiring-key-00000000000") !== null, offset > 0);
        assert.equal(ring.size, 1, "a revoked key is never loaded");
      }),
      { numRuns: 100 },
    );
  });

  test("structure: verify hashes first and compares nothing itself; the admin token uses timingSafeEqual", () => {
    const verify = KeyRing.prototype.verify.toString();
    assert.match(verify, /this\.byHash\.get\(hashKey\(presented\)\)/);
    assert.doesNotMatch(verify, /presented\s*(===|!==|==)|startsWith|localeCompare|charCodeAt|\[i\]/);
    assert.match(hashKey.toString(), /createHash\("sha256"\)/);
    assert.match(tokenMatches.toString(), /timingSafeEqual\(/);
  });

  test("tokenMatches accepts the token and nothing else", () => {
    const token = "tok_0123456789abcdefghijklmnopqrstuvwxyzABCD";
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .nat(token.length)
            .chain((n) => fc.string({ maxLength: 50 }).map((rest) => token.slice(0, n) + rest)),
          fc.constant(token),
          fc.constant(undefined),
        ),
        (p) => assert.equal(tokenMatches(p, token), p === token),
      ),
      { numRuns: 500 },
    );
  });
});
