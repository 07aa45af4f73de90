// The Host and Origin guard as a team server's admin meets it: the address it binds, the names
// in settings.allowed_hosts (with or without a port), and the browser origins those imply.
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { networkInterfaces } from "node:os";
import { test } from "node:test";
import { HttpError } from "../../gateway/src/http/errors.js";
import { Guard } from "../../gateway/src/http/guard.js";

function req(host: string, origin?: string): IncomingMessage {
  const headers: Record<string, string> = { host };
  if (origin !== undefined) headers.origin = origin;
  return { headers, rawHeaders: Object.entries(headers).flat() } as unknown as IncomingMessage;
}

/** The status the guard answers (200: let through). */
function status(guard: Guard, host: string, origin?: string): number {
  try {
    guard.check(req(host, origin));
    return 200;
  } catch (e) {
    if (e instanceof HttpError) return e.status;
    throw e;
  }
}

test("the address the gateway binds is accepted as a Host on its port (what serve prints)", () => {
  const guard = new Guard({ allowedHosts: [], allowedOrigins: [] });
  guard.bind(18791, "192.0.2.2");
  assert.equal(status(guard, "192.0.2.2:18791"), 200);
  assert.equal(status(guard, "192.0.2.2:1"), 403, "another port is not this gateway");
  assert.equal(status(guard, "127.0.0.1:18791"), 200);
  assert.equal(status(guard, "evil.example:18791"), 403);
  const v6 = new Guard({ allowedHosts: [], allowedOrigins: [] });
  v6.bind(8787, "fd00::5");
  assert.equal(status(v6, "[fd00::5]:8787"), 200);
});

test("bound to 0.0.0.0, each address of this machine is accepted on the gateway's port", () => {
  const own = Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((a) => a.family === "IPv4" && !a.internal)
    .map((a) => a.address);
  const wild = new Guard({ allowedHosts: [], allowedOrigins: [] });
  wild.bind(8787, "0.0.0.0");
  for (const ip of own) {
    assert.equal(status(wild, `${ip}:8787`), 200, ip);
    assert.equal(status(wild, `${ip}:1`), 403, `${ip} on another port`);
    assert.equal(status(wild, `${ip}:8787`, `http://${ip}:8787`), 200, "its page's own origin");
  }
  assert.equal(status(wild, "0.0.0.0:8787"), 403, "a wildcard is no name");
  assert.equal(status(wild, "203.0.113.9:8787"), 403, "another machine's address");
  assert.equal(status(wild, "evil.example:8787"), 403);
  const bound = new Guard({ allowedHosts: [], allowedOrigins: [] });
  bound.bind(8787, "127.0.0.1");
  for (const ip of own)
    assert.equal(status(bound, `${ip}:8787`), 403, "bound to loopback: not reachable by it");
});

test("an allowed host without a port matches that name on any port; with one, that port only", () => {
  const guard = new Guard({
    allowedHosts: ["Gatehouse.Team.Internal", "ci.internal:9000"],
    allowedOrigins: [],
  });
  guard.bind(18791, "127.0.0.1");
  for (const host of [
    "gatehouse.team.internal",
    "gatehouse.team.internal:18791",
    "GATEHOUSE.team.internal:443",
  ])
    assert.equal(status(guard, host), 200, host);
  assert.equal(status(guard, "ci.internal:9000"), 200);
  assert.equal(status(guard, "ci.internal:18791"), 403);
  assert.equal(status(guard, "ci.internal"), 403);
  assert.equal(status(guard, "evil.gatehouse.team.internal:18791"), 403);
  assert.equal(status(guard, "gatehouse.team.internal:80/x"), 403, "a port is digits");
});

test("a page served under an allowed host or the bound address may post to it (same origin)", () => {
  const guard = new Guard({
    allowedHosts: ["gatehouse.team.internal:18791", "proxy.internal"],
    allowedOrigins: [],
  });
  guard.bind(18791, "192.0.2.2");
  const ok: [string, string][] = [
    ["gatehouse.team.internal:18791", "http://gatehouse.team.internal:18791"],
    ["192.0.2.2:18791", "http://192.0.2.2:18791"],
    ["proxy.internal", "https://proxy.internal"],
  ];
  for (const [host, origin] of ok) assert.equal(status(guard, host, origin), 200, origin);
  assert.equal(status(guard, "gatehouse.team.internal:18791", "http://gatehouse.team.internal:5173"), 403);
  assert.equal(status(guard, "gatehouse.team.internal:18791", "http://evil.example"), 403);
  assert.equal(status(guard, "gatehouse.team.internal:18791", "null"), 403);
});

test("a refusal says where the name goes", () => {
  const guard = new Guard({ allowedHosts: [], allowedOrigins: [] });
  guard.bind(8787, "127.0.0.1");
  assert.throws(() => guard.check(req("gatehouse.team.internal:8787")), /settings\.allowed_hosts/);
  assert.throws(() => guard.check(req("127.0.0.1:8787", "http://ui.example")), /settings\.allowed_origins/);
});

test("a reload's new allowed hosts keep the bound address", () => {
  const guard = new Guard({ allowedHosts: [], allowedOrigins: [] });
  guard.bind(18791, "192.0.2.2");
  guard.allow({ allowedHosts: ["gatehouse.team.internal"], allowedOrigins: [] });
  assert.equal(status(guard, "192.0.2.2:18791"), 200);
  assert.equal(status(guard, "gatehouse.team.internal:18791"), 200);
});
