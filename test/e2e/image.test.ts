import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllYaml, type V1Deployment } from '@kubernetes/client-node';
import { expect } from 'chai';
import {
  installOperatorIdentity,
  OPERATOR_NAMESPACE,
  readShippedEnv,
} from '../../bench/shipped-operator.js';
import type { ControlPlane } from '../support/control-plane.js';
import { getControlPlane } from '../support/control-plane-fixture.js';
import { findFreePorts } from '../support/free-ports.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { createOperatorHarness, isReadyAt } from '../support/operator-harness.js';
import { runCommand } from '../support/run-command.js';
import { useGlusterTestPool } from '../support/test-pool.js';

/**
 * The image itself, made without a container engine (scripts/build-image: umoci, no RUN step),
 * then run the way a container runtime runs it, from what the image says and nothing else:
 *
 * - `umoci raw unpack` + `umoci raw runtime-config`: the image's root filesystem and the OCI
 *   runtime spec umoci derives from its config (what `umoci unpack` makes, without the mtree
 *   manifest only `umoci repack` reads). Its process.args, env, cwd and user are what runs.
 * - A private mount namespace (unshare); the rootfs bind-mounted on itself, /proc, a minimal /dev
 *   (tmpfs with null, zero, full, random, urandom, tty) and the service account's token, ca.crt
 *   and namespace at /var/run/secrets/kubernetes.io/serviceaccount, read-only, then the rootfs
 *   made read-only (readOnlyRootFilesystem). Then chroot into it and uid/gid from the spec with no
 *   supplementary group (nsenter --root --wd --setuid --setgid, after setpriv's no_new_privs and
 *   no inheritable capability; the Deployment drops every capability, so those umoci's spec lists
 *   by default are not given).
 * - The environment: the spec's env (less TERM, which umoci adds only for its default terminal),
 *   then the Deployment's container env (bench/shipped-operator.ts readShippedEnv), then what a
 *   pod gets besides: KUBERNETES_SERVICE_HOST/PORT, POD_NAME and POD_NAMESPACE (Downward API).
 *   No KUBECONFIG: client-node takes the in-cluster config, the token of the operator's service
 *   account from the TokenRequest API (kubectl create token), with deploy/'s RBAC.
 * - What differs from a pod, because tests share one machine and one API server: WATCH_NAMESPACE
 *   (this test's namespace), HTTP_HOST 127.0.0.1 and a free HTTP_PORT (the host's network), and
 *   the Lease's name (a Lease of its own, so no other test's replica stands in its way).
 *
 * The image is the one scripts/test built earlier in the run when GLUSTER_OPERATOR_IMAGE names it
 * (LAYOUT:TAG, the last line scripts/build-image prints); otherwise this test builds it.
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const IMAGE_VARIABLE = 'GLUSTER_OPERATOR_IMAGE';
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const SERVICE_ACCOUNT = 'gluster-operator';
/** Dockerfile USER, deploy/deployment.yaml runAsUser. */
const IMAGE_UID = 65532;
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The part of the OCI runtime spec (config.json) that says what runs. */
interface RuntimeSpec {
  readonly process: {
    readonly terminal?: boolean;
    readonly user: {
      readonly uid: number;
      readonly gid: number;
      readonly additionalGids?: number[];
    };
    readonly args: string[];
    readonly env: string[];
    readonly cwd: string;
  };
}

/** The image config (application/vnd.oci.image.config.v1+json), the parts the Dockerfile sets. */
interface ImageConfig {
  readonly created: string;
  readonly architecture: string;
  readonly os: string;
  readonly config: {
    readonly User: string;
    readonly WorkingDir: string;
    readonly Env: string[];
    readonly Entrypoint: string[];
    readonly Cmd?: string[];
    readonly ExposedPorts: Record<string, object>;
    readonly Labels: Record<string, string>;
  };
}

interface Manifest {
  readonly config: { readonly digest: string };
  readonly layers: readonly { readonly mediaType: string; readonly size: number }[];
}

