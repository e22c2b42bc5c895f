import { cancelSync, getOutboxCounts, getSyncStatus, syncNow } from "./api";
import { events, type OutboxCounts, type SyncStatus, type SyncSummary } from "./bindings";

/** The status before the core has reported one. */
export const IDLE_STATUS: SyncStatus = {
  reachability: "unknown",
  running: false,
  progress: null,
  last: null,
  error: null,
  errorKind: null,
  lastSuccessAt: null,
  nextInSeconds: null,
};

/**
 * Syncing as the core reports it (automatic cycles included), the Sync and Stop buttons,
 * and the pending-change counts.
 */
export class Sync {
  status: SyncStatus = $state(IDLE_STATUS);
  /** Why the last sync the user asked for failed. */
  error: string | null = $state(null);
  counts: OutboxCounts = $state({ pending: 0, rejected: 0, conflicts: 0, waitingForRetry: 0 });
  /** Bumped after every finished sync so lists reload. */
  revision = $state(0);
  /** The progress last reported, kept between the cycles of a first fill. */
  lastProgress: SyncStatus["progress"] = $state(null);

  #unlisten: (() => void) | null = null;
  /** Requests the running cycle has sent to GHL, as far as reported: a cycle that sent
   * none has stored nothing for the lists to show. */
  #sent = 0;

  /** Whether a cycle runs. */
  get running(): boolean {
    return this.status.running;
  }

  /**
   * Whether a first fill is under way: a cycle runs, or the next one follows in a
   * moment because contacts still wait for their notes and tasks. The window shows one
   * continuous sync instead of flickering between cycles.
   */
  get filling(): boolean {
    if (this.status.running) return true;
    const left = this.status.last?.childrenLeft ?? 0;
    const next = this.status.nextInSeconds;
    return left > 0 && next != null && next <= 3 && this.status.error == null;
  }

  /** Why the last sync stopped, whoever started it. */
  get problem(): string | null {
    return this.error ?? this.status.error ?? null;
  }

  /** Starts following the core's sync status. */
  async start(): Promise<void> {
    let heard = false;
    this.#unlisten = await events.syncStatusEvent.listen((event) => {
      heard = true;
      this.#apply(event.payload);
    });
    try {
      const initial = await getSyncStatus();
      // An event that arrived meanwhile is newer than this answer.
      if (!heard) this.#apply(initial);
    } catch {
      // The status stays idle until the core reports one.
    }
  }

  /** Stops following (component teardown, tests). */
  stop(): void {
    this.#unlisten?.();
    this.#unlisten = null;
  }

  #apply(next: SyncStatus): void {
    const finished = this.status.running && !next.running;
    // A new phase means the previous one is stored: lists show it at once (a first
    // sync's contacts are browsable while their notes and tasks still come in). A cycle
    // that sent GHL nothing, as one without a token, stored nothing to show.
    const newPhase = next.progress != null && next.progress.phase !== this.status.progress?.phase;
    const succeeded =
      next.lastSuccessAt != null && next.lastSuccessAt !== this.status.lastSuccessAt;
    this.#sent = Math.max(this.#sent, next.progress?.requests ?? 0);
    this.status = next;
    if (next.progress) this.lastProgress = next.progress;
    else if (!this.filling) this.lastProgress = null;
    if ((newPhase && !finished && this.#sent > 0) || (finished && (succeeded || this.#sent > 0))) {
      this.revision += 1;
      void this.refreshCounts();
    }
    if (finished) this.#sent = 0;
  }

  /** Runs one sync cycle now (after a running one ends); its summary, or `null`. */
  async run(): Promise<SyncSummary | null> {
    if (this.running) return null;
    this.error = null;
    try {
      return await syncNow();
    } catch (err) {
      // Stop is the user's choice, not a failure.
      if ((err as { kind?: string }).kind !== "cancelled") {
        this.error = err instanceof Error ? err.message : String(err);
      }
      return null;
    } finally {
      this.revision += 1;
      await this.refreshCounts();
    }
  }

  /** Stops the running cycle; what it did stays done. */
  async cancel(): Promise<void> {
    await cancelSync();
  }

  /** Re-reads the outbox counts. */
  async refreshCounts(): Promise<void> {
    try {
      this.counts = await getOutboxCounts();
    } catch {
      this.counts = { pending: 0, rejected: 0, conflicts: 0, waitingForRetry: 0 };
    }
  }
}
