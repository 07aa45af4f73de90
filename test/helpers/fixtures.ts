// The recorded Claude Code requests and config files: ../shared/fixtures/claude-code, next to this
// repository (wherever it is checked out).
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CC_FIXTURES = fileURLToPath(new URL("../../../shared/fixtures/claude-code", import.meta.url));

/** The path of one recorded file. */
export const ccFixture = (name: string): string => join(CC_FIXTURES, name);
