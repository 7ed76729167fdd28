import { describe, expect, it } from "vitest";
import {
  authHint,
  basicAuthHeader,
  DEFAULT_GIT_USERNAME,
  hostEnvKey,
  resolveRemote,
  secretsOf,
  tokenVariablesFor,
} from "./credentials.js";
import { redactSecrets, redactUrl } from "../diagnostics/redact-url.js";

describe("hostEnvKey", () => {
  it.each([
    ["git.example.com", "GIT_EXAMPLE_COM"],
    ["github.com", "GITHUB_COM"],
    ["127.0.0.1:8080", "127_0_0_1_8080"],
    ["my-git.corp.local", "MY_GIT_CORP_LOCAL"],
    ["Git.Example.COM", "GIT_EXAMPLE_COM"],
  ])("%s → %s", (host, key) => {
    expect(hostEnvKey(host)).toBe(key);
  });
});

describe("tokenVariablesFor", () => {
  it.each([
    ["https://git.example.com/acme/base.git", ["BRAID_GIT_TOKEN_GIT_EXAMPLE_COM"]],
    [
      "https://git.example.com:8443/acme/base.git",
      ["BRAID_GIT_TOKEN_GIT_EXAMPLE_COM_8443", "BRAID_GIT_TOKEN_GIT_EXAMPLE_COM"],
    ],
    ["http://127.0.0.1:3000/x.git", ["BRAID_GIT_TOKEN_127_0_0_1_3000", "BRAID_GIT_TOKEN_127_0_0_1"]],
    ["../base-repos/platform", []],
    ["/abs/path", []],
  ])("%s", (url, vars) => {
    expect(tokenVariablesFor(url)).toEqual(vars);
  });
});

describe("resolveRemote", () => {
  const url = "https://git.example.com/acme/base.git";
  const cases: {
    name: string;
    url?: string;
    env: Record<string, string | undefined>;
    want?: { username: string; password: string; from: string };
  }[] = [
    { name: "nothing set", env: {}, want: undefined },
    {
      name: "per-host token, default username",
      env: { BRAID_GIT_TOKEN_GIT_EXAMPLE_COM: "t1" },
      want: { username: DEFAULT_GIT_USERNAME, password: "t1", from: "BRAID_GIT_TOKEN_GIT_EXAMPLE_COM" },
    },
    {
      name: "per-host token and username",
      env: { BRAID_GIT_TOKEN_GIT_EXAMPLE_COM: "t1", BRAID_GIT_USERNAME_GIT_EXAMPLE_COM: "bot" },
      want: { username: "bot", password: "t1", from: "BRAID_GIT_TOKEN_GIT_EXAMPLE_COM" },
    },
    {
      name: "per-host token wins over global",
      env: { BRAID_GIT_TOKEN: "g", BRAID_GIT_TOKEN_GIT_EXAMPLE_COM: "t1", BRAID_GIT_USERNAME: "gu" },
      want: { username: "gu", password: "t1", from: "BRAID_GIT_TOKEN_GIT_EXAMPLE_COM" },
    },
    {
      name: "global token",
      env: { BRAID_GIT_TOKEN: "g" },
      want: { username: DEFAULT_GIT_USERNAME, password: "g", from: "BRAID_GIT_TOKEN" },
    },
    {
      name: "global token and username",
      env: { BRAID_GIT_TOKEN: "g", BRAID_GIT_USERNAME: "me" },
      want: { username: "me", password: "g", from: "BRAID_GIT_TOKEN" },
    },
    {
      name: "another host's token is ignored",
      env: { BRAID_GIT_TOKEN_GITHUB_COM: "nope" },
      want: undefined,
    },
    {
      name: "empty variables count as unset",
      env: { BRAID_GIT_TOKEN_GIT_EXAMPLE_COM: "", BRAID_GIT_TOKEN: "g" },
      want: { username: DEFAULT_GIT_USERNAME, password: "g", from: "BRAID_GIT_TOKEN" },
    },
    {
      name: "host:port token wins over host token",
      url: "https://git.example.com:8443/a.git",
      env: { BRAID_GIT_TOKEN_GIT_EXAMPLE_COM: "h", BRAID_GIT_TOKEN_GIT_EXAMPLE_COM_8443: "hp" },
      want: { username: DEFAULT_GIT_USERNAME, password: "hp", from: "BRAID_GIT_TOKEN_GIT_EXAMPLE_COM_8443" },
    },
    {
      name: "user:token in the URL wins",
      url: "https://bot:s%40cret@git.example.com/acme/base.git",
      env: { BRAID_GIT_TOKEN: "g" },
      want: { username: "bot", password: "s@cret", from: "the URL" },
    },
    {
      name: "token alone in the URL",
      url: "https://tok123@git.example.com/acme/base.git",
      env: {},
      want: { username: DEFAULT_GIT_USERNAME, password: "tok123", from: "the URL" },
    },
    { name: "local path: no credentials", url: "../repos/base", env: { BRAID_GIT_TOKEN: "g" }, want: undefined },
  ];
  it.each(cases)("$name", ({ url: u, env, want }) => {
    const r = resolveRemote(u ?? url, env);
    expect(r.credentials).toEqual(want);
    expect(r.url).not.toMatch(/@/);
  });

  it("strips the userinfo from the URL it returns", () => {
    expect(resolveRemote("https://bot:tok@git.example.com/a.git", {}).url).toBe("https://git.example.com/a.git");
  });
});

