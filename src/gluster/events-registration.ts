import type { NodeReportedProblem } from '../api/events-delivery-reasons.js';
import { isNodeReportedProblem } from '../api/events-delivery-reasons.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';

/** The verb the registration is logged and counted under. */
export const EVENTS_REGISTRATION_VERB = 'events registration';

/** The event name of the check's own post, which the receiver answers and otherwise ignores. */
export const PROBE_EVENT = 'OPERATOR_PROBE';

/** What to do on the node. */
export interface EventsRegistrationRequest {
  readonly action: 'register' | 'unregister';
  /** The full URL the node posts to (`.../v1/events/<namespace>/<name>`). */
  readonly url: string;
  /** The bearer token (register only). */
  readonly token?: string;
  /**
   * The URL path that marks this resource's webhooks: entries for it under another URL (the
   * receiver moved) are removed, other webhooks are left as they are.
   */
  readonly path: string;
}

/** What the node's check found and did. */
export type EventsRegistrationResult =
  | {
      readonly ok: true;
      /** webhooks.json was written (our entry added, changed, or removed). */
      readonly changed: boolean;
      /** glustereventsd was not running and was started. */
      readonly started: boolean;
      /** glustereventsd was told to load webhooks.json again (SIGUSR2). */
      readonly reloaded: boolean;
      /**
       * False when the URL is https and its certificate is not one the node trusts: the post went
       * through unverified, as glustereventsd's do. True otherwise (http, or a trusted chain).
       */
      readonly certificateVerified: boolean;
    }
  | {
      readonly ok: false;
      readonly problem: NodeReportedProblem;
      readonly message: string;
    };

