// `gatehouse serve` as a real child process, for the tests of how it stops: started from source
// (`serveFromSource`) or by any command (`spawnServe`, e.g. `npm start`), with a data folder whose
// config.yaml points provider `a` at a mock and accepts TEST_KEY.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { delayed, type MockProvider } from "../mocks/mock-provider.js";
import { TEST_KEY } from "./gateway.js";

export const ROOT = new URL("../..", import.meta.url).pathname;
const ENTRY = join(ROOT, "test", "helpers", "cli-entry.ts");

export interface ServeChild {
  proc: ChildProcess;
  out: string;
  err: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Writes `dataDir`/config.yaml: provider `a` (anthropic) at the mock, and the key TEST_KEY. */
export function writeMockConfig(dataDir: string, mockUrl: string): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    join(dataDir, "config.yaml"),
    `providers:\n  a: { type: anthropic, api_key: sk-up, base_url: ${JSON.stringify(mockUrl)} }\n` +
      `virtual_keys:\n  - { name: test, key: ${TEST_KEY} }\n`,
  );
}

/** Runs `command args` in ROOT with HOME = `home` and a bare environment; collects its output. */
export function spawnServe(
  command: string,
  args: string[],
  home: string,
  options: { detached?: boolean } = {},
): ServeChild {
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  const c: ServeChild = {
    proc,
    out: "",
    err: "",
    exit: new Promise((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal }))),
  };
  proc.stdout!.setEncoding("utf8").on("data", (s: string) => {
    c.out += s;
  });
  proc.stderr!.setEncoding("utf8").on("data", (s: string) => {
    c.err += s;
  });
  return c;
}

/**
 * `gatehouse serve --config DIR/elsewhere.yaml --data-dir DIR/data` from source, where the data
 * folder's own config.yaml names a port nothing listens on (9) and the file serve is given says
 * port 0 (any free one) and then `extra` (YAML): what a command must find through serving.json.
 */
export function serveElsewhere(
  dir: string,
  extra = "",
): { child: ServeChild; dataDir: string; other: string } {
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, "config.yaml"), "server: { port: 9 }\n");
  const other = join(dir, "elsewhere.yaml");
  writeFileSync(other, `server: { port: 0 }\n${extra}`);
  const entry = join(ROOT, "test", "helpers", "cli-entry.ts");
  const args = ["--import", "tsx", entry, "serve", "--config", other, "--data-dir", dataDir];
  return { child: spawnServe(process.execPath, args, dir), dataDir, other };
}

/** `gatehouse serve --port 0 --data-dir DIR/data` from source (as bin/gatehouse.js runs the build). */
export function serveFromSource(dir: string, mockUrl: string): ServeChild {
  writeMockConfig(join(dir, "data"), mockUrl);
  return spawnServe(
    process.execPath,
    ["--import", "tsx", ENTRY, "serve", "--port", "0", "--data-dir", join(dir, "data")],
    dir,
  );
}

/** The URL from the banner; fails if the child ends or `ms` pass first (a hang guard). */
export async function listeningUrl(c: ServeChild, ms = 90_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const url = /listening on (http:\/\/(?:127\.0\.0\.1|\[::1\]):\d+)/.exec(c.out)?.[1];
    if (url) return url;
    if (c.proc.exitCode !== null || Date.now() > end)
      throw new Error(`serve did not start:\n${c.out}\n${c.err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One model call through the gateway with TEST_KEY; resolves with its status and text. */
export async function modelCall(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/anthropic/v1/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "a/claude-x",
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  return { status: res.status, text: await res.text() };
}

/**
 * Starts a call the mock answers after `ms` ("slow answer"); resolves once the call is in flight,
 * with its answer to come (status 0 and the error when the connection fails).
 */
export async function slowCallInFlight(
  url: string,
  mock: MockProvider,
  ms = 1000,
): Promise<{ answer: Promise<{ status: number; text: string }> }> {
  mock.script(delayed(ms, { kind: "text", text: "slow answer" }));
  const answer = modelCall(url).catch((e: Error) => ({ status: 0, text: String(e.cause ?? e) }));
  while (mock.queued > 0) await new Promise((r) => setTimeout(r, 10));
  return { answer };
}

/** How many request rows the data folder's database holds (read after the gateway has stopped). */
export function requestRows(dataDir: string): number {
  const db = new Database(join(dataDir, "gatehouse.db"), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM request_logs").get() as { n: number }).n;
  } finally {
    db.close();
  }
}
