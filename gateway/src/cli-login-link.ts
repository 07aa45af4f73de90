import type { LoginLinkView } from "./admin/contract.js";
import { CliFailure, type CliIo, PROCESS_IO, runAdminCommand } from "./cli-admin-client.js";
import { terminalSafe } from "./cli-text.js";

/**
 * `gatehouse login-link`: a fresh one-time login link from the running gateway, for a browser
 * (the one `serve` printed was used, lost or expired). Needs the admin token of the data folder.
 */

export const LOGIN_LINK_USAGE = `Usage: gatehouse login-link [--port N] [--host H] [--data-dir DIR] [--config FILE]

Prints a fresh one-time login link of the running gateway (valid once, for 15 minutes) for the
admin UI in a browser; an earlier link not yet used stops working. The admin token is read from the
data folder, and the gateway looked for where it recorded it listens, else where the config in
force puts it, as for gatehouse status.`;

export function loginLinkMain(
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: CliIo = PROCESS_IO,
): Promise<number> {
  return runAdminCommand("login-link", LOGIN_LINK_USAGE, argv, env, io, async (client) => {
    const link = await client.post<LoginLinkView>("/api/login-link");
    if (typeof link.url !== "string" || typeof link.expiresAt !== "string")
      throw new CliFailure("the gateway gave no login link (is it an older Gatehouse?)");
    io.out(
      `${terminalSafe(link.url)}\n  (one-time login link, valid until ${terminalSafe(link.expiresAt)})\n`,
    );
    return 0;
  });
}