// A constant script: everything variable (URL, token, path) comes on standard input as JSON,
// never in argv, so nothing of it reaches `ps`, a shell or a log. It runs as root on the node:
//  1. finds glusterd's working directory as glusterd does (glusterd.vol, else /var/lib/glusterd);
//  2. in <workdir>/events/webhooks.json (glustereventsd's, shared with `gluster-eventsapi`), sets
//     our URL → {token, secret: ""} and removes our entries under other URLs (same path), leaving
//     every other webhook alone; a file that is not JSON is never overwritten; written to a
//     temporary file, mode 0600 (it holds tokens), then renamed;
//  3. starts glustereventsd when it is not running (found by its command line in this node's
//     namespaces: 10.3 removes its pid file once started, so gluster-eventsapi's pid-file check
//     says "not running" of a daemon that runs): with systemd, `systemctl enable --now`; without
//     (a container, a test namespace), detached in a session of its own; enables the unit when it
//     runs unenabled;
//  4. tells a running daemon to load the file again (SIGUSR2, as gluster-eventsapi does: its
//     webhook workers are only rebuilt then, not on a changed file);
//  5. checks glustereventsd's port is 55555, where glusterd sends its datagrams;
//  6. posts a probe event to the URL with the token (what the daemon will do; an https URL's
//     certificate taken unverified, as the daemon takes it), so a network path
//     or token that does not work shows now, not when an event is lost.
// Prints one JSON line; exit code 0 whenever that line was printed.
const SCRIPT = String.raw`
import json, os, re, shutil, signal, ssl, subprocess, sys, time, urllib.error, urllib.parse, urllib.request

GLUSTERD_PORT = 55555

def done(**fields):
    print(json.dumps(fields))
    sys.exit(0)

def fail(problem, message):
    done(ok=False, problem=problem, message=message)

def workdir():
    try:
        with open("/etc/glusterfs/glusterd.vol") as f:
            for line in f:
                m = re.match(r"\s*option\s+working-directory\s+(\S+)", line)
                if m:
                    return m.group(1)
    except OSError:
        pass
    return "/var/lib/glusterd"

def daemon_pids():
    # glustereventsd removes its pid file once started (10.3: its "with PidFile" ends when the
    # server threads are up), so it is found by its command line, in this node's network and
    # mount namespaces (a machine may run several), and not its webhook worker (its child).
    try:
        mine = [os.readlink("/proc/self/ns/net"), os.readlink("/proc/self/ns/mnt")]
    except OSError:
        mine = None
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = f.read().split(b"\0")
            if not any(os.path.basename(word) == b"glustereventsd" for word in argv[:2]):
                continue
            if mine is not None and [os.readlink("/proc/%s/ns/net" % entry), os.readlink("/proc/%s/ns/mnt" % entry)] != mine:
                continue
            with open("/proc/%s/stat" % entry) as f:
                found[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return [pid for pid, parent in found.items() if parent not in found]

def udp_bound(port):
    # /proc/net/udp{,6} show this network namespace's sockets; the local port is hex.
    wanted = ":%04X" % port
    for path in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(path) as f:
                next(f, None)
                for line in f:
                    fields = line.split()
                    if len(fields) > 1 and fields[1].endswith(wanted):
                        return True
        except OSError:
            pass
    return False

def has_systemd():
    return os.path.isdir("/run/systemd/system") and shutil.which("systemctl") is not None

def systemctl(*args):
    return subprocess.run(["systemctl", *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=20)

def port_in_use(wd):
    port = GLUSTERD_PORT
    for path in ("/etc/glusterfs/eventsconfig.json", os.path.join(wd, "events", "config.json")):
        try:
            with open(path) as f:
                port = int(json.load(f).get("port", port))
        except (OSError, ValueError, TypeError, AttributeError):
            pass
    return port

def main():
    try:
        request = json.loads(sys.stdin.read())
        action, url, path = request["action"], request["url"], request["path"]
        token = request.get("token") or ""
    except (ValueError, KeyError, TypeError):
        fail("RegistrationFailed", "the request on standard input is not valid")
    daemon = shutil.which("glustereventsd") or ("/usr/sbin/glustereventsd" if os.path.exists("/usr/sbin/glustereventsd") else None)
    if action == "register" and daemon is None:
        fail("EventsUnsupported", "glustereventsd is not installed on the node (it comes with glusterfs-server)")
    wd = workdir()
    hooks_path = os.path.join(wd, "events", "webhooks.json")
    hooks = {}
    if os.path.exists(hooks_path):
        try:
            with open(hooks_path) as f:
                hooks = json.load(f)
        except (OSError, ValueError) as e:
            fail("RegistrationFailed", "%s cannot be read as JSON (%s); it was left as it is" % (hooks_path, e.__class__.__name__))
        if not isinstance(hooks, dict):
            fail("RegistrationFailed", "%s is not a JSON object; it was left as it is" % hooks_path)
    wanted = {k: v for k, v in hooks.items() if urllib.parse.urlsplit(k).path != path}
    if action == "register":
        wanted[url] = {"token": token, "secret": ""}
    changed = wanted != hooks
    if changed:
        try:
            os.makedirs(os.path.dirname(hooks_path), mode=0o755, exist_ok=True)
            tmp = hooks_path + ".gluster-operator.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(wanted, f, indent=4, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.rename(tmp, hooks_path)
        except OSError as e:
            fail("RegistrationFailed", "could not write %s: %s" % (hooks_path, e.strerror or e))
    pids = daemon_pids()
    started = reloaded = False
    if action == "unregister":
        if changed:
            for pid in pids:
                os.kill(pid, signal.SIGUSR2)
                reloaded = True
        done(ok=True, changed=changed, started=False, reloaded=reloaded)
    if not pids:
        if has_systemd():
            out = systemctl("enable", "--now", "glustereventsd")
            if out.returncode != 0:
                fail("EventsDaemonDown", "systemctl enable --now glustereventsd failed: %s" % out.stdout.strip()[-300:])
        else:
            subprocess.Popen([daemon], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, close_fds=True, start_new_session=True)
        for _ in range(50):
            time.sleep(0.1)
            pids = daemon_pids()
            if pids and udp_bound(GLUSTERD_PORT):
                break
        if not pids:
            fail("EventsDaemonDown", "glustereventsd was not running and did not start (see /var/log/glusterfs/events.log)")
        started = True
    elif changed:
        for pid in pids:
            os.kill(pid, signal.SIGUSR2)
        reloaded = True
    if has_systemd() and systemctl("is-enabled", "glustereventsd").stdout.strip() not in ("enabled", "enabled-runtime", "static"):
        systemctl("enable", "glustereventsd")
    port = port_in_use(wd)
    if port != GLUSTERD_PORT:
        fail("EventsPortChanged", "glustereventsd listens on port %d, but glusterd sends its events to %d: set the port back with gluster-eventsapi config-reset port" % (port, GLUSTERD_PORT))
    node_id = ""
    try:
        with open(os.path.join(wd, "glusterd.info")) as f:
            for line in f:
                if line.startswith("UUID="):
                    node_id = line.strip().split("=", 1)[1]
    except OSError:
        pass
    body = json.dumps({"nodeid": node_id, "ts": int(time.time()), "event": "OPERATOR_PROBE", "message": {}}).encode()
    post = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    def send(context):
        with urllib.request.urlopen(post, timeout=5, context=context) as answer:
            answer.read(1024)
    verified = True
    try:
        try:
            send(None)
        except urllib.error.URLError as e:
            # glustereventsd takes whatever certificate an https URL shows (it saves the first
            # one it sees, then posts unverified): so does this check, to say what its posts do,
            # and it says that the certificate was not one the node trusts.
            if not isinstance(e.reason, ssl.SSLCertVerificationError):
                raise
            verified = False
            send(ssl._create_unverified_context())
    except urllib.error.HTTPError as e:
        fail("WebhookRejected", "the operator answered the node's post with HTTP %d" % e.code)
    except Exception as e:
        reason = getattr(e, "reason", e)
        fail("WebhookUnreachable", "a post from the node to %s failed: %s" % (url, str(reason)[:300]))
    done(ok=True, changed=changed, started=started, reloaded=reloaded, verified=verified)

main()
`;

