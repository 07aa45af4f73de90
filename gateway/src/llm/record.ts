import type { CostSource } from "../pricing/cost.js";
import type { ContentCapture } from "./capture.js";
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
  /** The key's team (set by governance). */
  team?: string;
  /** x-gatehouse-project, else x-gatehouse-meta-project. */
  project?: string;
  /** x-gatehouse-meta-* request headers, by name without the prefix. */
  meta: Record<string, string>;
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
  /** Priced by governance when the call ends (0 with source "unknown" when nothing was used). */
  costUsd: number;
  costSource: CostSource;
  latencyMs: number;
  /** Time to the first byte sent to the client. */
  ttfbMs: number | undefined;
  /** Prompt and response bytes, for keys with content: full only (parsed by the log writer). */
  content?: ContentCapture;
}
