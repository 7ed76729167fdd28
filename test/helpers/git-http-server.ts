import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request the test server received (for assertions on auth and traffic). */
interface GitServerRequest {
  method: string;
  path: string;
  authorization?: string;
  /** The client's User-Agent (`git/2.x` for git itself, `git/isomorphic-git@…` for isomorphic-git). */
  userAgent?: string;
}

/** A running test Git server. */
export interface GitServer {
  /** Base URL, `http://127.0.0.1:PORT`; a repo `<root>/<name>.git` is at `<url>/<name>.git`. */
  url: string;
  /** Stops listening, kills running `git http-backend` processes and destroys open sockets. */
  close(): Promise<void>;
  /** Every request received, in order. */
  requests: GitServerRequest[];
}

/** Options of {@link startGitServer}. */
export interface GitServerOptions {
  /** Folder holding the bare repositories (`<name>.git`). */
  root: string;
  /** When set, every request needs this Basic auth; others get 401 with `WWW-Authenticate`. */
  auth?: { username: string; password: string };
  /** Accept connections but never answer (for timeout tests). */
  hang?: boolean;
}

/**
 * Serves bare repositories over real Git smart HTTP on 127.0.0.1 (random port) by spawning
 * `git http-backend` per request (async, streaming). Push is enabled (`http.receivepack=true`), and
 * server-side hooks placed in a bare repo run as with any Git server.
 */
export async function startGitServer(opts: GitServerOptions): Promise<GitServer> {
  const requests: GitServerRequest[] = [];
  const sockets = new Set<Socket>();
  const children = new Set<ChildProcess>();

  const server = createServer((req, res) => {
    const authorization = req.headers.authorization;
    const userAgent = req.headers["user-agent"];
    requests.push({
      method: req.method ?? "GET",
      path: req.url ?? "/",
      ...(authorization ? { authorization } : {}),
      ...(userAgent ? { userAgent } : {}),
    });
    if (opts.hang) return; // never answer
    if (opts.auth && !authorized(authorization, opts.auth)) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="braid-test"', "Content-Type": "text/plain" });
      res.end("authentication required\n");
      return;
    }
    serveWithBackend(req, res, opts, children);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const child of children) child.kill("SIGKILL");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

function authorized(header: string | undefined, auth: { username: string; password: string }): boolean {
  if (!header || !/^basic /i.test(header)) return false; // the scheme is case-insensitive (RFC 7235)
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  return decoded === `${auth.username}:${auth.password}`;
}

/** Runs `git http-backend` as a CGI for one request and streams its answer back. */
function serveWithBackend(
  req: IncomingMessage,
  res: ServerResponse,
  opts: GitServerOptions,
  children: Set<ChildProcess>,
): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    GIT_PROJECT_ROOT: opts.root,
    GIT_HTTP_EXPORT_ALL: "1",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "http.receivepack",
    GIT_CONFIG_VALUE_0: "true",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ""),
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    REMOTE_USER: opts.auth?.username ?? "anonymous",
  };
  const contentType = req.headers["content-type"];
  if (contentType) env.CONTENT_TYPE = contentType;
  const contentLength = req.headers["content-length"];
  if (contentLength) env.CONTENT_LENGTH = contentLength;
  const encoding = req.headers["content-encoding"];
  if (encoding) env.HTTP_CONTENT_ENCODING = encoding;
  const protocol = req.headers["git-protocol"];
  if (typeof protocol === "string") env.GIT_PROTOCOL = protocol;

  const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  child.on("close", () => children.delete(child));
  child.on("error", () => {
    if (!res.headersSent) res.writeHead(500).end("cannot run git http-backend\n");
  });
  child.stdin.on("error", () => undefined); // the backend may stop reading early
  req.pipe(child.stdin);
  req.on("aborted", () => child.kill("SIGKILL"));
  res.on("close", () => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  child.stderr.resume();

  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (!end) return;
    headersDone = true;
    const { status, headers } = parseCgiHeaders(head.subarray(0, end.index).toString("latin1"));
    res.writeHead(status, headers);
    const rest = head.subarray(end.index + end.length);
    if (rest.length) res.write(rest);
  });
  child.stdout.on("end", () => {
    if (!headersDone && !res.headersSent) res.writeHead(502).end("git http-backend gave no headers\n");
    else res.end();
  });
}

function headerEnd(buf: Buffer): { index: number; length: number } | undefined {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { index: crlf, length: 4 };
  if (lf >= 0) return { index: lf, length: 2 };
  return undefined;
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}
