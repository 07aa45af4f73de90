import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAX_NAME, mapNames, sanitize, serverOf, shortHash } from "../../gateway/src/mcp/names.js";

describe("MCP tool names (server__tool)", () => {
  const cases: Array<{ server: string; tools: string[]; expect: Record<string, string | RegExp> }> = [
    { server: "files", tools: ["read_file"], expect: { read_file: "files__read_file" } },
    { server: "everything", tools: ["get-sum"], expect: { "get-sum": "everything__get-sum" } },
    { server: "gh", tools: ["repo.search"], expect: { "repo.search": "gh__repo_search" } },
    { server: "x", tools: ["a b/c"], expect: { "a b/c": "x__a_b_c" } },
    {
      server: "gh",
      tools: ["a.b", "a_b"],
      expect: {
        "a.b": `gh__a_b_${shortHash("gh", "a.b")}`,
        a_b: `gh__a_b_${shortHash("gh", "a_b")}`,
      },
    },
    {
      server: "srv",
      tools: ["t".repeat(70)],
      expect: { ["t".repeat(70)]: new RegExp(`^srv__t{52}_${shortHash("srv", "t".repeat(70))}$`) },
    },
  ];
  for (const c of cases) {
    test(`${c.server}: ${c.tools.join(", ")}`, () => {
      const m = mapNames(c.server, c.tools);
      for (const [tool, want] of Object.entries(c.expect)) {
        const got = m.toExposed.get(tool)!;
        if (typeof want === "string") assert.equal(got, want);
        else assert.match(got, want);
        assert.ok(got.length <= MAX_NAME);
        assert.equal(m.toUpstream.get(got), tool, "maps back");
      }
    });
  }

  test("names depend only on the server and the tool, not on the order or the other tools", () => {
    const a = mapNames("s", ["x.y", "x_y", "z"]);
    const b = mapNames("s", ["z", "x_y", "x.y", "x_y"]);
    assert.deepEqual([...a.toExposed], [...b.toExposed]);
    const alone = mapNames("s", ["t".repeat(80)]);
    const crowd = mapNames("s", ["t".repeat(80), "other"]);
    assert.equal(alone.toExposed.get("t".repeat(80)), crowd.toExposed.get("t".repeat(80)));
  });

  test("renamed tools are reported with the reason", () => {
    const m = mapNames("s", ["a.b", "a_b", "ok", "u".repeat(64)]);
    const why = Object.fromEntries(m.renamed.map((r) => [r.upstream, r.why]));
    assert.deepEqual(why, { "a.b": "collision", a_b: "collision", ["u".repeat(64)]: "length" });
    const chars = mapNames("s", ["a.b"]);
    assert.deepEqual(chars.renamed, [{ upstream: "a.b", exposed: "s__a_b", why: "characters" }]);
  });

  test("many colliding names stay unique and short", () => {
    const tools = Array.from({ length: 300 }, (_, i) => `${"same".repeat(20)}${i % 2 ? "." : "_"}${i}`);
    const m = mapNames("server-with-a-long-name_x", tools);
    const exposed = [...m.toExposed.values()];
    assert.equal(new Set(exposed).size, tools.length);
    assert.ok(exposed.every((n) => n.length <= MAX_NAME && /^[A-Za-z0-9_-]+$/.test(n)));
  });

  test("sanitize and serverOf", () => {
    assert.equal(sanitize("a.b-c_d e"), "a_b-c_d_e");
    assert.equal(serverOf("files__read__file"), "files");
    assert.equal(serverOf("nounderscores"), undefined);
    assert.equal(serverOf("__x"), undefined);
  });
});
