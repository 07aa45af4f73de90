// Runs the CLI from source, like bin/gatehouse.js runs the built one: `node --import tsx cli-entry.ts ...`.
import { main } from "../../gateway/src/cli.js";

const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
