import { createServer, type Server } from "node:http";
import { Guard } from "../../http/guard.js";
import type { McpServerConfig } from "../schema.js";
import { buildSpec } from "../server-spec.js";
import { oauthCallbackHandler } from "./callback.js";
import { OAuthManager, type RemoteTarget } from "./manager.js";
import { type BrowserOpener, headlessOpener } from "./opener.js";
import type { RevokeResult } from "./revoke.js";
import type { OAuthStore } from "./store.js";

/**
 * `gatehouse mcp login NAME` and `logout NAME`. The redirect URI is the gateway's own
 * /oauth/callback, so the login is finished by whichever process listens on the gateway's port:
 * a running gateway on this data folder (it then reconnects the server at once), or, when none
 * runs, this command for as long as it waits. Both read the pending login from the database.
 */

export interface CliLoginOptions {
  name: string;
  /** The server's entry (config file or database), or undefined when there is none. */
  config: McpServerConfig | undefined;
  env: NodeJS.ProcessEnv;
  store: OAuthStore;
  port: number;
  /** Print the URL only (do not try the system browser). */
  noOpen: boolean;
  timeoutMs: number;
  out(line: string): void;
  /** For tests: the browser. */
  opener?: BrowserOpener | undefined;
}

export class CliLoginError extends Error {}

function target(name: string, cfg: McpServerConfig | undefined, env: NodeJS.ProcessEnv): RemoteTarget {
  if (!cfg) throw new CliLoginError(`no MCP server named ${JSON.stringify(name)}`);
  if (cfg.url === undefined)
    throw new CliLoginError(`${name} is a stdio server; OAuth applies to remote (url) servers`);
  const spec = buildSpec(name, cfg, env);
  if (spec.kind !== "remote") throw new CliLoginError(`${name} is not a remote server`);
  return spec;
}

/** Whether a Gatehouse gateway answers on 127.0.0.1:port. */
async function gatewayListens(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3000) });
    const body = (await res.json()) as { status?: unknown; version?: unknown };
    return res.ok && body.status === "ok" && typeof body.version === "string";
  } catch {
    return false;
  }
}

/** Serves /oauth/callback (and nothing else) on 127.0.0.1:port while the command waits. */
async function serveCallback(port: number, manager: OAuthManager): Promise<Server> {
  const guard = new Guard({ allowedHosts: [], allowedOrigins: [] });
  guard.bind(port);
  const handle = oauthCallbackHandler(() => manager);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    try {
      guard.check(req);
    } catch (e) {
      res.writeHead(403, { "content-type": "text/plain; charset=utf-8" }).end(`${(e as Error).message}\n`);
      return;
    }
    Promise.resolve(handle(req, res, path))
      .then((done) => {
        if (!done) res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new CliLoginError(
          e.code === "EADDRINUSE"
            ? `port ${port} is in use by something that is not Gatehouse; the login comes back to http://127.0.0.1:${port}/oauth/callback (give the gateway's port with --port)`
            : e.message,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return server;
}

/** Runs a login to the end (or the timeout); resolves with the outcome's words, throws on failure. */
export async function cliLogin(o: CliLoginOptions): Promise<string> {
  const t = target(o.name, o.config, o.env);
  const print: BrowserOpener = {
    open: (url, server) => o.out(`To log in to MCP server ${server}, open this URL in a browser:\n  ${url}`),
  };
  const manager = new OAuthManager({
    store: o.store,
    target: (s) => (s === o.name ? t : `no MCP server named ${JSON.stringify(s)}`),
    port: () => o.port,
    opener: o.opener ?? (o.noOpen ? print : headlessOpener(o.out)),
    flowTtlMs: Math.max(o.timeoutMs, 60_000),
  });
  const viaGateway = await gatewayListens(o.port);
  const server = viaGateway ? undefined : await serveCallback(o.port, manager);
  try {
    const started = await manager.login(o.name, { open: true });
    o.out(
      `Waiting up to ${Math.round(o.timeoutMs / 1000)} s for the browser to come back to http://127.0.0.1:${o.port}/oauth/callback` +
        (viaGateway ? " (the running gateway receives it)." : "."),
    );
    const end = Date.now() + o.timeoutMs;
    for (;;) {
      const r = manager.outcome(started.state);
      if (r?.state === "ok")
        return viaGateway
          ? `Logged in to ${o.name}; the running gateway reconnected it.`
          : `Logged in to ${o.name}. The gateway uses the login when it starts.`;
      if (r?.state === "failed") throw new CliLoginError(`login to ${o.name} failed: ${r.error}`);
      if (Date.now() > end) {
        o.store.dropFlows(o.name);
        throw new CliLoginError(
          `no answer from the browser within ${Math.round(o.timeoutMs / 1000)} s; run the login again`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }
}

/**
 * Revokes the server's tokens at its authorization server (best effort), then forgets them, as the
 * gateway's logout does (OAuthManager.logout); a running gateway notices at its next request.
 */
export function cliLogout(
  name: string,
  cfg: McpServerConfig | undefined,
  env: NodeJS.ProcessEnv,
  store: OAuthStore,
): Promise<RevokeResult> {
  let t: RemoteTarget | string;
  try {
    t = target(name, cfg, env);
  } catch (e) {
    t = e instanceof Error ? e.message : String(e);
  }
  const manager = new OAuthManager({
    store,
    target: (s) => (s === name ? t : `no MCP server named ${s}`),
    port: () => 0,
  });
  return manager.logout(name);
}
