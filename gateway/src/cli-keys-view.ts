import type { ConfigFile } from "./config/schema.js";
import type { KeyGovernance } from "./governance/config-schema.js";
import { keyState } from "./governance/key-state.js";
import { usd } from "./governance/refusals.js";
import { storedKeyPolicy } from "./governance/stored-policies.js";
import { formatLocal } from "./governance/zoned-time.js";
import type { KeyRecord } from "./store/store.js";

/** How `gatehouse keys list` and `keys show` print keys: the config file's and the database's. */

type ConfigKey = ConfigFile["virtual_keys"][number];

/**
 * A time as the wall clock reads in `tz`, the zone of `settings.timezone` that `logs tail` and
 * `spend` show times in (to the second: a key made a moment ago is told from one made before it).
 */
const at = (ms: number, tz: string) => formatLocal(ms, tz, "seconds");
/** `at`, followed by the zone: for a time on a line with no heading to name the zone. */
export const atIn = (ms: number, tz: string) => `${at(ms, tz)} ${tz}`;

/** "2 budgets ($20.00/month, 2,000,000 tokens/day), 120 rpm, models anthropic/*" or "no rules". */
export function describeRules(p: KeyGovernance): string {
  const parts: string[] = [];
  if (p.budgets.length > 0) {
    const each = p.budgets.map((b) =>
      [
        b.usd !== undefined ? usd(b.usd) : undefined,
        b.tokens !== undefined ? `${b.tokens.toLocaleString("en-US")} tokens` : undefined,
      ]
        .filter(Boolean)
        .join(" + ")
        .concat(`/${b.period ?? (b.per === "session" ? "session" : "month")}`),
    );
    parts.push(`budgets ${each.join(", ")}`);
  }
  if (p.rate_limit?.requests_per_minute) parts.push(`${p.rate_limit.requests_per_minute} rpm`);
  if (p.rate_limit?.tokens_per_minute) parts.push(`${p.rate_limit.tokens_per_minute} tpm`);
  if (p.team) parts.push(`team ${p.team}`);
  // An empty list allows nothing (a list left out allows everything): said so, not as a trailing blank.
  const list = (xs: readonly string[], none: string) => (xs.length > 0 ? xs.join(",") : `none (${none})`);
  if (p.models) parts.push(`models ${list(p.models, "no model allowed")}`);
  if (p.providers) parts.push(`providers ${list(p.providers, "no provider allowed, so no model")}`);
  if (p.mcp_servers) parts.push(`mcp servers ${list(p.mcp_servers, "no MCP tool allowed")}`);
  if (p.mcp_tools) parts.push(`mcp tools ${list(p.mcp_tools, "no MCP tool allowed")}`);
  if (p.content !== "metadata") parts.push(`content ${p.content}`);
  return parts.length > 0 ? parts.join("; ") : "no rules";
}

/** Until when a rotated key's old secret still works, if it does (never once the key is revoked). */
function previousUntil(r: KeyRecord, now: number): number | undefined {
  if (r.revokedAt !== null) return undefined;
  return r.previousHash && r.previousUntil && r.previousUntil > now ? r.previousUntil : undefined;
}

/**
 * A heading, then one line per key, tab separated: name, last 4 characters (`config` for a config
 * file's key), state, created, expiry (`never`, else the time; plus until when a rotated key's old
 * secret works), rules. Times in `tz`, which the heading names.
 */
export function keyListLines(
  configKeys: readonly ConfigKey[],
  stored: readonly KeyRecord[],
  tz: string,
  now = Date.now(),
): string[] {
  const configNames = new Set(configKeys.map((k) => k.name));
  const head = ["NAME", "KEY", "STATE", `CREATED (${tz})`, `EXPIRES (${tz})`, "RULES"].join("\t");
  const lines = [head];
  for (const k of configKeys) {
    const { name, key: _secret, ...rules } = k;
    lines.push([name, "config", "active", "-", "never", describeRules(rules)].join("\t"));
  }
  for (const r of stored) {
    const old = previousUntil(r, now);
    const expires = [
      r.expiresAt === null ? "never" : at(r.expiresAt, tz),
      ...(old ? [`(old key until ${at(old, tz)})`] : []),
    ].join(" ");
    const state = keyState(r, configNames, now);
    lines.push(
      [r.name, `…${r.keyHint}`, state, at(r.createdAt, tz), expires, describeRules(storedKeyPolicy(r))].join(
        "\t",
      ),
    );
  }
  return lines;
}

/** `keys show`'s lines: a label and its value each, under the key's name. */
function detailLines(name: string, fields: Array<[string, string | undefined]>): string[] {
  return [name, ...fields.filter(([, v]) => v !== undefined).map(([k, v]) => `  ${k.padEnd(8)} ${v}`)];
}

/** `keys show` of a stored key: its state, dates (in `tz`, named) and rules, as `keys list` words them. */
export function storedKeyLines(
  r: KeyRecord,
  configNames: ReadonlySet<string>,
  tz: string,
  now = Date.now(),
): string[] {
  const old = previousUntil(r, now);
  const shadowed = configNames.has(r.name) && r.revokedAt === null;
  return detailLines(r.name, [
    ["source", `the database (key …${r.keyHint})`],
    ["state", keyState(r, configNames, now)],
    ["created", atIn(r.createdAt, tz)],
    ["expires", r.expiresAt === null ? "never" : atIn(r.expiresAt, tz)],
    ["old key", old ? `works until ${atIn(old, tz)} (rotated with a grace period)` : undefined],
    ["revoked", r.revokedAt === null ? undefined : atIn(r.revokedAt, tz)],
    ["rules", describeRules(storedKeyPolicy(r))],
    [
      "note",
      shadowed
        ? `the config file defines a key of this name: this one's secret is refused. Rename the config file's key, or revoke this one (gatehouse keys revoke ${r.name})`
        : undefined,
    ],
  ]);
}

/** `keys show` of a config file's key: its rules, never its value. */
export function configKeyLines(k: ConfigKey): string[] {
  const { name, key: _secret, ...rules } = k;
  return detailLines(name, [
    ["source", "the config file (its value is there)"],
    ["state", "active"],
    ["expires", "never"],
    ["rules", describeRules(rules)],
  ]);
}
