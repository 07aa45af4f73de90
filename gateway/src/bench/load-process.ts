import { type LoadResult, type LoadSpec, runLoad } from "./load.js";
import { startBenchMock } from "./mock.js";

/**
 * The other side of `gatehouse bench` (load-child.ts starts it with fork): the mini mock provider
 * and the load driver, in a process of their own, so that the process being measured holds only
 * the gateway (or the floor) and its CPU is read directly, as a real deployment's would be, and so
 * that the client's and the mock's work never queues on the gateway's event loop.
 *
 * Messages in: { id, op: "load", spec } and { id, op: "hits" }. Out: { ready: url } once, then
 * { id, result } or { id, hits } or { id, error }. It ends when the parent disconnects.
 */

export type LoadRequest =
  | { id: number; op: "load"; spec: Omit<LoadSpec, "body"> & { body: Uint8Array } }
  | { id: number; op: "hits" };

export type LoadReply =
  | { ready: string }
  | { id: number; result: LoadResult }
  | { id: number; hits: number }
  | { id: number; error: string };

function isRequest(m: unknown): m is LoadRequest {
  if (typeof m !== "object" || m === null) return false;
  const r = m as { id?: unknown; op?: unknown; spec?: unknown };
  return typeof r.id === "number" && (r.op === "hits" || (r.op === "load" && typeof r.spec === "object"));
}

async function serve(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error("load-process.ts runs as gatehouse bench's child only");
  const events = Number(process.argv[2] ?? 20);
  const mock = await startBenchMock(Number.isFinite(events) ? events : 20);
  process.on("message", (m: unknown) => {
    if (!isRequest(m)) return;
    if (m.op === "hits") {
      send({ id: m.id, hits: mock.hits } satisfies LoadReply);
      return;
    }
    runLoad({ ...m.spec, body: Buffer.from(m.spec.body) }).then(
      (result) => send({ id: m.id, result } satisfies LoadReply),
      (e: unknown) =>
        send({ id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies LoadReply),
    );
  });
  process.once("disconnect", () => {
    void mock.close().finally(() => process.exit(0));
  });
  send({ ready: mock.url } satisfies LoadReply);
}

serve().catch((e: unknown) => {
  process.stderr.write(`gatehouse bench load process: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
