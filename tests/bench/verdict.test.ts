// The bench rows' target verdicts (bench/lib.ts): each row states issue 18's target and whether its
// median meets it, the boundary included where the target says "at most" or "at least".
import { describe, expect, it } from "vitest";
import { verdict } from "../../bench/lib.ts";

describe("bench verdict", () => {
  it("states the target and whether the value meets it", () => {
    expect(verdict(5.99, "<=", 6, "x")).toBe("target <= 6x: met");
    expect(verdict(6, "<=", 6, "x")).toBe("target <= 6x: met");
    expect(verdict(7.15, "<=", 6, "x")).toBe("target <= 6x: MISSED");
    expect(verdict(1.36, "<=", 1.15, "x")).toBe("target <= 1.15x: MISSED");
    expect(verdict(60, ">=", 60, "% of the copy rate")).toBe("target >= 60% of the copy rate: met");
    expect(verdict(59.9, ">=", 60, "% of the copy rate")).toBe("target >= 60% of the copy rate: MISSED");
    expect(verdict(49.9, "<", 50, " ms")).toBe("target < 50 ms: met");
    expect(verdict(50, "<", 50, " ms")).toBe("target < 50 ms: MISSED");
  });
});
