-- Argo CD health check for glusteroperator.io/v1alpha1 GlusterCluster.
--
-- Argo CD runs it with gopher-lua (Lua 5.1): the resource is the global `obj`, the script's
-- top level returns { status = ..., message = ... }, and only the base and table libraries
-- are there (no string or math library), so nothing below calls string functions or methods.
-- It must not fail on an odd resource either: a Lua error shows as Unknown with a stack trace.
--
-- The mapping, first match wins (docs/glustercluster-reference.md, "GitOps health"):
--   no status, or status older than the spec  -> Progressing (the operator has not caught up)
--   Stalled=True                              -> Degraded    (a person must act)
--   Degraded=True                             -> Degraded    (a member is down, cut off, rejected)
--   InventorySynced=False                     -> Degraded    (the node inventory cannot be used)
--   spec.paused                               -> Suspended   (the operator only observes)
--   Reconciling=True                          -> Progressing (a change is under way or retried)
--   Ready=True                                -> Healthy
--   anything else                             -> Progressing

local function health(status, message)
  return { status = status, message = message }
end

-- Numbers reach the script as numbers, or as strings when Argo CD decoded them as json.Number.
local function number(value)
  if type(value) == "number" then
    return value
  end
  if type(value) == "string" then
    return tonumber(value)
  end
  return nil
end

local metadata = type(obj.metadata) == "table" and obj.metadata or {}
local spec = type(obj.spec) == "table" and obj.spec or {}
local status = obj.status
if type(status) ~= "table" then
  return health("Progressing", "Waiting for the operator's first report on the pool")
end

-- Without this, a spec change would look Healthy until the operator's next pass.
local generation = number(metadata.generation)
local observed = number(status.observedGeneration)
if observed == nil then
  return health("Progressing", "Waiting for the operator's first report on the pool")
end
if generation ~= nil and observed < generation then
  return health("Progressing", "Waiting for the operator to act on generation " .. generation
    .. " (status describes generation " .. observed .. ")")
end

local conditions = {}
if type(status.conditions) == "table" then
  for _, condition in ipairs(status.conditions) do
    if type(condition) == "table" and type(condition.type) == "string" then
      conditions[condition.type] = condition
    end
  end
end

local function isTrue(conditionType)
  local condition = conditions[conditionType]
  return condition ~= nil and condition.status == "True"
end

-- "Reason: message", so the Argo CD UI says what the operator says.
local function describe(conditionType)
  local condition = conditions[conditionType]
  local reason = conditionType
  if type(condition.reason) == "string" and condition.reason ~= "" then
    reason = condition.reason
  end
  if type(condition.message) == "string" and condition.message ~= "" then
    return reason .. ": " .. condition.message
  end
  return reason
end

-- Stalled before Degraded: a pass that failed for good (an unusable Secret) is Stalled
-- while Degraded stays False, since no member is known to be down.
if isTrue("Stalled") then
  return health("Degraded", describe("Stalled"))
end
if isTrue("Degraded") then
  return health("Degraded", describe("Degraded"))
end
-- A broken inventory leaves the last good node list in force, but its source needs a person.
if conditions.InventorySynced ~= nil and conditions.InventorySynced.status == "False" then
  return health("Degraded", describe("InventorySynced"))
end
-- After the two above, so that pausing never hides a member that is down.
if spec.paused == true then
  if conditions.Reconciling ~= nil and conditions.Reconciling.reason == "Paused" then
    return health("Suspended", describe("Reconciling"))
  end
  return health("Suspended", "spec.paused is true: the operator observes and reports only")
end
-- Before Ready, as kstatus does: Ready can still be True while a member is being detached.
if isTrue("Reconciling") then
  return health("Progressing", describe("Reconciling"))
end
if isTrue("Ready") then
  return health("Healthy", describe("Ready"))
end
if conditions.Ready ~= nil then
  return health("Progressing", describe("Ready"))
end
return health("Progressing", "Waiting for the operator to report the pool's conditions")
