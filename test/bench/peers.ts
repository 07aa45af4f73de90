// The peers of the benchmarks' --peers, installed from the npm registry into a temporary folder
// (never into this project): the Portkey gateway and claude-code-router for `npm run bench`, each
// started in front of the benchmark's mock (below); supergateway, mcp-proxy and mcp-hub for the
// MCP benchmark (mcp-peers.ts). Versions are pinned, as the yardsticks in ../shared/bench pinned them.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { type Child, startServer } from "./children.js";

export const PEERS_DIR = "/tmp/gatehouse-peers";

interface PeerPackage {
  name: string;
  pkg: string;
  version: string;
  /** package.json "overrides". */
  overrides?: Record<string, string>;
}

export type PeerName = "portkey" | "ccr" | "supergateway" | "mcp-proxy" | "mcp-hub";

const PACKAGES: Record<PeerName, PeerPackage> = {
  // @hono/node-server pinned to the version in Portkey's own lockfile: newer ones break its
  // streaming with "TypeError: immutable" (Portkey-AI/gateway issue #1389).
  portkey: {
    name: "portkey",
    pkg: "@portkey-ai/gateway",
    version: "1.15.2",
    overrides: { "@hono/node-server": "1.13.5" },
  },
  ccr: { name: "ccr", pkg: "@musistudio/claude-code-router", version: "2.0.0" },
  supergateway: { name: "supergateway", pkg: "supergateway", version: "4.0.0" },
  "mcp-proxy": { name: "mcp-proxy", pkg: "mcp-proxy", version: "6.7.19" },
  "mcp-hub": { name: "mcp-hub", pkg: "mcp-hub", version: "4.2.1" },
};

function installed(dir: string, p: PeerPackage): string | null {
  try {
    const j = JSON.parse(readFileSync(join(dir, "node_modules", p.pkg, "package.json"), "utf8")) as {
      version: string;
    };
    return j.version;
  } catch {
    return null;
  }
}

/** npm install of one peer into DIR/<name> (skipped when that version is already there). */
export function installPeer(root: string, which: PeerName, log: (s: string) => void): string {
  const p = PACKAGES[which];
  const dir = join(root, p.name);
  if (installed(dir, p) === p.version) return dir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify(
      {
        name: `gatehouse-bench-peer-${p.name}`,
        private: true,
        dependencies: { [p.pkg]: p.version },
        ...(p.overrides ? { overrides: p.overrides } : {}),
      },
      null,
      2,
    )}\n`,
  );
  log(`installing ${p.pkg}@${p.version} into ${dir} (npm registry)…`);
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
    timeout: 300_000,
  });
  if (installed(dir, p) !== p.version) throw new Error(`${p.pkg}@${p.version} did not install in ${dir}`);
  return dir;
}

/** The installed versions of the named peers (default: the LLM benchmark's). */
export function peerVersions(
  root: string,
  which: readonly PeerName[] = ["portkey", "ccr"],
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of which) out[PACKAGES[name].pkg] = installed(join(root, name), PACKAGES[name]);
  if (which.includes("portkey"))
    out["@hono/node-server (portkey)"] = installed(join(root, "portkey"), {
      name: "portkey",
      pkg: "@hono/node-server",
      version: "",
    });
  return out;
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Portkey's node server. --headless: no console UI or log streaming. It has no host option and
 * listens on every interface while the benchmark runs.
 */
export async function startPortkey(root: string): Promise<Child> {
  const dir = join(root, "portkey");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const entry = join(dir, "node_modules/@portkey-ai/gateway/build/start-server.js");
  return startServer("portkey", process.execPath, [entry, `--port=${port}`, "--headless"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production" },
    url,
    readyUrl: `${url}/`,
  });
}

/**
 * claude-code-router: Anthropic /v1/messages in, OpenAI chat completions out to the mock. `ccr
 * start` serves in its own process (it writes its pid file with process.pid). HOME and TMPDIR are
 * a folder of its own (config, pid and reference-count files); LOG false: its debug file log off.
 */
export async function startCcr(root: string, mockUrl: string): Promise<Child> {
  const dir = join(root, "ccr");
  const home = join(dir, "home");
  mkdirSync(join(home, ".claude-code-router"), { recursive: true });
  mkdirSync(join(home, "tmp"), { recursive: true });
  // A pid file left by an earlier run could name a live process: ccr would then not start.
  for (const f of [
    join(home, ".claude-code-router", ".claude-code-router.pid"),
    join(home, "tmp", "claude-code-reference-count.txt"),
  ])
    if (existsSync(f)) rmSync(f);
  const port = await freePort();
  writeFileSync(
    join(home, ".claude-code-router", "config.json"),
    JSON.stringify(
      {
        LOG: false,
        HOST: "127.0.0.1",
        PORT: port,
        API_TIMEOUT_MS: 60000,
        NON_INTERACTIVE_MODE: true,
        Providers: [
          {
            name: "mock",
            api_base_url: `${mockUrl}/v1/chat/completions`,
            api_key: "sk-mock-openai",
            models: ["gpt-4o-mini"],
          },
        ],
        Router: { default: "mock,gpt-4o-mini" },
      },
      null,
      2,
    ),
  );
  const url = `http://127.0.0.1:${port}`;
  const entry = join(dir, "node_modules/@musistudio/claude-code-router/dist/cli.js");
  return startServer("ccr", process.execPath, [entry, "start"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: home, TMPDIR: join(home, "tmp"), NODE_ENV: "production" },
    url,
    readyUrl: `${url}/`,
  });
}
