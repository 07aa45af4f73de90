// An OAuth 2.1 authorization server and an MCP server protected by it, in process on 127.0.0.1,
// built from the MCP SDK's own server-side auth pieces (mcpAuthRouter, mcpAuthMetadataRouter,
// requireBearerAuth) over an in-memory provider modelled on the SDK's demo provider, plus
// refresh tokens (rotated), expiry on demand and counters the tests assert on.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InvalidGrantError, InvalidTokenError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import type {
  AuthorizationParams,
  OAuthServerProvider,
} from "@modelcontextprotocol/sdk/server/auth/provider.js";
import {
  createOAuthMetadata,
  getOAuthProtectedResourceMetadataUrl,
  mcpAuthMetadataRouter,
  mcpAuthRouter,
} from "@modelcontextprotocol/sdk/server/auth/router.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { createMcpExpressApp } from "@modelcontextprotocol/sdk/server/express.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { OAuthClientInformationFull, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { z } from "zod";

interface Grant {
  clientId: string;
  scopes: string[];
  resource: string | undefined;
}
interface AccessToken extends Grant {
  expiresAt: number;
}

/** Minimal shapes of express's req/res that the handlers here use (express has no types here). */
interface Res {
  redirect(url: string): void;
  status(code: number): Res;
  json(body: unknown): void;
}

export class TestAuthProvider implements OAuthServerProvider {
  readonly clients = new Map<string, OAuthClientInformationFull>();
  readonly codes = new Map<string, { client: OAuthClientInformationFull; params: AuthorizationParams }>();
  readonly access = new Map<string, AccessToken>();
  readonly refresh = new Map<string, Grant>();
  /** Every token ever issued (access and refresh): they must never show up in plain text. */
  readonly issued: string[] = [];
  /** The parameters of each authorization request (PKCE challenge, resource, scopes, state). */
  readonly authorizations: AuthorizationParams[] = [];
  readonly grants = { authorization_code: 0, refresh_token: 0 };
  registrations = 0;

  readonly clientsStore = {
    getClient: (id: string) => this.clients.get(id),
    registerClient: (c: Omit<OAuthClientInformationFull, "client_id" | "client_id_issued_at">) => {
      this.registrations++;
      const full = { ...c, client_id: `client-${this.registrations}`, client_id_issued_at: 0 };
      this.clients.set(full.client_id, full);
      return full;
    },
  };

  async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: Res): Promise<void> {
    // The person approves at once.
    this.authorizations.push(params);
    const code = randomBytes(16).toString("hex");
    this.codes.set(code, { client, params });
    const target = new URL(params.redirectUri);
    target.searchParams.set("code", code);
    if (params.state !== undefined) target.searchParams.set("state", params.state);
    res.redirect(target.href);
  }

  async challengeForAuthorizationCode(_c: OAuthClientInformationFull, code: string): Promise<string> {
    const data = this.codes.get(code);
    if (!data) throw new InvalidGrantError("unknown authorization code");
    return data.params.codeChallenge;
  }

  private issue(grant: Grant): OAuthTokens {
    const token = `at-${randomBytes(24).toString("hex")}`;
    const refresh = `rt-${randomBytes(24).toString("hex")}`;
    this.access.set(token, { ...grant, expiresAt: Date.now() + 3_600_000 });
    this.refresh.set(refresh, grant);
    this.issued.push(token, refresh);
    return {
      access_token: token,
      token_type: "bearer",
      expires_in: 3600,
      refresh_token: refresh,
      scope: grant.scopes.join(" "),
    };
  }

  async exchangeAuthorizationCode(client: OAuthClientInformationFull, code: string): Promise<OAuthTokens> {
    const data = this.codes.get(code);
    if (!data || data.client.client_id !== client.client_id)
      throw new InvalidGrantError("unknown authorization code");
    this.codes.delete(code);
    this.grants.authorization_code++;
    return this.issue({
      clientId: client.client_id,
      scopes: data.params.scopes ?? [],
      resource: data.params.resource?.href,
    });
  }

  async exchangeRefreshToken(client: OAuthClientInformationFull, refreshToken: string): Promise<OAuthTokens> {
    const grant = this.refresh.get(refreshToken);
    if (!grant || grant.clientId !== client.client_id) throw new InvalidGrantError("unknown refresh token");
    this.refresh.delete(refreshToken); // rotated
    this.grants.refresh_token++;
    return this.issue(grant);
  }

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const t = this.access.get(token);
    if (!t || t.expiresAt < Date.now()) throw new InvalidTokenError("invalid or expired token");
    return {
      token,
      clientId: t.clientId,
      scopes: t.scopes,
      expiresAt: Math.floor(t.expiresAt / 1000),
      ...(t.resource ? { resource: new URL(t.resource) } : {}),
    };
  }

  /** Every access token issued so far stops being valid now (as if its hour had passed). */
  expireAccessTokens(): void {
    for (const t of this.access.values()) t.expiresAt = 0;
  }

  /** Tokens revoked through the revocation endpoint (RFC 7009), in order. */
  readonly revoked: string[] = [];

  async revokeToken(client: OAuthClientInformationFull, request: { token: string }): Promise<void> {
    const grant = this.refresh.get(request.token) ?? this.access.get(request.token);
    if (grant && grant.clientId !== client.client_id) return; // another client's token: ignored
    this.refresh.delete(request.token);
    this.access.delete(request.token);
    this.revoked.push(request.token);
  }

  /** Every access and refresh token stops being valid (the user revoked the app). */
  revokeAll(): void {
    this.access.clear();
    this.refresh.clear();
  }
}

