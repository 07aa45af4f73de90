// Logging a Claude Code session with `content: full`: every request resends the whole conversation,
// which grows by a tool call and its result (~1.2 KB) per request. The recorded Claude Code request
// (../shared/fixtures/claude-code/) is the start. Each request is converted and stored on this
// thread (as the log thread does it), so the CPU measured is the log's work per request.
// Reports CPU per request (all, and the last tenth), the database size, and whether the last
// prompt reads back whole. Run by test/bench/log-rows.ts; never used as a test.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestRecord } from "../../gateway/src/llm/record.js";
import { promptJson } from "../../gateway/src/store/content.js";
import { toLogBatch } from "../../gateway/src/store/record-sink.js";
import { openSqlite } from "../../gateway/src/store/sqlite.js";
import { SqliteLogStore } from "../../gateway/src/store/sqlite-logs.js";
import { ccFixture } from "../helpers/fixtures.js";
import { requestRecord } from "../helpers/log-rows.js";

const FIXTURE = ccFixture("tool-loop.2-with-tool-result.json");

export interface SessionResult {
  requests: number;
  lastBodyKiB: number;
  cpuUsPerRequest: number;
  cpuUsLastTenth: number;
  databaseMiB: number;
  readsBackWhole: boolean;
}

function record(i: number, body: Buffer): RequestRecord {
  return requestRecord({
    id: `session-${String(i).padStart(6, "0")}`,
    keyId: "config:bench",
    keyName: "bench",
    content: {
      surface: "anthropic",
      stream: false,
      truncated: false,
      request: body,
      response: [Buffer.from('{"content":[{"type":"text","text":"Reading the next file."}]}')],
    },
  });
}

export async function sessionLogging(requests: number): Promise<SessionResult> {
  const start = JSON.parse(readFileSync(FIXTURE, "utf8")) as { body: { messages: unknown[] } };
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-logsession-"));
  const db = openSqlite(dir);
  const store = new SqliteLogStore(db);
  const line = "const total = items.reduce((sum, item) => sum + item.price, 0); // a line of code\n";
  const messages = [...start.body.messages];
  const cpu: number[] = [];
  let last: Record<string, unknown> = {};
  try {
    for (let i = 0; i < requests; i++) {
      const id = `toolu_${String(i).padStart(4, "0")}`;
      messages.push({
        role: "assistant",
        content: [{ type: "tool_use", id, name: "Read", input: { file_path: `/src/f${i}.ts` } }],
      });
      messages.push({
        role: "user",
        content: [{ type: "tool_result", tool_use_id: id, content: `${line.repeat(14)}// file ${i}` }],
      });
      last = { ...start.body, messages };
      const body = Buffer.from(JSON.stringify(last));
      const c0 = process.cpuUsage();
      await store.writeBatch(
        toLogBatch({ requests: [record(i, body)], toolCalls: [], spend: [] }, store.partMemo),
      );
      const c = process.cpuUsage(c0);
      cpu.push(c.user + c.system);
    }
    const lastRow = await store.getRequest(`session-${String(requests - 1).padStart(6, "0")}`);
    db.pragma("wal_checkpoint(TRUNCATE)");
    const tenth = cpu.slice(-Math.max(1, Math.floor(requests / 10)));
    return {
      requests,
      lastBodyKiB: Buffer.byteLength(JSON.stringify(last)) / 1024,
      cpuUsPerRequest: cpu.reduce((a, b) => a + b, 0) / requests,
      cpuUsLastTenth: tenth.reduce((a, b) => a + b, 0) / tenth.length,
      databaseMiB: statSync(join(dir, "gatehouse.db")).size / 1024 / 1024,
      readsBackWhole: lastRow?.requestBody === promptJson(last),
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
