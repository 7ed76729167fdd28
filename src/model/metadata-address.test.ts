import { describe, expect, it } from "vitest";
import { isMetadataAddress, metadataRefusal, refusingLookup } from "./metadata-address.js";

describe("cloud metadata addresses", () => {
  it("are the link-local ranges and the known endpoints, in every form an address takes", () => {
    for (const a of ["169.254.169.254", "169.254.0.1", "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "[fe80::1]"])
      expect(isMetadataAddress(a), a).toBe(true);
    for (const a of ["fe80::a9fe:a9fe", "febf::1", "fd00:ec2::254", "100.100.100.200"])
      expect(isMetadataAddress(a), a).toBe(true);
    for (const a of ["127.0.0.1", "10.0.0.1", "169.255.0.1", "fec0::1", "fd00:ec2::253", "::1", "example.com", ""])
      expect(isMetadataAddress(a), a).toBe(false);
  });

  it("a guarded lookup fails for a name any of whose addresses is one, and passes the others through", async () => {
    const answers: Record<string, { address: string; family: number }[]> = {
      "meta.test": [{ address: "169.254.169.254", family: 4 }],
      "mixed.test": [
        { address: "93.184.216.34", family: 4 },
        { address: "fe80::1", family: 6 },
      ],
      "ok.test": [{ address: "93.184.216.34", family: 4 }],
    };
    const lookup = refusingLookup((hostname, options, callback) => {
      const list = answers[hostname]!;
      if (options.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
    const ask = (host: string, all: boolean) =>
      new Promise<unknown>((resolve) => lookup(host, { all }, (err, address) => resolve(err ?? address)));
    expect(metadataRefusal(await ask("meta.test", false))?.message).toBe(
      "meta.test resolves to 169.254.169.254, a cloud metadata address (link-local): braid reads nothing there",
    );
    expect(metadataRefusal(await ask("mixed.test", true))).toBeDefined();
    expect(await ask("ok.test", false)).toBe("93.184.216.34");
    expect(await ask("ok.test", true)).toEqual(answers["ok.test"]);
    // (found through causes, as fetch wraps it)
    const wrapped = new TypeError("fetch failed", { cause: await ask("meta.test", false) });
    expect(metadataRefusal(wrapped)).toBeDefined();
    expect(metadataRefusal(new Error("other"))).toBeUndefined();
  });
});
