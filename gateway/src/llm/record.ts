import type { Usage } from "./usage.js";

/** What the gateway knows about one model call once it ends; logging and governance consume it. */
export interface RequestRecord {
  id: string;
  startedAt: number;
  surface: "anthropic" | "openai";
  endpoint: "messages" | "chat" | "count_tokens";
  keyId: string;
  keyName: string;
  sessionId: string | undefined;
  userAgent: string | undefined;
  requestedModel: string;
  /** "provider/model" that answered (or last tried). */
  route: string | undefined;
  provider: string | undefined;
  fallbacks: string[];
  attempts: number;
  stream: boolean;
  status: number;
  error: string | undefined;
  usage: Usage;
  latencyMs: number;
  /** Time to the first byte sent to the client. */
  ttfbMs: number | undefined;
}
