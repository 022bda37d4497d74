import type { XmlElement } from './cli-output.js';
import { child, elements, optionalText, requireInteger, requireText } from './cli-output.js';
import { GlusterXmlParseError } from './gluster-errors.js';
import { requireCount } from './volume-xml.js';

/**
 * gluster's task status numbers (gf_defrag_status_t), shared by rebalance and remove-brick. The
 * text (statusStr) says the same: "not started", "in progress", "stopped", "completed", "failed",
 * "fix-layout ..." and, once a replace-brick ended a task, "reset due to replace-brick".
 */
export const TASK_STATUS = {
  notStarted: 0,
  inProgress: 1,
  stopped: 2,
  completed: 3,
  failed: 4,
} as const;

export interface TaskCounters {
  /** gf_defrag_status_t; see TASK_STATUS. */
  readonly status: number;
  readonly statusStr: string;
  /** Files migrated (`<files>`). */
  readonly filesMoved: number;
  /** Bytes migrated (`<size>`). */
  readonly bytesMoved: number;
  /** Files looked at (`<lookups>`). */
  readonly filesScanned: number;
  readonly failures: number;
  /** Files left where they were (not enough space on the target, open, ...). */
  readonly skipped: number;
  readonly runtimeSeconds: number;
}

/** One node's part of the task: `nodeName` is "localhost" for the node asked. */
export interface TaskNodeStatus extends TaskCounters {
  readonly nodeName: string;
  readonly nodeUuid: string;
}

/** `volume rebalance <v> status` or `volume remove-brick <v> <bricks> status`. */
export interface TaskStatus {
  /** undefined when no task ever ran. */
  readonly taskId: string | undefined;
  /** The sum over the nodes; its status is the task's. */
  readonly aggregate: TaskCounters;
  readonly nodes: readonly TaskNodeStatus[];
}

/** What gluster's status reports when no task ever ran: "Rebalance not started for volume v." */
export const TASK_NOT_STARTED: TaskStatus = {
  taskId: undefined,
  aggregate: {
    status: TASK_STATUS.notStarted,
    statusStr: 'not started',
    filesMoved: 0,
    bytesMoved: 0,
    filesScanned: 0,
    failures: 0,
    skipped: 0,
    runtimeSeconds: 0,
  },
  nodes: [],
};

/** `<volRebalance>` or `<volRemoveBrick>` of a status answer. */
export function parseTaskStatus(payload: XmlElement | undefined, what: string): TaskStatus {
  if (payload === undefined) throw new GlusterXmlParseError(`gluster's XML lacks the ${what}`);
  const aggregate = child(payload, 'aggregate');
  if (aggregate === undefined) {
    throw new GlusterXmlParseError(`gluster's ${what} lacks <aggregate>`);
  }
  // Only the nodes taking part are listed (for a remove-brick, those with its bricks), while
  // <nodeCount> counts the pool's nodes.
  const nodes = elements(payload, 'node').map((node) => ({
    nodeName: requireText(node, 'nodeName'),
    nodeUuid: requireText(node, 'id'),
    ...parseCounters(node),
  }));
  return { taskId: optionalText(payload, 'task-id'), aggregate: parseCounters(aggregate), nodes };
}

function parseCounters(element: XmlElement): TaskCounters {
  const runtime = requireText(element, 'runtime');
  if (!/^\d+(\.\d+)?$/.test(runtime)) {
    throw new GlusterXmlParseError(`<runtime> should be a number of seconds, got "${runtime}"`);
  }
  return {
    status: requireInteger(element, 'status'),
    statusStr: requireText(element, 'statusStr'),
    filesMoved: requireCount(element, 'files'),
    bytesMoved: requireCount(element, 'size'),
    filesScanned: requireCount(element, 'lookups'),
    failures: requireCount(element, 'failures'),
    skipped: requireCount(element, 'skipped'),
    runtimeSeconds: Number(runtime),
  };
}
