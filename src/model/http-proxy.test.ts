import { describe, expect, it } from "vitest";
import { proxyForUrl } from "./http-proxy.js";

const shown = (u: URL | undefined) => (u ? `${u.protocol}//${u.host}` : "<nil>");

// the cases of golang.org/x/net/http/httpproxy's proxy_test.go (TestProxyForURL, TestUseProxy, TestAllNoProxy)
describe("proxyForUrl: the proxy Go's ProxyFromEnvironment picks", () => {
  it.each([
    [{ HTTP_PROXY: "127.0.0.1:8080" }, "http://example.com", "http://127.0.0.1:8080"],
    [{ HTTP_PROXY: "cache.corp.example.com:1234" }, "http://example.com", "http://cache.corp.example.com:1234"],
    [{ HTTP_PROXY: "cache.corp.example.com" }, "http://example.com", "http://cache.corp.example.com"],
    [{ HTTP_PROXY: "localhost" }, "http://example.com", "http://localhost"],
    [{ HTTP_PROXY: "https://cache.corp.example.com" }, "http://example.com", "https://cache.corp.example.com"],
    [{ HTTP_PROXY: "http://127.0.0.1:8080" }, "http://example.com", "http://127.0.0.1:8080"],
    [{ HTTP_PROXY: "https://127.0.0.1:8080" }, "http://example.com", "https://127.0.0.1:8080"],
    [{ HTTP_PROXY: "socks5://127.0.0.1" }, "http://example.com", "socks5://127.0.0.1"],
    [{ HTTP_PROXY: "foo://host" }, "http://example.com", "foo://host"],
    [
      { HTTP_PROXY: "http.proxy.tld", HTTPS_PROXY: "secure.proxy.tld" },
      "http://insecure.tld/",
      "http://http.proxy.tld",
    ],
    [
      { HTTP_PROXY: "http.proxy.tld", HTTPS_PROXY: "secure.proxy.tld" },
      "https://secure.tld/",
      "http://secure.proxy.tld",
    ],
    [
      { HTTP_PROXY: "http.proxy.tld", HTTPS_PROXY: "https://secure.proxy.tld" },
      "https://secure.tld/",
      "https://secure.proxy.tld",
    ],
    [{ HTTP_PROXY: "http.proxy.tld" }, "https://secure.tld/", "<nil>"],
    [{ HTTP_PROXY: "http.proxy.tld" }, "ftp://insecure.tld/", "<nil>"],
    [
      { HTTPS_PROXY: "https://secure.proxy.tld", REQUEST_METHOD: "GET" },
      "https://secure.tld/",
      "https://secure.proxy.tld",
    ],
    [{}, "http://example.com", "<nil>"],
    [{ NO_PROXY: "example.com", HTTP_PROXY: "proxy" }, "http://example.com/", "<nil>"],
    [{ NO_PROXY: ".example.com", HTTP_PROXY: "proxy" }, "http://example.com/", "http://proxy"],
    [{ NO_PROXY: "ample.com", HTTP_PROXY: "proxy" }, "http://example.com/", "http://proxy"],
    [{ NO_PROXY: "example.com", HTTP_PROXY: "proxy" }, "http://foo.example.com/", "<nil>"],
    [{ NO_PROXY: ".foo.com", HTTP_PROXY: "proxy" }, "http://example.com/", "http://proxy"],
    [{ NO_PROXY: ".示例.com", HTTP_PROXY: "proxy" }, "http://www.示例.com", "<nil>"],
    [{ NO_PROXY: "xn--fsq092h.com", HTTP_PROXY: "proxy" }, "http://www.示例.com", "<nil>"],
    [{ NO_PROXY: "示例.com", HTTP_PROXY: "proxy" }, "http://www.xn--fsq092h.com", "<nil>"],
    // the environment's spellings: upper case first, an empty value is unset
    [{ http_proxy: "lower", HTTP_PROXY: "upper" }, "http://example.com", "http://upper"],
    [{ http_proxy: "lower", HTTP_PROXY: "" }, "http://example.com", "http://lower"],
    [{ HTTP_PROXY: "proxy", no_proxy: "example.com" }, "http://example.com", "<nil>"],
  ])("%j, %s → %s", (env, url, want) => {
    expect(shown(proxyForUrl(url, env))).toBe(want);
  });

  it("refuses HTTP_PROXY for http URLs in a CGI process (golang.org/s/cgihttpproxy)", () => {
    expect(() =>
      proxyForUrl("http://example.com", { HTTP_PROXY: "http://10.1.2.3:8080", REQUEST_METHOD: "GET" }),
    ).toThrow("refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy");
    // (a value Go cannot parse is no proxy, so nothing to refuse)
    expect(proxyForUrl("http://example.com", { HTTP_PROXY: "http://[bad", REQUEST_METHOD: "GET" })).toBeUndefined();
  });

  const noProxy =
    "foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64";
  const hosts: [string, boolean][] = [
    ["localhost", false],
    ["127.0.0.1", false],
    ["127.0.0.2", false],
    ["[::1]", false],
    ["[::2]", true],
    ["192.168.1.1", false],
    ["192.168.1.2", true],
    ["192.168.1.3", false],
    ["192.168.1.4", true],
    ["10.0.0.2", false],
    ["[2001:db8::52:0:1]", false],
    ["[2001:db8::52:0:2]", true],
    ["[2001:db8::52:0:3]", false],
    ["[2002:db8:a::123]", false],
    ["[fe80::424b:c8be:1643:a1b6]", true],
    ["barbaz.net", true],
    ["www.barbaz.net", false],
    ["foobar.com", false],
    ["www.foobar.com", false],
    ["foofoobar.com", true],
    ["baz.com", true],
    ["localhost.net", true],
    ["local.localhost", true],
    ["barbarbaz.net", true],
    ["wildcard.io", true],
    ["nested.wildcard.io", false],
    ["awildcard.io", true],
  ];
  it.each(hosts)("NO_PROXY of Go's table: %s:80 proxied: %s", (host, proxied) => {
    const env = { HTTP_PROXY: "http://proxy.example.org", NO_PROXY: noProxy };
    expect(proxyForUrl(`http://${host}:80/`, env) !== undefined).toBe(proxied);
    expect(proxyForUrl(`http://${host}:80/`, { ...env, NO_PROXY: "*" })).toBeUndefined();
  });

  it("ignores a malformed NO_PROXY entry", () => {
    expect(shown(proxyForUrl("http://example.com", { HTTP_PROXY: "proxy", NO_PROXY: ":1" }))).toBe("http://proxy");
  });
});
