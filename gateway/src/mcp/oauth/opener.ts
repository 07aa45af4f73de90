import { execFile } from "node:child_process";

/**
 * Opens the system browser at an authorization URL. Headless, the default prints the URL (the
 * person may be on another machine) and tries the platform's opener; the desktop app injects
 * Electron's shell.openExternal. Openers never get a shell: the URL is one argument.
 */
export interface BrowserOpener {
  open(url: string, server: string): void | Promise<void>;
}

/** Only http(s) URLs are ever handed to an opener (an authorization endpoint is one). */
export function openableUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/** The program and arguments that open `url` on this platform, without a shell. */
export function openCommand(url: string, platform: NodeJS.Platform = process.platform): [string, string[]] {
  if (platform === "darwin") return ["open", [url]];
  // `start` is a cmd built-in; rundll32 opens a URL with the default browser without cmd's parsing.
  if (platform === "win32") return ["rundll32", ["url.dll,FileProtocolHandler", url]];
  return ["xdg-open", [url]];
}

/** Prints the URL with `log`, then tries the platform's opener; a failure to open is only logged. */
export function headlessOpener(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): BrowserOpener {
  return {
    open(url, server) {
      log(`Gatehouse: to log in to MCP server ${server}, open this URL in a browser:\n  ${url}`);
      if (!openableUrl(url)) return;
      const [cmd, args] = openCommand(url);
      try {
        const child = execFile(cmd, args, { timeout: 10_000, windowsHide: true }, () => undefined);
        child.on("error", () => undefined);
        child.unref();
      } catch {
        // no opener on this machine: the printed URL is the way
      }
    },
  };
}

/** Does nothing: for logins started through the admin API, whose caller opens the URL itself. */
export const noOpener: BrowserOpener = { open: () => undefined };
