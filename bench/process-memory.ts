import { readFileSync } from 'node:fs';

/** VmRSS and VmHWM (peak RSS) of a live process, in KiB. */
export interface ProcessMemory {
  readonly rssKiB: number;
  readonly hwmKiB: number;
}

/** From /proc/<pid>/status; undefined once the process has gone. */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]);
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
}
