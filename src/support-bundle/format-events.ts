import type { CoreV1Event } from '@kubernetes/client-node';

/**
 * Events as a support engineer reads them: oldest first, one per line (continuation lines of a
 * multi-line message indented), with when, type, reason, object, count, who and what.
 */
export function formatEvents(events: readonly CoreV1Event[]): string {
  const sorted = [...events].sort(
    (a, b) => timeOf(a) - timeOf(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
  return sorted.map(formatEvent).join('');
}

function formatEvent(event: CoreV1Event): string {
  const at = timeOf(event);
  const when = at === UNKNOWN_TIME ? 'unknown-time' : new Date(at).toISOString();
  const object = `${event.involvedObject.kind ?? ''}/${event.involvedObject.name ?? ''}`;
  const count = event.count !== undefined && event.count > 1 ? ` x${event.count}` : '';
  // The API server stores an unset reportingComponent as "", so the first non-empty one wins.
  const from =
    [event.reportingComponent, event.source?.component, event.reportingInstance].find(
      (candidate) => candidate !== undefined && candidate !== '',
    ) ?? 'unknown';
  const message = (event.message ?? '').trimEnd().replace(/\n/g, '\n    ');
  return `${when} ${event.type ?? 'Unknown'} ${event.reason ?? ''} ${object}${count} (from ${from}): ${message}\n`;
}

/** Sorts first: an Event without any time is older than every other. */
const UNKNOWN_TIME = 0;

/** The time an Event last happened: series and aggregated Events keep it in different fields. */
function timeOf(event: CoreV1Event): number {
  const candidates = [
    event.series?.lastObservedTime,
    event.lastTimestamp,
    event.eventTime,
    event.firstTimestamp,
    event.metadata.creationTimestamp,
  ];
  for (const candidate of candidates) {
    if (candidate !== undefined) {
      const ms = new Date(candidate).getTime();
      if (Number.isFinite(ms)) return ms;
    }
  }
  return UNKNOWN_TIME;
}
