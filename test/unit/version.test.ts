import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import {
  formatVersionLine,
  readVersionInfo,
  REVISION,
  REVISION_VARIABLE,
  VERSION,
} from '../../src/version.js';
import { rejection } from '../support/rejection.js';

const VERSION_MODULE = new URL('../../src/version.ts', import.meta.url);

describe('version', () => {
  let root: string;
  /** The package root as readVersionInfo takes it: a directory URL. */
  let rootUrl: URL;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'gop-version-'));
    rootUrl = pathToFileURL(`${root}/`);
    await writeFile(join(root, 'package.json'), '{"name": "x", "version": "9.8.7"}');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('readVersionInfo', () => {
    const cases: {
      name: string;
      revisionFile?: string;
      env?: Record<string, string>;
      revision: string;
    }[] = [
      { name: 'no revision file and no variable: unknown', revision: 'unknown' },
      { name: 'the revision file, trimmed', revisionFile: 'a1b2c3d\n', revision: 'a1b2c3d' },
      { name: 'an empty revision file: unknown', revisionFile: ' \n', revision: 'unknown' },
      {
        name: 'the variable before the file',
        revisionFile: 'a1b2c3d\n',
        env: { [REVISION_VARIABLE]: 'f00dfeed' },
        revision: 'f00dfeed',
      },
      {
        name: 'the file when the variable is empty',
        revisionFile: 'a1b2c3d',
        env: { [REVISION_VARIABLE]: '' },
        revision: 'a1b2c3d',
      },
      {
        name: 'the variable without a file',
        env: { [REVISION_VARIABLE]: 'f00dfeed' },
        revision: 'f00dfeed',
      },
    ];
    for (const tc of cases) {
      it(`takes the revision from ${tc.name}`, async () => {
        if (tc.revisionFile !== undefined) await writeFile(join(root, 'revision'), tc.revisionFile);
        expect(readVersionInfo({ packageRoot: rootUrl, env: tc.env ?? {} })).to.deep.equal({
          version: '9.8.7',
          revision: tc.revision,
        });
      });
    }

    it('refuses a package.json without a version', async () => {
      await writeFile(join(root, 'package.json'), '{"name": "x"}');
      expect(() => readVersionInfo({ packageRoot: rootUrl, env: {} })).to.throw('has no version');
    });

    it('does not hide a revision file it cannot read', async () => {
      await mkdir(join(root, 'revision'));
      expect(() => readVersionInfo({ packageRoot: rootUrl, env: {} }))
        .to.throw()
        .with.property('code', 'EISDIR');
    });
  });

  it("is this package's version, read from package.json", async () => {
    const pkg = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(VERSION).to.equal(pkg.version);
    expect(REVISION).to.equal(readVersionInfo().revision);
  });

  it('reads package.json and revision at the root of a runtime tree, from dist/', async () => {
    // The layout scripts/runtime-tree makes: package.json and revision next to dist/.
    await writeFile(join(root, 'package.json'), '{"type": "module", "version": "9.8.7"}');
    await writeFile(join(root, 'revision'), '0123456789abcdef0123456789abcdef01234567\n');
    await mkdir(join(root, 'dist'));
    const copy = join(root, 'dist', 'version.ts');
    await copyFile(VERSION_MODULE, copy);
    // The module reads the environment as it loads: the variable, if set here, would win.
    const saved = process.env[REVISION_VARIABLE];
    delete process.env['GLUSTER_OPERATOR_REVISION'];
    try {
      const loaded = (await import(
        pathToFileURL(copy).href
      )) as typeof import('../../src/version.js');
      expect([loaded.VERSION, loaded.REVISION]).to.deep.equal([
        '9.8.7',
        '0123456789abcdef0123456789abcdef01234567',
      ]);
    } finally {
      if (saved !== undefined) process.env[REVISION_VARIABLE] = saved;
    }
  });

  it('fails to load where no package.json is above it, rather than print a made-up version', async () => {
    await mkdir(join(root, 'lonely', 'dist'), { recursive: true });
    const copy = join(root, 'lonely', 'dist', 'version.ts');
    await copyFile(VERSION_MODULE, copy);
    const error = await rejection(import(pathToFileURL(copy).href));
    expect((error as NodeJS.ErrnoException).code).to.equal('ENOENT');
  });

  describe('formatVersionLine', () => {
    it('names the program, version, revision and Node.js', () => {
      expect(formatVersionLine({ version: '0.1.0', revision: 'a1b2c3d' }, 'v24.21.0')).to.equal(
        'gluster-operator 0.1.0 (a1b2c3d, Node v24.21.0)',
      );
    });

    it("defaults to this package and this process's Node.js", () => {
      expect(formatVersionLine()).to.equal(
        `gluster-operator ${VERSION} (${REVISION}, Node ${process.version})`,
      );
    });
  });
});
