/**
 * The system `git` as braid's transport (issue 11): when `git` is on PATH, fetches and pushes go through
 * it, so SSH, credential helpers, `http.<url>.extraheader` (as actions/checkout saves it), proxies and
 * `insteadOf` rewrites work exactly as they do for `git`; isomorphic-git still reads the objects.
 *
 * `git` is spawned asynchronously with `GIT_TERMINAL_PROMPT=0`, in its own process group without a
 * terminal (ssh cannot prompt either), and killed when nothing moves on its output for the timeout.
 * braid's per-host token reaches it as an `http.<url>.extraHeader` given through `GIT_CONFIG_*`
 * environment variables: never in argv (other users can read argv), never in the URL.
 */
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { BraidError } from "../diagnostics/diagnostic.js";
import { childProcess } from "./child-process.js";
import { DEFAULT_GIT_TIMEOUT_MS } from "./git-http.js";

/** Which transport talks to remotes. */
export type Transport = "system" | "embedded";

/** The `git` executable on `env.PATH` (undefined when there is none). */
function findGit(env: Record<string, string | undefined>): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, "git");
    try {
      if (!statSync(p).isFile()) continue;
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The transport for this environment: `BRAID_GIT_TRANSPORT=system|embedded` when set, else the system
 * `git` when it is on PATH, else isomorphic-git's HTTP ("embedded").
 */
export function transportFor(env: Record<string, string | undefined>): { transport: Transport; git?: string } {
  const want = env.BRAID_GIT_TRANSPORT;
  if (want === "embedded") return { transport: "embedded" };
  const git = findGit(env);
  if (want === "system" && !git)
    throw new BraidError({
      code: "SOURCE_TRANSPORT",
      message: "BRAID_GIT_TRANSPORT=system, but there is no git on PATH",
      hint: "install git, or unset BRAID_GIT_TRANSPORT",
    });
  if (want !== undefined && want !== "" && want !== "system")
    throw new BraidError({
      code: "USAGE",
      message: `BRAID_GIT_TRANSPORT must be "system" or "embedded" (got "${want}")`,
    });
  return git ? { transport: "system", git } : { transport: "embedded" };
}

/**
 * The system `git` braid may run locally (to read objects): the one on PATH unless `BRAID_GIT_TRANSPORT` is
 * `embedded`. Never throws (a bad value is reported where remotes are used).
 */
export function systemGit(env: Record<string, string | undefined>): string | undefined {
  return env.BRAID_GIT_TRANSPORT === "embedded" ? undefined : findGit(env);
}

/** Throws a clear error when an SSH remote cannot be reached because there is no `git` on PATH. */
export async function requireSshTransport(env: Record<string, string | undefined>, shown: string): Promise<void> {
  if (transportFor(env).transport === "system") return;
  throw sshNeedsGit(shown);
}

/** The error for an SSH remote without the system transport. */
export function sshNeedsGit(shown: string): BraidError {
  return new BraidError({
    code: "SOURCE_TRANSPORT",
    message: `${shown} is an SSH remote: SSH needs git on PATH (braid's embedded transport speaks only http(s))`,
    hint: "install git (with ssh) where braid runs, or use the repository's https URL with a token (BRAID_GIT_TOKEN_<HOST>)",
  });
}

/** One `git` run. */
export interface GitRun {
  git: string;
  args: string[];
  /** The caller's environment (PATH, HOME, proxies, GIT_* …): the base of the child's. */
  env: Record<string, string | undefined>;
  /** Extra config entries, given through GIT_CONFIG_COUNT/KEY/VALUE (never argv). */
  config?: [string, string][];
  cwd?: string;
  /** Kill after this long without any output (default 30 s). */
  timeoutMs?: number;
}

/** What a `git` run printed, and how it ended. */
export interface GitResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * What git hooks and wrappers export that would point git at another repository's objects, index or work tree
 * (braid run from a hook): never passed on to the git braid runs, which always names its repository (by
 * `--git-dir`, `GIT_DIR` set by braid, or its working folder).
 */
export const REPO_ENV = new Set([
  "GIT_DIR",
  "GIT_COMMON_DIR",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_QUARANTINE_PATH",
  "GIT_NAMESPACE",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
]);

/** Runs git asynchronously (never a sync spawn), bounded by an idle timeout. */
export function runGit(run: GitRun): Promise<GitResult> {
  const timeoutMs = run.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.env)) if (v !== undefined && !REPO_ENV.has(k)) env[k] = v;
  env.GIT_TERMINAL_PROMPT = "0";
  env.GCM_INTERACTIVE = "never";
  const config: [string, string][] = [
    // git's own stall detection for HTTP, on top of the idle watchdog below
    ["http.lowSpeedLimit", "1"],
    ["http.lowSpeedTime", String(Math.max(1, Math.ceil(timeoutMs / 1000)))],
    // no background gc / pack-refs in braid's cache repositories (other braid processes read them)
    ["gc.auto", "0"],
    ["maintenance.auto", "false"],
    ...(run.config ?? []),
  ];
  const base = Number(env.GIT_CONFIG_COUNT) || 0;
  config.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${base + i}`] = k;
    env[`GIT_CONFIG_VALUE_${base + i}`] = v;
  });
  env.GIT_CONFIG_COUNT = String(base + config.length);
  return new Promise((resolve) => {
    const child = childProcess().spawn(run.git, run.args, {
      cwd: run.cwd ?? tmpdir(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, timeoutMs);
    };
    arm();
    child.stdout.on("data", (c: Buffer) => {
      out.push(c);
      arm();
    });
    child.stderr.on("data", (c: Buffer) => {
      err.push(c);
      arm();
    });
    const done = (code: number | null) => {
      if (timer) clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        timedOut,
      });
    };
    child.on("error", (e) => {
      err.push(Buffer.from(`fatal: cannot run ${run.git}: ${e.message}\n`));
      done(-1);
    });
    child.on("close", (code) => done(code));
  });
}

/** git's final words: the `fatal:`/`error:`/`remote:` lines of its stderr, without progress output. */
export function gitComplaint(stderr: string): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((l) => l.trimEnd())
    .filter(
      (l) =>
        /^(fatal|error|remote|ssh|Permission denied|Host key|!)|^\S+: Permission denied \(/i.test(l.trim()) &&
        !/^remote: (Counting|Compressing|Enumerating|Total)/.test(l),
    );
  return (lines.length ? lines : stderr.split(/\r?\n/).filter(Boolean).slice(-3)).join("\n");
}

/**
 * What kind of failure git reported. git gives only text; these are libcurl's, ssh's and git's own fixed
 * messages (http.c, connect.c, transport-helper.c), matched as such.
 */
export function gitFailureKind(stderr: string): "auth" | "not-found" | "unreachable" | "other" {
  if (
    /Authentication failed|could not read (Username|Password)|terminal prompts disabled|The requested URL returned error: 40[13]|Permission denied \(|Host key verification failed|HTTP Basic: Access denied/i.test(
      stderr,
    )
  )
    return "auth";
  if (
    /repository '.*' not found|The requested URL returned error: 404|does not appear to be a git repository|Repository not found|not found: did you run git update-server-info/i.test(
      stderr,
    )
  )
    return "not-found";
  if (
    /Could not resolve (host|proxy)|Failed to connect|Connection refused|Connection timed out|Operation timed out|Operation too slow|Couldn't connect|Connection reset|Empty reply from server|Network is unreachable|No route to host|Could not read from remote repository|The requested URL returned error: 5\d\d|SSL|TLS|certificate/i.test(
      stderr,
    )
  )
    return "unreachable";
  return "other";
}

/**
 * The `http.<url>.extraheader` settings of a repository's own config (where actions/checkout saves the
 * job's token), to hand on to git runs in braid's cache repositories, which do not read that config.
 */
export function inheritedExtraHeaders(gitdir: string | undefined): [string, string][] {
  if (!gitdir) return [];
  let text: string;
  try {
    text = readFileSync(join(gitdir, "config"), "utf8");
  } catch {
    return [];
  }
  const out: [string, string][] = [];
  let section: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const head = /^\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line);
    if (head) {
      section =
        head[1]!.toLowerCase() === "http" && head[2] !== undefined ? head[2].replace(/\\(.)/g, "$1") : undefined;
      continue;
    }
    const kv = /^\s*extraheader\s*=\s*(.*?)\s*$/i.exec(line);
    if (section !== undefined && kv) out.push([`http.${section}.extraheader`, kv[1]!.replace(/^"(.*)"$/, "$1")]);
  }
  return out;
}
