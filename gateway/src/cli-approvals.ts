import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parseArgs } from "node:util";
import type { ApprovalAnswerValue, ApprovalEvent, ApprovalView } from "./admin/contract-mcp.js";
import { type AdminClient, adminClientFor, CliFailure } from "./cli-admin-client.js";
import { lineReader, pause } from "./cli-line-reader.js";
import {
  argsErrorText,
  CliUsageError,
  exitCodeOf,
  terminalSafe,
  unexpectedArgumentText,
} from "./cli-text.js";
import { SseParser } from "./llm/translate/sse.js";
import { displayText } from "./mcp/approval-display.js";

/**
 * `gatehouse approvals`: the terminal's answer to MCP approval requests of a running gateway, for
 * headless use (the desktop app shows a native dialog instead). It talks to the gateway's admin API
 * with the admin token from the data folder: watch mode follows /api/events and asks about each
 * request as it comes; `list`, `allow ID` and `deny ID` answer one at a time (scripts, other shells).
 */

export const APPROVALS_USAGE = `Usage:
  gatehouse approvals [--host H] [--port N] [--data-dir DIR] [--config FILE]
                                                  ask here about each approval request as it comes:
                                                  [o]nce, this [s]ession, [a]lways or [d]eny
  gatehouse approvals list                          the requests waiting for an answer
  gatehouse approvals allow ID [--session|--always] | approvals deny ID

The gateway must be running (gatehouse serve) with the same data folder: its admin token is read
from there. Unanswered requests are denied when mcp.approval_timeout_ms runs out.`;

const options = {
  "data-dir": { type: "string" },
  config: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  session: { type: "boolean" },
  always: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export interface ApprovalsIo {
  out(text: string): void;
  err(text: string): void;
  input: Readable;
}

/** Text the gateway or a client gave that is not in the request's display form, made display-safe. */
const safe = (s: string | null, limit = 400): string => (s === null ? "-" : displayText(s, limit).text);

/**
 * A request as a person reads it before answering: the request's display-safe form (`display`,
 * mcp/approval-display.ts, as the app and every UI show it), so what the prompt shows is what will
 * run, hidden and control characters as visible markers (`⟨U+202E⟩`), long texts cut and said so.
 */
export function describeRequest(r: ApprovalView, now = Date.now()): string {
  const d = r.display;
  const args = d.arguments.cut
    ? `${d.arguments.text}\n(cut: ${d.arguments.length.toLocaleString("en-US")} characters in all)`
    : d.arguments.text;
  const left = Math.max(0, Math.round((Date.parse(r.expiresAt) - now) / 1000));
  return [
    `Approval requested: ${d.exposedName.text} (server ${safe(r.server)})`,
    `  key: ${safe(r.keyName)}   session: ${safe(r.sessionId)}   denied in ${left} s without an answer`,
    `  why: ${safe(r.reason)}`,
    `  arguments: ${args.split("\n").join("\n  ")}`,
  ].join("\n");
}

const ANSWERS: Record<string, ApprovalAnswerValue> = {
  o: "allow_once",
  once: "allow_once",
  s: "allow_session",
  session: "allow_session",
  a: "always",
  always: "always",
  d: "deny",
  deny: "deny",
};

/** Follows the gateway's event stream and asks about each request, one at a time, in arrival order. */
async function watch(client: AdminClient, io: ApprovalsIo): Promise<number> {
  const queue: ApprovalView[] = [];
  let asking: { id: string; cancel: (why: string) => void } | undefined;
  const lines = createInterface({ input: io.input, terminal: false });
  const nextLine = lineReader(lines);

  const events = new AbortController();
  let wake: (() => void) | undefined;
  const onEvent = (e: ApprovalEvent) => {
    if (e.type === "requested" && !queue.some((q) => q.id === e.request.id)) queue.push(e.request);
    else if (e.type === "decided") {
      // Answered elsewhere: not asked about any more, or no longer on screen.
      const i = queue.findIndex((q) => q.id === e.request.id);
      if (i >= 0) queue.splice(i, 1);
      // A request the gateway withdrew says why (its server went away, its tool changed, ...).
      const reason = e.decision?.answer === "cancelled" ? e.decision.reason : null;
      if (asking?.id === e.request.id)
        asking.cancel(
          reason
            ? `withdrawn: ${safe(reason, 1000)}; the tool did not run`
            : `answered elsewhere: ${e.decision?.answer ?? "?"} by ${terminalSafe(e.decision?.decidedBy ?? "?")}`,
        );
    }
    wake?.();
  };
  /** Subscribes, then catches up with what is waiting (a request made in between comes twice: kept once). */
  const subscribe = async (): Promise<Response> => {
    const res = await client.fetch("/api/events?types=approval", { signal: events.signal });
    if (!res.ok || !res.body) throw new CliFailure(`GET /api/events: ${res.status}`);
    // What waits now is the truth: requests of a gateway that restarted are gone.
    const waiting = await client.pending();
    const kept = queue.filter((q) => waiting.some((r) => r.id === q.id));
    queue.splice(0, queue.length, ...kept, ...waiting.filter((r) => !kept.some((q) => q.id === r.id)));
    wake?.();
    return res;
  };
  let res = await subscribe();
  io.out(`Watching ${client.base} for approval requests (Ctrl-C or end of input stops).\n`);

  // The stream ends when the gateway stops or restarts: say so, and follow it again once it is back.
  const follow = (async () => {
    for (;;) {
      const parser = new SseParser();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
          for (const ev of parser.push(Buffer.from(chunk)))
            if (ev.event === "approval") onEvent(JSON.parse(ev.data) as ApprovalEvent);
      } catch {
        // the connection broke: as if the stream ended
      }
      if (events.signal.aborted) return;
      io.out(`\nLost the gateway at ${client.base}; waiting for it to come back…\n`);
      for (let wait = 250; ; wait = Math.min(5000, wait * 2)) {
        await pause(wait, events.signal);
        if (events.signal.aborted) return;
        try {
          res = await subscribe();
          break;
        } catch {
          // not back yet
        }
      }
      io.out(`Watching ${client.base} again.\n`);
    }
  })();

  try {
    for (;;) {
      const next = queue.shift();
      if (!next) {
        const closed = await Promise.race([
          new Promise<false>((r) => (wake = () => r(false))),
          nextLine.closed,
        ]);
        if (closed) return 0;
        continue;
      }
      if (Date.parse(next.expiresAt) <= Date.now()) continue;
      nextLine.forget();
      io.out(`\n${describeRequest(next)}\n`);
      for (;;) {
        io.out("Allow? [o]nce, this [s]ession, [a]lways, [d]eny: ");
        const got = await new Promise<string | undefined | { cancelled: string }>((resolve) => {
          asking = { id: next.id, cancel: (why) => resolve({ cancelled: why }) };
          nextLine.read().then(resolve);
        });
        asking = undefined;
        if (got === undefined) return 0; // end of input
        nextLine.forget();
        if (typeof got === "object") {
          io.out(`\n  ${got.cancelled}\n`);
          break;
        }
        const answer = ANSWERS[got.trim().toLowerCase()];
        if (!answer) continue;
        const taken = await client.answer(next.id, answer).catch((e: unknown) => (e as Error).message);
        io.out(
          taken === true
            ? `  ${answer}\n`
            : taken === false
              ? "  no longer waiting (answered elsewhere, withdrawn or timed out)\n"
              : `  not sent: ${taken}\n`,
        );
        break;
      }
    }
  } finally {
    events.abort();
    lines.close();
    await follow;
  }
}

