#!/usr/bin/env node
// Headless entry point. Runs the compiled gateway (npm run build); see README.md.
import { main } from "../dist/gateway/cli.js";

const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
