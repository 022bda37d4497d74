import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  mkdir,
  mkdtemp,
  open,
  readFile,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  InventoryFormatError,
  InventoryReadError,
  InventoryWriteError,
} from '../../../src/inventory/inventory-errors.js';
import type { LoadedInventory } from '../../../src/inventory/load-inventory.js';
import {
  SYSTEM_INVENTORY_PATH,
  dumpInventory,
  inventoryLookupPaths,
  loadInventory,
  loadInventoryFrom,
} from '../../../src/inventory/load-inventory.js';
import {
  MAX_INVENTORY_BYTES,
  parsePeerInventory,
  serializePeerInventory,
} from '../../../src/inventory/peer-inventory.js';
import { rejection } from '../../support/rejection.js';
import { aPeer, anInventory } from './inventory-builders.js';

const ONE = serializePeerInventory(anInventory([aPeer('one')]));
const TWO = serializePeerInventory(anInventory([aPeer('two-a'), aPeer('two-b', { pid: 2 })]));

describe('inventory files', () => {
  let root: string;
  let cwd: string;
  let home: string;
  /** The system-wide file's stand-in: the machine's own /etc/fluidfs/peers.json never counts. */
  let systemPath: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'gop-inventory-'));
    cwd = join(root, 'work');
    home = join(root, 'home');
    systemPath = join(root, 'etc', 'fluidfs', 'peers.json');
    await mkdir(cwd);
    await mkdir(join(home, '.fluidfs'), { recursive: true });
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const names = (loaded: LoadedInventory): string[] => loaded.inventory.replicas.map((p) => p.name);

  describe('inventoryLookupPaths', () => {
    it('lists $PEERS_PATH, ./peers.json, ~/.fluidfs/peers.json, /etc/fluidfs/peers.json', () => {
      expect(
        inventoryLookupPaths({ env: { PEERS_PATH: '/srv/p.json' }, cwd: '/w', home: '/h' }),
      ).to.deep.equal([
        '/srv/p.json',
        '/w/peers.json',
        '/h/.fluidfs/peers.json',
        '/etc/fluidfs/peers.json',
      ]);
    });

    it('resolves a relative $PEERS_PATH against the working directory', () => {
      expect(
        inventoryLookupPaths({ env: { PEERS_PATH: 'conf/p.json' }, cwd: '/w', home: '/h' })[0],
      ).to.equal('/w/conf/p.json');
    });

    it('leaves out an empty $PEERS_PATH, and takes the home from $HOME', () => {
      expect(
        inventoryLookupPaths({ env: { PEERS_PATH: '', HOME: '/home/op' }, cwd: '/w' }),
      ).to.deep.equal(['/w/peers.json', '/home/op/.fluidfs/peers.json', SYSTEM_INVENTORY_PATH]);
    });

    it('lists a path once when two rules give it', () => {
      expect(
        inventoryLookupPaths({ env: { PEERS_PATH: '/w/peers.json' }, cwd: '/w', home: '/h' }),
      ).to.deep.equal(['/w/peers.json', '/h/.fluidfs/peers.json', SYSTEM_INVENTORY_PATH]);
    });
  });

  describe('loadInventory', () => {
    it('finds nothing: an empty inventory and no path, not an error', async () => {
      const loaded = await loadInventory({ env: {}, cwd, home, systemPath });
      expect(loaded).to.deep.equal({ inventory: { info: {}, replicas: [] }, path: undefined });
    });

    it('takes ./peers.json before ~/.fluidfs/peers.json', async () => {
      await writeFile(join(cwd, 'peers.json'), ONE);
      await writeFile(join(home, '.fluidfs', 'peers.json'), TWO);
      const loaded = await loadInventory({ env: {}, cwd, home });
      expect(loaded.path).to.equal(join(cwd, 'peers.json'));
      expect(names(loaded)).to.deep.equal(['one']);
    });

    it('takes ~/.fluidfs/peers.json when the working directory has none', async () => {
      await writeFile(join(home, '.fluidfs', 'peers.json'), TWO);
      const loaded = await loadInventory({ env: {}, cwd, home });
      expect(loaded.path).to.equal(join(home, '.fluidfs', 'peers.json'));
      expect(names(loaded)).to.deep.equal(['two-a', 'two-b']);
    });

    it('takes the system-wide file last', async () => {
      await mkdir(join(root, 'etc', 'fluidfs'), { recursive: true });
      await writeFile(systemPath, ONE);
      const loaded = await loadInventory({ env: {}, cwd, home, systemPath });
      expect(loaded.path).to.equal(systemPath);
      expect(names(loaded)).to.deep.equal(['one']);
      await writeFile(join(home, '.fluidfs', 'peers.json'), TWO);
      expect((await loadInventory({ env: {}, cwd, home, systemPath })).path).to.equal(
        join(home, '.fluidfs', 'peers.json'),
      );
    });

    it('takes $PEERS_PATH before all others', async () => {
      await writeFile(join(cwd, 'peers.json'), ONE);
      await writeFile(join(root, 'explicit.json'), TWO);
      const loaded = await loadInventory({ env: { PEERS_PATH: '../explicit.json' }, cwd, home });
      expect(loaded.path).to.equal(join(root, 'explicit.json'));
      expect(names(loaded)).to.deep.equal(['two-a', 'two-b']);
    });

    it('stops at a $PEERS_PATH that names no file, rather than load another', async () => {
      await writeFile(join(cwd, 'peers.json'), ONE);
      const error = await rejection(
        loadInventory({ env: { PEERS_PATH: join(root, 'missing.json') }, cwd, home }),
      );
      expect(error).to.be.instanceOf(InventoryReadError);
      expect(error.message).to.equal(
        `${join(root, 'missing.json')} (named by PEERS_PATH) does not exist`,
      );
      expect((error as InventoryReadError).code).to.equal('ENOENT');
    });

    it('stops at an invalid file, and does not fall through to the next one', async () => {
      await writeFile(join(cwd, 'peers.json'), '{"replicas": [{"name": "x"}]}');
      await writeFile(join(home, '.fluidfs', 'peers.json'), TWO);
      const error = await rejection(loadInventory({ env: {}, cwd, home }));
      expect(error).to.be.instanceOf(InventoryFormatError);
      expect((error as InventoryFormatError).source).to.equal(join(cwd, 'peers.json'));
      expect(error.message).to.contain(
        `${join(cwd, 'peers.json')}: replicas[0].ip_address: is required`,
      );
    });

    const unusable: { name: string; make: (path: string) => Promise<void>; message: string }[] = [
      { name: 'a directory', make: (p) => mkdir(p), message: 'is a directory' },
      {
        name: 'a symlink to a missing file',
        make: (p) => symlink(join(root, 'gone.json'), p),
        message: 'is a symbolic link to a file that does not exist',
      },
      {
        name: 'a FIFO (without waiting for a writer)',
        make: async (p) => {
          execFileSync('mkfifo', [p]);
          await Promise.resolve();
        },
        message: 'is not a regular file',
      },
      { name: 'an empty file', make: (p) => writeFile(p, ''), message: 'is empty' },
    ];
    for (const tc of unusable) {
      it(`stops at ${tc.name} in the way`, async () => {
        const path = join(cwd, 'peers.json');
        await tc.make(path);
        await writeFile(join(home, '.fluidfs', 'peers.json'), TWO);
        const error = await rejection(loadInventory({ env: {}, cwd, home }));
        expect(error.message).to.equal(
          tc.message === 'is empty'
            ? `${path}: is empty; an inventory without peers is {"replicas": []}`
            : `${path} ${tc.message}`,
        );
      });
    }

    it('passes over a path through a file where a directory should be (ENOTDIR)', async () => {
      await rm(join(home, '.fluidfs'), { recursive: true });
      await writeFile(join(home, '.fluidfs'), 'not a directory');
      // ~/.fluidfs/peers.json cannot exist; the lookup goes on to the system file, then finds nothing.
      expect((await loadInventory({ env: {}, cwd, home, systemPath })).path).to.equal(undefined);
    });
  });

  describe('loadInventoryFrom', () => {
    it('loads the file named, by its absolute path', async () => {
      await writeFile(join(cwd, 'mine.json'), TWO);
      const previous = process.cwd();
      process.chdir(cwd);
      try {
        const loaded = await loadInventoryFrom('mine.json');
        expect(loaded.path).to.equal(join(cwd, 'mine.json'));
        expect(names(loaded)).to.deep.equal(['two-a', 'two-b']);
      } finally {
        process.chdir(previous);
      }
    });

    it('reports a missing file as InventoryReadError ENOENT', async () => {
      const error = await rejection(loadInventoryFrom(join(root, 'nope.json')));
      expect(error).to.be.instanceOf(InventoryReadError);
      expect(error.message).to.equal(`${join(root, 'nope.json')} does not exist`);
      expect((error as InventoryReadError).code).to.equal('ENOENT');
    });

    it('refuses a file over 4 MiB without reading it', async () => {
      const path = join(root, 'huge.json');
      await writeFile(path, ' '.repeat(MAX_INVENTORY_BYTES + 1));
      const error = await rejection(loadInventoryFrom(path));
      expect(error).to.be.instanceOf(InventoryReadError);
      expect(error.message).to.contain('is larger than the limit of 4194304 bytes');
    });

    it('accepts a file of exactly 4 MiB', async () => {
      const path = join(root, 'full.json');
      const text = `{"replicas": []}`;
      await writeFile(path, text + ' '.repeat(MAX_INVENTORY_BYTES - text.length));
      expect((await loadInventoryFrom(path)).inventory.replicas).to.deep.equal([]);
    });

    it('refuses bytes that are not UTF-8 instead of replacing them', async () => {
      const path = join(root, 'latin1.json');
      await writeFile(
        path,
        Buffer.concat([
          Buffer.from('{"info": {"site": "K'),
          Buffer.from([0xf6]),
          Buffer.from('ln"}}'),
        ]),
      );
      const error = await rejection(loadInventoryFrom(path));
      expect(error).to.be.instanceOf(InventoryFormatError);
      expect(error.message).to.equal(`${path}: is not valid UTF-8 text`);
    });

    it('reads a file that starts with a UTF-8 byte order mark', async () => {
      const path = join(root, 'bom.json');
      await writeFile(path, `\uFEFF${ONE}`);
      expect(names(await loadInventoryFrom(path))).to.deep.equal(['one']);
    });
  });

  describe('dumpInventory', () => {
    it('writes what loading reads back, and returns the path', async () => {
      await writeFile(join(cwd, 'peers.json'), TWO);
      const loaded = await loadInventoryFrom(join(cwd, 'peers.json'));
      const target = join(root, 'copy.json');
      expect(await dumpInventory(loaded, target)).to.equal(target);
      expect(await readFile(target, 'utf8')).to.equal(serializePeerInventory(loaded.inventory));
      expect((await loadInventoryFrom(target)).inventory).to.deep.equal(loaded.inventory);
    });

    it('writes back to the file it was loaded from when no path is given', async () => {
      const path = join(cwd, 'peers.json');
      await writeFile(
        path,
        '{"replicas":[{"name":"one","pid":1,"ip_address":"10.250.0.11","port":24007}]}',
      );
      const loaded = await loadInventoryFrom(path);
      expect(await dumpInventory(loaded)).to.equal(path);
      expect(await readFile(path, 'utf8')).to.equal(ONE);
    });

    it('refuses when there is no path and the inventory came from no file', async () => {
      const error = await rejection(dumpInventory({ inventory: anInventory([]), path: undefined }));
      expect(error).to.be.instanceOf(InventoryWriteError);
      expect(error.message).to.contain('no path was given');
    });

    it('creates the file with mode 0644 whatever the umask', async () => {
      const previous = process.umask(0o077);
      try {
        const path = await dumpInventory(
          { inventory: anInventory([aPeer('n')]), path: undefined },
          join(root, 'm.json'),
        );
        expect((await stat(path)).mode & 0o777).to.equal(0o644);
      } finally {
        process.umask(previous);
      }
    });

    it('replaces the file by renaming a new one over it: an open reader keeps the old text', async () => {
      const path = join(root, 'peers.json');
      await writeFile(path, ONE);
      const before = await stat(path);
      const reader = await open(path, 'r');
      try {
        await dumpInventory({ inventory: parsePeerInventory(TWO, 'x'), path });
        expect((await stat(path)).ino).to.not.equal(before.ino);
        expect(await reader.readFile('utf8')).to.equal(ONE);
        expect(await readFile(path, 'utf8')).to.equal(TWO);
      } finally {
        await reader.close();
      }
    });

    it('never lets a concurrent reader see a partial file', async () => {
      const path = join(root, 'peers.json');
      const big = serializePeerInventory(
        anInventory(Array.from({ length: 2000 }, (_, i) => aPeer(`n${i}`, { pid: i }))),
      );
      await writeFile(path, ONE);
      const small = { inventory: parsePeerInventory(ONE, 'x'), path };
      const large = { inventory: parsePeerInventory(big, 'x'), path };
      const state = { writing: true };
      const writer = (async () => {
        for (let i = 0; i < 20; i++) await dumpInventory(i % 2 === 0 ? large : small);
        state.writing = false;
      })();
      let reads = 0;
      while (state.writing) {
        const text = await readFile(path, 'utf8');
        expect([ONE, big]).to.include(text);
        reads++;
      }
      await writer;
      expect(reads).to.be.greaterThan(0);
    });

    it('leaves the old file and no temporary file when the write fails', async () => {
      const target = join(root, 'taken');
      await mkdir(target);
      await writeFile(join(target, 'keep'), 'x');
      const error = await rejection(
        dumpInventory({ inventory: anInventory([aPeer('n')]), path: target }),
      );
      expect(error).to.be.instanceOf(InventoryWriteError);
      expect(error.message).to.equal(`Could not write ${target}: ${target} is a directory`);
      expect((await readdir(root)).sort()).to.deep.equal(['home', 'taken', 'work']);
      expect(await readFile(join(target, 'keep'), 'utf8')).to.equal('x');
    });

    it('does not create a missing parent directory', async () => {
      const target = join(root, 'no', 'such', 'peers.json');
      const error = await rejection(dumpInventory({ inventory: anInventory([]), path: target }));
      expect(error).to.be.instanceOf(InventoryWriteError);
      expect(error.message).to.contain(`directory ${join(root, 'no', 'such')} does not exist`);
      expect(existsSync(join(root, 'no'))).to.equal(false);
    });

    it('refuses an invalid inventory before touching the file', async () => {
      const path = join(root, 'peers.json');
      await writeFile(path, ONE);
      const error = await rejection(
        dumpInventory({ inventory: anInventory([aPeer('n'), aPeer('n')]), path }),
      );
      expect(error).to.be.instanceOf(InventoryFormatError);
      expect(await readFile(path, 'utf8')).to.equal(ONE);
      expect((await readdir(root)).sort()).to.deep.equal(['home', 'peers.json', 'work']);
    });

    it('keeps a symlink and replaces the file it points to', async () => {
      const real = join(root, 'real.json');
      const link = join(cwd, 'peers.json');
      await writeFile(real, ONE);
      await symlink(real, link);
      const written = await dumpInventory({ inventory: parsePeerInventory(TWO, 'x'), path: link });
      expect(written).to.equal(real);
      expect(await readlink(link)).to.equal(real);
      expect(await readFile(real, 'utf8')).to.equal(TWO);
    });
  });
});