/** LAYOUT:TAG → its manifest and config, read from the layout's files. */
function readImage(reference: string): {
  layout: string;
  tag: string;
  manifest: Manifest;
  config: ImageConfig;
} {
  const colon = reference.lastIndexOf(':');
  const layout = reference.slice(0, colon);
  const tag = reference.slice(colon + 1);
  const blob = (digest: string): string =>
    readFileSync(path.join(layout, 'blobs', ...digest.split(':')), 'utf8');
  const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find(
    (candidate) => candidate.annotations?.['org.opencontainers.image.ref.name'] === tag,
  );
  if (!entry) throw new Error(`${layout} has no image tagged ${tag}`);
  const manifest = JSON.parse(blob(entry.digest)) as Manifest;
  const config = JSON.parse(blob(manifest.config.digest)) as ImageConfig;
  return { layout, tag, manifest, config };
}

/**
 * The Dockerfile's final stage as an image config would hold it: USER, WORKDIR, ENV, ENTRYPOINT,
 * EXPOSE and LABEL (ARG references replaced by `args`).
 */
function dockerfileRuntimeStage(args: Readonly<Record<string, string>>): {
  user: string;
  workingDir: string;
  env: string[];
  entrypoint: string[];
  exposedPorts: string[];
  labels: Record<string, string>;
} {
  const text = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
  const stage = text
    .slice(text.lastIndexOf('\nFROM '))
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const last = (keyword: string): string => {
    const lines = stage.filter((line) => line.startsWith(`${keyword} `));
    const line = lines.at(-1);
    if (line === undefined) throw new Error(`the Dockerfile's final stage has no ${keyword}`);
    return line.slice(keyword.length + 1).trim();
  };
  const substitute = (value: string): string =>
    value.replace(/\$\{(\w+)\}/g, (_, name: string) => {
      const replacement = args[name];
      if (replacement === undefined) throw new Error(`no value for the Dockerfile's ${name}`);
      return replacement;
    });
  const pairs = (keyword: string): [string, string][] =>
    stage
      .filter((line) => line.startsWith(`${keyword} `))
      .flatMap((line) =>
        [...line.matchAll(/([\w.-]+)=(?:"([^"]*)"|(\S+))/g)].map((match): [string, string] => [
          match[1]!,
          substitute(match[2] ?? match[3] ?? ''),
        ]),
      );
  return {
    user: last('USER'),
    workingDir: last('WORKDIR'),
    env: pairs('ENV').map(([name, value]) => `${name}=${value}`),
    entrypoint: JSON.parse(last('ENTRYPOINT')) as string[],
    exposedPorts: last('EXPOSE')
      .split(/\s+/)
      .map((port) => (port.includes('/') ? port : `${port}/tcp`)),
    labels: Object.fromEntries(pairs('LABEL')),
  };
}

/** The Deployment's image reference. */
function deployedImage(): string {
  const deployment = (
    loadAllYaml(readFileSync(path.join(REPO, 'deploy/deployment.yaml'), 'utf8')) as unknown[]
  ).find((doc): doc is V1Deployment => (doc as V1Deployment | null)?.kind === 'Deployment');
  const image = deployment?.spec?.template.spec?.containers[0]?.image;
  if (image === undefined) throw new Error('deploy/deployment.yaml names no image');
  return image;
}

/**
 * In a private mount namespace: the mounts a runtime makes (mount points created in the bundle's
 * rootfs first, as runc does), the rootfs made read-only, then the command after setpriv
 * (no_new_privs, no capability but the three nsenter needs to chroot and change user, all of
 * which the change of user then clears). The shell execs, so the child's pid is the process's.
 */
