import {
  type Account,
  type AccountsStatus,
  type ActivityEntry_Serialize as ActivityEntry,
  type ActivityQuery,
  type AppInfo,
  type Applied_Serialize as Applied,
  type Business_Serialize as Business,
  type CacheSummary,
  type ChosenLocation,
  type ContactPage,
  type ContactQuery,
  type ContactView_Serialize as ContactView,
  type CrashReport,
  type CustomFieldDef_Serialize as CustomFieldDef,
  commands,
  type DeskError,
  type Edit,
  type MergePolicy,
  type OAuthOutcome,
  type OutboxCounts,
  type PendingChange,
  type Resolution,
  type SyncStatus,
  type SyncSummary,
  type Targets,
  type UpdateCheck_Serialize as UpdateCheck,
} from "./bindings";

/** A failed command, carrying the core's machine-readable kind for the UI to act on. */
export class ApiError extends Error {
  readonly kind: DeskError["kind"];
  readonly fields: DeskError["fields"];

  constructor(error: DeskError) {
    super(error.message);
    this.name = "ApiError";
    this.kind = error.kind;
    this.fields = error.fields;
  }
}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: DeskError };

function unwrap<T>(result: Result<T>): T {
  if (result.status === "error") {
    throw new ApiError(result.error);
  }
  return result.data;
}

/** The app's version and where its data lives. */
export async function getAppInfo(): Promise<AppInfo> {
  return unwrap(await commands.appInfo());
}

/** Who is signed in, and whether the keychain keeps sign-ins between runs. */
export async function getAccountsStatus(): Promise<AccountsStatus> {
  return await commands.accountsStatus();
}

/** Starts the embedded demo and signs in to it. */
export async function signInDemo(): Promise<Account> {
  return unwrap(await commands.signInDemo());
}

/** Signs in with a Private Integration token (checked before it is saved). */
export async function signInPrivateIntegration(
  token: string,
  locationId: string,
): Promise<Account> {
  return unwrap(await commands.signInPrivateIntegration(token, locationId));
}

/** Signs in with HighLevel in the system browser: one location, or an agency to pick from. */
export async function signInOAuth(clientId: string, clientSecret: string): Promise<OAuthOutcome> {
  return unwrap(await commands.signInOauth(clientId, clientSecret));
}

/** Keeps the chosen locations of an agency offline and opens the first. */
export async function keepAgencyLocations(
  companyId: string,
  locations: ChosenLocation[],
): Promise<Account> {
  return unwrap(await commands.keepAgencyLocations(companyId, locations));
}

/** Opens another location kept on this computer. */
export async function openAccount(locationId: string): Promise<Account> {
  return unwrap(await commands.openAccount(locationId));
}

/** What deleting a location's local data would throw away. */
export async function getCacheSummary(locationId: string): Promise<CacheSummary> {
  return unwrap(await commands.cacheSummary(locationId));
}

/** Deletes a location's local data; refused if more changes are unsent than confirmed. */
export async function deleteLocalData(locationId: string, unsentChanges: number): Promise<void> {
  unwrap(await commands.deleteLocalData(locationId, unsentChanges));
}

/** Stops a sign-in that waits for the browser. */
export async function cancelSignIn(): Promise<void> {
  await commands.cancelSignIn();
}

/** Signs out of a location: its secrets leave the keychain; its local data stays. */
export async function signOut(locationId: string): Promise<void> {
  unwrap(await commands.signOut(locationId));
}

/** One page of the signed-in location's contacts. */
export async function listContacts(query: ContactQuery): Promise<ContactPage> {
  return unwrap(await commands.listContacts(query));
}

/** How many contacts a bulk edit would change. */
export async function countTargets(targets: Targets): Promise<number> {
  return unwrap(await commands.countTargets(targets));
}

/** A contact as its pane shows it: everything cached, its unsent changes, read-only or not. */
export async function getContactView(id: string): Promise<ContactView> {
  return unwrap(await commands.contactView(id));
}

