// The `stored` section of an exported config: what the database holds (keys by hash, teams, tool
// policies, server toggles) and how an import writes it back: create what is missing, bring a key
// (matched by its hash) or a team in line with the file, never delete, never revive a revoked key,
// never take a name the config file or another key already has.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import {
  applyStoredSection,
  type StoredSection,
  type StoredTargets,
  storedSection,
  storedSectionSchema,
} from "../../gateway/src/config/stored-section.js";
import { hashKey } from "../../gateway/src/governance/keys.js";
import type { KeyRecord, TeamRecord } from "../../gateway/src/store/store.js";

const H = (s: string) => hashKey(s);

function key(over: Partial<KeyRecord>): KeyRecord {
  return {
    id: "id",
    name: "k",
    keyHash: H("k"),
    keyHint: "kkkk",
    createdAt: 0,
    revokedAt: null,
    expiresAt: null,
    ...over,
  };
}

/** An in-memory database as an import's target, recording what was done. */
function memoryTargets(keys: KeyRecord[], teams: TeamRecord[], servers: string[] = []) {
  const policies: Array<{ server: string; tool: string; policy: string; defHash: string | null }> = [];
  const toggles: Array<[string, boolean]> = [];
  const targets: StoredTargets = {
    listKeys: async () => keys.map((k) => ({ ...k })),
    insertKey: async (k) => {
      keys.push(k);
    },
    updateKey: async (name, u) => {
      const k = keys.find((x) => x.name === name && x.revokedAt === null);
      if (!k) return false;
      if (u.policy !== undefined) k.policy = u.policy;
      if (u.expiresAt !== undefined) k.expiresAt = u.expiresAt;
      return true;
    },
    rotateKey: async (name, r) => {
      const k = keys.find((x) => x.name === name && x.revokedAt === null);
      if (!k) return false;
      k.keyHash = r.keyHash;
      k.keyHint = r.keyHint;
      return true;
    },
    listTeams: async () => teams.map((t) => ({ ...t })),
    insertTeam: async (t) => {
      teams.push(t);
    },
    updateTeam: async (name, spec) => {
      const t = teams.find((x) => x.name === name);
      if (t) t.spec = spec;
      return t !== undefined;
    },
    setPolicy: async (server, tool, policy, defHash) => {
      policies.push({ server, tool, policy, defHash });
    },
    setToggle: async (server, enabled) => {
      if (!servers.includes(server)) return false;
      toggles.push([server, enabled]);
      return true;
    },
  };
  return { targets, keys, teams, policies, toggles };
}

const section = (s: unknown): StoredSection => storedSectionSchema.parse(s);
const none = { keys: new Set<string>(), teams: new Set<string>() };

