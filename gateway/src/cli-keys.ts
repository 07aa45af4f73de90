import { parseArgs } from "node:util";
import { dataDirOf } from "./cli-config.js";
import { KEYS_HELP } from "./cli-help.js";
import { argsErrorText } from "./cli-text.js";
import { formatIssues } from "./config/load.js";
import type { BudgetConfig, KeyGovernance } from "./governance/config-schema.js";
import { createStoredKey, MAX_ROTATION_GRACE_MS, rotateStoredKey } from "./governance/keys.js";
import {
  type KeyPolicyPatch,
  keyPolicyCreateSchema,
  patchedPolicy,
  policyJson,
  storedKeyPolicy,
} from "./governance/stored-policies.js";
import { SqliteStore } from "./store/sqlite.js";
import type { KeyRecord } from "./store/store.js";

/**
 * `gatehouse keys ...`: virtual keys in the data folder's database, with their rules. A running
 * gateway on the same data folder picks changes up within 2 seconds (at once for a new key).
 */

const options = {
  "data-dir": { type: "string" },
  expires: { type: "string" },
  grace: { type: "string" },
  budget: { type: "string", multiple: true },
  "token-budget": { type: "string", multiple: true },
  rpm: { type: "string" },
  tpm: { type: "string" },
  team: { type: "string" },
  models: { type: "string" },
  providers: { type: "string" },
  "mcp-servers": { type: "string" },
  "mcp-tools": { type: "string" },
  content: { type: "string" },
  "no-budgets": { type: "boolean" },
  "no-rate-limit": { type: "boolean" },
  "all-models": { type: "boolean" },
  "no-team": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

class KeysError extends Error {}

/** "20/month", "$2.50/day", "20" (a month), "5/5h" -> a budget; `unit` says what the number counts. */
export function parseBudget(spec: string, unit: "usd" | "tokens"): BudgetConfig {
  const m = /^\$?([0-9]+(?:\.[0-9]+)?)(?:\/([a-z0-9]+))?$/.exec(spec.trim());
  if (!m)
    throw new KeysError(`budget ${JSON.stringify(spec)}: expected AMOUNT/PERIOD, like 20/month or 2/day`);
  const amount = Number(m[1]);
  return { [unit]: amount, period: m[2] ?? "month" };
}

function int(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new KeysError(`--${flag}: expected a whole number above 0, got ${v}`);
  return n;
}

const list = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

/** The rule fields the flags give (null: remove, for update). */
function rulesFromFlags(f: Flags): KeyPolicyPatch {
  const out: KeyPolicyPatch = {};
  const budgets = [
    ...(f.budget ?? []).map((b) => parseBudget(b, "usd")),
    ...(f["token-budget"] ?? []).map((b) => parseBudget(b, "tokens")),
  ];
  if (budgets.length > 0) out.budgets = budgets;
  else if (f["no-budgets"]) out.budgets = null;
  if (f.rpm !== undefined || f.tpm !== undefined) {
    out.rate_limit = {
      ...(f.rpm !== undefined ? { requests_per_minute: int("rpm", f.rpm) } : {}),
      ...(f.tpm !== undefined ? { tokens_per_minute: int("tpm", f.tpm) } : {}),
    };
  } else if (f["no-rate-limit"]) out.rate_limit = null;
  if (f.models !== undefined) out.models = list(f.models);
  else if (f["all-models"]) out.models = null;
  if (f.team !== undefined) out.team = f.team;
  else if (f["no-team"]) out.team = null;
  if (f.providers !== undefined) out.providers = list(f.providers);
  if (f["mcp-servers"] !== undefined) out.mcp_servers = list(f["mcp-servers"]);
  if (f["mcp-tools"] !== undefined) out.mcp_tools = list(f["mcp-tools"]);
  if (f.content !== undefined) out.content = f.content;
  return out;
}

/** "2 budgets ($20.00/month, 2,000,000 tokens/day), 120 rpm, models anthropic/*" or "no rules". */
export function describeRules(p: KeyGovernance): string {
  const parts: string[] = [];
  if (p.budgets.length > 0) {
    const each = p.budgets.map((b) =>
      [
        b.usd !== undefined ? `$${b.usd.toFixed(2)}` : undefined,
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
  if (p.models) parts.push(`models ${p.models.join(",")}`);
  if (p.providers) parts.push(`providers ${p.providers.join(",")}`);
  if (p.mcp_servers) parts.push(`mcp servers ${p.mcp_servers.join(",")}`);
  if (p.mcp_tools) parts.push(`mcp tools ${p.mcp_tools.join(",")}`);
  if (p.content !== "metadata") parts.push(`content ${p.content}`);
  return parts.length > 0 ? parts.join("; ") : "no rules";
}

/** "90s", "30m", "1h", "7d" -> ms (a rotation's grace period). */
function graceOf(spec: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(spec.trim());
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms = m ? Number(m[1]) * unit[m[2] as keyof typeof unit] : Number.NaN;
  if (!(ms >= 0 && ms <= MAX_ROTATION_GRACE_MS))
    throw new KeysError(
      `--grace: a duration like 90s, 30m, 1h or 7d, at most 30d (got ${JSON.stringify(spec)})`,
    );
  return ms;
}

function state(k: KeyRecord): string {
  if (k.revokedAt) return "revoked";
  return k.expiresAt && k.expiresAt < Date.now() ? "expired" : "active";
}

async function run(sub: string | undefined, name: string | undefined, f: Flags, store: SqliteStore) {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const need = (what: string) => {
    if (!name) throw new KeysError(`usage: gatehouse keys ${what} NAME`);
    return name;
  };
  if (sub === "create") {
    const n = need("create");
    const parsed = keyPolicyCreateSchema.safeParse(rulesFromFlags(f));
    if (!parsed.success) throw new KeysError(formatIssues(parsed.error.issues));
    const expires = f.expires === undefined ? null : Date.parse(f.expires);
    if (expires !== null && Number.isNaN(expires)) throw new KeysError(`--expires: not a date: ${f.expires}`);
    const { key } = await createStoredKey(store, n, expires, policyJson(parsed.data));
    out(key);
    process.stderr.write(
      `Created virtual key "${n}" (${describeRules(parsed.data)}). It is shown only this once.\n`,
    );
  } else if (sub === "update") {
    const n = need("update");
    const rec = (await store.listKeys()).find((k) => k.name === n && k.revokedAt === null);
    if (!rec) throw new KeysError(`no active key named ${JSON.stringify(n)}`);
    const next = patchedPolicy(storedKeyPolicy(rec), rulesFromFlags(f));
    if (!next.success) throw new KeysError(formatIssues(next.error.issues));
    await store.updateKey(n, { policy: policyJson(next.data) }, Date.now());
    out(`Updated "${n}": ${describeRules(next.data)}.`);
  } else if (sub === "list") {
    for (const k of await store.listKeys()) {
      const created = new Date(k.createdAt).toISOString();
      out(`${k.name}\t…${k.keyHint}\t${state(k)}\t${created}\t${describeRules(storedKeyPolicy(k))}`);
    }
  } else if (sub === "show") {
    const n = need("show");
    const rec = (await store.listKeys()).findLast((k) => k.name === n);
    if (!rec) throw new KeysError(`no key named ${JSON.stringify(n)}`);
    out(
      JSON.stringify(
        {
          name: rec.name,
          hint: rec.keyHint,
          state: state(rec),
          ...(rec.previousUntil && rec.previousUntil > Date.now()
            ? { previous_key_valid_until: new Date(rec.previousUntil).toISOString() }
            : {}),
          ...storedKeyPolicy(rec),
        },
        null,
        2,
      ),
    );
  } else if (sub === "rotate") {
    const n = need("rotate");
    const graceMs = f.grace === undefined ? 0 : graceOf(f.grace);
    const rotated = await rotateStoredKey(store, n, graceMs);
    if (!rotated)
      throw new KeysError(
        `no active key named ${JSON.stringify(n)} in the data folder (a config file's key changes with its value there)`,
      );
    out(rotated.key);
    const until = rotated.record.previousUntil;
    process.stderr.write(
      `Rotated virtual key "${n}": the new key is shown only this once; its rules and spend are kept. ` +
        (until
          ? `The old key works until ${new Date(until).toISOString()}.\n`
          : "The old key no longer works (a running gateway stops taking it within 2 seconds).\n"),
    );
  } else if (sub === "revoke") {
    const n = need("revoke");
    if (!(await store.revokeKey(n, Date.now())))
      throw new KeysError(`no active key named ${JSON.stringify(n)}`);
    out(`Revoked "${n}".`);
  } else {
    throw new KeysError("usage: gatehouse keys create|update|rotate|list|show|revoke (gatehouse --help)");
  }
}

/** `gatehouse keys ...`: exit code 0, 1 (error, one line on stderr) or 2 (bad flags). */
export async function keysMain(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (e) {
    process.stderr.write(`gatehouse keys: ${argsErrorText(e, "gatehouse keys")}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`Usage:\n${KEYS_HELP}\n`);
    return 0;
  }
  const [sub, name] = parsed.positionals;
  try {
    const store = SqliteStore.open(dataDirOf(parsed.values, env));
    try {
      await run(sub, name, parsed.values, store);
    } finally {
      await store.close();
    }
    return 0;
  } catch (e) {
    process.stderr.write(`gatehouse: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