const LAUNCH = `
set -eu
root=$1 secrets=$2
shift 2
mkdir -p "$root/proc" "$root/dev" "$root${SERVICE_ACCOUNT_DIR}"
mount --bind "$root" "$root"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o nosuid,noexec,mode=0755,size=64k tmpfs "$root/dev"
for device in null zero full random urandom tty; do
  touch "$root/dev/$device"
  mount --bind "/dev/$device" "$root/dev/$device"
done
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount --bind "$secrets" "$root${SERVICE_ACCOUNT_DIR}"
mount -o remount,bind,ro,nosuid,nodev "$root${SERVICE_ACCOUNT_DIR}"
mount -o remount,bind,ro "$root"
exec setpriv --no-new-privs --inh-caps=-all --bounding-set=-all,+setuid,+setgid,+sys_chroot "$@"`;

function launchInImage(
  rootfs: string,
  secretsDir: string,
  spec: RuntimeSpec,
  env: Readonly<Record<string, string>>,
): ChildProcess {
  const { user, cwd, args } = spec.process;
  return spawn(
    'unshare',
    [
      '--mount',
      '--propagation=private',
      'sh',
      '-c',
      LAUNCH,
      'launch',
      rootfs,
      secretsDir,
      'env',
      '-i',
      ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
      'nsenter',
      `--root=${rootfs}`,
      `--wd=${path.join(rootfs, cwd)}`,
      `--setuid=${String(user.uid)}`,
      `--setgid=${String(user.gid)}`,
      ...args,
    ],
    { env: { PATH: HOST_PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Runs `script` with the image's node, in the running process's namespaces, root, cwd and user. */
async function runBeside(
  pid: number,
  uid: number,
  gid: number,
  script: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return runCommand(
    'setpriv',
    [
      '--no-new-privs',
      'nsenter',
      `--target=${String(pid)}`,
      '--mount',
      '--root',
      '--wd',
      `--setuid=${String(uid)}`,
      `--setgid=${String(gid)}`,
      '/nodejs/bin/node',
      '-e',
      script,
    ],
    { env: { PATH: HOST_PATH }, timeoutMs: 30_000 },
  );
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else
      child.once('exit', () => {
        resolve();
      });
  });
}

/** Every entry under `dir` (lstat, links not followed). */
function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const entry = path.join(dir, name);
    yield entry;
    if (lstatSync(entry).isDirectory()) yield* walk(entry);
  }
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

describe('the image (scripts/build-image), unpacked and run as its config says', function () {
  this.timeout(180_000);
  const pool = useGlusterTestPool('img', 2);
  let cp: ControlPlane;
  let reference: string;
  let scratch: string;
  let rootfs: string;
  let spec: RuntimeSpec;
  let secretsDir: string;
  let harness: OperatorHarness;
  let child: ChildProcess | undefined;

  before(async function () {
    this.timeout(900_000);
    cp = await getControlPlane();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'image-test-'));
    const given = process.env[IMAGE_VARIABLE];
    if (given !== undefined && given !== '') {
      reference = given;
    } else {
      const startedAt = performance.now();
      const built = await runCommand(
        'bash',
        [path.join(REPO, 'scripts/build-image'), path.join(scratch, 'layout')],
        { timeoutMs: 600_000 },
      );
      expect(built.exitCode, built.stderr).to.equal(0);
      reference = built.stdout.trimEnd().split('\n').at(-1) ?? '';
      process.stderr.write(
        `      image built by scripts/build-image in ${seconds(performance.now() - startedAt)} s\n`,
      );
    }

    // What `umoci unpack` makes: the rootfs and the runtime spec derived from the image config.
    const { layout, tag } = readImage(reference);
    const bundle = path.join(scratch, 'bundle');
    rootfs = path.join(bundle, 'rootfs');
    mkdirSync(bundle);
    const unpackStartedAt = performance.now();
    const unpacked = await runCommand(
      'umoci',
      ['raw', 'unpack', `--image=${layout}:${tag}`, rootfs],
      { timeoutMs: 300_000 },
    );
    expect(unpacked.exitCode, unpacked.stderr).to.equal(0);
    const configured = await runCommand('umoci', [
      'raw',
      'runtime-config',
      `--image=${layout}:${tag}`,
      `--rootfs=${rootfs}`,
      path.join(bundle, 'config.json'),
    ]);
    expect(configured.exitCode, configured.stderr).to.equal(0);
    spec = JSON.parse(readFileSync(path.join(bundle, 'config.json'), 'utf8')) as RuntimeSpec;
    process.stderr.write(
      `      umoci unpack and runtime config: ${seconds(performance.now() - unpackStartedAt)} s\n`,
    );

    // deploy/'s identity, and what the kubelet mounts for it: a bound token, the CA, the namespace.
    await installOperatorIdentity(cp);
    const token = await cp.kubectl([
      'create',
      'token',
      SERVICE_ACCOUNT,
      `--namespace=${OPERATOR_NAMESPACE}`,
      '--duration=2h',
    ]);
    expect(token.exitCode, token.stderr).to.equal(0);
    const admin = loadKubeConfig(cp.kubeconfigPath);
    const caData = admin.getCurrentCluster()?.caData;
    if (caData === undefined) throw new Error('the admin kubeconfig has no inline CA');
    // As the kubelet projects them: a directory and files anyone may read.
    secretsDir = path.join(scratch, 'serviceaccount');
    mkdirSync(secretsDir, { mode: 0o755 });
    writeFileSync(path.join(secretsDir, 'token'), token.stdout.trim(), { mode: 0o644 });
    writeFileSync(path.join(secretsDir, 'ca.crt'), Buffer.from(caData, 'base64'), {
      mode: 0o644,
    });
    writeFileSync(path.join(secretsDir, 'namespace'), OPERATOR_NAMESPACE, { mode: 0o644 });

    const namespace = await createTestNamespace(admin, 'img');
    harness = await createOperatorHarness({
      kubeConfig: admin,
      namespace,
      pool: pool().pool,
      resolver: pool().resolver,
    });
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    // The mounts lived in the process's own namespace, gone with it.
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("has the Dockerfile's config: user, working directory, env, entrypoint, port, labels", async () => {
    const { tag, manifest, config } = readImage(reference);
    const version = (
      JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const head = await runCommand('git', ['-C', REPO, 'rev-parse', 'HEAD']);
    expect(head.exitCode, head.stderr).to.equal(0);
    const dockerfile = dockerfileRuntimeStage({
      VERSION: version,
      REVISION: head.stdout.trim(),
      CREATED: config.created,
    });

    expect(tag).to.equal(version);
    expect(readFileSync(path.join(REPO, 'Dockerfile'), 'utf8')).to.match(
      new RegExp(`^ARG VERSION=${version.replaceAll('.', '\\.')}$`, 'm'),
    );
    expect(deployedImage()).to.equal(`ghcr.io/gluster-operator/gluster-operator:${version}`);
    expect(readFileSync(path.join(REPO, 'Dockerfile'), 'utf8')).to.contain(
      `docker build -t ${deployedImage()} `,
    );
    expect(config.os).to.equal('linux');
    expect(config.config.User).to.equal(dockerfile.user);
    expect(config.config.WorkingDir).to.equal(dockerfile.workingDir);
    expect(config.config.Entrypoint).to.deep.equal(dockerfile.entrypoint);
    expect(config.config.Cmd ?? []).to.deep.equal([]);
    // The base's two (distroless sets them), then the Dockerfile's own.
    expect(config.config.Env).to.deep.equal([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
      ...dockerfile.env,
    ]);
    expect(Object.keys(config.config.ExposedPorts)).to.deep.equal(dockerfile.exposedPorts);
    // Every label of the Dockerfile but base.name: this image has no base image to name.
    const { 'org.opencontainers.image.base.name': baseName, ...labels } = dockerfile.labels;
    expect(baseName).to.equal('gcr.io/distroless/nodejs24-debian12:nonroot');
    expect(config.config.Labels).to.deep.equal(labels);
    expect(manifest.layers.map((layer) => layer.mediaType)).to.deep.equal([
      'application/vnd.oci.image.layer.v1.tar+gzip',
      'application/vnd.oci.image.layer.v1.tar+gzip',
    ]);
  });

  it('holds the runtime tree at /app owned by root and writable by nobody else, Node at /nodejs/bin/node', () => {
    // What the tree holds is scripts/runtime-tree's to say (test/e2e/runtime-tree.test.ts).
    expect(readdirSync(path.join(rootfs, 'app'))).to.include.members([
      'dist',
      'node_modules',
      'package.json',
    ]);
    let entries = 0;
    for (const entry of [path.join(rootfs, 'app'), ...walk(path.join(rootfs, 'app'))]) {
      const stat = lstatSync(entry);
      entries++;
      expect({ entry, uid: stat.uid, gid: stat.gid }).to.deep.equal({ entry, uid: 0, gid: 0 });
      if (!stat.isSymbolicLink()) expect(stat.mode & 0o022, entry).to.equal(0);
    }
    expect(entries).to.be.above(1000);
    expect(lstatSync(path.join(rootfs, 'nodejs/bin/node')).mode & 0o777).to.equal(0o755);
    expect(readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8')).to.contain(
      `nonroot:x:${String(IMAGE_UID)}:${String(IMAGE_UID)}:nonroot:/home/nonroot:/sbin/nologin`,
    );
    expect(spec.process.args).to.deep.equal([
      '/nodejs/bin/node',
      '--enable-source-maps',
      'dist/main.js',
    ]);
    expect(spec.process.user).to.deep.include({ uid: IMAGE_UID, gid: IMAGE_UID });
    expect(spec.process.user.additionalGids ?? []).to.deep.equal([]);
    expect(spec.process.cwd).to.equal('/app');
  });

  it('runs from its read-only root as 65532 with the in-cluster config, serves its probes, forms a pool to Ready and stops on SIGTERM with 0', async () => {
    const [httpPort, eventsPort] = await findFreePorts(2);
    const server = new URL(cp.server);
    const podName = 'gluster-operator-image-test';
    const env: Record<string, string> = {
      // The image's env as the runtime spec has it (HOME from /etc/passwd, as runc sets it).
      ...Object.fromEntries(
        spec.process.env
          .map((entry): [string, string] => [
            entry.slice(0, entry.indexOf('=')),
            entry.slice(entry.indexOf('=') + 1),
          ])
          .filter(([name]) => !(name === 'TERM' && spec.process.terminal === true)),
      ),
      // The container's env in deploy/deployment.yaml, which wins over the image's.
      ...readShippedEnv(),
      // What the kubelet adds: the API server's address and the Downward API variables.
      KUBERNETES_SERVICE_HOST: server.hostname,
      KUBERNETES_SERVICE_PORT: server.port,
      POD_NAME: podName,
      POD_NAMESPACE: OPERATOR_NAMESPACE,
      // A documentation address (RFC 5737): recorded in the events EndpointSlice, never reached.
      POD_IP: '192.0.2.1',
      // This test's: one namespace, loopback and free ports, a Lease of its own.
      WATCH_NAMESPACE: harness.namespace,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      EVENTS_HOST: '127.0.0.1',
      EVENTS_PORT: String(eventsPort),
      LEADER_ELECTION_LEASE_NAME: `image-${harness.namespace}`,
    };
    expect(env, 'no kubeconfig: the service account it is').not.to.have.property('KUBECONFIG');
    const http = async (urlPath: string): Promise<number> =>
      (
        await fetch(`http://127.0.0.1:${String(httpPort)}${urlPath}`, {
          signal: AbortSignal.timeout(3_000),
        })
      ).status;

    const startedAt = performance.now();
    child = launchInImage(rootfs, secretsDir, spec, env);
    const running = child;
    const pid = running.pid;
    if (pid === undefined) throw new Error('the image did not start');
    let stdout = '';
    let stderr = '';
    running.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    running.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const failure = (what: string): Error =>
      new Error(`${what} (exit ${String(running.exitCode)}):\n${stdout}\n${stderr}`);

    // Ready means: leading, watching, answering (the readiness probe of the Deployment).
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (running.exitCode !== null) throw failure('the operator ended');
      const readyz = await http('/readyz').catch(() => 0);
      if (readyz === 200) break;
      if (Date.now() > deadline) throw failure(`/readyz still ${String(readyz)} after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const readyMs = performance.now() - startedAt;
    expect(await http('/healthz')).to.equal(200);

    // The process is what the spec says, in the root it says.
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    const field = (name: string): string =>
      new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
    const id = String(IMAGE_UID);
    expect(field('Uid').split(/\s+/)).to.deep.equal([id, id, id, id]);
    expect(field('Gid').split(/\s+/)).to.deep.equal([id, id, id, id]);
    expect(field('Groups')).to.equal('');
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb'])
      expect(field(set), set).to.equal('0000000000000000');
    expect(field('NoNewPrivs')).to.equal('1');
    expect(readlinkSync(`/proc/${String(pid)}/root`)).to.equal(rootfs);
    expect(readlinkSync(`/proc/${String(pid)}/cwd`)).to.equal(path.join(rootfs, 'app'));
    expect(
      readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8')
        .split('\0')
        .slice(0, -1),
    ).to.deep.equal(spec.process.args);
    const environ = readFileSync(`/proc/${String(pid)}/environ`, 'utf8')
      .split('\0')
      .slice(0, -1);
    expect(environ.sort()).to.deep.equal(
      Object.entries(env)
        .map(([name, value]) => `${name}=${value}`)
        .sort(),
    );

    // Its root cannot be written.
    const probe = await runBeside(
      pid,
      IMAGE_UID,
      IMAGE_UID,
      `const fs = require('node:fs');
       const result = {};
       for (const [file, flag] of [['/probe', 'wx'], ['/app/probe', 'wx'], ['/app/dist/main.js', 'r+'],
           ['/tmp/probe', 'wx'], ['/home/nonroot/probe', 'wx'], ['/nodejs/bin/node', 'r+']]) {
         try { fs.closeSync(fs.openSync(file, flag)); result[file] = 'written'; }
         catch (error) { result[file] = error.code; }
       }
       console.log(JSON.stringify(result));`,
    );
    expect(probe.exitCode, probe.stderr).to.equal(0);
    // A new file anywhere: the read-only mount refuses it, even in the image's /tmp (1777) and
    // in /home/nonroot, which 65532 owns. A file of the image: its owner (root) refuses first.
    expect(JSON.parse(probe.stdout) as Record<string, string>).to.deep.equal({
      '/probe': 'EROFS',
      '/app/probe': 'EROFS',
      '/app/dist/main.js': 'EACCES',
      '/tmp/probe': 'EROFS',
      '/home/nonroot/probe': 'EROFS',
      '/nodejs/bin/node': 'EACCES',
    });

    // One reconcile over a real pool, with the service account's permissions alone.
    const nodes = [0, 1].map((index) => pool().node(index));
    const appliedAt = performance.now();
    await harness.apply('pool', {
      nodes: nodes.map((node) => ({ address: node.ipv4 })),
      ssh: { secretRef: { name: 'gluster-ssh' } },
    });
    await harness.waitFor('pool', 'be Ready with 2 members', (cluster) => isReadyAt(cluster, 2));
    const reconcileMs = performance.now() - appliedAt;
    const snapshot = await poolSnapshot(pool().pool, nodes);
    expect(Object.values(snapshot).map((names) => names.length)).to.deep.equal([2, 2]);
    const rssKiB = Number(
      /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1],
    );
    process.stderr.write(
      `      operator from the image: /readyz after ${seconds(readyMs)} s, pool Ready ${seconds(reconcileMs)} s after apply, RSS ${(rssKiB / 1024).toFixed(1)} MiB\n`,
    );

    running.kill('SIGTERM');
    await exited(running);
    expect(running.exitCode, `${stdout}\n${stderr}`).to.equal(0);
    expect(stdout).to.contain('"message":"Stopped gluster-operator"');
    expect(`${stdout}\n${stderr}`).not.to.match(/EROFS|EACCES|read-only file system/i);
    expect(stdout.split('\n').filter((line) => line.includes('"level":"error"'))).to.deep.equal([]);
  });
});
