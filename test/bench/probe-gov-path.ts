// Probe: the event loop's per-request governance path without HTTP: the skeleton scan, routing,
// admission, settle (pricing, charge), the metrics update, and the record enqueued to the log writer.
// The bench's keys (test/bench/scenario.ts): bench (the default key), bench-gov, bench-nogov. PART: all, or
// skel (the skeleton scan alone), id (newRecordId alone). Run through probe-count.sh (valgrind); prints nothing itself.
import { parseConfig } from "../../gateway/src/config/load.js";
import { buildLlm } from "../../gateway/src/gateway-config.js";
import { Governance } from "../../gateway/src/governance/governance.js";
import { ChatBody } from "../../gateway/src/llm/chat-body.js";
import { newRecordId, type RequestRecord } from "../../gateway/src/llm/record.js";
import { GatewayMetrics } from "../../gateway/src/metrics/gateway-metrics.js";
import { Pricing } from "../../gateway/src/pricing/cost.js";

const [keyName = "bench-gov", part = "all", nArg = "1000"] = process.argv.slice(2);
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
    { name: "bench-nogov", key: "gk-bench-nogov-00000000000000000000000000000", content: "off" },
  ],
});
const { router } = buildLlm(config, {});
const queued: RequestRecord[] = [];
const governance = new Governance(config, new Pricing(config.providers, config.pricing), {
  spend: { enqueueSpend: () => {} },
});
const metrics = new GatewayMetrics({
  version: "x",
  startedAt: 0,
  logQueue: () => 0,
  logShed: () => ({ rows: 0, content: 0 }),
});
const key = { id: `config:${keyName}`, name: keyName, source: "config" as const };
const raw = Buffer.from(
  JSON.stringify({
    model: "claude-sonnet-4-5",
    max_tokens: 256,
    system: "You are a helpful assistant.",
    messages: [{ role: "user", content: "Say hello in one short sentence." }],
  }),
);
let sink = 0;
for (let i = 0; i < N; i++) {
  if (part === "id") {
    sink += newRecordId(Date.now()).length;
    continue;
  }
  const body = ChatBody.read(raw);
  const client = body.skeleton;
  if (part === "skel") {
    sink += client ? 1 : 0;
    continue;
  }
  const clientModel = client.model as string;
  const startedAt = Date.now();
  const rec: RequestRecord = {
    id: newRecordId(startedAt),
    startedAt,
    surface: "anthropic",
    endpoint: "messages",
    keyId: key.id,
    keyName: key.name,
    sessionId: undefined,
    project: undefined,
    meta: {},
    userAgent: undefined,
    requestedModel: clientModel,
    route: undefined,
    provider: undefined,
    fallbacks: [],
    attempts: 0,
    stream: false,
    status: 0,
    error: undefined,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    costUsd: 0,
    costSource: "unknown",
    latencyMs: 0,
    ttfbMs: undefined,
  };
  const plan = router.resolve(clientModel, "anthropic", undefined)!;
  const adm = governance.admit({
    key,
    requestedModel: clientModel,
    targets: plan.targets,
    sessionId: undefined,
    project: undefined,
    kind: "chat",
    estimate: { bytes: raw.length, maxTokens: client.max_tokens },
  });
  if (!adm.ok) throw new Error("refused");
  const t = adm.targets[0]!;
  rec.route = t.route;
  rec.provider = t.provider.name;
  rec.attempts = 1;
  rec.usage = {
    inputTokens: 20,
    outputTokens: 50,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
  rec.status = 200;
  rec.latencyMs = 3.25;
  rec.ttfbMs = 3.2;
  governance.settle(adm.ticket, rec);
  governance.release(adm.ticket);
  metrics.observeRequest(rec);
  if (governance.contentMode(rec.keyName) !== "off") queued.push(rec);
  if (queued.length >= 64) queued.length = 0;
  sink += rec.costUsd > 0 ? 1 : 0;
}
if (sink < 0) console.log(sink);
