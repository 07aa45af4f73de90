import type { ApprovalDisplayView, DisplayTextView } from "../admin/contract-mcp.js";

/**
 * The display-safe form of an approval request (ApprovalView.display): what a person is shown
 * before deciding, in a native dialog, the app or a terminal. The tool's name and description come
 * from the MCP server and the arguments from the model: both untrusted. A malicious server can put
 * in them escape sequences that repaint a terminal, bidi overrides that make text read backwards
 * (U+202E), characters that show nothing but carry a hidden text (zero-width spaces, tag
 * characters), stacks of combining marks that draw over other lines, or megabytes that push the
 * rest out of sight. Here each such character is replaced by a visible marker naming it
 * (`⟨U+202E⟩`), runs of blank lines are shortened, and the text is cut to a length a dialog can
 * show, ending in `…`; each field says whether it was cut and how many characters were replaced.
 * The raw fields (and the arguments that will run) are left as they are.
 */

/** Characters shown at most, per field (UTF-16 units, markers included; `…` comes after). */
export const DISPLAY_LIMITS = {
  tool: 128,
  exposedName: 128,
  description: 2000,
  arguments: 4000,
} as const;

/**
 * Characters that change how text around them reads or show nothing: controls (C0, C1, DEL),
 * format characters (bidi embeddings, overrides and isolates, zero-width spaces and joiners,
 * soft hyphen, word joiner, BOM, tag characters), line and paragraph separators, lone surrogates,
 * the Hangul fillers, and variation selectors.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\p{Variation_Selector}]/u;
const MARK = /\p{M}/u;
/** Combining marks kept on one character; more only stack up over the lines around. */
const MAX_MARKS = 3;
/** Line breaks kept in a row (one blank line); more only push the rest out of sight. */
const MAX_NEWLINES = 2;

const marker = (ch: string) => `⟨U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}⟩`;

/**
 * `s` made safe to show as plain text in at most `limit` characters (then `…`). `multiline` keeps
 * line breaks (a description); otherwise they are replaced too (a name). Reads at most what it
 * shows: a text of megabytes costs no more than a short one.
 */
export function displayText(s: string, limit: number, multiline = false): DisplayTextView {
  let text = "";
  let replaced = 0;
  let marks = 0;
  let newlines = 0;
  let cut = false;
  for (const ch of s) {
    let piece = ch;
    if (multiline && ch === "\n") {
      newlines++;
      if (newlines > MAX_NEWLINES) piece = "";
    } else if (multiline && ch === "\t") {
      newlines = 0;
    } else if (HIDDEN.test(ch)) {
      piece = marker(ch);
      newlines = 0;
    } else if (MARK.test(ch)) {
      marks++;
      if (marks > MAX_MARKS) piece = "";
    } else {
      newlines = 0;
    }
    if (!MARK.test(ch)) marks = 0;
    if (text.length + piece.length > limit) {
      cut = true;
      break;
    }
    if (piece !== ch) replaced++;
    text += piece;
  }
  return { text: cut ? `${text}…` : text, cut, length: s.length, replaced };
}

/** The arguments as they will be sent (JSON, indented), made safe to show. */
function argumentsText(args: Record<string, unknown>): string {
  try {
    return JSON.stringify(args, null, 2) ?? "{}";
  } catch {
    return "(arguments that cannot be shown as JSON)";
  }
}

/** The display-safe fields of a request (see the top of this file). */
export function approvalDisplay(r: {
  tool: string;
  exposedName: string;
  description: string;
  arguments: Record<string, unknown>;
}): ApprovalDisplayView {
  return {
    tool: displayText(r.tool, DISPLAY_LIMITS.tool),
    exposedName: displayText(r.exposedName, DISPLAY_LIMITS.exposedName),
    description: displayText(r.description, DISPLAY_LIMITS.description, true),
    // JSON escapes C0 controls in strings, not the rest: the indentation's line breaks are kept.
    arguments: displayText(argumentsText(r.arguments), DISPLAY_LIMITS.arguments, true),
  };
}
