import { z } from "zod";

/**
 * The tool-list mode of a key (docs/mcp.md, "Tool-list modes"):
 * - full: every tool as the upstream describes it (default);
 * - search: a few meta tools to search the catalogue and call a found tool;
 * - compact: every tool, with first-sentence descriptions and no parameter descriptions.
 */
export const toolModes = ["full", "search", "compact"] as const;
export type ToolMode = (typeof toolModes)[number];
export const toolModeSchema = z.enum(toolModes);

/** The mode of the key named `keyName` (null: no key, e.g. the admin view). */
export type ToolModeOf = (keyName: string | null) => ToolMode;

interface ModeConfig {
  virtual_keys: ReadonlyArray<{ name: string; tool_mode?: ToolMode | undefined }>;
  mcp: { tool_mode: ToolMode };
}

/** `virtual_keys[].tool_mode` of the key, else `mcp.tool_mode` (keys created outside the config too). */
export function toolModeFor(config: ModeConfig, keyName: string | null): ToolMode {
  if (keyName === null) return config.mcp.tool_mode;
  return config.virtual_keys.find((k) => k.name === keyName)?.tool_mode ?? config.mcp.tool_mode;
}
