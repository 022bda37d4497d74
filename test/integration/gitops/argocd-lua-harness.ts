import { CommandRunError, runCommand } from '../../support/run-command.js';
import type { JsonValue } from './lua-literal.js';
import { toLuaLiteral, toLuaString } from './lua-literal.js';

/**
 * Runs an Argo CD resource health script the way Argo CD does (argo-cd util/lua/lua.go,
 * gitops-engine pkg/health), on the real `lua5.1` interpreter: Lua 5.1 is what gopher-lua
 * implements.
 *
 * - The resource is the global `obj`; the script is a chunk whose top level returns a table.
 * - Only the base and table libraries: Argo CD opens no string or math library for scripts in
 *   argocd-cm (unless `useOpenLibs`), and strings have no methods. (Argo CD also opens a safe
 *   `os` and `package`; leaving them out makes this stricter, never more lenient.)
 * - An error, a value that is not a table, or a field of the wrong type is Unknown with the
 *   error; a status outside Argo CD's six is Unknown, "Lua returned an invalid health status".
 */

export const LUA = 'lua5.1';

export const HEALTH_STATUSES = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export interface ArgoHealth {
  readonly status: HealthStatus;
  readonly message: string;
}

/** lua5.1 is not installed: this machine was not set up with scripts/install-system-deps. */
export class LuaMissingError extends Error {
  constructor(options: { cause: unknown }) {
    super(
      `${LUA} is not installed: run scripts/install-system-deps (as root) to install Debian's lua5.1`,
      options,
    );
    this.name = new.target.name;
  }
}

// What the harness prints: one JSON object, written by hand because Lua 5.1 has no JSON.
interface HarnessReport {
  readonly error?: string;
  readonly returned?: string;
  readonly status?: unknown;
  readonly message?: unknown;
}

// The harness itself keeps the string library (it writes JSON); the script never sees it.
const HARNESS = `
local write, byte, concat = io.write, string.byte, table.concat
local function json(value)
  if type(value) ~= "string" then
    if type(value) == "number" or type(value) == "boolean" then return tostring(value) end
    return "null"
  end
  local out = {}
  for i = 1, #value do
    local b = byte(value, i)
    if b == 34 then out[#out + 1] = '\\\\"'
    elseif b == 92 then out[#out + 1] = "\\\\\\\\"
    elseif b < 32 or b == 127 then out[#out + 1] = string.format("\\\\u%04x", b)
    else out[#out + 1] = string.char(b) end
  end
  return '"' .. concat(out) .. '"'
end

local env = { obj = obj, table = table }
for _, name in ipairs({ "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall",
    "rawequal", "rawget", "rawset", "select", "setmetatable", "tonumber", "tostring", "type",
    "unpack", "xpcall", "_VERSION" }) do
  env[name] = _G[name]
end
env._G = env

local chunk, compileError = loadstring(source, "=health.lua")
if chunk == nil then
  write('{"error":', json(compileError), "}\\n")
  return
end
setfenv(chunk, env)
-- Without the string library there are no string methods either: ("x"):len() fails.
local stringMetatable = getmetatable("")
debug.setmetatable("", nil)
local ok, result = pcall(chunk)
debug.setmetatable("", stringMetatable)
if not ok then
  write('{"error":', json(tostring(result)), "}\\n")
elseif type(result) ~= "table" then
  write('{"returned":', json(type(result)), "}\\n")
else
  write('{"returned":"table","status":', json(result.status), ',"message":', json(result.message), "}\\n")
end
`;

/** The health Argo CD would show for `resource` with `script` as its health check. */
export async function runArgoHealthScript(
  script: string,
  resource: JsonValue,
): Promise<ArgoHealth> {
  const program = [
    `local obj = ${toLuaLiteral(resource)}`,
    `local source = ${toLuaString(script)}`,
    HARNESS,
  ].join('\n');
  let result;
  try {
    result = await runCommand(LUA, ['-'], { stdin: program, timeoutMs: 10_000 });
  } catch (err) {
    if (
      err instanceof CommandRunError &&
      (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
    ) {
      throw new LuaMissingError({ cause: err });
    }
    throw err;
  }
  if (result.exitCode !== 0) {
    throw new Error(`The Lua harness failed (exit ${String(result.exitCode)}): ${result.stderr}`);
  }
  return toArgoHealth(JSON.parse(result.stdout) as HarnessReport);
}

// Argo CD turns the returned table into JSON and then into { status, message } strings.
function toArgoHealth(report: HarnessReport): ArgoHealth {
  if (report.error !== undefined) return { status: 'Unknown', message: report.error };
  if (report.returned !== 'table') {
    return {
      status: 'Unknown',
      message: `expect table output from Lua script, not ${String(report.returned)}`,
    };
  }
  const { status, message } = report;
  if (
    (status !== undefined && status !== null && typeof status !== 'string') ||
    (message !== undefined && message !== null && typeof message !== 'string')
  ) {
    return { status: 'Unknown', message: 'status and message must be strings' };
  }
  if (!isHealthStatus(status)) {
    return { status: 'Unknown', message: 'Lua returned an invalid health status' };
  }
  return { status, message: typeof message === 'string' ? message : '' };
}

function isHealthStatus(value: unknown): value is HealthStatus {
  return (HEALTH_STATUSES as readonly unknown[]).includes(value);
}
