// The tool-context benchmark: what tools/list costs a key in each tool-list mode (full, compact,
// search) on real MCP servers from npm, and whether search mode finds the right tool.
//
//   node --import tsx test/bench/tool-context.ts              # markdown report on stdout
//   node --import tsx test/bench/tool-context.ts --json out.json --dump DIR
//
// Servers: everything, filesystem, memory, sequential-thinking and @playwright/mcp (listing its
// tools needs no browser), behind one gateway. One key per (mode, server) limited to that server
// with `mcp_servers`, and one per mode for all five; every list comes from /mcp over the SDK.
// Tokens: the JSON of each tool as Claude Code sends it to the model ({name: "mcp__gatehouse__"
// + name, description, input_schema}), counted as UTF-8 bytes / 4 (see docs/benchmarks.md).
// Accuracy: each query goes through gatehouse__search_tools (limit 5) of the all-servers search key.
// Times (search call, a plain echo call for scale, ranking alone) are printed, never asserted.
// --dump writes each list's model view (DIR/<mode>-<server>.json) for other tokenizers.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { rank } from "../../gateway/src/mcp/lean/rank.js";
import { startGateway } from "../helpers/gateway.js";
import { connectClient, ROOT, textOf, waitReady } from "../helpers/mcp.js";

const { values: opts } = parseArgs({
  options: { json: { type: "string" }, dump: { type: "string" } },
});

const SERVERS = ["everything", "filesystem", "memory", "sequential-thinking", "playwright"] as const;
type ServerId = (typeof SERVERS)[number];
const MODES = ["full", "compact", "search"] as const;
type Mode = (typeof MODES)[number];
const bin = (name: string) => `${ROOT}node_modules/.bin/${name}`;

/** A natural request and the tools that would answer it (any of them counts as a hit). */
const QUERIES: Array<[string, string[]]> = [
  ["read a file", ["filesystem__read_text_file", "filesystem__read_file"]],
  ["show me what is inside config.yaml", ["filesystem__read_text_file", "filesystem__read_file"]],
  ["create a directory", ["filesystem__create_directory"]],
  ["make a new folder for the build output", ["filesystem__create_directory"]],
  ["list the files in a folder", ["filesystem__list_directory", "filesystem__list_directory_with_sizes"]],
  ["write some text to a new file", ["filesystem__write_file"]],
  ["replace a line in a source file", ["filesystem__edit_file"]],
  ["rename a file", ["filesystem__move_file"]],
  ["find all files matching *.ts", ["filesystem__search_files"]],
  ["how big is each file in this directory", ["filesystem__list_directory_with_sizes"]],
  ["when was this file last modified", ["filesystem__get_file_info"]],
  ["show the folder structure as a tree", ["filesystem__directory_tree"]],
  ["read several files at once", ["filesystem__read_multiple_files"]],
  ["which directories am I allowed to access", ["filesystem__list_allowed_directories"]],
  ["look at a png image file", ["filesystem__read_media_file"]],
  ["store a memory about a person", ["memory__create_entities", "memory__add_observations"]],
  ["remember that Alice prefers tabs over spaces", ["memory__add_observations", "memory__create_entities"]],
  ["link two entities with a relation", ["memory__create_relations"]],
  ["search my saved memories", ["memory__search_nodes", "memory__read_graph", "memory__open_nodes"]],
  ["forget everything about a person", ["memory__delete_entities"]],
  ["remove an observation from an entity", ["memory__delete_observations"]],
  ["show the whole knowledge graph", ["memory__read_graph"]],
  ["look up specific entities by name", ["memory__open_nodes"]],
  ["delete the relationship between two people", ["memory__delete_relations"]],
  ["think step by step", ["sequential-thinking__sequentialthinking"]],
  ["break a hard problem down into a sequence of thoughts", ["sequential-thinking__sequentialthinking"]],
  ["revise an earlier thought", ["sequential-thinking__sequentialthinking"]],
  ["take a screenshot of the page", ["playwright__browser_take_screenshot"]],
  ["go to https://example.com", ["playwright__browser_navigate"]],
  ["open a web page", ["playwright__browser_navigate"]],
  ["click a button on the page", ["playwright__browser_click"]],
  ["type text into an input field", ["playwright__browser_type", "playwright__browser_fill_form"]],
  ["fill in a login form", ["playwright__browser_fill_form"]],
  ["go back to the previous page", ["playwright__browser_navigate_back"]],
  ["see the console errors of the page", ["playwright__browser_console_messages"]],
  ["list the network requests the page made", ["playwright__browser_network_requests"]],
  ["run javascript in the page", ["playwright__browser_evaluate", "playwright__browser_run_code_unsafe"]],
  ["press the Enter key", ["playwright__browser_press_key"]],
  ["upload a file to the website", ["playwright__browser_file_upload"]],
  ["wait until some text appears", ["playwright__browser_wait_for"]],
  ["pick an option from a dropdown", ["playwright__browser_select_option"]],
  ["get the accessibility tree of the page", ["playwright__browser_snapshot"]],
  ["open a new browser tab", ["playwright__browser_tabs"]],
  ["close the browser", ["playwright__browser_close"]],
  ["resize the browser window", ["playwright__browser_resize"]],
  ["accept an alert dialog", ["playwright__browser_handle_dialog"]],
  ["hover the mouse over a menu", ["playwright__browser_hover"]],
  ["drag an element onto another one", ["playwright__browser_drag"]],
  ["switch the page to dark mode", ["playwright__browser_emulate_media"]],
  ["echo a message back", ["everything__echo"]],
  ["add two numbers", ["everything__get-sum"]],
  ["print the environment variables", ["everything__get-env"]],
  ["compress a file with gzip", ["everything__gzip-file-as-resource"]],
  ["get a small test image", ["everything__get-tiny-image"]],
  ["start a long running operation that reports progress", ["everything__trigger-long-running-operation"]],
  ["turn on simulated logging", ["everything__toggle-simulated-logging"]],
];

