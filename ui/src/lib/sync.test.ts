import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SyncStatus } from "./bindings";
import { IDLE_STATUS as IDLE, Sync } from "./sync.svelte";

function pulling(requests: number): SyncStatus {
  return {
    ...IDLE,
    running: true,
    progress: { phase: "contacts", done: 0, total: null, requests, etaSeconds: null },
  };
}

function pushing(requests: number): SyncStatus {
  return {
    ...pulling(requests),
    progress: { phase: "push", done: 0, total: null, requests, etaSeconds: null },
  };
}

let sync: Sync;

/** Sends the core's status and lets the listener run. */
async function report(status: SyncStatus): Promise<void> {
  await emit("sync-status-event", status);
  await new Promise((done) => setTimeout(done, 0));
}

beforeEach(async () => {
  mockIPC(
    (cmd) => {
      if (cmd === "get_sync_status") return IDLE;
      if (cmd === "get_outbox_counts")
        return { pending: 0, rejected: 0, conflicts: 0, waitingForRetry: 0 };
      throw new Error(`unexpected command ${cmd}`);
    },
    { shouldMockEvents: true },
  );
  sync = new Sync();
  await sync.start();
});
afterEach(() => {
  sync.stop();
  clearMocks();
});

describe("when the lists reload after a sync", () => {
  it("does not reload for a cycle that sent GHL nothing", async () => {
    await report(pulling(0));
    await report({
      ...IDLE,
      error: "no stored token for this location",
      errorKind: "unauthorized",
    });
    expect(sync.revision).toBe(0);
  });

  it("reloads when a phase that fetched something is stored, and when the cycle ends", async () => {
    await report(pulling(0));
    await report(pulling(4));
    expect(sync.revision).toBe(0);
    await report(pushing(4));
    expect(sync.revision).toBe(1);
    await report({ ...IDLE, error: "HighLevel did not answer", errorKind: "offline" });
    expect(sync.revision).toBe(2);
    // The next cycle starts counting again.
    await report(pulling(0));
    await report({ ...IDLE, error: "HighLevel did not answer", errorKind: "offline" });
    expect(sync.revision).toBe(2);
  });

  it("reloads after a cycle that succeeded, whatever it reported on the way", async () => {
    await report(pulling(0));
    await report({ ...IDLE, lastSuccessAt: 1_700_000_000_000 });
    expect(sync.revision).toBe(1);
  });
});