describe("redactUrl", () => {
  it.each([
    ["https://user:tok@git.example.com/a.git", "https://git.example.com/a.git"],
    ["https://tok@git.example.com:8443/a.git?x=1", "https://git.example.com:8443/a.git?x=1"],
    ["http://a%40b:p%2Fq@h/x", "http://h/x"],
    ["https://git.example.com/a.git", "https://git.example.com/a.git"],
    ["../local/repo", "../local/repo"],
    ["not a url", "not a url"],
  ])("%s → %s", (input, out) => {
    expect(redactUrl(input)).toBe(out);
  });
});

describe("redactSecrets", () => {
  it.each([
    ["token in text", "failed with s3cret here", ["s3cret"], "failed with *** here"],
    ["url-encoded form", "x=p%2Fw", ["p/w"], "x=***"],
    ["several secrets, longest first", "ab abc", ["ab", "abc"], "*** ***"],
    ["userinfo in any URL", "see https://u:p@h/x and http://t@h2/", [], "see https://h/x and http://h2/"],
    ["empty secrets are ignored", "keep me", ["", ""], "keep me"],
  ])("%s", (_name, text, secrets, out) => {
    expect(redactSecrets(text, secrets)).toBe(out);
  });

  it("removes the Basic header form of credentials", () => {
    const c = { username: "u", password: "pw", from: "X" };
    const header = basicAuthHeader(c);
    expect(redactSecrets(`Authorization: ${header}`, secretsOf(c))).toBe("Authorization: Basic ***");
  });
});

describe("authHint", () => {
  it("names the per-host variable when nothing was given", () => {
    const hint = authHint("https://git.example.com/a.git");
    expect(hint).toContain("BRAID_GIT_TOKEN_GIT_EXAMPLE_COM");
    expect(hint).toContain("BRAID_GIT_USERNAME_GIT_EXAMPLE_COM");
  });
  it("for an SSH remote, points at ssh's own key setup, not at a token variable", () => {
    for (const url of ["ssh://git@git.example.com/org/a.git", "git@git.example.com:org/a.git"]) {
      const hint = authHint(url);
      expect(hint).toMatch(/^SSH logs in with a key, not a token: /);
      expect(hint).not.toContain("BRAID_GIT_TOKEN");
    }
  });
  it("names where refused credentials came from, never their value", () => {
    const hint = authHint("https://git.example.com/a.git", {
      username: "u",
      password: "sekrit",
      from: "BRAID_GIT_TOKEN",
    });
    expect(hint).toContain("BRAID_GIT_TOKEN");
    expect(hint).not.toContain("sekrit");
  });
});