/** The model's view of a tool list, as Claude Code sends it. */
function modelView(tools: Tool[]): Array<Record<string, unknown>> {
  return tools.map((t) => ({
    name: `mcp__gatehouse__${t.name}`,
    ...(t.description ? { description: t.description } : {}),
    input_schema: t.inputSchema,
  }));
}

const bytesOf = (v: unknown) => Buffer.byteLength(JSON.stringify(v), "utf8");
const tokensOf = (bytes: number) => Math.round(bytes / 4);
const fmt = (n: number) => n.toLocaleString("en-US");
const pct = (a: number, b: number) => `−${(100 * (1 - a / b)).toFixed(1)}%`;

interface ListFigure {
  tools: number;
  bytes: number;
  tokens: number;
}

interface Measured {
  figures: Map<string, ListFigure>;
  scopes: string[];
  top1: number;
  top5: number;
  misses: string[];
  answerBytes: number;
  callMs: number[];
  echoMs: number[];
  catalogue: Tool[];
}

/** Lists and searches through a gateway in front of the five servers. */
async function measure(): Promise<Measured> {
  const scratch = mkdtempSync(join(tmpdir(), "gh-tool-context-"));
  mkdirSync(join(scratch, "root"));
  const scopes: Array<ServerId | "all"> = [...SERVERS, "all"];
  const keys = MODES.flatMap((mode) =>
    scopes.map((scope) => ({
      name: `${mode}-${scope}`,
      key: `gk-bench-${mode}-${scope}-${"0".repeat(24)}`,
      tool_mode: mode,
      ...(scope === "all" ? {} : { mcp_servers: [scope] }),
    })),
  );
  const gw = await startGateway({
    virtual_keys: keys,
    mcp_servers: {
      everything: { command: bin("mcp-server-everything"), args: ["stdio"] },
      filesystem: { command: bin("mcp-server-filesystem"), args: [join(scratch, "root")] },
      memory: { command: bin("mcp-server-memory"), env: { MEMORY_FILE_PATH: join(scratch, "memory.jsonl") } },
      "sequential-thinking": { command: bin("mcp-server-sequential-thinking") },
      playwright: { command: bin("playwright-mcp"), args: ["--headless", "--isolated"] },
    },
    mcp: { connect_timeout_ms: 60_000 },
  });
  try {
    await waitReady(gw.gateway, [...SERVERS], 90_000);
    const figures = new Map<string, ListFigure>();
    const keyOf = (mode: Mode, scope: string) => keys.find((k) => k.name === `${mode}-${scope}`)!.key;
    if (opts.dump) mkdirSync(opts.dump, { recursive: true });
    for (const mode of MODES) {
      for (const scope of scopes) {
        const c = await connectClient(gw.url, keyOf(mode, scope));
        const { tools } = await c.client.listTools();
        await c.close();
        const view = modelView(tools);
        const bytes = bytesOf(view);
        figures.set(`${mode}-${scope}`, { tools: tools.length, bytes, tokens: tokensOf(bytes) });
        if (opts.dump) writeFileSync(join(opts.dump, `${mode}-${scope}.json`), JSON.stringify(view));
      }
    }

    // Search accuracy, through the gateway.
    const searcher = await connectClient(gw.url, keyOf("search", "all"));
    const misses: string[] = [];
    let top1 = 0;
    let top5 = 0;
    let answerBytes = 0;
    const callMs: number[] = [];
    for (const [query, want] of QUERIES) {
      const t0 = performance.now();
      const r = await searcher.client.callTool({ name: "gatehouse__search_tools", arguments: { query } });
      callMs.push(performance.now() - t0);
      const text = textOf(r);
      answerBytes += Buffer.byteLength(text, "utf8");
      const names = text
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => (JSON.parse(l) as { name: string }).name);
      if (want.includes(names[0] ?? "")) top1++;
      const at = names.findIndex((n) => want.includes(n));
      if (at >= 0) top5++;
      if (at !== 0)
        misses.push(`"${query}" → ${names.slice(0, 3).join(", ") || "nothing"} (want ${want[0]})`);
    }
    // For scale: a plain tools/call through the same session, measured the same way.
    const echoMs: number[] = [];
    for (let i = 0; i < QUERIES.length; i++) {
      const t0 = performance.now();
      await searcher.client.callTool({ name: "everything__echo", arguments: { message: "x" } });
      echoMs.push(performance.now() - t0);
    }
    await searcher.close();

    const full = await connectClient(gw.url, keyOf("full", "all"));
    const catalogue = (await full.client.listTools()).tools;
    await full.close();
    return { figures, scopes, top1, top5, misses, answerBytes, callMs, echoMs, catalogue };
  } finally {
    await gw.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Ranking time per query in process over the same catalogue (µs, median of 101 rounds), servers stopped. */
function rankingTime(catalogue: Tool[]): number {
  const candidates = catalogue.map((t) => ({ server: t.name.split("__")[0]!, name: t.name, tool: t }));
  const rounds: number[] = [];
  for (let i = 0; i < 101; i++) {
    const t0 = performance.now();
    for (const [q] of QUERIES) rank(candidates, q, 5);
    rounds.push(((performance.now() - t0) * 1000) / QUERIES.length);
  }
  return rounds.sort((a, b) => a - b)[50]!; // the first round also builds the per-tool index
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;

async function main(): Promise<void> {
  const m = await measure();
  const out = report(m, rankingTime(m.catalogue));
  process.stdout.write(out.markdown);
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify(out.data, null, 2)}\n`);
}

function report(acc: Measured, usPerQuery: number) {
  const { figures, scopes } = acc;
  const lines: string[] = [];
  const fig = (mode: Mode, scope: string) => figures.get(`${mode}-${scope}`)!;
  lines.push(
    `Tool context per key (tokens ≈ UTF-8 bytes / 4 of the model view; Node ${process.version}):`,
    "",
    "| servers | tools | full (B / ~tok) | compact (B / ~tok) | vs full | search (B / ~tok) | vs full |",
    "|---|---:|---:|---:|---:|---:|---:|",
  );
  for (const scope of scopes) {
    const f = fig("full", scope);
    const c = fig("compact", scope);
    const s = fig("search", scope);
    const label = scope === "all" ? "**all five**" : scope;
    lines.push(
      `| ${label} | ${f.tools} | ${fmt(f.bytes)} / ${fmt(f.tokens)} | ${fmt(c.bytes)} / ${fmt(c.tokens)} | ${pct(c.bytes, f.bytes)} | ${fmt(s.bytes)} / ${fmt(s.tokens)} (${s.tools} meta tools) | ${pct(s.bytes, f.bytes)} |`,
    );
  }
  const n = QUERIES.length;
  const all = { full: fig("full", "all"), search: fig("search", "all") };
  const saving = 1 - all.search.bytes / all.full.bytes;
  const hit5 = acc.top5 / n;
  const answerTokens = tokensOf(acc.answerBytes / n);
  lines.push(
    "",
    `Search mode, ${n} natural queries over the ${acc.catalogue.length} tools of the five servers (gatehouse__search_tools, limit 5):`,
    "",
    "| top-1 | top-5 | answer size (mean, top 5) | search call through /mcp (p50) | everything__echo call, same session (p50) | ranking alone (in process) |",
    "|---:|---:|---:|---:|---:|---:|",
    `| ${acc.top1}/${n} (${((100 * acc.top1) / n).toFixed(1)}%) | ${acc.top5}/${n} (${(100 * hit5).toFixed(1)}%) | ~${fmt(answerTokens)} tok | ${median(acc.callMs).toFixed(1)} ms | ${median(acc.echoMs).toFixed(1)} ms | ${usPerQuery.toFixed(0)} µs |`,
    "",
    `Aims: search lists ≥90% fewer tokens than full on five servers: ${(100 * saving).toFixed(1)}% ${saving >= 0.9 ? "✔" : "✘"}; ` +
      `right tool in the top 5 for ≥95% of queries: ${(100 * hit5).toFixed(1)}% ${hit5 >= 0.95 ? "✔" : "✘"}`,
    "",
  );
  if (acc.misses.length > 0) {
    lines.push("Queries whose expected tool was not first:", "");
    for (const m of acc.misses) lines.push(`- ${m}`);
    lines.push("");
  }
  return {
    markdown: `${lines.join("\n")}\n`,
    data: {
      node: process.version,
      lists: Object.fromEntries(figures),
      queries: n,
      top1: acc.top1,
      top5: acc.top5,
      misses: acc.misses,
      meanAnswerTokens: answerTokens,
      searchCallP50Ms: median(acc.callMs),
      echoCallP50Ms: median(acc.echoMs),
      rankingUsPerQuery: usPerQuery,
    },
  };
}

await main();
