import type { ProviderModelsView } from "./admin/contract.js";
import { type CliIo, PROCESS_IO, runAdminCommand } from "./cli-admin-client.js";
import { terminalSafe } from "./cli-text.js";

/**
 * `gatehouse models PROVIDER`: what the admin UI's model picker offers for one provider, from the
 * running gateway's admin API (GET /api/providers/{name}/models): a table of each model's id, name,
 * price per million tokens and where the price comes from, or the API's answer as it is (--json).
 */

export const MODELS_USAGE = `Usage: gatehouse models PROVIDER [--refresh] [--all] [--json] [--port N] [--host H] [--data-dir DIR] [--config FILE]

The models PROVIDER (a provider's name in the config) offers, as the admin UI's model picker shows
them: the running gateway asks the provider (the list is kept 5 minutes; --refresh asks again), or
shows the price table's models when it cannot, with the reason. Prices are USD per million tokens
(override: the config's pricing, table: the price table, local: $0). --all: also the models a chat
model picker hides (OpenAI's embeddings, speech, image models...). --json: the admin API's answer.
The admin token is read from the data folder, as for gatehouse status.`;

const SOURCE: Record<ProviderModelsView["source"], string> = {
  provider: "from the provider",
  config: "from the config",
  prices: "from the price table",
};

/** A price per million tokens as a person reads it: 3, 0.15, 0.075. */
const mtok = (n: number | undefined): string => (n === undefined ? "-" : String(Number(n.toFixed(4))));

/** The catalogue as text: a line about the list, its error or note, then a table. */
export function modelsText(v: ProviderModelsView): string {
  const n = v.models.length;
  const kept = v.cached ? `kept list, asked ${v.fetchedAt}` : `asked ${v.fetchedAt}`;
  const lines = [
    `${terminalSafe(v.provider)} (${terminalSafe(v.type)}): ${n} model${n === 1 ? "" : "s"} ${SOURCE[v.source]} (${kept})`,
  ];
  if (v.error) lines.push(`  ! ${terminalSafe(v.error)}`);
  if (v.note) lines.push(`  note: ${terminalSafe(v.note)}`);
  if (v.hidden > 0)
    lines.push(
      `  ${v.hidden} more that a chat model picker hides (embeddings, speech, images...): --all lists them`,
    );
  if (v.truncated) lines.push(`  the provider lists more: only the first ${n} are kept`);
  if (n === 0) return `${lines.join("\n")}\n`;
  const rows = [
    ["ID", "NAME", "IN $/MTOK", "OUT $/MTOK", "PRICE"],
    ...v.models.map((m) => [
      terminalSafe(m.id),
      terminalSafe(m.displayName),
      mtok(m.price?.input_per_mtok),
      mtok(m.price?.output_per_mtok),
      m.price?.source ?? "unknown",
    ]),
  ];
  const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length));
  const widths = [0, 1, 2, 3].map(width);
  lines.push("");
  for (const r of rows) {
    const [id, name, input, output, source] = r as [string, string, string, string, string];
    lines.push(
      [
        id.padEnd(widths[0]!),
        name.padEnd(widths[1]!),
        input.padStart(widths[2]!),
        output.padStart(widths[3]!),
        source,
      ].join("  "),
    );
  }
  return `${lines.join("\n")}\n`;
}

export function modelsMain(argv: string[], env: NodeJS.ProcessEnv, io: CliIo = PROCESS_IO): Promise<number> {
  return runAdminCommand(
    "models",
    MODELS_USAGE,
    argv,
    env,
    io,
    async (client, { switches, positionals }) => {
      const name = positionals[0]!;
      // A URL takes . and .. (encoded or not) as path steps: `..` would ask GET /api/models.
      if (name === "." || name === "..") {
        io.err(
          `gatehouse models: ${JSON.stringify(name)} is no provider name (see gatehouse models --help)\n`,
        );
        return 2;
      }
      const query = new URLSearchParams();
      if (switches.has("refresh")) query.set("refresh", "1");
      if (switches.has("all")) query.set("all", "1");
      const q = query.size > 0 ? `?${query}` : "";
      const view = await client.get<ProviderModelsView>(
        `/api/providers/${encodeURIComponent(name)}/models${q}`,
      );
      io.out(switches.has("json") ? `${JSON.stringify(view, null, 2)}\n` : modelsText(view));
      return 0;
    },
    { switches: ["refresh", "all", "json"], positionals: ["PROVIDER"] },
  );
}
