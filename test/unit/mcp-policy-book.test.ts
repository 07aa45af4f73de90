// The policy book tells of each tool policy a person set or cleared (the admin event stream pushes
// it as `tool_policy`), whether set here or found changed in the database by another process.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PolicyBook, type PolicyChange } from "../../gateway/src/mcp/policy-book.js";
import { MemoryMcpStore } from "../../gateway/src/mcp/store.js";

test("a policy set, changed or cleared is told once; the same one again is not", async () => {
  const book = new PolicyBook(new MemoryMcpStore());
  await book.load();
  const told: PolicyChange[] = [];
  book.onPolicy = (c) => told.push(c);
  await book.setPolicy("files", "write", "deny", "admin-api");
  await book.setPolicy("files", "write", "deny", "admin-api");
  await book.always("files", "write", "h1", "answerer:tray");
  await book.always("files", "write", "h2", "answerer:tray"); // re-pinned, still allow
  await book.setPolicy("files", "write", null, "admin-api");
  assert.deepEqual(
    told.map((c) => [c.server, c.tool, c.policy, c.decidedBy]),
    [
      ["files", "write", "deny", "admin-api"],
      ["files", "write", "allow", "answerer:tray"],
      ["files", "write", null, "admin-api"],
    ],
  );
});

test("a change another process made in the database is told on the next load", async () => {
  const store = new MemoryMcpStore();
  await store.setPolicy({
    server: "a",
    tool: "x",
    policy: "ask",
    defHash: null,
    decidedBy: "cli",
    updatedAt: 0,
  });
  const book = new PolicyBook(store);
  const told: PolicyChange[] = [];
  book.onPolicy = (c) => told.push(c);
  await book.load();
  assert.equal(told.length, 0, "what was there at start is no change");
  await store.setPolicy({
    server: "a",
    tool: "y",
    policy: "deny",
    defHash: null,
    decidedBy: "config-import",
    updatedAt: 1,
  });
  await store.clearPolicy("a", "x");
  await book.load();
  assert.deepEqual(
    told.map((c) => [c.tool, c.policy, c.decidedBy]),
    [
      ["x", null, "database"],
      ["y", "deny", "config-import"],
    ],
  );
});