describe("stored section", () => {
  test("from the database: live keys by hash with their rules, teams, policies, toggles; nothing → undefined", () => {
    assert.equal(storedSection({ keys: [], teams: [], policies: [], toggles: [] }), undefined);
    const s = storedSection({
      keys: [
        key({ name: "ci", keyHash: H("gk-ci"), keyHint: "i-ci", policy: '{"models":["fast"],"budgets":[]}' }),
        key({ name: "gone", keyHash: H("gk-gone"), revokedAt: 1 }),
      ],
      teams: [{ name: "eng", spec: '{"budgets":[{"usd":3}]}', createdAt: 0, updatedAt: 0 }],
      policies: [{ server: "toy", tool: "note", policy: "deny", defHash: null }],
      toggles: [{ server: "toy", enabled: false }],
    });
    assert.deepEqual(s, {
      virtual_keys: [
        {
          name: "ci",
          id: "id",
          key_sha256: H("gk-ci"),
          key_hint: "i-ci",
          created_at: "1970-01-01T00:00:00.000Z",
          models: ["fast"],
        },
      ],
      teams: { eng: { budgets: [{ usd: 3 }] } },
      mcp_tool_policies: [{ server: "toy", tool: "note", policy: "deny", def_hash: null }],
      mcp_server_toggles: { toy: false },
    });
    // and it is a valid section of a config file (which fills in the defaults)
    const parsed = parseConfig({ stored: s }).stored!;
    assert.deepEqual(parsed.virtual_keys[0]!.models, ["fast"]);
    assert.equal(parsed.virtual_keys[0]!.content, "metadata");
  });

  test("a bad entry is refused with the field's path", () => {
    assert.throws(
      () => parseConfig({ stored: { virtual_keys: [{ name: "x", key_sha256: "abc" }] } }),
      /stored\.virtual_keys\[0\]\.key_sha256: the SHA-256 of the key: 64 lowercase hex digits/,
    );
    assert.throws(
      () => parseConfig({ stored: { mcp_tool_policies: [{ server: "s", tool: "t", policy: "maybe" }] } }),
      /stored\.mcp_tool_policies\[0\]\.policy/,
    );
    assert.throws(() => parseConfig({ stored: { secrets: {} } }), /stored: Unrecognized key/);
  });

  test("import creates what is missing and brings what exists in line, by hash and by name", async () => {
    const db = memoryTargets(
      [
        key({ name: "laptop", keyHash: H("gk-same"), policy: '{"models":["old"]}' }),
        key({ name: "taken", keyHash: H("gk-other") }),
        key({ name: "old", keyHash: H("gk-revoked"), revokedAt: 5 }),
      ],
      [{ name: "eng", spec: '{"budgets":[]}', createdAt: 0, updatedAt: 0 }],
      ["toy"],
    );
    const report = await applyStoredSection(
      section({
        virtual_keys: [
          {
            name: "ci",
            key_sha256: H("gk-new"),
            key_hint: "-new",
            expires_at: "2030-01-01T00:00:00Z",
            team: "eng",
          },
          { name: "renamed", key_sha256: H("gk-same"), models: ["fast"] },
          { name: "taken", key_sha256: H("gk-third") },
          { name: "old", key_sha256: H("gk-revoked") },
          { name: "cfg", key_sha256: H("gk-cfg") },
        ],
        teams: { eng: { budgets: [{ usd: 9 }] }, ops: { budgets: [] }, fromfile: { budgets: [] } },
        mcp_tool_policies: [{ server: "toy", tool: "note", policy: "deny", def_hash: "d1" }],
        mcp_server_toggles: { toy: false, elsewhere: true },
      }),
      db.targets,
      { keys: new Set(["cfg"]), teams: new Set(["fromfile"]) },
      1000,
    );
    assert.deepEqual(report.applied, [
      "team 'eng': budgets and rate limit updated",
      "team 'ops': created",
      "key 'ci': created",
      "key 'renamed': rules and expiry updated (stored here as 'laptop')",
      "tool policy toy__note: deny",
      "server toy: turned off",
    ]);
    assert.deepEqual(report.skipped, [
      "team 'fromfile': the config file defines a team of that name",
      "key 'taken': a different key of that name is stored here",
      "key 'old': revoked here (an import does not bring it back)",
      "key 'cfg': the config file defines a key of that name",
      "server elsewhere: turned on: no server 'elsewhere' here",
    ]);
    const ci = db.keys.find((k) => k.name === "ci")!;
    assert.equal(ci.keyHash, H("gk-new"));
    assert.equal(ci.keyHint, "-new");
    assert.equal(ci.expiresAt, Date.parse("2030-01-01T00:00:00Z"));
    assert.equal(ci.createdAt, 1000);
    assert.deepEqual(JSON.parse(ci.policy!), { team: "eng", budgets: [], content: "metadata" });
    assert.deepEqual(JSON.parse(db.keys.find((k) => k.name === "laptop")!.policy!).models, ["fast"]);
    assert.equal(db.keys.find((k) => k.name === "old")!.revokedAt, 5, "still revoked");
    assert.equal(db.keys.length, 4, "nothing else created");
    assert.deepEqual(JSON.parse(db.teams.find((t) => t.name === "eng")!.spec), { budgets: [{ usd: 9 }] });
    assert.deepEqual(db.policies, [{ server: "toy", tool: "note", policy: "deny", defHash: "d1" }]);
    assert.deepEqual(db.toggles, [["toy", false]]);
  });

  test("a key rotated where the file comes from: matched by its id, it takes the file's secret", async () => {
    const db = memoryTargets(
      [key({ id: "k-1", name: "laptop", keyHash: H("gk-before"), keyHint: "fore" })],
      [],
    );
    const report = await applyStoredSection(
      section({ virtual_keys: [{ name: "laptop", id: "k-1", key_sha256: H("gk-after"), key_hint: "fter" }] }),
      db.targets,
      none,
    );
    assert.deepEqual(report.applied, [
      "key 'laptop': rotated (the secret stored here no longer works), rules and expiry updated",
    ]);
    assert.deepEqual(
      db.keys.map((k) => [k.id, k.keyHash, k.keyHint]),
      [["k-1", H("gk-after"), "fter"]],
    );
    // A key created by an import keeps the file's id, so a later rotation there is recognised here.
    await applyStoredSection(
      section({ virtual_keys: [{ name: "ci", id: "k-2", key_sha256: H("gk-ci") }] }),
      db.targets,
      none,
    );
    assert.equal(db.keys.find((k) => k.name === "ci")?.id, "k-2");
  });

  test("importing the same section twice changes nothing more", async () => {
    const db = memoryTargets([], []);
    const s = section({
      virtual_keys: [{ name: "ci", key_sha256: H("gk-ci") }],
      teams: { eng: { budgets: [] } },
    });
    await applyStoredSection(s, db.targets, none);
    const again = await applyStoredSection(s, db.targets, none);
    assert.deepEqual(again.applied, [
      "team 'eng': budgets and rate limit updated",
      "key 'ci': rules and expiry updated",
    ]);
    assert.equal(db.keys.length, 1);
    assert.equal(db.teams.length, 1);
  });
});
