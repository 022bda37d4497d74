import type { ProcessMemory } from './process-memory.js';
import { readProcessMemory } from './process-memory.js';

export interface MemorySample extends ProcessMemory {
  /** performance.now() of the reading. */
  readonly atMs: number;
}

/**
 * Reads a process's RSS once a second in the background, for the whole run, so that any span of
 * it can be summarised afterwards; notes when the process has gone.
 */
export class MemorySampler {
  readonly #pid: number;
  readonly #samples: MemorySample[] = [];
  readonly #timer: NodeJS.Timeout;
  #gone = false;

  constructor(pid: number, intervalMs = 1_000) {
    this.#pid = pid;
    this.#read();
    this.#timer = setInterval(() => {
      this.#read();
    }, intervalMs);
  }

  /** Throws when the process has gone since the sampler started. */
  assertAlive(what: string): void {
    if (this.#gone) throw new Error(`The operator (pid ${this.#pid}) exited ${what}`);
  }

  /** The samples taken in [fromMs, toMs] (performance.now() times). */
  between(fromMs: number, toMs: number): MemorySample[] {
    return this.#samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
  }

  /** The latest reading, taken now. */
  now(): MemorySample | undefined {
    this.#read();
    return this.#samples.at(-1);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #read(): void {
    const memory = readProcessMemory(this.#pid);
    if (memory === undefined) {
      this.#gone = true;
      return;
    }
    this.#samples.push({ atMs: performance.now(), ...memory });
  }
}
