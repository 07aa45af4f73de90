// The floor of an MCP HTTP -> stdio hop in Node, for the MCP benchmark (test/bench/mcp.ts): raw
// node:http in front of one stdio server, no SDK, no sessions beyond an id, no checks. Each POSTed
// JSON-RPC message gets a fresh id, is written to the child as one line, and the child's answer
// goes back as application/json with the client's id; notifications get 202, GET 405. Anything a
// real gateway does costs more than this; what this costs, any Node gateway pays.
//
//   node --import tsx test/bench/mcp-floor.ts -- COMMAND [ARGS...]
//
// Prints {"ready":"mcp-floor","url":...,"pid":...} once it listens on 127.0.0.1; SIGTERM stops it
// and its child.

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";

interface Message {
  jsonrpc: "2.0";
  id?: string | number;
  method?: string;
}

function main(): void {
  const dash = process.argv.indexOf("--");
  const [command, ...args] = dash === -1 ? [] : process.argv.slice(dash + 1);
  if (!command) throw new Error("usage: mcp-floor.ts -- COMMAND [ARGS...]");
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "ignore"] });
  const waiting = new Map<number, { res: ServerResponse; id: string | number }>();
  const session = randomUUID();
  let next = 0;
  let buffered = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const m = JSON.parse(line) as Message;
      if (typeof m.id !== "number" || m.method !== undefined) continue; // notifications, requests
      const w = waiting.get(m.id);
      if (!w) continue;
      waiting.delete(m.id);
      m.id = w.id;
      const body = JSON.stringify(m);
      w.res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        "mcp-session-id": session,
      });
      w.res.end(body);
    }
  });
  const server = createServer((req, res) => {
    if (req.method !== "POST") {
      req.resume();
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const m = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Message;
      if (m.id === undefined) {
        child.stdin.write(`${JSON.stringify(m)}\n`);
        res.writeHead(202).end();
        return;
      }
      const id = ++next;
      waiting.set(id, { res, id: m.id });
      m.id = id;
      child.stdin.write(`${JSON.stringify(m)}\n`);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => {
    const a = server.address();
    const port = typeof a === "object" && a ? a.port : 0;
    process.stdout.write(
      `${JSON.stringify({ ready: "mcp-floor", url: `http://127.0.0.1:${port}`, pid: process.pid })}\n`,
    );
  });
  const stop = (): void => {
    child.kill("SIGTERM");
    server.close();
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  child.once("exit", () => process.exit(0));
}

main();
