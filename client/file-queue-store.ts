// A queue store for Node backends that survives a restart or a crash: a journal file of JSON lines
// ({"add": [events]} when events are queued, {"del": [event ids]} when they are delivered or
// dropped), written synchronously, so an event is in the file when emit() returns and a killed
// process loses nothing. A line torn by a crash is skipped when the file is read back. The file is
// rewritten (compacted) through a temporary file and an atomic rename, never in place. One emitter
// per file: a lock file beside it names the process that holds it.
import { Buffer } from "node:buffer";
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import process from "node:process";
import type { AnalyticsEvent } from "./event-catalog.ts";
import type { QueueStore } from "./queue-store.ts";

export type FileQueueStoreOptions = {
  /** Also fsync every write (survives a power loss, not only a process crash); slower. */
  durable?: boolean;
};

/** Locks this process holds: a lock naming our own pid is stale unless it is in here (a restarted container is pid 1 again). */
const heldHere = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

function takeLock(lockPath: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(lockPath);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== "EEXIST") throw err;
    }
    const holder = Number(readFileSync(lockPath, "utf8"));
    const ours = holder === process.pid;
    if ((ours && heldHere.has(lockPath)) || (!ours && pidAlive(holder))) {
      throw new Error(`${lockPath}: the queue file is in use by process ${holder} (one emitter per file)`);
    }
    unlinkSync(lockPath); // left by a process that is gone
  }
  throw new Error(`${lockPath}: could not take the lock`);
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
}

export class FileQueueStore implements QueueStore {
  readonly persistent = true;
  private readonly live = new Map<string, AnalyticsEvent>();
  private readonly lockPath: string;
  private fd: number | null = null;
  /** Event entries (added or deleted) in the file since it was last compacted. */
  private entries = 0;

  constructor(readonly path: string, private readonly options: FileQueueStoreOptions = {}) {
    this.lockPath = `${path}.lock`;
    takeLock(this.lockPath);
  }

  load(): AnalyticsEvent[] {
    if (existsSync(this.path)) {
      for (const line of readFileSync(this.path, "utf8").split("\n")) {
        if (!line) continue;
        let entry: { add?: AnalyticsEvent[]; del?: string[] };
        try {
          entry = JSON.parse(line);
        } catch {
          continue; // torn by a crash mid-write
        }
        for (const event of entry.add ?? []) this.live.set(event.event_id, event);
        for (const id of entry.del ?? []) this.live.delete(id);
      }
    }
    // Start from a clean file: no torn tail for the next line to be appended to.
    this.compact();
    return [...this.live.values()];
  }

  append(events: AnalyticsEvent[]): void {
    if (events.length === 0) return;
    for (const event of events) this.live.set(event.event_id, event);
    this.write({ add: events }, events.length);
  }

  remove(eventIds: string[]): void {
    const gone = eventIds.filter((id) => this.live.delete(id));
    if (gone.length === 0) return;
    this.write({ del: gone }, gone.length);
    if (this.entries > 2 * this.live.size + 1000) this.compact();
  }

  /** Leaves the file holding only what is undelivered (empty when everything was), and releases the lock. */
  close(): void {
    if (!heldHere.has(this.lockPath)) return;
    this.compact();
    heldHere.delete(this.lockPath);
    unlinkSync(this.lockPath);
  }

  /** How many events the file holds (delivered ones excluded). */
  get size(): number {
    return this.live.size;
  }

  private write(entry: object, count: number): void {
    this.fd ??= openSync(this.path, "a");
    writeAll(this.fd, `${JSON.stringify(entry)}\n`);
    if (this.options.durable) fsyncSync(this.fd);
    this.entries += count;
  }

  /** Rewrites the file with only the undelivered events: temporary file, fsync, atomic rename. */
  private compact(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      if (this.live.size) writeAll(fd, `${JSON.stringify({ add: [...this.live.values()] })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    renameSync(tmp, this.path);
    // The rename itself is durable once the directory is synced.
    const dir = openSync(dirname(this.path), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    this.entries = this.live.size;
  }
}
