/**
 * Test helper: a real OpenSSH server on 127.0.0.1 serving bare repositories made with the git CLI (issue 11).
 *
 * A temp folder holds a fresh host key and client keypair (`ssh-keygen`), an `sshd_config` (loopback only, a
 * free port, public keys only, no PAM, `StrictModes no`, the pid file in the folder) and the repositories.
 * `sshd -D -e` runs as the current user, so only that user can log in, which is all a test needs. The client
 * side is an ssh config file handed to git as `GIT_SSH_COMMAND="ssh -F <file>"`: the key, no host-key
 * prompts, batch mode, and a `Host 127.0.0.1` entry with the port, so git's scp-like form (`user@host:path`,
 * which cannot carry a port) reaches it too.
 *
 * Where there is no `sshd` (CI images often lack openssh-server), {@link sshSkipReason} says so and the suite
 * skips. As root, sshd needs its privilege separation folder (`/run/sshd`, which a service manager creates);
 * without it the suite skips too, saying how to create it.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

function executable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, then in the given extra folders. */
function which(name: string, extra: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...extra];
  return dirs.map((d) => join(d, name)).find(executable);
}

/** The OpenSSH programs of this machine (sshd is often outside a user's PATH, in /usr/sbin). */
const SSHD = which("sshd", ["/usr/sbin", "/usr/local/sbin", "/sbin"]);
const SSH = which("ssh");
const SSH_KEYGEN = which("ssh-keygen");
const GIT = which("git");

/** Why the SSH suite cannot run on this machine (printed once as a warning); undefined when it can. */
export function sshSkipReason(suite: string): string | undefined {
  const missing = !SSHD
    ? "sshd (openssh-server) is not installed (looked on PATH and in /usr/sbin, /usr/local/sbin, /sbin)"
    : !SSH || !SSH_KEYGEN
      ? "the OpenSSH client (ssh, ssh-keygen) is not on PATH"
      : !GIT
        ? "git is not on PATH"
        : process.getuid?.() === 0 && !existsSync("/run/sshd")
          ? "sshd runs as root here and needs its privilege separation folder /run/sshd (mkdir -m 755 /run/sshd)"
          : undefined;
  const reason = missing && `${missing}: the SSH remote cases are skipped`;
  if (reason) console.warn(`[${suite}] ${reason}`);
  return reason;
}

/** A running sshd and what a client needs to reach it. */
export interface SshServer {
  /** Folder holding the served repositories (and nothing else of the server's). */
  root: string;
  port: number;
  /** The login user (the current user). */
  user: string;
  /** `ssh://user@127.0.0.1:port` + an absolute path under {@link root}. */
  sshUrl(path: string): string;
  /** git's scp-like form, `user@127.0.0.1:<absolute path>` (the port comes from the ssh config). */
  scpUrl(path: string): string;
  /** Environment for braid and git: PATH, HOME and `GIT_SSH_COMMAND` (the ssh config with the key). */
  env: Record<string, string>;
  /** The client's private key: its path and its text (to prove neither leaks). */
  privateKeyPath: string;
  privateKey: string;
  /** Public-key logins sshd accepted so far (from its log). */
  logins(): number;
  /** Makes a bare repository `<root>/<name>` (git CLI) and returns its path. */
  bareRepo(name: string): Promise<string>;
  /** Stops sshd (and its sessions) and removes the temp folder. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Quotes a word for the shell git runs GIT_SSH_COMMAND with. */
const shq = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** Starts sshd on a free loopback port; resolves once it says it is listening. Call only when {@link sshSkipReason} is undefined. */
export async function startSshServer(): Promise<SshServer> {
  const dir = await mkdtemp(join(tmpdir(), "braid-sshd-"));
  const root = join(dir, "repos");
  const home = join(dir, "home");
  await mkdir(root);
  await mkdir(home);
  const hostKey = join(dir, "host_ed25519");
  const clientKey = join(dir, "client_ed25519");
  await run(SSH_KEYGEN!, ["-q", "-t", "ed25519", "-N", "", "-C", "braid-test-host", "-f", hostKey]);
  await run(SSH_KEYGEN!, ["-q", "-t", "ed25519", "-N", "", "-C", "braid-test-client", "-f", clientKey]);
  await writeFile(join(dir, "authorized_keys"), await readFile(`${clientKey}.pub`));
  const user = userInfo().username;
  // the session's PATH must find git-upload-pack / git-receive-pack where this machine's git lives
  const gitDir = dirname(GIT!);
  const defaultPath = ["/usr/local/bin", "/usr/bin", "/bin"];
  const setEnv = defaultPath.includes(gitDir) ? "" : `SetEnv PATH=${gitDir}:${defaultPath.join(":")}\n`;

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort(); // (another process may take it before sshd binds: then try another)
    const config = join(dir, "sshd_config");
    await writeFile(
      config,
      `ListenAddress 127.0.0.1
Port ${port}
HostKey ${hostKey}
AuthorizedKeysFile ${join(dir, "authorized_keys")}
AllowUsers ${user}
StrictModes no
PidFile ${join(dir, "sshd.pid")}
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
LogLevel INFO
${setEnv}`,
    );
    const sshConfig = join(dir, "ssh_config");
    await writeFile(
      sshConfig,
      `Host 127.0.0.1
  Port ${port}
Host *
  IdentityFile ${clientKey}
  IdentitiesOnly yes
  BatchMode yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  GlobalKnownHostsFile /dev/null
  LogLevel ERROR
  ConnectTimeout 20
`,
    );
    const child = spawn(SSHD!, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"], detached: true });
    let log = "";
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr.on("data", (c: Buffer) => {
          log += c.toString("utf8");
          if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve();
        });
        child.once("error", reject);
        child.once("exit", (code, signal) =>
          reject(new Error(`sshd exited (${code ?? signal}) before listening:\n${log}`)),
        );
      });
    } catch (e) {
      lastError = e;
      continue;
    }
    const close = async (): Promise<void> => {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    };
    return {
      root,
      port,
      user,
      sshUrl: (path) => `ssh://${user}@127.0.0.1:${port}${path}`,
      scpUrl: (path) => `${user}@127.0.0.1:${path}`,
      env: { PATH: process.env.PATH ?? "", HOME: home, GIT_SSH_COMMAND: `${shq(SSH!)} -F ${shq(sshConfig)}` },
      privateKeyPath: clientKey,
      privateKey: await readFile(clientKey, "utf8"),
      logins: () => log.split("\n").filter((l) => l.startsWith("Accepted publickey for ")).length,
      async bareRepo(name) {
        const path = join(root, name);
        await run(GIT!, ["init", "-q", "--bare", "-b", "main", path]);
        return path;
      },
      close,
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/** Ends sshd's process group (the listener and any session it forked) and waits for the listener to exit. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    child.kill("SIGTERM");
  }
  await exited;
}
