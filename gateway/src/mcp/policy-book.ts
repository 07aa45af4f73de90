import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { decide, definitionHash, type Policy, type PolicyDecision } from "./policy.js";
import type { McpServerConfig } from "./schema.js";
import { SessionGrants } from "./session-grants.js";
import type { McpStore, StoredPolicy, ToolPin } from "./store.js";

/**
 * The policy state behind decide(): the config, the policies people set, the pinned tool
 * definitions (trust on first use, re-pinned by an "always" answer) and the per-session grants
 * (session-grants.ts).
 */

export interface BookDecision extends PolicyDecision {
  /** Hash of the tool's current definition. */
  hash: string;
}

export interface DefinitionChange {
  server: string;
  tool: string;
  previous: string;
  current: string;
}

/** A tool's policy as a person chose it, set or cleared (null: back to the config and annotations). */
export interface PolicyChange {
  server: string;
  tool: string;
  policy: Policy | null;
  /** admin-api, answerer:<name> (an "always" answer), config-import, or database (found changed there). */
  decidedBy: string;
}

const k = (server: string, tool: string) => `${server}\u0000${tool}`;

/**
 * A server's policies from the config. The per-tool overrides are a Map: tool names come from the
 * upstream, and a plain object would answer `constructor`, `toString` or `__proto__` with what
 * Object.prototype holds there (not a policy, so neither deny nor ask: the tool ran unasked).
 */
interface ConfigPolicies {
  policy: Policy | undefined;
  tools: ReadonlyMap<string, Policy>;
}

export class PolicyBook {
  private config = new Map<string, ConfigPolicies>();
  private stored = new Map<string, StoredPolicy>();
  private pins = new Map<string, ToolPin>();
  /** The "allow for this session" answers in force. */
  readonly grants = new SessionGrants();
  /** Definition hashes by tool object (lists are replaced, never mutated, on refresh). */
  private hashes = new WeakMap<Tool, string>();

  private loaded = false;
  /** Told of each policy a person set or cleared (not of a definition re-pinned under the same one). */
  onPolicy: (change: PolicyChange) => void = () => undefined;

  constructor(private readonly store: McpStore) {}

  /**
   * Loads what people decided earlier; after the first load, tells onPolicy of each policy that
   * another process (a CLI import) changed in the database.
   */
  async load(): Promise<void> {
    const state = await this.store.load();
    const before = this.stored;
    this.stored = new Map(state.policies.map((p) => [k(p.server, p.tool), p]));
    this.pins = new Map(state.pins.map((p) => [k(p.server, p.tool), p]));
    if (!this.loaded) {
      this.loaded = true;
      return;
    }
    for (const key of new Set([...before.keys(), ...this.stored.keys()])) {
      const was = before.get(key);
      const now = this.stored.get(key);
      if (was?.policy === now?.policy) continue;
      const { server, tool } = (now ?? was)!;
      this.onPolicy({ server, tool, policy: now?.policy ?? null, decidedBy: now?.decidedBy ?? "database" });
    }
  }

  setConfig(servers: Record<string, McpServerConfig>): void {
    this.config = new Map(
      Object.entries(servers).map(([n, s]) => [
        n,
        { policy: s.policy, tools: new Map(Object.entries(s.tools)) },
      ]),
    );
  }

  hashOf(tool: Tool): string {
    let h = this.hashes.get(tool);
    if (h === undefined) {
      h = definitionHash(tool);
      this.hashes.set(tool, h);
    }
    return h;
  }

  decide(server: string, tool: Tool, sessionId: string | null): BookDecision {
    const hash = this.hashOf(tool);
    const cfg = this.config.get(server);
    const stored = this.stored.get(k(server, tool.name));
    const pinned = stored?.defHash ?? this.pins.get(k(server, tool.name))?.defHash;
    const granted = sessionId ? this.grants.hashFor(sessionId, server, tool.name) : undefined;
    const d = decide({
      configTool: cfg?.tools.get(tool.name),
      configServer: cfg?.policy,
      stored: stored?.policy,
      annotations: tool.annotations,
      definitionChanged: pinned !== undefined && pinned !== hash,
      sessionAllowed: granted === hash,
    });
    return { ...d, hash };
  }

  /**
   * Pins tools seen for the first time; returns the tools whose definition differs from the pin
   * (a "rug pull" alert). The pin itself only moves when a person approves ("always").
   */
  observe(server: string, tools: readonly Tool[]): DefinitionChange[] {
    const changes: DefinitionChange[] = [];
    for (const t of tools) {
      const hash = this.hashOf(t);
      const key = k(server, t.name);
      const pinned = this.stored.get(key)?.defHash ?? this.pins.get(key)?.defHash;
      if (pinned === undefined) {
        const pin = { server, tool: t.name, defHash: hash, pinnedAt: Date.now() };
        this.pins.set(key, pin);
        void this.store.setPin(pin).catch(() => undefined);
      } else if (pinned !== hash) {
        changes.push({ server, tool: t.name, previous: pinned, current: hash });
      }
    }
    return changes;
  }

  endSession(sessionId: string): void {
    this.grants.revokeSession(sessionId, "session-ended");
  }

  /** Whether the config denies this tool (itself, or its whole server): final, no person can lift it. */
  deniedByConfig(server: string, tool: string): boolean {
    const cfg = this.config.get(server);
    return (cfg?.tools.get(tool) ?? cfg?.policy) === "deny";
  }

  /** A person's "always": allow this tool at this definition from now on. */
  async always(server: string, tool: string, hash: string, decidedBy: string): Promise<void> {
    await this.setPolicy(server, tool, "allow", decidedBy, hash);
  }

  /** Sets (or with null, clears) the policy a person chose; a set policy re-pins the definition. */
  async setPolicy(
    server: string,
    tool: string,
    policy: Policy | null,
    decidedBy: string,
    hash: string | null = null,
  ): Promise<void> {
    const key = k(server, tool);
    const was = this.stored.get(key)?.policy ?? null;
    // The database first: a write that fails leaves memory as it was, so what the gateway does
    // matches what it stored (and what it will load at the next start).
    if (policy === null) {
      await this.store.clearPolicy(server, tool);
      this.stored.delete(key);
    } else {
      const p: StoredPolicy = { server, tool, policy, defHash: hash, decidedBy, updatedAt: Date.now() };
      await this.store.setPolicy(p);
      this.stored.set(key, p);
      if (hash !== null) await this.pin(server, tool, hash);
    }
    if (was !== policy) this.onPolicy({ server, tool, policy, decidedBy });
  }

  /** Accepts a changed definition as the new normal (the admin's "trust this update"). */
  async pin(server: string, tool: string, hash: string): Promise<void> {
    const pin = { server, tool, defHash: hash, pinnedAt: Date.now() };
    const stored = this.stored.get(k(server, tool));
    if (stored && stored.defHash !== null && stored.defHash !== hash) {
      const next = { ...stored, defHash: hash, updatedAt: Date.now() };
      await this.store.setPolicy(next);
      this.stored.set(k(server, tool), next);
    }
    await this.store.setPin(pin);
    this.pins.set(k(server, tool), pin);
  }

  storedPolicies(): StoredPolicy[] {
    return [...this.stored.values()];
  }
}