/** The argv of a registration: python3 with the constant script (glustereventsd needs python3). */
export const EVENTS_REGISTRATION_ARGV: readonly string[] = ['python3', '-c', SCRIPT];

/**
 * Registers (or removes) the operator's webhook on `node` and checks that its events can reach
 * the operator: see the script above. One SSH command, about 0.1 s on the node. A node without
 * python3 is EventsUnsupported; transport failures (SSH, the deadline) are thrown as the CLI's.
 */
export async function registerEventsWebhook(
  cli: GlusterCli,
  node: string,
  request: EventsRegistrationRequest,
  options: CallOptions = {},
): Promise<EventsRegistrationResult> {
  const result = await cli.runProgram(node, EVENTS_REGISTRATION_ARGV, EVENTS_REGISTRATION_VERB, {
    ...options,
    input: JSON.stringify(request),
  });
  if (result.exitCode === 127) {
    return {
      ok: false,
      problem: 'EventsUnsupported',
      message: 'python3 is not installed on the node (glustereventsd needs it)',
    };
  }
  return parseRegistrationResult(result.stdout, result.exitCode);
}

/** The script's JSON line, checked; anything else is RegistrationFailed. */
export function parseRegistrationResult(
  stdout: string,
  exitCode: number,
): EventsRegistrationResult {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return {
      ok: false,
      problem: 'RegistrationFailed',
      message: `the registration check ended with exit code ${exitCode} and no answer`,
    };
  }
  if (typeof parsed !== 'object' || parsed === null) return malformed();
  const fields = parsed as Record<string, unknown>;
  if (fields['ok'] === true) {
    const { changed, started, reloaded, verified = true } = fields;
    if (
      typeof changed !== 'boolean' ||
      typeof started !== 'boolean' ||
      typeof reloaded !== 'boolean' ||
      typeof verified !== 'boolean'
    ) {
      return malformed();
    }
    // An unregister posts nothing: no `verified` in its answer.
    return { ok: true, changed, started, reloaded, certificateVerified: verified };
  }
  const { problem, message } = fields;
  if (fields['ok'] !== false || typeof message !== 'string' || !isNodeReportedProblem(problem)) {
    return malformed();
  }
  return { ok: false, problem, message: message.slice(0, 1024) };
}

function malformed(): EventsRegistrationResult {
  return {
    ok: false,
    problem: 'RegistrationFailed',
    message: 'the registration check answered something the operator does not understand',
  };
}
