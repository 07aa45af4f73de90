import type { HealthView, ProviderView, SpendSeriesView } from "./admin/contract.js";
import type { ApprovalView, McpServerView } from "./admin/contract-mcp.js";
import { type CliIo, PROCESS_IO, runAdminCommand } from "./cli-admin-client.js";
import { terminalSafe } from "./cli-text.js";

/**
 * `gatehouse status`: the running gateway at a glance, from its admin API: health (and why it is
 * degraded), providers, keys, MCP servers and their state, approvals waiting, the request log, and
 * spend over the last 24 hours and 7 days. Exit 0 when ok, 1 when degraded or unreachable.
 */

export const STATUS_USAGE = `Usage: gatehouse status [--port N] [--host H] [--data-dir DIR] [--config FILE]

The running gateway at a glance: health, providers, keys, MCP servers, approvals waiting, request
logs and spend. Exit status 0 when it is ok, 1 when it is degraded or does not answer.
Without --host and --port, the gateway serving the data folder is looked for where it recorded it
listens (serving.json, whatever --port or --config it was started with), else where the config in
force (--config, GATEHOUSE_CONFIG, or config.yaml in the data folder) puts it (server.host,
server.port), else 127.0.0.1:8787.`;

export interface StatusFacts {
  health: HealthView;
  providers: ProviderView[];
  servers: McpServerView[];
  approvals: ApprovalView[];
  day: SpendSeriesView;
  week: SpendSeriesView;
}

function duration(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`;
}

const usd = (x: number) => `$${x.toFixed(2)}`;
const count = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

function server(s: McpServerView): string {
  if (!s.enabled) return `${s.name} off`;
  if (s.state === "ready") return `${s.name} ready (${count(s.toolCount, "tool")})`;
  if (s.state === "needs_auth") return `${s.name} needs a login (gatehouse mcp login ${s.name})`;
  return `${s.name} ${s.state}${s.lastError ? `: ${terminalSafe(s.lastError)}` : ""}`;
}

/** The report, a line per fact. */
export function statusText(f: StatusFacts, now = Date.now()): string {
  const h = f.health;
  const lines = [
    `Gatehouse ${h.version} at ${h.url ?? "?"}: ${h.status}, up ${duration(now - Date.parse(h.startedAt))}`,
    ...h.problems.map((p) => `  ! ${terminalSafe(p)}`),
    `  providers: ${f.providers.length > 0 ? f.providers.map((p) => p.name).join(", ") : "none"}`,
    `  virtual keys: ${h.keys}`,
    `  MCP servers: ${f.servers.length > 0 ? f.servers.map(server).join("; ") : "none"}`,
    `  approvals waiting: ${f.approvals.length}${f.approvals.length > 0 ? " (answer them: gatehouse approvals)" : ""}`,
    `  request logs: ${count(h.logs.written, "row")} written this run, ${h.logs.queued} waiting`,
    `  spend: ${usd(f.day.totals.usd)} in the last 24 h (${count(f.day.totals.requests, "request")}), ${usd(f.week.totals.usd)} in 7 days (${count(f.week.totals.requests, "request")})`,
  ];
  return `${lines.join("\n")}\n`;
}

export function statusMain(argv: string[], env: NodeJS.ProcessEnv, io: CliIo = PROCESS_IO): Promise<number> {
  return runAdminCommand("status", STATUS_USAGE, argv, env, io, async (client) => {
    const [health, providers, servers, approvals, day, week] = await Promise.all([
      client.get<HealthView>("/api/health"),
      client.get<ProviderView[]>("/api/providers"),
      client.get<McpServerView[]>("/api/mcp/servers"),
      client.pending(),
      client.get<SpendSeriesView>("/api/spend?bucket=hour"),
      client.get<SpendSeriesView>("/api/spend?bucket=day"),
    ]);
    io.out(statusText({ health, providers, servers, approvals, day, week }));
    return health.status === "ok" ? 0 : 1;
  });
}