export async function approvalsMain(
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: ApprovalsIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    input: process.stdin,
  },
): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (e) {
    io.err(`gatehouse approvals: ${argsErrorText(e, "gatehouse approvals", options)}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(`${APPROVALS_USAGE}\n`);
    return 0;
  }
  const [command, id] = positionals;
  // A wrong command line is said before the gateway is looked for: status 2, what to fix.
  const wrong =
    approvalsUsageError(positionals) ??
    (values.session && values.always ? "--session or --always, not both" : undefined);
  if (wrong) {
    io.err(`gatehouse approvals: ${wrong}\n`);
    return 2;
  }
  try {
    const client = await adminClientFor(values, env);
    if (command === undefined) return await watch(client, io);
    if (command === "list" || id === undefined) {
      const pending = await client.pending();
      if (pending.length === 0) io.out("No approval requests are waiting.\n");
      for (const r of pending) io.out(`${r.id}\n${describeRequest(r)}\n\n`);
      return 0;
    }
    const answer: ApprovalAnswerValue =
      command === "deny"
        ? "deny"
        : values.always
          ? "always"
          : values.session
            ? "allow_session"
            : "allow_once";
    if (!(await client.answer(id, answer))) {
      io.err(`gatehouse approvals: no request ${id} is waiting (answered, withdrawn or timed out)\n`);
      return 1;
    }
    io.out(`${answer}: ${id}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof CliFailure || e instanceof CliUsageError)) throw e;
    io.err(`gatehouse approvals: ${e.message}\n`);
    return exitCodeOf(e);
  }
}

/** What is wrong with `gatehouse approvals [list | allow ID | deny ID]`'s arguments, or undefined. */
function approvalsUsageError(positionals: string[]): string | undefined {
  const [command, id] = positionals;
  if (command === undefined) return undefined;
  if (command !== "list" && command !== "allow" && command !== "deny")
    return `unknown command ${JSON.stringify(command)}; see gatehouse approvals --help`;
  if (command !== "list" && id === undefined)
    return `ID is missing: gatehouse approvals ${command} ID (the waiting ids: gatehouse approvals list)`;
  const extra = positionals[command === "list" ? 1 : 2];
  return extra === undefined ? undefined : unexpectedArgumentText(extra, "gatehouse approvals");
}
