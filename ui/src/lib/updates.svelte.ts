import { checkForUpdate, downloadUpdate, installUpdate } from "./api";
import { events } from "./bindings";

/** Where updating GHL Desk stands, as Settings and the start-up notice show it. */
export type UpdatePhase =
  | "idle"
  | "checking"
  | "notConfigured"
  | "upToDate"
  | "available"
  | "downloading"
  | "ready"
  | "installing"
  | "failed";

/** The newer version on offer. */
export interface UpdateOffer {
  current: string;
  version: string;
  notes: string | null;
  date: string | null;
}

/**
 * Updating GHL Desk itself: check (at start at most daily, or when asked), download
 * with progress (the signature is verified in the core), install and relaunch.
 */
export class Updates {
  phase: UpdatePhase = $state("idle");
  offer: UpdateOffer | null = $state(null);
  current: string | null = $state(null);
  /** Bytes received and expected while downloading. */
  received = $state(0);
  total: number | null = $state(null);
  error: string | null = $state(null);
  #unlisten: (() => void) | null = null;

  /** Checks for a newer version; `automatic` is the start-up check (skipped when recent). */
  async check(automatic: boolean): Promise<void> {
    if (this.phase === "downloading" || this.phase === "installing") return;
    const before = this.phase;
    this.phase = "checking";
    this.error = null;
    try {
      const found = await checkForUpdate(automatic);
      if (found.kind === "available") {
        this.offer = found;
        this.phase = "available";
      } else if (found.kind === "upToDate") {
        this.current = found.current;
        this.offer = null;
        this.phase = "upToDate";
      } else if (found.kind === "notConfigured") {
        this.phase = "notConfigured";
      } else {
        this.phase = before;
      }
    } catch (err) {
      // A failed start-up check is not worth interrupting anyone for.
      this.phase = automatic ? before : "failed";
      this.error = automatic ? null : err instanceof Error ? err.message : String(err);
    }
  }

  /** Downloads the offered version and has its signature checked. */
  async download(): Promise<void> {
    if (!this.offer) return;
    this.phase = "downloading";
    this.received = 0;
    this.total = null;
    this.error = null;
    this.#unlisten ??= await events.updateProgressEvent.listen(({ payload }) => {
      this.received = payload.downloaded;
      this.total = payload.total;
    });
    try {
      await downloadUpdate();
      this.phase = "ready";
    } catch (err) {
      this.phase = "failed";
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  /** Installs the downloaded version; the app relaunches into it. */
  async install(): Promise<void> {
    this.phase = "installing";
    this.error = null;
    try {
      await installUpdate();
    } catch (err) {
      this.phase = "failed";
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  /** Stops listening (component teardown, tests). */
  destroy(): void {
    this.#unlisten?.();
    this.#unlisten = null;
  }
}
