import type { Phase, Progress, Reachability, SyncSummary } from "./bindings";
import { LOCALE } from "./format";

const PHASES: Record<Phase, string> = {
  settling: "Checking unfinished changes",
  contacts: "Pulling contacts",
  deletions: "Checking for deleted contacts",
  push: "Sending changes",
  children: "Fetching notes and tasks",
};

const count = new Intl.NumberFormat(LOCALE);

/** "about 2 min left" style wording for a number of seconds. */
export function timeLeft(seconds: number): string {
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} min left`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  return `about ${hours} h ${minutes} min left`;
}

/** One line describing a running sync's progress. */
export function describeProgress(progress: Progress): string {
  const parts = [PHASES[progress.phase]];
  if (progress.total != null && progress.total > 0) {
    parts.push(`${count.format(progress.done)} of ${count.format(progress.total)}`);
  } else if (progress.done > 0) {
    parts.push(count.format(progress.done));
  }
  if (progress.etaSeconds != null && progress.etaSeconds > 0) {
    parts.push(timeLeft(progress.etaSeconds));
  }
  return parts.join(" · ");
}

/**
 * Whether to show the app as online: offline when the machine has no network, or when
 * GHL did not answer the last request or probe.
 */
export function isOnline(reachability: Reachability, machineOnline: boolean): boolean {
  return machineOnline && reachability !== "offline";
}

/** What a finished sync did, in one sentence for a toast. */
export function describeSummary(summary: SyncSummary): string {
  const parts: string[] = [];
  const add = (n: number, one: string, many: string) => {
    if (n > 0) parts.push(`${count.format(n)} ${n === 1 ? one : many}`);
  };
  add(summary.pushed, "change sent", "changes sent");
  add(summary.pulled, "contact updated", "contacts updated");
  add(summary.deleted, "contact deleted in HighLevel", "contacts deleted in HighLevel");
  add(summary.rejected, "change refused", "changes refused");
  add(summary.conflicts, "conflict to review", "conflicts to review");
  if (parts.length === 0) return "Synced: everything is up to date";
  return `Synced: ${parts.join(", ")}`;
}
