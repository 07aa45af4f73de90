// The LLM benchmark's command-line options (see the header of llm.ts).

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ccFixture } from "../helpers/fixtures.js";
import { PEERS_DIR } from "./peers.js";
import {
  BODY_KINDS,
  type BodyKind,
  GOV_PART_TARGETS,
  MODES,
  type Mode,
  PEER_TARGETS,
  refTwin,
  TARGETS,
  type Target,
} from "./scenario.js";
import { usageOf } from "./usage.js";

export const FIXTURE = ccFixture("say-hi.bearer.json");

export interface Options {
  reps: number;
  quick: boolean;
  json: string | undefined;
  targets: Target[];
  bodies: BodyKind[];
  modes: Mode[];
  scale: number;
  maxSeconds: number;
  maxMinutes: number;
  noiseMax: number;
  noiseRetries: number;
  maxSlowdown: number;
  deltas: number;
  profile: string | undefined;
  fixture: string;
  refEngine: string | undefined;
  peersDir: string | undefined;
}

function list<T extends string>(v: string | undefined, all: readonly T[], what: string): T[] {
  if (v === undefined) return [...all];
  const out = v.split(",").map((s) => s.trim()) as T[];
  for (const x of out)
    if (!all.includes(x)) throw new Error(`unknown ${what} ${x}; one of ${all.join(", ")}`);
  return out;
}

export function options(): Options {
  const { values } = parseArgs({
    options: {
      reps: { type: "string" },
      quick: { type: "boolean", default: false },
      json: { type: "string" },
      targets: { type: "string" },
      bodies: { type: "string" },
      modes: { type: "string" },
      scale: { type: "string" },
      "max-seconds": { type: "string" },
      "max-minutes": { type: "string" },
      "noise-max": { type: "string", default: "0.5" },
      "noise-retries": { type: "string", default: "1" },
      "max-slowdown": { type: "string", default: "1.5" },
      deltas: { type: "string", default: "50" },
      profile: { type: "string" },
      fixture: { type: "string", default: FIXTURE },
      "ref-engine": { type: "string" },
      peers: { type: "boolean", default: false },
      "peers-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${usageOf(new URL("./llm.ts", import.meta.url))}\n`);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const n = (v: string | undefined, def: number, name: string) => {
    const x = v === undefined ? def : Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new Error(`--${name} must be a positive number`);
    return x;
  };
  const all = [...TARGETS, ...GOV_PART_TARGETS, ...PEER_TARGETS];
  const wanted = values.targets
    ? list(
        values.targets,
        all.map((t) => t.id),
        "target",
      )
    : [...TARGETS, ...(values.peers ? PEER_TARGETS : [])].map((t) => t.id);
  let targets = all.filter((t) => wanted.includes(t.id));
  // A/B: each Gatehouse target also runs on the reference build, measured right after it.
  if (values["ref-engine"])
    targets = targets.flatMap((t) => (t.server === "gatehouse" ? [t, refTwin(t)] : [t]));
  // A target's baseline is always measured: "added" needs it.
  for (const t of [...targets]) {
    const base = t.api === "anthropic" ? "direct-anthropic" : "direct-openai";
    if (!targets.some((x) => x.id === base)) targets.unshift(TARGETS.find((x) => x.id === base)!);
  }
  return {
    reps: Math.round(n(values.reps, quick ? 1 : 3, "reps")),
    quick,
    json: values.json,
    targets,
    bodies: list(values.bodies, BODY_KINDS, "body"),
    modes: list(values.modes, MODES, "mode"),
    scale: n(values.scale, quick ? 0.2 : 1, "scale"),
    maxSeconds: n(values["max-seconds"], quick ? 10 : 30, "max-seconds"),
    maxMinutes: n(values["max-minutes"], quick ? 3 : 15, "max-minutes"),
    noiseMax: n(values["noise-max"], 0.5, "noise-max"),
    noiseRetries: Math.max(0, Math.round(Number(values["noise-retries"]))),
    maxSlowdown: Math.max(1.01, n(values["max-slowdown"], 1.5, "max-slowdown")),
    deltas: Math.round(n(values.deltas, 50, "deltas")),
    profile: values.profile,
    fixture: values.fixture ?? FIXTURE,
    refEngine: values["ref-engine"] ? resolve(values["ref-engine"]) : undefined,
    peersDir: targets.some((t) => t.server === "portkey" || t.server === "ccr")
      ? resolve(values["peers-dir"] ?? PEERS_DIR)
      : undefined,
  };
}