export interface OAuthTestServer {
  /** The protected MCP server (Streamable HTTP). */
  mcpUrl: string;
  /** The authorization server's issuer. */
  issuer: string;
  provider: TestAuthProvider;
  /** Requests the MCP endpoint refused with 401. */
  unauthorized(): number;
  close(): Promise<void>;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return server;
}

const portOf = (s: Server) => (s.address() as AddressInfo).port;

/** The MCP server behind the token: `echo` and `whoami` (the client id the token was issued to). */
function mcpServer(): McpServer {
  const server = new McpServer({ name: "oauth-protected", version: "1.0.0" });
  server.registerTool(
    "echo",
    {
      description: "Echoes the text back",
      inputSchema: { text: z.string() },
      annotations: { readOnlyHint: true },
    },
    async ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  server.registerTool(
    "whoami",
    {
      description: "Names the OAuth client of the caller",
      inputSchema: {},
      annotations: { readOnlyHint: true },
    },
    async (_args, extra) => ({
      content: [{ type: "text", text: `client ${extra.authInfo?.clientId ?? "?"}` }],
    }),
  );
  return server;
}

/** Starts the authorization server and the protected MCP server on two ports of 127.0.0.1. */
export async function startOAuthServer(opts: { scopes?: string[] } = {}): Promise<OAuthTestServer> {
  const scopes = opts.scopes ?? ["mcp:tools"];
  let asHandler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  let rsHandler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  const asServer = await listen((req, res) => asHandler(req, res));
  const rsServer = await listen((req, res) => rsHandler(req, res));
  const issuer = new URL(`http://127.0.0.1:${portOf(asServer)}/`);
  const mcpUrl = new URL(`http://127.0.0.1:${portOf(rsServer)}/mcp`);
  const provider = new TestAuthProvider();

  const as = createMcpExpressApp({ host: "127.0.0.1" });
  as.use(mcpAuthRouter({ provider, issuerUrl: issuer, scopesSupported: scopes, resourceServerUrl: mcpUrl }));
  asHandler = as;

  let refused = 0;
  const rs = createMcpExpressApp({ host: "127.0.0.1" });
  const oauthMetadata = createOAuthMetadata({ provider, issuerUrl: issuer, scopesSupported: scopes });
  rs.use(mcpAuthMetadataRouter({ oauthMetadata, resourceServerUrl: mcpUrl, scopesSupported: scopes }));
  const bearer = requireBearerAuth({
    verifier: provider,
    resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl),
    expectedResource: mcpUrl,
  });
  rs.all(
    "/mcp",
    (req: IncomingMessage, res: ServerResponse, next: () => void) => {
      res.on("finish", () => {
        if (res.statusCode === 401) refused++;
      });
      bearer(req as never, res as never, next);
    },
    async (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
      if (req.method !== "POST") {
        res.writeHead(405, { allow: "POST" }).end();
        return;
      }
      const server = mcpServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on("close", () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req as never, res, req.body);
    },
  );
  rsHandler = rs;

  return {
    mcpUrl: mcpUrl.href,
    issuer: issuer.href,
    provider,
    unauthorized: () => refused,
    async close() {
      for (const s of [asServer, rsServer]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    },
  };
}
