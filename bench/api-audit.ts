/**
 * Counting one client's requests on the API server side: kube-apiserver's audit log (level
 * Metadata: who, verb, resource; never a body) for the operator's service account user only.
 * apiserver_request_total has no user or user-agent label, so the audit log is what can tell the
 * operator's requests from the bench's own.
 */
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface ApiAudit {
  /** Flags for startControlPlane's apiserverArgs. */
  readonly apiserverArgs: readonly string[];
  /** The audited user's requests received in [fromEpochMs, toEpochMs), each counted once. */
  count(fromEpochMs: number, toEpochMs: number): Promise<AuditCount>;
  /** Removes the policy and the log. */
  dispose(): void;
}

export interface AuditCount {
  readonly total: number;
  /** "verb resource[/subresource]" → requests, most first. */
  readonly byKind: ReadonlyArray<readonly [string, number]>;
}

interface AuditEvent {
  readonly auditID?: string;
  readonly verb?: string;
  readonly requestReceivedTimestamp?: string;
  readonly user?: { readonly username?: string };
  readonly objectRef?: { readonly resource?: string; readonly subresource?: string };
}

export function prepareApiAudit(username: string): ApiAudit {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gop-bench-audit-'));
  const policyPath = path.join(dir, 'policy.yaml');
  writeFileSync(
    policyPath,
    [
      'apiVersion: audit.k8s.io/v1',
      'kind: Policy',
      'omitStages: [RequestReceived]',
      'rules:',
      '  - level: Metadata',
      `    users: [${JSON.stringify(username)}]`,
      '  - level: None',
      '',
    ].join('\n'),
  );
  const logDir = path.join(dir, 'log');
  mkdirSync(logDir);
  const dispose = (): void => {
    rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', dispose);
  };
  // Also when the run ends without reaching its clean-up (process.exit, an uncaught error).
  process.once('exit', dispose);
  return {
    apiserverArgs: [
      `--audit-policy-file=${policyPath}`,
      `--audit-log-path=${path.join(logDir, 'audit.log')}`,
      // No rotation needed, but if it happens the rotated files are read too.
      '--audit-log-maxsize=4096',
      '--audit-log-format=json',
    ],
    async count(fromEpochMs, toEpochMs) {
      const seen = new Set<string>();
      const byKind = new Map<string, number>();
      let files: string[];
      try {
        files = readdirSync(logDir).filter((f) => f.startsWith('audit') && f.endsWith('.log'));
      } catch {
        files = [];
      }
      for (const file of files) {
        const lines = createInterface({ input: createReadStream(path.join(logDir, file)) });
        for await (const line of lines) {
          if (line === '') continue;
          const event = JSON.parse(line) as AuditEvent;
          // Long-running requests (watches) log ResponseStarted and ResponseComplete.
          if (event.auditID === undefined || seen.has(event.auditID)) continue;
          if (event.user?.username !== username) continue;
          const at = Date.parse(event.requestReceivedTimestamp ?? '');
          if (!(at >= fromEpochMs && at < toEpochMs)) continue;
          seen.add(event.auditID);
          const ref = event.objectRef;
          const resource = ref?.resource
            ? `${ref.resource}${ref.subresource ? `/${ref.subresource}` : ''}`
            : '(non-resource)';
          const kind = `${event.verb ?? '?'} ${resource}`;
          byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
        }
      }
      return { total: seen.size, byKind: [...byKind].sort((a, b) => b[1] - a[1]) };
    },
    dispose,
  };
}

/** "12.0 get glusterclusters, 3.0 update glusterclusters/status, …": per `per` (the first `top`). */
export function describeKinds(count: AuditCount, per: number, top = 6): string {
  const shown = count.byKind.slice(0, top).map(([kind, n]) => `${(n / per).toFixed(1)} ${kind}`);
  if (count.byKind.length > top) shown.push('…');
  return shown.join(', ');
}
