import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { TerminalError } from '../errors.js';
import type { Logger } from '../observability/logger.js';

/** Where a server's certificate (chain) and key are, as PEM files (a mounted TLS Secret). */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

/** How often the files are read again for a renewed certificate (Secret volumes update in ~1 min). */
export const TLS_RELOAD_INTERVAL_MS = 60_000;

/**
 * Reads the PEM files and checks that they make a TLS context (a certificate and its key);
 * anything else is a TerminalError naming the file, never its contents.
 */
export async function readTlsFiles(files: TlsFiles): Promise<TlsMaterial> {
  const read = (path: string, what: string): Promise<string> =>
    readFile(path, 'utf8').catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new TerminalError(`Cannot read the events TLS ${what} ${path}: ${code}`);
    });
  const [cert, key] = await Promise.all([
    read(files.certFile, 'certificate'),
    read(files.keyFile, 'key'),
  ]);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TerminalError(
      `The events TLS certificate ${files.certFile} and key ${files.keyFile} do not make a TLS context: ${reason}`,
    );
  }
  return { cert, key };
}

/**
 * Reads the files again every `intervalMs` and hands a changed, usable pair to `apply` (new
 * connections get it; open ones keep theirs). A pair that cannot be read or used is logged and
 * the one in force is kept: a half-written renewal must not take the port down. Returns the stop.
 */
export function reloadTlsFiles(
  files: TlsFiles,
  current: TlsMaterial,
  apply: (material: TlsMaterial) => void,
  options: { readonly logger: Logger; readonly intervalMs?: number },
): () => void {
  let fingerprint = fingerprintOf(current);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    readTlsFiles(files)
      .then((material) => {
        const next = fingerprintOf(material);
        if (next === fingerprint) return;
        apply(material);
        fingerprint = next;
        options.logger.info('Loaded a new events TLS certificate', { certFile: files.certFile });
      })
      .catch((error: unknown) => {
        options.logger.error('Kept the events TLS certificate in force', {
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => {
        running = false;
      });
  }, options.intervalMs ?? TLS_RELOAD_INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}

/** Compared instead of the PEM text itself, so the key is not kept twice. */
function fingerprintOf(material: TlsMaterial): string {
  return createHash('sha256').update(material.cert).update('\0').update(material.key).digest('hex');
}
