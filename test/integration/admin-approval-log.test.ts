// The approval log of the admin API (/api/approvals/log): arguments as JSON, paging, filters, secrets
// redacted, and nothing kept for a key with content: off.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ApprovalLogEntry, LogPageView, Problem } from "../../gateway/src/admin/contract.js";
import { useApprovalsGateway } from "../helpers/approvals-gateway.js";
import { FAKE_GHP, fakeToken } from "../helpers/fake-secrets.js";
import { connectClient, waitFor } from "../helpers/mcp.js";

const ag = useApprovalsGateway();
const { client, api, answered } = ag;
const T = { timeout: 60_000 };

type LogPage = LogPageView<ApprovalLogEntry>;

describe("admin API: the approval log", () => {
  test("arguments come as JSON; pages follow nextCursor; server, tool and answer filter", T, async () => {
    const c = await client();
    const big = "x".repeat(9000);
    const ids: string[] = [];
    for (const [message, answer] of [
      ["one", "allow_once"],
      ["two", "deny"],
      ["three", "allow_once"],
      [big, "deny"],
    ] as const)
      ids.push((await answered(c, "everything__echo", { message }, answer)).id);
    const rowsOf = async (query: string) => {
      const r = await api<LogPage>("GET", `/api/approvals/log?${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      return r.json;
    };
    // Recorded as the answer is given: wait until the last one is in.
    await waitFor(async () => (await rowsOf("tool=echo")).rows.some((e) => e.id === ids[3]));

    const first = await rowsOf("server=everything&tool=echo&limit=3");
    assert.equal(first.rows.length, 3);
    assert.ok(first.nextCursor, "more to come");
    const second = await rowsOf(
      `server=everything&tool=echo&limit=3&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    assert.equal(second.nextCursor, null, "the last page");
    const all = [...first.rows, ...second.rows];
    assert.deepEqual(
      all.map((e) => e.id).sort(),
      [...ids].sort(),
      "each decision once, across the two pages",
    );
    const times = all.map((e) => Date.parse(e.requestedAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      "newest first",
    );

    const byId = new Map(all.map((e) => [e.id, e]));
    assert.deepEqual(byId.get(ids[0]!)?.arguments, { message: "one" });
    assert.equal(byId.get(ids[0]!)?.argumentsCut, null);
    const cut = byId.get(ids[3]!)!;
    assert.equal(cut.arguments, null, "longer than 8 KiB: kept cut, so not JSON");
    assert.ok(cut.argumentsCut?.startsWith('{"message":"xxx'));
    assert.ok(cut.argumentsCut!.length < 9000);

    const denied = await rowsOf("tool=echo&answer=deny");
    assert.deepEqual(denied.rows.map((e) => e.id).sort(), [ids[1], ids[3]].sort());
    assert.deepEqual((await rowsOf("server=memory&tool=echo")).rows, []);

    for (const [query, detail] of [
      ["cursor=nonsense", /^cursor: not a nextCursor/],
      [`cursor=${encodeURIComponent(first.nextCursor!)}x`, /^cursor: not a nextCursor/],
      ["answer=maybe", /^answer:/],
      ["limit=0", /^limit:/],
      ["limit=501", /^limit: at most 500/],
      ["colour=red", /unknown query parameter "colour"/],
    ] as const) {
      const r = await api<Problem>("GET", `/api/approvals/log?${query}`);
      assert.equal(r.status, 400, query);
      assert.match(r.json.detail, detail, query);
    }
  });
});

describe("admin API: the approval log keeps no secret", () => {
  test(
    "arguments are redacted as the tool-call log's are (a key in a value, a secret-named field)",
    T,
    async () => {
      const c = await client();
      const args = { message: `deploy with ${FAKE_GHP}`, api_key: fakeToken("local", 24) };
      const { id } = await answered(c, "everything__echo", args, "deny");
      const row = await waitFor(async () =>
        (await api<LogPage>("GET", "/api/approvals/log?tool=echo&answer=deny")).json.rows.find(
          (e) => e.id === id,
        ),
      );
      const text = JSON.stringify(row);
      assert.ok(!text.includes(FAKE_GHP) && !text.includes(args.api_key), text);
      assert.deepEqual(row.arguments, { message: "deploy with [REDACTED]", api_key: "[REDACTED]" });
    },
  );
});

describe("admin API: the approval log follows the key's content mode", () => {
  test("a key with content: off leaves no entry (its tool calls leave no row either)", T, async () => {
    const made = await api<{ key: string }>("POST", "/api/keys", { name: "quiet-approvals", content: "off" });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const quiet = await connectClient(ag.gw.url, made.json.key);
    ag.clients.push(quiet);
    const hidden = await answered(quiet, "everything__echo", { message: "not for the log" }, "allow_once");
    // Answered after it, by a key with content: metadata: once that is in, the first would be too.
    const shown = await answered(
      await client(),
      "everything__echo",
      { message: "for the log" },
      "allow_once",
    );
    const rows = await waitFor(async () => {
      const page = (await api<LogPage>("GET", "/api/approvals/log?tool=echo&limit=500")).json;
      return page.rows.some((e) => e.id === shown.id) ? page.rows : undefined;
    });
    assert.deepEqual(rows.find((e) => e.id === shown.id)?.arguments, { message: "for the log" });
    assert.equal(
      rows.find((e) => e.id === hidden.id),
      undefined,
      "content: off writes no log rows for the key, its approvals' arguments included",
    );
    assert.ok(!JSON.stringify(rows).includes("not for the log"));
  });
});
