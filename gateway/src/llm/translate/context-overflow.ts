/**
 * A provider's "the request does not fit the context window" error, reworded the way Anthropic
 * words it, so that Claude Code recognises it: "prompt is too long: N tokens > M maximum" (it then
 * says so and offers /compact) and "input length and `max_tokens` exceed context limit: I + O > C"
 * (it retries at once with a max_tokens that fits). Pure; the provider's own words follow in
 * parentheses.
 */

type Reword = (m: RegExpExecArray) => string | undefined;

const tooLong = (tokens: string, max: string): string =>
  `prompt is too long: ${tokens} tokens > ${max} maximum`;
const withOutput = (input: string, output: string, limit: string): string =>
  `input length and \`max_tokens\` exceed context limit: ${input} + ${output} > ${limit}`;

/** Input, output, limit: which of the two Anthropic messages applies. */
function split(input: string, output: string, limit: string): string {
  return Number(input) >= Number(limit) ? tooLong(input, limit) : withOutput(input, output, limit);
}

const PATTERNS: ReadonlyArray<[RegExp, Reword]> = [
  // vLLM: "'max_tokens' or 'max_completion_tokens' is too large: 32000. This model's maximum
  // context length is 32768 tokens and your request has 8000 input tokens (32000 > 32768 - 8000)."
  [
    /is too large: (\d+)\. This model's maximum context length is (\d+) tokens and your request has (\d+) input tokens/,
    (m) => split(m[3]!, m[1]!, m[2]!),
  ],
  // OpenAI (older models), vLLM, DeepSeek: "maximum context length is 128000 tokens. However, you
  // requested 130000 tokens (66000 in the messages, 64000 in the completion)."
  [
    /maximum context length is (\d+) tokens\. However, you requested \d+ tokens \((\d+) in the messages, (\d+) in the completion\)/,
    (m) => split(m[2]!, m[3]!, m[1]!),
  ],
  // OpenAI: "...maximum context length is 128000 tokens. However, your messages resulted in 130000
  // tokens"; vLLM: "However, your request has 40000 input tokens".
  [
    /maximum context length is (\d+) tokens\. However, (?:your messages resulted in|your request has) (\d+) (?:input )?tokens/,
    (m) => tooLong(m[2]!, m[1]!),
  ],
  // OpenAI (newer models): "Input tokens exceed the configured limit of 272000 tokens. Your messages
  // resulted in 300000 tokens."
  [/limit of (\d+) tokens\. Your messages resulted in (\d+) tokens/, (m) => tooLong(m[2]!, m[1]!)],
  // Gemini: "The input token count (1196611) exceeds the maximum number of tokens allowed (1048575)."
  [
    /input token count \((\d+)\) exceeds the maximum number of tokens allowed \((\d+)\)/,
    (m) => tooLong(m[1]!, m[2]!),
  ],
  // Without numbers: OpenAI's code, llama.cpp ("exceeds the available context size"), Bedrock
  // ("Input is too long for requested model"), Groq, Mistral and others.
  [
    /context_length_exceeded|exceeds? the (?:available )?context (?:size|window|length)|input is too long|prompt is too long|too many (?:input )?tokens/i,
    () => "prompt is too long",
  ],
];

/**
 * The Anthropic wording for a context overflow described by `message` (and the error `code`, when
 * the provider gave one), or undefined when it is not one. Anthropic's own message is kept.
 */
export function contextOverflowMessage(message: string, code?: string): string | undefined {
  if (/^prompt is too long: \d+ tokens > \d+ maximum|^input length and `max_tokens` exceed/.test(message))
    return undefined;
  const text = code ? `${message} ${code}` : message;
  for (const [re, reword] of PATTERNS) {
    const m = re.exec(text);
    if (m) return reword(m);
  }
  return undefined;
}
