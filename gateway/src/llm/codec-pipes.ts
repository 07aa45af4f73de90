import type { ChatBody } from "./chat-body.js";
import type { CallContext, Provider, WirePayload } from "./providers/provider.js";
import type { ClientSurface } from "./router.js";
import type { StreamTranslator } from "./translate/types.js";
import { emptyUsage, type Usage } from "./usage.js";
import { errorMessageOf, mergeAnthropicUsage } from "./usage-tap.js";

/**
 * What the codecs (codec.ts, codec-converse.ts) share: the Codec and StreamPipe shapes, a
 * translator's output as the pipe the gateway writes to the client, two translators in a row, and
 * the usage of an Anthropic JSON answer.
 */

/** Converts one client surface to one provider wire and back. */
export interface Codec {
  /** The body for the provider: `body` itself when its bytes go out as they are (parsed only if not). */
  request(body: ChatBody, model: string): WirePayload;
  json(upstream: Buffer, clientModel: string): { body: Buffer | string; usage: Usage };
  stream(provider: Provider, ctx: CallContext, clientModel: string): StreamPipe;
}

/** What the gateway writes to the client while an upstream stream flows. */
export interface StreamPipe {
  push(chunk: Buffer): Buffer | string;
  end(): string;
  /** `type`: the error type (Anthropic vocabulary), default api_error; timeout_error for an idle stream. */
  fail(message: string, type?: string): string;
  readonly usage: Usage;
  readonly finished: boolean;
  /** The provider's own mid-stream error, when the stream ended in one (already sent to the client). */
  readonly error: string | undefined;
}

/** Runs bytes through `first` (upstream side) then `second` (client side). Usage comes from `first`. */
export class Compose implements StreamTranslator {
  constructor(
    private readonly first: StreamTranslator,
    private readonly second: StreamTranslator,
  ) {}
  push(chunk: Buffer): string {
    const mid = this.first.push(chunk);
    return mid === "" ? "" : this.second.push(Buffer.from(mid));
  }
  end(): string {
    const mid = this.first.end();
    return (mid === "" ? "" : this.second.push(Buffer.from(mid))) + this.second.end();
  }
  fail(message: string, type?: string): string {
    return this.second.fail(message, type);
  }
  get usage(): Usage {
    return this.first.usage;
  }
  get finished(): boolean {
    return this.second.finished;
  }
}

const ERROR_MARK: Record<ClientSurface, string> = {
  anthropic: "event: error\n",
  openai: 'data: {"error":',
};

/**
 * A translator's output as a StreamPipe, noting the first error event it writes to the client: a
 * translated provider error (overloaded mid-stream, say) must not be recorded as a success.
 * Translators write whole events, and an event's JSON data holds no raw newline, so the mark can
 * only match an error event itself.
 */
export class Translated implements StreamPipe {
  error: string | undefined;
  constructor(
    private readonly inner: StreamTranslator,
    private readonly surface: ClientSurface,
  ) {}
  private see(out: string): string {
    if (this.error === undefined && out.length > 0) {
      const at = out.indexOf(ERROR_MARK[this.surface]);
      if (at !== -1) {
        const data = /^data: (.*)$/m.exec(out.slice(at))?.[1] ?? "";
        this.error = errorMessageOf(data);
      }
    }
    return out;
  }
  push(chunk: Buffer): string {
    return this.see(this.inner.push(chunk));
  }
  end(): string {
    return this.see(this.inner.end());
  }
  fail(message: string, type?: string): string {
    return this.inner.fail(message, type);
  }
  get usage(): Usage {
    return this.inner.usage;
  }
  get finished(): boolean {
    return this.inner.finished;
  }
}

export function anthropicJsonUsage(body: unknown): Usage {
  const u = emptyUsage();
  mergeAnthropicUsage(u, (body as Record<string, unknown>).usage);
  return u;
}
