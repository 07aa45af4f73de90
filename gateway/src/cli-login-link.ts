import { parseArgs } from "node:util";
import type { LoginLinkView } from "./admin/contract.js";
import { adminClientFor, UsageError } from "./cli-admin-client.js";
import { argsErrorText, terminalSafe } from "./cli-text.js";

/**
 * `gatehouse login-link`: a fresh one-time login link from the running gateway, for a browser
 * (the one `serve` printed was used, lost or expired). Needs the admin token of the data folder.
 */

export const LOGIN_LINK_USAGE = `Usage: gatehouse login-link [--port N] [--host H] [--data-dir DIR]

Prints a fresh one-time login link of the running gateway (valid once, for 15 minutes) for the
admin UI in a browser; an earlier link not yet used stops working. The admin token is read from the
data folder, as for gatehouse status.`;

const options = {
  "data-dir": { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function loginLinkMain(
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: { out(t: string): void; err(t: string): void } = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
): Promise<number> {
  let values: { "data-dir"?: string; port?: string; host?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options, allowPositionals: false }));
  } catch (e) {
    io.err(`gatehouse login-link: ${argsErrorText(e, "gatehouse login-link")}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${LOGIN_LINK_USAGE}\n`);
    return 0;
  }
  try {
    const link = await adminClientFor(values, env).post<LoginLinkView>("/api/login-link");
    if (typeof link.url !== "string" || typeof link.expiresAt !== "string")
      throw new UsageError("the gateway gave no login link (is it an older Gatehouse?)");
    io.out(
      `${terminalSafe(link.url)}\n  (one-time login link, valid until ${terminalSafe(link.expiresAt)})\n`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`gatehouse login-link: ${e.message}\n`);
    return 1;
  }
}
