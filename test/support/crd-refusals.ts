import { expect } from 'chai';
import { ApiException } from '@kubernetes/client-node';
import { HOSTILE_STRINGS } from './hostile-strings.js';

/** The API server's refusal of a call: its HTTP code and its Status message. */
export async function refused(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body: unknown = err.body;
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string };
    return { code: err.code, message: status.message ?? String(body) };
  }
  throw new Error('Expected the API server to refuse the request, but it accepted it');
}

/** A spec the CRD must refuse, and the message it must refuse it with. */
export interface RefusedSpec<TSpec> {
  readonly name: string;
  readonly spec: TSpec;
  readonly message: RegExp;
  readonly metadataName?: string;
}

/** One `it` per case: creating `spec` (a dry run) is refused as invalid (422) with its message. */
export function itRefusesEach<TSpec>(
  cases: readonly RefusedSpec<TSpec>[],
  create: (spec: TSpec, metadataName: string | undefined) => Promise<unknown>,
): void {
  for (const tc of cases) {
    it(tc.name, async function () {
      const refusal = await refused(create(tc.spec, tc.metadataName));
      expect(refusal.code).to.equal(422);
      expect(refusal.message).to.match(tc.message);
    });
  }
}

/**
 * One `it` per string field: every string a shell would interpret (HOSTILE_STRINGS), set there by
 * `spec`, is refused as invalid (422) with the field's path in the message.
 */
export function itRefusesHostileStrings<TSpec>(
  fields: readonly { readonly path: string; readonly spec: (value: string) => TSpec }[],
  create: (spec: TSpec) => Promise<unknown>,
): void {
  for (const { path, spec } of fields) {
    it(`${path}: every string a shell would interpret`, async function () {
      for (const value of HOSTILE_STRINGS) {
        const refusal = await refused(create(spec(value)));
        expect(refusal.code, JSON.stringify(value)).to.equal(422);
        expect(refusal.message, JSON.stringify(value)).to.include(`${path}: `);
      }
    });
  }
}

/** The columns of a line of kubectl's table output. */
export function columns(line: string): string[] {
  return line.trim().split(/\s+/);
}
