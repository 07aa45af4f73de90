// `gatehouse serve --host 0.0.0.0` or `--host ::` records in serving.json an address the CLI can
// call: the loopback address of the wildcard's family (127.0.0.1, [::1]), which the banner prints
// too, with the --host a person types to find it (`::1`, not `[::1]`, a glob to zsh).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli-run.js";
import { listeningUrl, ROOT, spawnServe } from "../helpers/serve-child.js";

const ENTRY = join(ROOT, "test", "helpers", "cli-entry.ts");

for (const [host, loopback, typed] of [
  ["::", "\\[::1\\]", "::1"],
  ["0.0.0.0", "127\\.0\\.0\\.1", "127.0.0.1"],
] as const) {
  test(`serve --host ${host}: serving.json and the banner give the loopback address of its family; the CLI finds the gateway there`, {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-serving-wildcard-"));
    const dataDir = join(dir, "data");
    mkdirSync(dataDir);
    const args = ["--import", "tsx", ENTRY, "serve", "--host", host, "--port", "0", "--data-dir", dataDir];
    const child = spawnServe(process.execPath, args, dir);
    try {
      const url = await listeningUrl(child);
      assert.match(url, new RegExp(`^http://${loopback}:\\d+$`));
      const record = JSON.parse(readFileSync(join(dataDir, "serving.json"), "utf8")) as { url: string };
      assert.equal(record.url, url);
      const port = new URL(url).port;
      const printed = typed === "127.0.0.1" ? ` --port ${port}` : ` --host ${typed} --port ${port}`;
      assert.ok(child.out.includes(`gatehouse login-link${printed} --data-dir ${dataDir})`), child.out);
      // Found through the record, and through the flags the banner prints.
      const found = await runCli(["login-link", "--data-dir", dataDir], { HOME: dir });
      assert.equal(found.code, 0, found.err);
      assert.ok(found.out.startsWith(`${url}/api/login?code=`), found.out);
      const typedFlags = printed.trim().split(" ");
      const byFlags = await runCli(["status", ...typedFlags, "--data-dir", dataDir], { HOME: dir });
      assert.equal(byFlags.code, 0, byFlags.err);
    } finally {
      child.proc.kill("SIGTERM");
      await child.exit;
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
