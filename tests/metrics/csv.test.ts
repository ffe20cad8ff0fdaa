// toCsv (_shared/csv.ts) on its own: RFC 4180 quoting, and text cells a spreadsheet would run as
// a formula neutralised with a leading apostrophe while numbers stay numbers.
import { describe, expect, it } from "vitest";
import { toCsv } from "../../supabase/functions/_shared/csv.ts";

const cell = (value: string | number | boolean | null) => toCsv(["v"], [{ v: value }]).split("\r\n")[1];

describe("toCsv", () => {
  it.each([
    ["=HYPERLINK(\"http://evil.example\",\"x\")", `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["+966501234567", "'+966501234567"],
    ["-2+3", "'-2+3"],
    ["-123", "'-123"],
    ["\tcmd", "'\tcmd"],
    ["\rcmd", `"'\rcmd"`],
    ["=1,2", `"'=1,2"`],
  ])("neutralises the text cell %j", (text, expected) => {
    expect(cell(text)).toBe(expected);
  });

  it.each([[-123, "-123"], [-0.5, "-0.5"], [42, "42"], [0, "0"]])("writes the number %j as a number", (n, expected) => {
    expect(cell(n)).toBe(expected);
  });

  it("leaves other cells as they were", () => {
    expect(toCsv(["a", "b", "c", "d", "e"], [{ a: "stripe", b: 'acme, "voice"', c: null, d: true, e: "2011-06-15" }]))
      .toBe('a,b,c,d,e\r\nstripe,"acme, ""voice""",,true,2011-06-15\r\n');
    expect(cell("a=b")).toBe("a=b");
    expect(cell(" =1")).toBe(" =1");
  });
});
