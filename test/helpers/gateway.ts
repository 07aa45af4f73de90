import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../gateway/src/config/load.js";
import { createGateway, type Gateway, type RequestRecord } from "../../gateway/src/index.js";

export const TEST_KEY = "gk-test-key-for-integration-tests-0000000000";

export interface TestGateway {
  url: string;
  port: number;
  key: string;
  gateway: Gateway;
  dataDir: string;
  records: RequestRecord[];
  /** Resolves with the next request record (records arrive after the response ends). */
  nextRecord(): Promise<RequestRecord>;
  close(): Promise<void>;
}

/** Starts a gateway on an ephemeral port with a temp data folder and one config key (TEST_KEY). */
export async function startGateway(
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-test-"));
  const cfg = parseConfig({
    virtual_keys: [{ name: "test", key: TEST_KEY }],
    ...config,
    settings: { retry_base_ms: 1, ...((config.settings as object) ?? {}) },
  });
  const gateway = createGateway({ config: cfg, dataDir, port: 0, env });
  const { url, port } = await gateway.start();
  const records: RequestRecord[] = [];
  const waiters: Array<(r: RequestRecord) => void> = [];
  gateway.events.on("request", (r) => {
    records.push(r);
    waiters.shift()?.(r);
  });
  return {
    url,
    port,
    key: TEST_KEY,
    gateway,
    dataDir,
    records,
    nextRecord: () => new Promise((resolve) => waiters.push(resolve)),
    async close() {
      await gateway.stop(100);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON to the gateway with the test key; returns status, headers and text. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => unknown }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TEST_KEY}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}
