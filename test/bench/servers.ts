// Starts the processes the LLM benchmark's targets need, besides the mock: the floor proxy,
// Gatehouse (and its --ref-engine twin) and, with --peers, Portkey and claude-code-router.

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Child, startChild } from "./children.js";
import { installPeer, startCcr, startPortkey } from "./peers.js";
import { gatewayConfig, type Target } from "./scenario.js";

export type Servers = Partial<Record<Target["server"], Child>>;

export interface ServerOptions {
  root: string;
  /** A temporary folder for the gateways' config and data. */
  work: string;
  targets: readonly Target[];
  mock: Child;
  refEngine: string | undefined;
  /** node --cpu-prof output folder for the floor and Gatehouse. */
  profile: string | undefined;
  peersDir: string;
  log(s: string): void;
  /** A peer that fails to install or start is dropped with a warning (the run goes on). */
  warn(s: string): void;
}

export async function startServers(o: ServerOptions): Promise<Servers> {
  const needs = (s: Target["server"]) => o.targets.some((t) => t.server === s);
  const prof = (name: string) =>
    o.profile ? ["--cpu-prof", "--cpu-prof-dir", resolve(o.profile, name)] : [];
  const servers: Servers = { mock: o.mock };
  if (needs("floor"))
    servers.floor = await startChild(
      "floor",
      o.root,
      "test/bench/floor-proxy.ts",
      ["--upstream", o.mock.url],
      prof("floor"),
    );
  for (const [server, engine] of [
    ["gatehouse", undefined],
    ["gatehouse-ref", o.refEngine],
  ] as const) {
    if (!needs(server)) continue;
    const dir = join(o.work, server);
    mkdirSync(join(dir, "data"), { recursive: true });
    writeFileSync(join(dir, "gatehouse.json"), JSON.stringify(gatewayConfig(o.mock.url), null, 2));
    const args = ["--config", join(dir, "gatehouse.json"), "--data-dir", join(dir, "data")];
    if (engine) args.push("--engine", engine);
    servers[server] = await startChild(server, o.root, "test/bench/serve-gateway.ts", args, prof(server));
  }
  for (const peer of ["portkey", "ccr"] as const) {
    if (!needs(peer)) continue;
    try {
      installPeer(o.peersDir, peer, o.log);
      servers[peer] =
        peer === "portkey" ? await startPortkey(o.peersDir) : await startCcr(o.peersDir, o.mock.url);
    } catch (e) {
      o.warn(`${peer}: not measured (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
    }
  }
  return servers;
}
