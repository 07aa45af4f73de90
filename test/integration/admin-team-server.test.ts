// A team server's admin reaches the admin API from another machine by the server's name (the
// Host header), not by the address it binds.
// - A fresh login link (POST /api/login-link) comes under that name, so their browser can open it.
// - A setting they set through the API wins over the config file's; editing the file's value later
//   says so on reload, rather than apply nothing in silence.
// - A file edit of server.port (or host) says it waits for the next start.
// - Changing allowed_hosts through the admin API to a list that drops the name they are using would
//   refuse every later request of theirs (and their team's), with no way back but a restart on
//   loopback: such a change is refused (409, nothing stored); one that keeps the name, or one made
//   from the gateway's own machine, goes through.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { LoginLinkView, Problem, SettingsView } from "../../gateway/src/admin/contract.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { createGateway, type Gateway } from "../../gateway/src/index.js";
import { adminFetch } from "../helpers/admin-api.js";
import { raw } from "../helpers/raw-request.js";

const NAME = "gatehouse.team.internal";
let dir: string;
let gateway: Gateway;
let url: string;
let port: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-lockout-"));
  gateway = createGateway({
    config: parseConfig({ settings: { allowed_hosts: [NAME] } }),
    dataDir: dir,
    port: 0,
  });
  ({ url, port } = await gateway.start());
});

after(async () => {
  await gateway.stop(0);
  rmSync(dir, { recursive: true, force: true });
});

/** An admin request as a client on another machine sends it: Host is the server's name. */
async function remote(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await raw(url, {
    method,
    path,
    headers: {
      host: `${NAME}:${port}`,
      authorization: `Bearer ${gateway.admin.token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: res.text ? (JSON.parse(res.text) as unknown) : undefined };
}

test("a login link asked for by name is a link under that name, which signs a browser in", async () => {
  const res = await remote("POST", "/api/login-link");
  assert.equal(res.status, 201);
  const link = (res.json as LoginLinkView).url;
  assert.ok(link.startsWith(`http://${NAME}:${port}/api/login?code=`), link);
  const opened = await remote("GET", new URL(link).pathname + new URL(link).search);
  assert.equal(opened.status, 302, "the code works under that name");
  const local = await adminFetch(url, gateway.admin.token, "POST", "/api/login-link");
  assert.ok(((await local.json()) as LoginLinkView).url.startsWith(`${url}/api/login?code=`));
});

test("a file edit of a setting set through the API warns that the API's value stays in force", async () => {
  assert.equal((await remote("PATCH", "/api/settings", { log_retention_days: 7 })).status, 200);
  const seen: string[] = [];
  const on = (w: Error) => seen.push(w.message);
  process.on("warning", on);
  try {
    await gateway.reload(parseConfig({ settings: { allowed_hosts: [NAME], log_retention_days: 14 } }));
    await gateway.reload(parseConfig({ settings: { allowed_hosts: [NAME], log_retention_days: 14 } }));
    await new Promise((r) => setTimeout(r, 20)); // warnings are emitted on the next tick
  } finally {
    process.off("warning", on);
  }
  assert.deepEqual(seen, [
    'settings.log_retention_days changed in the config file, but the value set through the admin API (7) stays in force: PATCH /api/settings {"log_retention_days": null} to use the file\'s',
  ]);
  const back = await remote("PATCH", "/api/settings", { log_retention_days: null });
  assert.equal((back.json as SettingsView).settings.log_retention_days, 14);
});

test("a file edit of server.port says it applies at the next start, and where the gateway listens now", async () => {
  const seen: string[] = [];
  const on = (w: Error) => seen.push(w.message);
  process.on("warning", on);
  try {
    await gateway.reload(parseConfig({ server: { port: 18999 }, settings: { allowed_hosts: [NAME] } }));
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    process.off("warning", on);
  }
  assert.deepEqual(seen, [
    `server.port changed in the config file: it applies at the next start; until then the gateway listens on ${url}`,
  ]);
  assert.equal((await remote("GET", "/api/settings")).status, 200, "still served where it was");
});

test("a settings change that would refuse the admin's own Host is a 409 and stores nothing", async () => {
  const res = await remote("PATCH", "/api/settings", { allowed_hosts: ["other.internal"] });
  assert.equal(res.status, 409);
  assert.match((res.json as Problem).detail, /lock out the request making it/);
  assert.match((res.json as Problem).detail, /gatehouse\.team\.internal/);
  const now = await remote("GET", "/api/settings");
  assert.equal(now.status, 200, "the admin still gets in");
  assert.deepEqual((now.json as SettingsView).settings.allowed_hosts, [NAME]);
  assert.deepEqual((now.json as SettingsView).stored, {});
});

test("a change that keeps the admin's name, or one made on the gateway's machine, goes through", async () => {
  const keep = await remote("PATCH", "/api/settings", { allowed_hosts: [NAME, "other.internal"] });
  assert.equal(keep.status, 200);
  assert.deepEqual((keep.json as SettingsView).settings.allowed_hosts, [NAME, "other.internal"]);
  const back = await remote("PATCH", "/api/settings", { allowed_hosts: null });
  assert.equal(back.status, 200, "null goes back to the config file's list, which has the name");
  const local = await adminFetch(url, gateway.admin.token, "PATCH", "/api/settings", { allowed_hosts: [] });
  assert.equal(local.status, 200, "127.0.0.1 is never locked out");
  assert.equal((await remote("GET", "/api/settings")).status, 403);
});
