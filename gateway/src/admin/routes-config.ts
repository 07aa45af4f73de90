import { z } from "zod";
import type { Exported } from "../config/export.js";
import { ConfigError } from "../config/load.js";
import { HttpError } from "../http/errors.js";
import type { ConfigExportView, ConfigImportResult } from "./contract.js";
import { type Route, validate } from "./routes.js";

/**
 * GET /api/config/export and POST /api/config/import: the configuration as a file, both ways
 * (docs/api.md). The admin API reads bodies up to 1 MiB, which bounds an imported file.
 */

export interface ConfigAdminDeps {
  /** The configuration in force, with what the database holds, as a config file. */
  exportConfig(): Promise<Exported>;
  /** Validates, writes and applies a config file (throws ConfigError naming the bad field). */
  importConfig(text: string): Promise<ConfigImportResult>;
}

const importSchema = z.strictObject({ yaml: z.string().min(1, "the config file's text (YAML or JSON)") });

export function configRoutes(deps: ConfigAdminDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/config/export",
      summary:
        "The configuration as a config file (YAML): secrets as references, the database's keys (by hash), teams, tool policies and toggles in `stored`",
      async handle(): Promise<ConfigExportView> {
        const { yaml, replaced, masked } = await deps.exportConfig();
        return { yaml, replaced, masked };
      },
    },
    {
      method: "POST",
      path: "/api/config/import",
      summary:
        "Validate a config file ({ yaml }), make it the config file this gateway reads (old one kept) and apply it; its `stored` section goes into the database",
      async handle(ctx): Promise<ConfigImportResult> {
        const { yaml } = validate(importSchema, await ctx.body());
        try {
          return await deps.importConfig(yaml);
        } catch (e) {
          if (e instanceof ConfigError) throw new HttpError(400, e.message);
          throw e;
        }
      },
    },
  ];
}
