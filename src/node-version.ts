/**
 * The Node.js version the operator and the CLI need, checked by their entry points before they
 * load anything else. 24 is what package.json's `engines` says, what the image runs and what the
 * tests run on; client-node 2's undici already fails on Node 20 (inside a request, with a stack
 * trace), so an older Node is stopped at the door with one sentence instead.
 * Imports nothing: it must load on any Node.
 */

export const REQUIRED_NODE_MAJOR = 24;

/**
 * Undefined when `nodeVersion` (process.versions.node, e.g. '24.21.0') is recent enough, else
 * the one-line reason to stop, naming the version required.
 */
export function checkNodeVersion(nodeVersion: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(nodeVersion)?.[1]);
  if (major >= REQUIRED_NODE_MAJOR) return undefined;
  return `gluster-operator needs Node.js ${String(REQUIRED_NODE_MAJOR)} or later, but runs on Node.js ${nodeVersion}: run it with Node.js ${String(REQUIRED_NODE_MAJOR)} (from a checkout, npm ci installs it as node_modules/.bin/node)`;
}
