import { describe, expect, it } from "vitest";
import type { Json } from "../../model/resource.js";
import { elementValues, mergeValues, primitiveValues, scalarFromText, validateKeys } from "./list-keys.js";

describe("merge-key values of associative lists", () => {
  it("elementValues: each element's key values, patch first, without repeats; a missing or empty key is ''", () => {
    const patch: Json[] = [{ name: "b", port: 2 }, { name: "a" }];
    const target: Json[] = [{ name: "a" }, { name: "c", port: 0 }, { name: "d", port: {} }, { name: "b", port: 2 }];
    expect(elementValues(["name", "port"], [patch, target])).toEqual([
      ["b", "2"],
      ["a", ""],
      ["c", "0"],
      ["d", ""],
    ]);
    expect(elementValues([], [patch])).toEqual([]);
    expect(elementValues(["name"], [undefined, "not a list"])).toEqual([]);
  });

  it("primitiveValues: the scalars of set-like lists, patch first, as text, without repeats", () => {
    expect(
      primitiveValues([
        ["b", 1, true],
        ["a", "b", "1", null],
      ]),
    ).toEqual([["b"], ["1"], ["true"], ["a"], [""]]);
  });

  it("validateKeys: keys no element sets are dropped, with their empty values", () => {
    const values = [
      ["80", "", "TCP"],
      ["81", "", ""],
    ];
    expect(validateKeys(values, ["80", "", "TCP"], ["containerPort", "hostPort", "protocol"])).toEqual([
      ["containerPort", "protocol"],
      ["80", "TCP"],
    ]);
    expect(validateKeys([["", ""]], ["", ""], ["a", "b"])).toEqual([
      ["a", "b"],
      ["", ""],
    ]);
  });

  it("mergeValues: values that share one and differ only where one is empty become one (a port with and without protocol)", () => {
    const list = [
      ["80", "TCP"],
      ["80", ""],
      ["81", "UDP"],
      ["82", "TCP"],
    ];
    mergeValues(list);
    expect(list).toEqual([
      ["80", "TCP"],
      ["80", "TCP"],
      ["81", "UDP"],
      ["82", "TCP"],
    ]);
  });

  it("scalarFromText: decimal integers and booleans come back typed, everything else stays text", () => {
    expect(["80", "-1", "0", "007", "1.5", "true", "false", "True", "TCP"].map(scalarFromText)).toEqual([
      80,
      -1,
      0,
      "007",
      "1.5",
      true,
      false,
      "True",
      "TCP",
    ]);
  });
});
