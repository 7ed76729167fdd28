import { describe, expect, it } from "vitest";
import { goBinary, goFormatFloatG, goInt, goNumber, goTimestamp, goYamlV2Word } from "./go-scalars.js";

// every expectation below is what `kubectl kustomize` v1.32 (go-yaml v3, as Flux builds) wrote for the value
describe("go-yaml v3's plain scalars", () => {
  it("reads Go's integer literals once every _ is dropped, and go-yaml's floats", () => {
    const cases: [string, number | undefined][] = [
      ["0b101", 5],
      ["-0b101", -5],
      ["0B11", 3],
      ["0o17", 15],
      ["0O17", 15],
      ["+0o17", 15],
      ["0X1F", 31],
      ["-0x1F", -31],
      ["0x_1F", 31],
      ["1_2_3", 123],
      ["1__0", 10],
      ["0_7", 7],
      ["0644", 420],
      ["08", 8],
      ["09.5", 9.5],
      ["1_0.5", 10.5],
      [".5_0", 0.5],
      ["99999999999999999999", 1e20],
      ["1e3", 1000],
      ["1.", 1],
      ["-0", 0],
      ["_1", undefined],
      ["1e", undefined],
      ["0x", undefined],
      ["0b2", undefined],
      ["._5", undefined],
      [".inf", undefined], // left to the core schema, which reads it alike
      ["1:20", undefined],
      ["12:30:00", undefined],
    ];
    for (const [s, want] of cases) expect(goNumber(s), s).toBe(want);
    expect(goInt("1.5")).toBeUndefined();
    expect(goInt("0x_1F")).toBe(31);
  });

  it("writes timestamps as Go's time.Time writes JSON", () => {
    const cases: [string, string | undefined][] = [
      ["2001-12-14", "2001-12-14T00:00:00Z"],
      ["2001-1-2", "2001-01-02T00:00:00Z"],
      ["0000-01-01", "0000-01-01T00:00:00Z"],
      ["2001-12-14 21:59:43.10", "2001-12-14T21:59:43.1Z"],
      ["2001-12-14 21:59:43,5", "2001-12-14T21:59:43.5Z"],
      ["2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.1-05:00"],
      ["2001-12-14T21:59:43Z", "2001-12-14T21:59:43Z"],
      ["2001-12-14T21:59:43.1234567891Z", "2001-12-14T21:59:43.123456789Z"],
      ["2001-12-14t1:2:3+00:00", "2001-12-14T01:02:03Z"],
      ["2001-12-14T21:59:43-00:00", "2001-12-14T21:59:43Z"],
      ["2029-12-31T14:00:00+02:00", "2029-12-31T14:00:00+02:00"],
      ["2001-02-30", undefined],
      ["2001-12-14T24:00:00Z", undefined],
      ["2001-12-14T21:59:60Z", undefined],
      ["2001-12-14T21:59:43", undefined], // the T layout needs a zone
      ["2001-12-14 21:59:43Z", undefined], // the space layout takes none
      ["2001-12-14 21:59:43.10 -5", undefined],
      ["01-12-14", undefined],
    ];
    for (const [s, want] of cases) expect(goTimestamp(s), s).toBe(want);
    expect(goTimestamp("2001-12-14T21:59:43+24:60")).toMatchObject({ error: expect.stringMatching(/24 hours/) });
  });

  it("decodes !!binary, writing invalid UTF-8 bytes as Go's JSON does", () => {
    expect(goBinary("aGk=")).toBe("hi");
    expect(goBinary("aG\nk=")).toBe("hi");
    expect(goBinary("aGk")).toBeUndefined();
    expect(goBinary("4oI=")).toBe("\ufffd\ufffd"); // E2 82: a truncated sequence is one U+FFFD per byte
  });

  it("goFormatFloatG writes a float as Go's strconv.FormatFloat(f, 'g', -1, 64)", () => {
    // as kubectl kustomize writes annotations a JSON6902 patch set (those marked) and Go's rules for the rest
    const cases: [number, string][] = [
      [16, "16"], // kubectl
      [1, "1"], // kubectl (1.0)
      [1.5, "1.5"],
      [999999, "999999"],
      [1000000, "1e+06"], // kubectl
      [123456789, "1.23456789e+08"], // kubectl
      [1e20, "1e+20"], // kubectl
      [1e21, "1e+21"], // kubectl
      [Number("12345678901234567890"), "1.2345678901234567e+19"], // kubectl
      [0.000123, "0.000123"], // kubectl
      [0.0001, "0.0001"],
      [0.00001, "1e-05"],
      [1e-7, "1e-07"], // kubectl
      [123456.7, "123456.7"],
      [-2.5, "-2.5"],
      [5e-324, "5e-324"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [0, "0"],
    ];
    for (const [f, text] of cases) expect(goFormatFloatG(f), String(f)).toBe(text);
  });

  it("goYamlV2Word reads YAML 1.1's words as go-yaml v2 does", () => {
    for (const w of ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"])
      expect(goYamlV2Word(w)).toBe(true);
    for (const w of ["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"])
      expect(goYamlV2Word(w)).toBe(false);
    for (const w of ["", "~", "null", "Null", "NULL"]) expect(goYamlV2Word(w)).toBeNull();
    for (const w of ["yES", "oN", "nil", "0", "1:20"]) expect(goYamlV2Word(w)).toBeUndefined();
  });
});
