import type { ListedModel } from "../provider.js";

/**
 * Which models of OpenAI's GET /v1/models (and Azure OpenAI's list) a chat model picker offers.
 * The list holds every model the key may use; Gatehouse calls POST /chat/completions, which the
 * families below refuse or cannot serve a coding agent. Rules by the id patterns of OpenAI's models
 * page (platform.openai.com/docs/models; Azure names some without the `gpt-4o-` or `-1`); a fine-tune
 * (`ft:BASE:org::id`) is judged by its base. A model no rule names is offered: a new chat family
 * shows up at once, and `?all=1` lists the hidden ones.
 */
const NOT_CHAT: ReadonlyArray<readonly [RegExp, string]> = [
  [/embedding/, "embeddings (POST /embeddings)"],
  [/^tts(-|$)|-tts(-|$)/, "text to speech (tts-1, gpt-4o-mini-tts)"],
  [/^whisper(-|$)|-transcribe(-|$)/, "speech to text (whisper-1, gpt-4o-transcribe)"],
  [/^dall-e|^gpt-image|^chatgpt-image/, "images (POST /images)"],
  [/^sora(-|$)/, "video"],
  [/moderation/, "moderation (POST /moderations)"],
  [/realtime/, "the Realtime API (WebSocket, WebRTC)"],
  [/(^|-)audio(-|$)/, "audio in and out (gpt-audio, gpt-4o-audio-preview)"],
  [/^(babbage|davinci)-\d+$|-instruct(-|$)/, "the legacy POST /completions"],
  [
    /codex|deep-research|^computer-use|^(o\d|gpt-[\d.]+)-pro(-|$)/,
    "the Responses API only (codex, deep research, computer use, pro)",
  ],
];

/** Why OpenAI's `id` is no chat model, or null when it is one (or no rule knows it). */
export function notChatReason(id: string): string | null {
  const base = id.startsWith("ft:") ? (id.slice(3).split(":")[0] ?? "") : id;
  for (const [pattern, why] of NOT_CHAT) if (pattern.test(base)) return why;
  return null;
}

/** A chat model picker offers the model: the provider does not say it cannot chat, and no rule hides it. */
export const offeredForChat = (m: ListedModel): boolean => m.chat !== false && notChatReason(m.id) === null;