/** Reads a contact and its notes, tasks and appointments from HighLevel now. */
export async function refreshContact(id: string): Promise<void> {
  unwrap(await commands.refreshContact(id));
}

/** Every tag in use, with how many contacts carry it. */
export async function getTags(): Promise<[string, number][]> {
  return unwrap(await commands.tags());
}

/** The businesses contacts belong to. */
export async function getBusinesses(): Promise<Business[]> {
  return unwrap(await commands.businesses());
}

/** The location's contact custom fields. */
export async function getCustomFields(): Promise<CustomFieldDef[]> {
  return unwrap(await commands.customFields());
}

/** A page of the activity log. */
export async function getActivity(query: ActivityQuery): Promise<ActivityEntry[]> {
  return unwrap(await commands.activity(query));
}

/** Applies one edit: queued at once, sent by the next sync. Refused input throws with its fields. */
export async function applyEdit(edit: Edit): Promise<Applied> {
  return unwrap(await commands.applyEdit(edit));
}

/** Asks where to save and exports contacts as CSV; `null` when the user cancelled. */
export async function exportCsv(only: ContactQuery | null): Promise<number | null> {
  return unwrap(await commands.exportCsv(only));
}

/** Pending, rejected and conflicting changes. */
export async function getOutboxCounts(): Promise<OutboxCounts> {
  return unwrap(await commands.outboxCounts());
}

/** Pulls from HighLevel and pushes pending changes. */
export async function syncNow(): Promise<SyncSummary> {
  return unwrap(await commands.syncNow());
}

/** Stops the running sync. */
export async function cancelSync(): Promise<void> {
  await commands.cancelSync();
}

/** Whether HighLevel answers, whether a sync runs and how the last one ended. */
export async function getSyncStatus(): Promise<SyncStatus> {
  return await commands.syncStatus();
}

/** How fields changed both here and in HighLevel are settled for this location. */
export async function getMergePolicy(): Promise<MergePolicy> {
  return unwrap(await commands.mergePolicy());
}

/** Chooses how fields changed on both sides are settled for this location. */
export async function setMergePolicy(policy: MergePolicy): Promise<void> {
  unwrap(await commands.setMergePolicy(policy));
}

/** The first `limit` queued changes, described: those waiting for the user first. */
export async function getPendingChanges(limit: number): Promise<PendingChange[]> {
  return unwrap(await commands.pendingChanges(limit));
}

/** Applies the user's decision about a queued change (discard, retry, or settle a conflict). */
export async function resolveChange(seq: number, resolution: Resolution): Promise<void> {
  unwrap(await commands.resolveChange(seq, resolution));
}

/** Opens the log folder in the file manager. */
export async function openLogFolder(): Promise<void> {
  unwrap(await commands.openLogFolder());
}

/** Copies the redacted support bundle to the clipboard and returns it. */
export async function copyDiagnostics(): Promise<string> {
  return unwrap(await commands.copyDiagnostics());
}

/** Crash reports of earlier runs not yet shown to the user. */
export async function getCrashReports(): Promise<CrashReport[]> {
  return await commands.crashReports();
}

/** Marks the crash reports as shown. */
export async function dismissCrashReports(): Promise<void> {
  unwrap(await commands.dismissCrashReports());
}

/** Checks for a newer GHL Desk (`automatic`: the start-up check, at most daily). */
export async function checkForUpdate(automatic: boolean): Promise<UpdateCheck> {
  return unwrap(await commands.checkForUpdate(automatic));
}

/** Downloads the update found and verifies its signature. */
export async function downloadUpdate(): Promise<void> {
  unwrap(await commands.downloadUpdate());
}

/** Installs the downloaded update and relaunches. */
export async function installUpdate(): Promise<void> {
  unwrap(await commands.installUpdate());
}

/** Quits GHL Desk (the sync stops first and what it is sending is finished). */
export async function quitApp(): Promise<void> {
  await commands.quit();
}
