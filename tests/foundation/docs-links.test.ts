// Every relative link in the project's Markdown (README.md, docs/, the other READMEs) reaches a file
// or folder that exists, and a link with a #fragment reaches a heading of that Markdown file (as
// GitHub names heading anchors). A renamed section or a moved file fails here, not in a reader's
// browser.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Documents other branches are writing: a link to one is skipped while the file is absent. */
const PENDING = new Set(["docs/database.md", "docs/kpi-glossary.md"]);

/** The Markdown files a clone holds (tracked, and new ones not ignored). */
function markdownFiles(): string[] {
  const files = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "*.md"], { cwd: ROOT, encoding: "utf8" });
  expect(files.status, files.stderr).toBe(0);
  return files.stdout.split("\0").filter((f) => f && existsSync(join(ROOT, f)));
}

/** The text outside fenced code blocks and inline code, line by line (links and headings only count there). */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line.replace(/`[^`]*`/g, "``");
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

type Link = { file: string; line: number; target: string };

function relativeLinks(file: string): Link[] {
  const links: Link[] = [];
  proseLines(readFileSync(join(ROOT, file), "utf8")).forEach((text, i) => {
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, ...
      links.push({ file, line: i + 1, target });
    }
  });
  return links;
}

/** What is wrong with a link, or null when it resolves. */
function problem(link: Link): string | null {
  const [pathPart, fragment] = link.target.split("#", 2) as [string, string | undefined];
  const path = pathPart ? normalize(join(dirname(link.file), decodeURIComponent(pathPart))) : link.file;
  if (path.startsWith("..")) return `leaves the repository (${path})`;
  if (!existsSync(join(ROOT, path))) return PENDING.has(path) ? null : `no such file: ${path}`;
  if (fragment === undefined) return null;
  if (statSync(join(ROOT, path)).isDirectory() || !path.endsWith(".md")) return `a #fragment on a file that is not Markdown: ${path}`;
  const anchors = headingAnchors(readFileSync(join(ROOT, path), "utf8"));
  return anchors.has(decodeURIComponent(fragment).toLowerCase()) ? null : `no heading #${fragment} in ${path}`;
}

describe("links in the documentation", () => {
  const files = markdownFiles();

  it("finds the README and the docs", () => {
    expect(files).toContain("README.md");
    expect(files.filter((f) => f.startsWith("docs/")).length).toBeGreaterThan(5);
  });

  it("every relative link reaches an existing file, and every #fragment a heading", () => {
    const links = files.flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(50);
    const broken = links
      .map((link) => ({ link, why: problem(link) }))
      .filter((b) => b.why !== null)
      .map(({ link, why }) => `${relative(ROOT, join(ROOT, link.file))}:${link.line} (${link.target}): ${why}`);
    expect(broken).toEqual([]);
  });

  it("names heading anchors as GitHub does", () => {
    const anchors = headingAnchors("# A title\n## 11. BI tools (settled)\n## `ops` and the CLI\n## Same\n## Same\n```\n# not a heading\n```\n");
    expect([...anchors]).toEqual(["a-title", "11-bi-tools-settled", "ops-and-the-cli", "same", "same-1"]);
  });
});
