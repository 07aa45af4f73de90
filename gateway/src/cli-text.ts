/** Text from a gateway for a terminal: control characters (escape sequences among them) become "?". */
export const terminalSafe = (s: string | null): string => (s ?? "-").replace(/\p{Cc}/gu, "?");
