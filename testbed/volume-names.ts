import { TestbedError } from './testbed-error.js';

// What glusterd accepts as a volume name, and nothing a path or a shell could read as syntax.
const VOLUME_NAME = /^[A-Za-z0-9_-]{1,64}$/;
// An absolute path of plain segments: no `.` or `..`, no doubled or trailing slash.
const BRICK_PATH = /^(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/;

export function validateVolumeName(volume: string): void {
  if (!VOLUME_NAME.test(volume)) {
    throw new TestbedError(
      `Invalid volume name ${JSON.stringify(volume)}: use 1-64 letters, digits, - and _`,
    );
  }
}

export function validateBrickPath(path: string): void {
  if (!BRICK_PATH.test(path)) {
    throw new TestbedError(
      `Invalid brick path ${JSON.stringify(path)}: use an absolute path such as /bricks/<volume>/brick`,
    );
  }
}
