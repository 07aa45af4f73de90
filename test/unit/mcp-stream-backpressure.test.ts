import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { HttpSessionTransport } from "../../gateway/src/mcp/http-transport.js";

// A session's GET stream (notifications, servers' log messages) to a client that stopped reading
// is closed once megabytes wait, instead of growing the gateway's memory with every message.

let server: Server;
let port = 0;
const transport = new HttpSessionTransport("session-1");

before(async () => {
  server = createServer((req, res) => transport.handleGet(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const a = server.address();
  port = typeof a === "object" && a ? a.port : 0;
});

after(async () => {
  await transport.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function openStream(): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(`GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once("data", () => resolve()));
  return socket;
}

const logMessage = {
  jsonrpc: "2.0" as const,
  method: "notifications/message",
  params: { level: "info", data: "x".repeat(10_000) },
};

describe("MCP session stream", () => {
  test("a client that stops reading its GET stream is cut off; a reading one gets every message", async () => {
    const reader = await openStream();
    let got = 0;
    reader.on("data", (c: Buffer) => {
      got += c.toString().split("notifications/message").length - 1;
    });
    for (let i = 0; i < 20; i++) await transport.send(logMessage);
    for (let i = 0; i < 100 && got < 20; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got, 20, "a client that reads gets them all");
    reader.destroy();
    await new Promise((r) => setTimeout(r, 50));

    const stalled = await openStream();
    stalled.pause();
    for (let i = 0; i < 4000; i++) await transport.send(logMessage); // ~40 MB
    const ended = new Promise<boolean>((resolve) => {
      stalled.once("end", () => resolve(true));
      setTimeout(() => resolve(false), 10_000);
    });
    stalled.resume();
    assert.equal(await ended, true, "the stalled stream was closed");
    stalled.destroy();
  });
});
