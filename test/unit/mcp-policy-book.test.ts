// The policy book tells of each tool policy a person set or cleared (the admin event stream pushes
// it as `tool_policy`), whether set here or found changed in the database by another process.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PolicyBook, type PolicyChange } from "../../gateway/src/mcp/policy-book.js";
import { mcpServersSchema } from "../../gateway/src/mcp/schema.js";
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

test("a tool named like an Object.prototype member gets its server's policy, not what the prototype holds", async () => {
  // Tool names come from the upstream: a server may call its tool `constructor` or `toString`.
  const book = new PolicyBook(new MemoryMcpStore());
  await book.load();
  book.setConfig(
    mcpServersSchema.parse({
      locked: { command: "x", policy: "deny" },
      careful: { command: "x", policy: "ask", tools: { read: "allow" } },
    }),
  );
  for (const name of [
    "constructor",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "__proto__",
    "__defineGetter__",
  ]) {
    const tool = { name, inputSchema: { type: "object" as const } };
    assert.equal(book.decide("locked", tool, null).policy, "deny", name);
    assert.equal(book.deniedByConfig("locked", name), true, name);
    assert.equal(book.decide("careful", tool, null).policy, "ask", name);
    assert.equal(book.deniedByConfig("careful", name), false, name);
  }
  assert.equal(
    book.decide("careful", { name: "read", inputSchema: { type: "object" } }, null).policy,
    "allow",
  );
});
