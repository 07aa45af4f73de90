import { randomUUID } from "node:crypto";

/**
 * The "allow for this session" answers in force: within its session, a tool a person allowed this
 * way runs without asking again, at the definition they saw. A grant ends with its session, when
 * a person revokes it (the next call of the tool asks again), or when its server is removed.
 */

export interface SessionGrant {
  id: string;
  sessionId: string;
  /** The virtual key's name that holds the session. */
  keyName: string | null;
  server: string;
  /** The upstream tool name. */
  tool: string;
  /** The tool's definition hash when it was allowed: a changed definition asks again. */
  definitionHash: string;
  grantedAt: number;
  /** Who answered: admin-api, answerer:<name>, ... */
  grantedBy: string;
}

/**
 * A grant made, or ended: revoked by a person, with its session (`by` session-ended), or with its
 * server (`by` server-removed).
 */
export interface GrantChange {
  type: "granted" | "revoked";
  grant: SessionGrant;
  by: string;
}

const k = (server: string, tool: string) => `${server}\u0000${tool}`;

export class SessionGrants {
  /** By session, then by server and tool. */
  private bySession = new Map<string, Map<string, SessionGrant>>();
  /** Told of each grant made and ended. */
  onChange: (change: GrantChange) => void = () => undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** The definition hash `tool` was allowed at in this session, if it was. */
  hashFor(sessionId: string, server: string, tool: string): string | undefined {
    return this.bySession.get(sessionId)?.get(k(server, tool))?.definitionHash;
  }

  grant(g: Omit<SessionGrant, "id" | "grantedAt">): SessionGrant {
    let tools = this.bySession.get(g.sessionId);
    if (!tools) {
      tools = new Map();
      this.bySession.set(g.sessionId, tools);
    }
    const grant: SessionGrant = { ...g, id: randomUUID(), grantedAt: this.now() };
    tools.set(k(g.server, g.tool), grant);
    this.onChange({ type: "granted", grant, by: g.grantedBy });
    return grant;
  }

  /** Every grant in force, oldest first. */
  list(): SessionGrant[] {
    const all = [...this.bySession.values()].flatMap((tools) => [...tools.values()]);
    return all.sort((a, b) => a.grantedAt - b.grantedAt);
  }

  /** Ends one grant; undefined if there is none by that id. */
  revoke(id: string, by: string): SessionGrant | undefined {
    for (const [sessionId, tools] of this.bySession) {
      for (const [key, grant] of tools) {
        if (grant.id !== id) continue;
        tools.delete(key);
        if (tools.size === 0) this.bySession.delete(sessionId);
        this.onChange({ type: "revoked", grant, by });
        return grant;
      }
    }
    return undefined;
  }

  /** Ends every grant of `server`'s tools, in every session (the server was removed); the ones ended. */
  revokeServer(server: string, by: string): SessionGrant[] {
    const ended: SessionGrant[] = [];
    for (const [sessionId, tools] of this.bySession) {
      for (const [key, grant] of tools) {
        if (grant.server !== server) continue;
        tools.delete(key);
        ended.push(grant);
      }
      if (tools.size === 0) this.bySession.delete(sessionId);
    }
    for (const grant of ended) this.onChange({ type: "revoked", grant, by });
    return ended;
  }

  /** Ends every grant of a session (it ended, or a person revoked them all); the ones ended. */
  revokeSession(sessionId: string, by: string): SessionGrant[] {
    const tools = this.bySession.get(sessionId);
    if (!tools) return [];
    this.bySession.delete(sessionId);
    const ended = [...tools.values()];
    for (const grant of ended) this.onChange({ type: "revoked", grant, by });
    return ended;
  }
}
