// Probe: the event loop's per-request path of a small JSON model call through the real `handleChat`
// (validation, routing, admission, dispatch, the provider's request, the answer's usage, writeHead,
// settle, the record handed on to the metrics and the log queue), without sockets: the request and
// response are stand-ins holding what handleChat reads and writes, and the transport answers at once
// with an Anthropic JSON answer. The HTTP server, node's http and undici are left out (the gateway-level
// bench, instructions.ts, counts them). KEY: bench (default key, no budgets), bench-gov (budgets, rate
// limit, content: full); MESSAGES=N for a longer conversation. Run through probe-count.sh (valgrind) for instructions per request, or
// probe-alloc.sh for bytes allocated per request (GC_BYTES=1: prints its scavenges).
import type { IncomingMessage, ServerResponse } from "node:http";
import { PerformanceObserver } from "node:perf_hooks";
import { parseConfig } from "../../gateway/src/config/load.js";
import { buildLlm } from "../../gateway/src/gateway-config.js";
import { Governance } from "../../gateway/src/governance/governance.js";
import { handleChat, type LlmDeps } from "../../gateway/src/llm/handle-chat.js";
import type { UpstreamRequest } from "../../gateway/src/llm/providers/provider.js";
import type { RequestRecord } from "../../gateway/src/llm/record.js";
import type { Transport, UpstreamResponse } from "../../gateway/src/llm/transport.js";
import { GatewayMetrics } from "../../gateway/src/metrics/gateway-metrics.js";
import { Pricing } from "../../gateway/src/pricing/cost.js";

const [keyName = "bench-gov", nArg = "1000"] = process.argv.slice(2);
const N = Number(nArg);
const LIMITS = {
  budgets: [
    { usd: 1_000_000, period: "day" },
    { tokens: 1_000_000_000_000, period: "month" },
    { usd: 1_000_000, per: "session" },
  ],
  rate_limit: { requests_per_minute: 100_000_000, tokens_per_minute: 1_000_000_000_000 },
};
const config = parseConfig({
  providers: { anth: { type: "anthropic", base_url: "http://127.0.0.1:9", api_key: "sk-mock" } },
  virtual_keys: [
    { name: "bench", key: "gk-bench-0000000000000000000000000000000000" },
    { name: "bench-gov", key: "gk-bench-gov-000000000000000000000000000000", ...LIMITS, content: "full" },
  ],
});
const { router } = buildLlm(config, {});
const governance = new Governance(config, new Pricing(config.providers, config.pricing), {
  spend: { enqueueSpend: () => {} },
});
const metrics = new GatewayMetrics({
  version: "x",
  startedAt: 0,
  logQueue: () => 0,
  logShed: () => ({ rows: 0, content: 0 }),
});
const queued: RequestRecord[] = [];

const ANSWER = Buffer.from(
  JSON.stringify({
    id: "msg_01XFDUDYJgAACzvnptvVoYEL",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content: [{ type: "text", text: "Hello! How can I help you today?" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: {
      input_tokens: 20,
      output_tokens: 12,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  }),
);

/** An upstream body that gives its one chunk and ends once readAll listens (a microtask later). */
class AnswerBody {
  private onData?: (c: Buffer) => void;
  private onEnd?: () => void;
  private scheduled = false;
  on(ev: string, fn: (c: Buffer) => void): this {
    if (ev === "data") this.onData = fn;
    else if (ev === "end") this.onEnd = fn as () => void;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.onData?.(ANSWER);
        this.onEnd?.();
      });
    }
    return this;
  }
}

let sent = 0;
const transport = {
  async send(req: UpstreamRequest): Promise<UpstreamResponse> {
    sent += typeof req.body === "string" ? req.body.length : (req.body?.length ?? 0);
    return {
      status: 200,
      headers: {
        "content-type": "application/json",
        "request-id": "req_011CSHoEeqs5C35K2UUqR7Fy",
        "anthropic-organization-id": "0000",
        date: "Sat, 28 Nov 2026 10:00:00 GMT",
        "content-length": String(ANSWER.length),
      },
      body: new AnswerBody() as unknown as UpstreamResponse["body"],
    };
  },
} as unknown as Transport;

const deps: LlmDeps = {
  router,
  transport,
  settings: config.settings,
  instanceId: "0b6f3c1e-4c8a-4d0e-9a53-2f7f1c9d8e11",
  governance,
  onRecord: (rec) => {
    if (governance.contentMode(rec.keyName) !== "off") queued.push(rec);
    metrics.observeRequest(rec);
  },
  injectTools: () => undefined,
};

/** The response: what handleChat calls on it; 'close' comes after the answer, as from node. */
class Res {
  statusCode = 0;
  headers: unknown;
  writableFinished = false;
  writableEnded = false;
  private onClose?: () => void;
  on(ev: string, fn: () => void): this {
    if (ev === "close") this.onClose = fn;
    return this;
  }
  writeHead(status: number, headers: unknown): this {
    this.statusCode = status;
    this.headers = headers;
    return this;
  }
  end(body: unknown): this {
    sent += body ? 1 : 0;
    this.writableFinished = this.writableEnded = true;
    return this;
  }
  close(): void {
    this.onClose?.();
  }
}

const req = {
  headers: {
    host: "127.0.0.1:8787",
    "content-type": "application/json",
    "x-api-key": `gk-${keyName}`,
    "anthropic-version": "2023-06-01",
    "user-agent": "claude-cli/2.0.0 (external, cli)",
    accept: "application/json",
    "content-length": "160",
  },
} as unknown as IncomingMessage;
const key = { id: `config:${keyName}`, name: keyName, source: "config" as const };
// MESSAGES=N: a conversation of N messages (assistant turns as text and tool_use blocks) instead of one.
const turns = Number(process.env.MESSAGES ?? "1");
const messages: unknown[] = [];
for (let i = 0; i < turns - 1; i++) {
  messages.push(
    i % 2 === 0
      ? { role: "user", content: [{ type: "text", text: `Step ${i}: go on.` }] }
      : {
          role: "assistant",
          content: [
            { type: "text", text: `Done step ${i}.` },
            { type: "tool_use", id: `toolu_${i}`, name: "Read", input: { file_path: `/src/f${i}.ts` } },
          ],
        },
  );
}
messages.push({ role: "user", content: "Say hello in one short sentence." });
const raw = Buffer.from(
  JSON.stringify({
    model: "claude-sonnet-4-5",
    max_tokens: 256,
    system: "You are a helpful assistant.",
    messages,
  }),
);

let scavenges = 0;
if (process.env.GC_BYTES) {
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === 1) scavenges++;
  }).observe({ entryTypes: ["gc"] });
}

for (let i = 0; i < N; i++) {
  const res = new Res();
  await handleChat(deps, "anthropic", req, res as unknown as ServerResponse, key, raw);
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  res.close();
  if (queued.length >= 64) queued.length = 0;
}
if (process.env.GC_BYTES) {
  await new Promise((r) => setTimeout(r, 50));
  console.log(`${N} requests: ${scavenges} scavenges`);
}
if (sent < 0) console.log(sent);
