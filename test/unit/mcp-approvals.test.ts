import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApprovalBroker } from "../../gateway/src/mcp/approvals.js";

const ask = (b: ApprovalBroker, signal?: AbortSignal) =>
  b.request("files", "write_file", { path: "/x" }, "laptop", "sess-1", {
    exposedName: "files__write_file",
    reason: "policy ask",
    ...(signal ? { signal } : {}),
  });

describe("MCP approvals", () => {
  test("a request is pending until decide() answers it; the answer and who gave it come back", async () => {
    const b = new ApprovalBroker(10_000);
    const seen: string[] = [];
    b.on("requested", (r) => seen.push(`requested ${r.server}/${r.tool} by ${r.keyName} in ${r.sessionId}`));
    b.on("decided", (r, d) => seen.push(`decided ${r.exposedName}: ${d.answer} by ${d.decidedBy}`));
    const p = ask(b);
    const [pending] = b.list();
    assert.ok(pending);
    assert.deepEqual(pending.arguments, { path: "/x" });
    assert.equal(pending.expiresAt - pending.requestedAt, 10_000);
    assert.equal(b.decide(pending.id, "allow_session", "alice"), true);
    const d = await p;
    assert.equal(d.answer, "allow_session");
    assert.equal(d.decidedBy, "alice");
    assert.equal(b.list().length, 0);
    assert.equal(b.decide(pending.id, "deny"), false, "answering twice does nothing");
    assert.deepEqual(seen, [
      "requested files/write_file by laptop in sess-1",
      "decided files__write_file: allow_session by alice",
    ]);
  });

  test("past maxPendingPerKey waiting requests of a key, one more is refused at once and never shown", async () => {
    const b = new ApprovalBroker(10_000);
    b.maxPendingPerKey = 2;
    let shown = 0;
    b.on("requested", () => shown++);
    const waiting = [ask(b), ask(b)];
    const refused = await ask(b);
    assert.deepEqual([refused.answer, refused.decidedBy], ["refused", "approval-limit"]);
    assert.equal(shown, 2);
    const other = b.request("files", "write_file", {}, "another-key", null);
    assert.equal(b.list().length, 3, "another key's request is not limited by this key's");
    for (const r of b.list()) b.decide(r.id, "deny");
    await Promise.all([...waiting, other]);
    const again = ask(b);
    assert.equal(b.list().length, 1, "once answered, the key may ask again");
    b.decide(b.list()[0]!.id, "allow_once");
    assert.equal((await again).answer, "allow_once");
  });

  test("no answer before the timeout is a timeout (the caller treats it as deny)", async () => {
    const b = new ApprovalBroker(30);
    const d = await ask(b);
    assert.equal(d.answer, "timeout");
    assert.equal(d.decidedBy, "timeout");
    assert.equal(b.list().length, 0);
  });

  test("a plugged answerer (a native dialog) answers; the first answer wins", async () => {
    const b = new ApprovalBroker(10_000);
    b.setAnswerer(async (req) => (req.tool === "write_file" ? { answer: "deny" } : undefined), "dialog");
    const d = await ask(b);
    assert.deepEqual([d.answer, d.decidedBy], ["deny", "dialog"]);

    let aborted = false;
    b.setAnswerer(
      (_req, signal) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => {
            aborted = true;
            resolve(undefined);
          });
        }),
      "slow-dialog",
    );
    const p = ask(b);
    b.decide(b.list()[0]!.id, "always", "admin-api");
    const d2 = await p;
    assert.deepEqual([d2.answer, d2.decidedBy], ["always", "admin-api"]);
    assert.equal(aborted, true, "the dialog is told to close once someone else answered");
  });

  test("a failing answerer leaves the request to the API", async () => {
    const b = new ApprovalBroker(10_000);
    b.setAnswerer(async () => {
      throw new Error("no display");
    });
    const p = ask(b);
    await new Promise((r) => setImmediate(r));
    assert.equal(b.list().length, 1);
    b.decide(b.list()[0]!.id, "allow_once");
    assert.equal((await p).answer, "allow_once");
  });

  test("a client that cancels its call withdraws the request; cancelAll ends every request", async () => {
    const b = new ApprovalBroker(10_000);
    const ac = new AbortController();
    const p = ask(b, ac.signal);
    ac.abort();
    assert.deepEqual((await p).answer, "cancelled");
    const q = ask(b);
    b.cancelAll();
    const d = await q;
    assert.deepEqual([d.answer, d.decidedBy], ["cancelled", "gateway-stopping"]);
  });
});

describe("MCP approvals: the policy in force when the answer comes", () => {
  test("a yes to a request that may no longer run withdraws it instead (a no is still a no)", async () => {
    const b = new ApprovalBroker(10_000);
    let why: string | undefined;
    b.recheck = () => why;
    const p = ask(b);
    const id = b.list()[0]!.id;
    why = "policy-changed";
    assert.equal(b.decide(id, "allow_once", "alice"), false, "not allowed");
    assert.deepEqual([(await p).answer, (await p).decidedBy], ["cancelled", "policy-changed"]);
    assert.equal(b.list().length, 0);
    const q = ask(b);
    assert.equal(b.decide(b.list()[0]!.id, "deny", "alice"), true);
    assert.deepEqual([(await q).answer, (await q).decidedBy], ["deny", "alice"]);
  });

  test("an answerer's yes is checked too; recheckAll withdraws only what may no longer run", async () => {
    const b = new ApprovalBroker(10_000);
    b.recheck = (r) => (r.tool === "write_file" ? "key-changed" : undefined);
    b.setAnswerer(async () => ({ answer: "always" }), "dialog");
    const d = await ask(b);
    assert.deepEqual([d.answer, d.decidedBy], ["cancelled", "key-changed"]);
    b.setAnswerer(undefined);
    b.recheck = () => undefined;
    const kept = b.request("files", "read_file", {}, "laptop", null);
    const gone = ask(b);
    b.recheck = (r) => (r.tool === "write_file" ? "policy-changed" : undefined);
    assert.equal(b.recheckAll(), 1);
    assert.equal((await gone).decidedBy, "policy-changed");
    assert.deepEqual(
      b.list().map((r) => r.tool),
      ["read_file"],
    );
    b.decide(b.list()[0]!.id, "allow_once");
    assert.equal((await kept).answer, "allow_once");
  });
});
