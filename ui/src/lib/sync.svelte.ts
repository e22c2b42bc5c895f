import { getOutboxCounts, syncNow } from "./api";
import type { OutboxCounts, SyncSummary } from "./bindings";

/** The sync button's state and the pending-change counts, mirrored from the core. */
export class Sync {
  running = $state(false);
  last: SyncSummary | null = $state(null);
  error: string | null = $state(null);
  counts: OutboxCounts = $state({ pending: 0, rejected: 0, conflicts: 0 });
  /** Bumped after every sync so lists reload. */
  revision = $state(0);

  /** Runs one sync cycle (ignored while one runs). */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.error = null;
    try {
      this.last = await syncNow();
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.running = false;
      this.revision += 1;
      await this.refreshCounts();
    }
  }

  /** Re-reads the outbox counts. */
  async refreshCounts(): Promise<void> {
    try {
      this.counts = await getOutboxCounts();
    } catch {
      this.counts = { pending: 0, rejected: 0, conflicts: 0 };
    }
  }
}
