/**
 * A forwarding HTTP proxy on 127.0.0.1 for tests: absolute-form requests go on to 127.0.0.1 at the port their
 * URL names (whatever host it names, so targets can be names that do not resolve, such as `*.braid.test`); a
 * CONNECT is recorded and refused. Every request is recorded with its Proxy-Authorization.
 */
import { createServer, request, type IncomingMessage, type Server } from "node:http";

export interface ForwardProxy {
  url: string;
  requests: { method: string; target: string; auth?: string }[];
  close(): Promise<void>;
}

export async function startForwardProxy(): Promise<ForwardProxy> {
  const requests: ForwardProxy["requests"] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    requests.push({ method: req.method!, target: req.url!, auth: req.headers["proxy-authorization"] });
    const url = new URL(req.url!);
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    const out = request(
      { host: "127.0.0.1", port: Number(url.port), method: req.method, path: url.pathname + url.search, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.writeHead(502).end());
    req.pipe(out);
  });
  server.on("connect", (req: IncomingMessage, socket) => {
    requests.push({ method: "CONNECT", target: req.url!, auth: req.headers["proxy-authorization"] });
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const a = server.address();
  return {
    url: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
