import { mkdtemp, mkdir, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diskFleetReader } from "./fleet-files.js";

describe("diskFleetReader with files read already", () => {
  it("answers those from the bytes given, and reads the others (links checked as ever)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "braid-reader-"));
    const outside = await mkdtemp(join(tmpdir(), "braid-outside-"));
    await mkdir(join(dir, "clusters"));
    await writeFile(join(dir, "clusters", "a.yaml"), "on disk\n");
    await writeFile(join(dir, "braid.yaml"), "fleet\n");
    await writeFile(join(outside, "secret"), "no\n");
    await symlink(join(outside, "secret"), join(dir, "clusters", "link.yaml"));
    const reader = diskFleetReader(dir, new Map([["clusters/a.yaml", Buffer.from("read before: é\n")]]));
    expect(await reader.read("clusters/a.yaml")).toBe("read before: é\n");
    expect(await reader.read("braid.yaml")).toBe("fleet\n");
    expect(await reader.read("clusters/missing.yaml")).toBeUndefined();
    await expect(reader.read("clusters/link.yaml")).rejects.toMatchObject({ code: "PATH_ESCAPE" });
  });

  it("checks where every folder of the path leads, not only the file: a linked folder stays inside or is refused", async () => {
    const dir = await mkdtemp(join(tmpdir(), "braid-reader-"));
    const outside = await mkdtemp(join(tmpdir(), "braid-outside-"));
    await mkdir(join(dir, "real"));
    await writeFile(join(dir, "real", "p.yaml"), "inside\n");
    await writeFile(join(outside, "p.yaml"), "outside\n");
    await symlink(join(dir, "real"), join(dir, "inner"));
    await symlink(outside, join(dir, "out"));
    const reader = diskFleetReader(dir);
    expect(await reader.read("inner/p.yaml")).toBe("inside\n");
    expect(await reader.read("real/../real/p.yaml")).toBe("inside\n");
    await expect(reader.read("out/p.yaml")).rejects.toMatchObject({ code: "PATH_ESCAPE" });
    await expect(reader.read("../" + join(outside, "p.yaml").split("/").slice(-2).join("/"))).rejects.toMatchObject({
      code: "PATH_ESCAPE",
    });
    expect(await reader.read("real")).toBeUndefined(); // a folder
    expect(await reader.read("real/p.yaml/x")).toBeUndefined(); // through a file
  });
});
