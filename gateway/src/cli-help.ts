/**
 * The CLI's help texts, apart from the commands: `gatehouse --help` loads this module only, not
 * the gateway (which takes about a second to load), and each command loads its own code.
 */
import { VERSION } from "./gateway-api.js";

export const KEYS_HELP = `  gatehouse keys create NAME [RULES] [--expires ISO] [--data-dir DIR] [--config FILE]
                                                  create a virtual key (printed once)
  gatehouse keys update NAME [RULES] [--expires ISO|never]
                                                  change a key's rules (the ones given) or expiry
  gatehouse keys rotate NAME [--grace 1h]         a new secret for the key (printed once); same rules
                                                  and spend; the old one works --grace longer (s, m, h, d)
  gatehouse keys list | keys show NAME | keys revoke NAME [--data-dir DIR] [--config FILE]
                                                  the config file's keys (as serve finds it) are listed
                                                  too; they are changed in that file, not here
                                                  (list, show: times in the config's settings.timezone;
                                                  --json prints them as GET /api/keys does)
    RULES: --budget 20/month (USD; day, week, month, total, 5h, 14d ...; repeatable)
           --token-budget 2000000/day  --rpm 120  --tpm 400000  --team NAME
           --models 'anthropic/*,openai/gpt-5*'  --providers a,b  --mcp-servers a,b
           --mcp-tools 'files__*'  --content full|metadata|off
           --mcp-only (models: [], the key calls no model, MCP tools only)
           (--team: letters, digits, _ . : @ -; an empty --mcp-servers/--mcp-tools: none;
           an empty --models/--providers is refused)
           update only: --no-budgets --no-rate-limit --all-models --no-team`;

export const LOGS_TAIL_HELP = `  gatehouse logs tail [--follow] [--key K] [--limit N] [--data-dir DIR] [--config FILE]
                                                  the newest model calls (--follow: keep printing);
                                                  times in the config's settings.timezone; tokens
                                                  as spend counts them (INPUT: not from the cache)`;
export const SPEND_HELP = `  gatehouse spend [--by model|route|provider|key|team|session|project] [--period day|week|month]
                  [--key K] [--data-dir DIR] [--config FILE]
                                                  spend by group this day, week or month, and budgets;
                                                  INPUT is the input not read from or written to the
                                                  prompt cache (CACHE READ, CACHE WRITE count those)`;
export const CONFIG_HELP = `  gatehouse config export [--file F] [--data-dir DIR] [--config FILE]
                                                  the configuration as YAML (secrets as references)
  gatehouse config import FILE [--data-dir DIR] [--config FILE]
                                                  validate FILE, make it the data folder's config.yaml`;

export const LOGS_HELP = [LOGS_TAIL_HELP, SPEND_HELP, CONFIG_HELP].join("\n");

export const BENCH_HELP = `  gatehouse bench [--requests N] [--concurrency 1,8] [--max-seconds S] [--governance] [--json]
                                                  measure the gateway's overhead on this machine`;

export const HELP = `gatehouse ${VERSION}: one local gateway for every LLM provider and MCP server

Usage:
  gatehouse serve [--host 127.0.0.1] [--port 8787] [--data-dir DIR] [--config FILE]
${KEYS_HELP}
  gatehouse configure claude-code [--data-dir DIR] [--config FILE] [--host H] [--port N] [--key KEY]
                  [--no-mcp] [--revert]           point Claude Code (~/.claude) at the gateway serving
                                                  DIR (where it listens, else --config's server)
  gatehouse configure claude-code --url URL --key KEY [--no-mcp]
                                                  point Claude Code at a gateway elsewhere (a team's)
${LOGS_HELP}
  gatehouse mcp add NAME [--policy P] -- CMD ARGS... | mcp add NAME --url URL [--header 'K: V']...
  gatehouse mcp list | mcp remove NAME | mcp import claude-code|claude-desktop [--file PATH]
                                                  MCP servers kept in the data folder (gatehouse mcp --help)
  gatehouse status [--host H] [--port N]           the running gateway at a glance (exit 1 when degraded)
  gatehouse login-link [--host H] [--port N]       a fresh one-time login link of the running gateway
  gatehouse models PROVIDER [--refresh] [--all] [--json]
                                                  the models a provider offers, with prices (asked
                                                  by the running gateway; --all: non-chat ones too)
  gatehouse approvals [list | allow ID [--session|--always] | deny ID]
                                                  answer MCP approval requests of the running gateway
                                                  here (no argument: ask about each as it comes)
${BENCH_HELP}
  gatehouse --version

Errors are one line on stderr naming the command. Exit status: 0 done; 1 failed (no gateway
answers, a store or config error, no key or server of that name; status: also degraded); 2 a wrong
command line (an unknown command or flag, a bad flag value, a missing argument or command).

Environment: GATEHOUSE_DATA_DIR, GATEHOUSE_CONFIG, and provider keys (ANTHROPIC_API_KEY,
OPENAI_API_KEY, OPENAI_BASE_URL, GEMINI_API_KEY, AZURE_OPENAI_*, AWS_*, OLLAMA_HOST) when the
config names no providers. Docs: docs/configuration.md`;
