// /metrics shows every key's name and spend. On a team server (bound beyond loopback) it needs a
// Bearer token: settings.metrics_token (what Prometheus' `authorization: { credentials_file }`
// sends) or the admin token; a refusal is 401 with WWW-Authenticate and says what to set. With
// metrics_token set it is needed on loopback too. The token stays a reference in the export, the
// admin API and the logs.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { ConfigExportView, SettingsView } from "../../gateway/src/admin/contract.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { createGateway, type Gateway } from "../../gateway/src/index.js";
import { adminFetch } from "../helpers/admin-api.js";

const SCRAPE = ["scrape", "token", "7f3a9c".repeat(5)].join("-");

/** An address of this machine other than loopback, if it has one. */
const lan = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && !a.internal && a.family === "IPv4")?.address;

async function withGateway(
  config: Record<string, unknown>,
  opts: { host?: string; env?: NodeJS.ProcessEnv },
  body: (g: Gateway, url: string, dataDir: string) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-metrics-access-"));
  const g = createGateway({
    config: parseConfig(config),
    dataDir,
    port: 0,
    host: opts.host,
    env: opts.env ?? {},
  });
  try {
    const { url } = await g.start();
    await body(g, url, dataDir);
  } finally {
    await g.stop(0);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const scrape = (url: string, token?: string) =>
  fetch(`${url}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

describe("/metrics access", () => {
  test("on 127.0.0.1 without metrics_token it is open, as before", async () => {
    await withGateway({}, {}, async (_g, url) => {
      assert.equal((await scrape(url)).status, 200);
    });
  });

  test("bound beyond loopback: refused without a token (401, says what to set), the admin token passes", {
    skip:
      lan === undefined
        ? "this machine has no non-loopback address (test/unit/metrics-access.test.ts covers it)"
        : false,
  }, async () => {
    await withGateway({}, { host: lan }, async (g, url) => {
      assert.ok(!url.includes("127.0.0.1"), url);
      const refused = await scrape(url);
      assert.equal(refused.status, 401);
      assert.match(refused.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.match(await refused.text(), /settings\.metrics_token/);
      assert.equal((await scrape(url, "not-the-admin-token")).status, 401);
      const ok = await scrape(url, g.admin.token);
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /gatehouse_/);
      assert.equal((await fetch(`${url}/metrics`, { method: "HEAD" })).status, 401);
    });
  });

  test("metrics_token set: a wrong token is 401, the right one 200; it never shows in export, API or logs", async () => {
    const warnings: string[] = [];
    const on = (w: Error) => warnings.push(w.message);
    process.on("warning", on);
    const config = { settings: { metrics_token: "env:SCRAPE_TOKEN" } };
    try {
      await withGateway(config, { env: { SCRAPE_TOKEN: SCRAPE } }, async (g, url, dataDir) => {
        assert.equal((await scrape(url)).status, 401, "needed on loopback too once set");
        const wrong = await scrape(url, `${SCRAPE}0`);
        assert.equal(wrong.status, 401);
        assert.match(wrong.headers.get("www-authenticate") ?? "", /^Bearer/);
        assert.doesNotMatch(await wrong.text(), new RegExp(SCRAPE));
        assert.equal((await scrape(url, SCRAPE)).status, 200);
        assert.equal((await scrape(url, g.admin.token)).status, 200, "the admin token too");

        const exported = (await (
          await adminFetch(url, g.admin.token, "GET", "/api/config/export")
        ).json()) as ConfigExportView;
        assert.match(exported.yaml, /metrics_token: env:SCRAPE_TOKEN/);
        assert.ok(!exported.yaml.includes(SCRAPE));
        const settings = (await (
          await adminFetch(url, g.admin.token, "GET", "/api/settings")
        ).json()) as SettingsView;
        assert.equal(settings.settings.metrics_token, "env:SCRAPE_TOKEN");

        // A file whose reference does not resolve: refused (fail closed), said once, no secret.
        await g.reload(parseConfig({ settings: { metrics_token: "env:UNSET_SCRAPE_TOKEN" } }));
        assert.equal((await scrape(url, SCRAPE)).status, 401);
        assert.equal((await scrape(url, SCRAPE)).status, 401);
        assert.equal((await scrape(url, g.admin.token)).status, 200);
        await g.logs.flush();
        for (const f of readdirSync(dataDir))
          assert.ok(!readFileSync(join(dataDir, f)).includes(SCRAPE), `${f} holds the token`);
      });
      await new Promise((r) => setTimeout(r, 20)); // warnings are emitted on the next tick
    } finally {
      process.off("warning", on);
    }
    assert.equal(warnings.filter((w) => w.includes("UNSET_SCRAPE_TOKEN")).length, 1, warnings.join("\n"));
    assert.ok(!warnings.some((w) => w.includes(SCRAPE)), warnings.join("\n"));
  });

  test("a metrics_token given literally is exported as an env: reference and shown masked", async () => {
    await withGateway({ settings: { metrics_token: SCRAPE } }, {}, async (g, url) => {
      assert.equal((await scrape(url, SCRAPE)).status, 200);
      const exported = (await (
        await adminFetch(url, g.admin.token, "GET", "/api/config/export")
      ).json()) as ConfigExportView;
      assert.ok(!exported.yaml.includes(SCRAPE));
      assert.match(exported.yaml, /metrics_token: env:GATEHOUSE_METRICS_TOKEN/);
      assert.deepEqual(exported.replaced, [
        { path: "settings.metrics_token", env: "GATEHOUSE_METRICS_TOKEN" },
      ]);
      const settings = (await (
        await adminFetch(url, g.admin.token, "GET", "/api/settings")
      ).json()) as SettingsView;
      assert.equal(settings.settings.metrics_token, `****${SCRAPE.slice(-4)}`);
    });
  });
});
