// docs/bi.md shows the example queries verbatim: each `<!-- query: <file> -->` marker is followed
// by a sql block equal to that file, and every file in docs/bi-queries is shown. The SQL-login test
// runs the files, so what the page shows is what is tested.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const page = readFileSync("docs/bi.md", "utf8");
const shown = [...page.matchAll(/<!-- query: (\S+) -->\n```sql\n([\s\S]*?)```/g)].map((m) => ({ file: m[1], sql: m[2] }));

describe("docs/bi.md", () => {
  it("shows every example query file, each exactly as the tests run it", () => {
    const files = readdirSync("docs/bi-queries").filter((f) => f.endsWith(".sql")).map((f) => `docs/bi-queries/${f}`).sort();
    expect(shown.map((s) => s.file).sort()).toEqual(files);
    for (const s of shown) expect(s.sql, s.file).toBe(readFileSync(s.file, "utf8"));
  });
});
