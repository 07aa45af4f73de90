// Shared by the config export/import tests: the `gatehouse config|spend` commands run in process,
// and a scope that owns a mock provider, temporary data folders and gateways, cleaned up after.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { runLogsCli } from "../../gateway/src/cli-logs.js";
import type { Gateway } from "../../gateway/src/index.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

/** `gatehouse config ...` or `gatehouse spend ...`, with what it printed. */
export async function logsCli(command: "config" | "spend", argv: string[], env: NodeJS.ProcessEnv) {
  const captured = { out: "", err: "" };
  const code = await runLogsCli(command, argv, env, {
    out: (t) => {
      captured.out += t;
    },
    err: (t) => {
      captured.err += t;
    },
  });
  return { code, ...captured };
}

/**
 * Inside a describe(): a mock provider started before the tests, and `tmp()` folders and `keep()`
 * gateways stopped and removed after them.
 */
export function gatewayScope(prefix: string) {
  const dirs: string[] = [];
  const gateways: Gateway[] = [];
  const scope = {
    mock: undefined as unknown as MockProvider,
    tmp(): string {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    keep(g: Gateway): Gateway {
      gateways.push(g);
      return g;
    },
  };
  before(async () => {
    scope.mock = await startMockProvider();
  });
  after(async () => {
    for (const g of gateways) await g.stop(100);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await scope.mock.close();
  });
  return scope;
}
