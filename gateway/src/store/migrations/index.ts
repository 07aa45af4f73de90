import { m001 } from "./001-keys.js";
import { m002 } from "./002-logs.js";
import { m003 } from "./003-mcp.js";
import { m004 } from "./004-content-search.js";
import { m005 } from "./005-mcp-servers.js";
import { m006 } from "./006-mcp-oauth.js";
import { m007 } from "./007-key-policies.js";
import { m008 } from "./008-prompt-parts.js";
import { m009 } from "./009-search-without-positions.js";
import { m010 } from "./010-config-entries.js";
import { m011 } from "./011-more-config-entries.js";
import { m012 } from "./012-config-entries-any-section.js";
import { m013 } from "./013-key-rotation.js";
import { m014 } from "./014-failed-attempts.js";
import { m015 } from "./015-tool-call-details.js";
import { m016 } from "./016-tool-call-approval-id.js";
import { m017 } from "./017-input-estimated.js";
import { m018 } from "./018-tool-calls-by-key-name.js";
import { m019 } from "./019-decision-reason-and-key-indexes.js";
import type { Migration } from "./types.js";

/** Every migration, one file each (NNN-name.ts), listed here in version order. */
export const migrations: readonly Migration[] = [
  m001,
  m002,
  m003,
  m004,
  m005,
  m006,
  m007,
  m008,
  m009,
  m010,
  m011,
  m012,
  m013,
  m014,
  m015,
  m016,
  m017,
  m018,
  m019,
];
