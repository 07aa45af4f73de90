// The gateway for OAuth tests: in process, with a test browser injected as its opener, plus
// helpers to call the admin API, read every file of the data folder, capture what the process
// prints, and export the config with the real CLI command.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLogsCli } from "../../gateway/src/cli-logs.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { type BrowserOpener, createGateway, type Gateway } from "../../gateway/src/index.js";
import { adminFetch } from "./admin-api.js";
import { TEST_KEY } from "./gateway.js";

export interface OAuthGateway {
  url: string;
  port: number;
  key: string;
  gateway: Gateway;
  dataDir: string;
  /** `gatehouse config export` on this data folder (its stdout). */
  exportConfig(): Promise<string>;
  close(): Promise<void>;
}

export async function startOAuthGateway(
  config: Record<string, unknown>,
  browser: BrowserOpener,
  opts: { dataDir?: string; port?: number; keepDataDir?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<OAuthGateway> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "gatehouse-oauth-"));
  const cfg = parseConfig({ virtual_keys: [{ name: "test", key: TEST_KEY }], ...config });
  const gateway = createGateway({ config: cfg, dataDir, port: opts.port ?? 0, env: opts.env ?? {}, browser });
  const { url, port } = await gateway.start();
  return {
    url,
    port,
    key: TEST_KEY,
    gateway,
    dataDir,
    async exportConfig() {
      let out = "";
      const code = await runLogsCli(
        "config",
        ["export", "--data-dir", dataDir],
        {},
        {
          out: (t) => {
            out += t;
          },
          err: () => undefined,
        },
      );
      if (code !== 0) throw new Error(`config export exited ${code}`);
      return out;
    },
    async close() {
      await gateway.stop(100);
      if (!opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the admin API with the gateway's admin token. */
export async function admin(
  gw: { url: string; gateway: Gateway },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown; contentType: string }> {
  const res = await adminFetch(gw.url, gw.gateway.admin.token, method, path, body);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body: parsed, contentType: res.headers.get("content-type") ?? "" };
}

/** Every file under `dir` (database, WAL, keys), as latin1 text for substring searches. */
export function dataFiles(dir: string): Array<{ name: string; bytes: string }> {
  const out: Array<{ name: string; bytes: string }> = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory())
      out.push(...dataFiles(p).map((f) => ({ ...f, name: `${name}/${f.name}` })));
    else out.push({ name, bytes: readFileSync(p, "latin1") });
  }
  return out;
}

/** Records everything the process writes to stdout and stderr (still passing it through). */
export function captureOutput(): { text(): string; stop(): void } {
  let captured = "";
  const restore: Array<() => void> = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      captured += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
      return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = original;
    });
  }
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on("warning", onWarning);
  return {
    text: () => captured + warnings.join("\n"),
    stop() {
      for (const r of restore) r();
      process.off("warning", onWarning);
    },
  };
}
