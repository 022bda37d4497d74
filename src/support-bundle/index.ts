// Support bundles: what a support engineer needs from one pool, as a redacted tar.gz.
export { collectSupportBundle } from './collect-support-bundle.js';
export { bundleRootName } from './bundle-paths.js';
export type { SupportBundleOptions, SupportBundleReport } from './collect-support-bundle.js';
export type { BundleNode } from './collect-node.js';
export { GLUSTERD_LOG_PATH } from './collect-node.js';
export {
  DEFAULT_OPERATOR_LABEL_SELECTOR,
  DEFAULT_OPERATOR_NAMESPACE,
} from './collect-kubernetes.js';
export { REDACTED, redactSecrets } from './redact-secrets.js';
export { SupportBundleAbortedError, SupportBundleError } from './support-bundle-errors.js';
