import { describe, expect, it } from "vitest";
import { redactSecrets, redactUrl } from "./redact-url.js";
import { classifyRemote, sourceUrlProblem } from "./remote-url.js";

describe("classifyRemote", () => {
  it.each([
    ["https://git.example.com/org/repo.git", "http"],
    ["http://127.0.0.1:8080/x.git", "http"],
    ["ssh://git@git.example.com/org/repo.git", "ssh"],
    ["ssh://git.example.com:2222/org/repo.git", "ssh"],
    ["git@github.com:org/repo.git", "ssh"],
    ["host.example.com:org/repo.git", "ssh"],
    ["../base", "local"],
    ["./a:b/c", "local"],
    ["/abs/path/repo.git", "local"],
    ["file:///abs/repo.git", "local"],
    ["base", "local"],
    ["http://user:a/TOKEN@127.0.0.1:9/deploy.git", "invalid"],
    ["http://user:123/TOKEN@127.0.0.1:9/deploy.git", "invalid"],
    ["http://host/pa th.git", "invalid"],
    ["ftp://host/x.git", "invalid"],
  ])("%s is %s", (url, kind) => {
    expect(classifyRemote(url).kind).toBe(kind);
  });
});

describe("sourceUrlProblem and redaction", () => {
  it("refuses any user info in a config URL, and redacts before printing", () => {
    expect(sourceUrlProblem("https://bot:tok@host/x.git")).toBe(
      "carries a password or token in its user info; credentials never come from config",
    );
    expect(sourceUrlProblem("https://tok@host/x.git")).toBe(
      "carries a user name (or a token as user name) in its user info; credentials never come from config",
    );
    expect(sourceUrlProblem("ssh://git@host/x.git")).toBeUndefined();
    expect(sourceUrlProblem("git@host:x.git")).toBeUndefined();
    expect(sourceUrlProblem("ssh://git:pw@host/x.git")).toBe(
      "carries a password in its user info; credentials never come from config",
    );
    expect(redactUrl("http://user:a/TOKEN@127.0.0.1:9/deploy.git")).toBe("http://127.0.0.1:9/deploy.git");
    expect(redactUrl("https://bot:tok@host/x.git")).toBe("https://host/x.git");
    expect(redactUrl("ssh://git@host/x.git")).toBe("ssh://git@host/x.git");
    expect(redactSecrets("cannot reach http://user:a/TOKEN@127.0.0.1:9/deploy.git: refused", [])).toBe(
      "cannot reach http://127.0.0.1:9/deploy.git: refused",
    );
  });
});
