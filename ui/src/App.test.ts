import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import type {
  Account,
  AppInfo,
  ContactPage,
  ContactRow,
  PendingChange,
  SyncSummary,
} from "./lib/bindings";
import { IDLE_STATUS as IDLE } from "./lib/sync.svelte";

const INFO: AppInfo = {
  version: "9.8.7",
  dataDir: "/home/ada/.local/share/dev.ghldesk.desk",
  logDir: "/home/ada/.local/share/dev.ghldesk.desk/logs",
  databasesDir: "/home/ada/.local/share/dev.ghldesk.desk/locations",
  databasePath: null,
};

const DEMO: Account = { locationId: "demoLoc123", companyId: "co1", kind: "demo", scopes: null };

const SUMMARY: SyncSummary = {
  pulled: 2,
  deleted: 0,
  children: 2,
  pushed: 0,
  rejected: 0,
  deferred: 0,
  conflicts: 0,
  childrenLeft: 0,
  waitingForRetry: 0,
  retryInSeconds: null,
  skipped: 0,
};

const ROW: ContactRow = {
  id: "c1",
  firstName: "Ada",
  lastName: "Lovelace",
  email: "ada@example.com",
  phone: "+15125550100",
  companyName: "Engines",
  businessId: null,
  tags: ["vip"],
  dateAdded: null,
  dateUpdated: null,
  pending: 1,
};

const PAGE: ContactPage = {
  rows: [ROW, { ...ROW, id: "c2", firstName: "Alan", lastName: "Turing", tags: [], pending: 0 }],
  total: 2,
};

function serveAppInfo(
  answer: () => unknown,
  extra: Record<string, (args: unknown) => unknown> = {},
) {
  const calls: string[] = [];
  mockIPC(
    (cmd, args) => {
      calls.push(cmd);
      if (cmd === "app_info") return answer();
      if (cmd in extra) return extra[cmd]?.(args);
      if (cmd === "accounts_status") return { account: null, keychainPersistent: true };
      if (cmd === "sync_status") return IDLE;
      if (cmd === "outbox_counts") return { pending: 0, rejected: 0, conflicts: 0 };
      if (cmd === "tags" || cmd === "businesses" || cmd === "custom_fields") return [];
      if (cmd === "activity") return [];
      if (cmd === "crash_reports") return [];
      if (cmd === "check_for_update") return { kind: "notConfigured" };
      throw new Error(`unexpected command ${cmd}`);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

/** The app open on the demo location with a page of contacts, once it says Online. */
async function openOnline(): Promise<HTMLElement> {
  serveAppInfo(() => INFO, {
    accounts_status: () => ({ account: DEMO, keychainPersistent: true }),
    list_contacts: () => PAGE,
  });
  render(App);
  const status = await screen.findByTestId("connectivity");
  await waitFor(() => expect(status).toHaveTextContent("Online"));
  return status;
}

describe("App frame", () => {
  beforeEach(() => {
    window.location.hash = "";
  });
  afterEach(() => {
    cleanup();
    clearMocks();
  });

  it("opens on Contacts and says plainly that nothing is synced", async () => {
    serveAppInfo(() => INFO);
    render(App);
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Contacts");
    expect(screen.getByText("Nothing synced yet")).toBeInTheDocument();
    expect(screen.queryByRole("row")).not.toBeInTheDocument();
    expect(
      screen.queryByTestId("connectivity"),
      "no location, nothing to be online to",
    ).not.toBeInTheDocument();
  });

  it("navigates between every screen from the sidebar", async () => {
    serveAppInfo(() => INFO);
    render(App);
    const expectations: Array<[string, string]> = [
      ["Pending changes", "No pending changes"],
      ["Activity", "No activity yet"],
      ["Settings", "About this installation"],
      ["Contacts", "Nothing synced yet"],
    ];
    for (const [link, text] of expectations) {
      await fireEvent.click(screen.getByRole("link", { name: link }));
      window.dispatchEvent(new HashChangeEvent("hashchange"));
      await waitFor(() =>
        expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent(link),
      );
      expect(screen.getByText(text)).toBeInTheDocument();
      expect(screen.getByRole("link", { name: link })).toHaveAttribute("aria-current", "page");
    }
  });

  it("switches screens with Ctrl+digit", async () => {
    serveAppInfo(() => INFO);
    render(App);
    await fireEvent.keyDown(window, { key: "4", ctrlKey: true });
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Settings");
    expect(window.location.hash).toBe("#/settings");
    await fireEvent.keyDown(window, { key: "2", ctrlKey: true });
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Pending changes");
  });

  it("shows the app info from the core in Settings and the sidebar", async () => {
    const calls = serveAppInfo(() => INFO);
    window.location.hash = "#/settings";
    render(App);
    expect(await screen.findByTestId("app-version")).toHaveTextContent("9.8.7");
    expect(screen.getByTestId("app-data-dir")).toHaveTextContent(INFO.dataDir);
    expect(screen.getByTestId("app-log-dir")).toHaveTextContent(INFO.logDir);
    expect(screen.getByTestId("app-databases-dir")).toHaveTextContent(INFO.databasesDir);
    expect(screen.getByTestId("app-database-path")).toHaveTextContent("None yet");
    expect(screen.getByTestId("sidebar-version")).toHaveTextContent("Version 9.8.7");
    expect(calls.filter((c) => c === "app_info").length).toBeGreaterThanOrEqual(1);
    expect(calls).toContain("accounts_status");
  });

  it("shows the core's error message when app info cannot be read", async () => {
    serveAppInfo(() => {
      throw { kind: "storage", message: "cannot create /nope: permission denied" };
    });
    window.location.hash = "#/settings";
    render(App);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "cannot create /nope: permission denied",
    );
  });

  it("keeps Sync disabled, with the reason, until an account exists", () => {
    serveAppInfo(() => INFO);
    render(App);
    const sync = screen.getByRole("button", { name: "Sync" });
    expect(sync).toBeDisabled();
    expect(sync).toHaveAttribute("title", "Connect a HighLevel location to sync");
  });

  it("signs in to the demo, follows the core's sync and lists contacts", async () => {
    const queries: unknown[] = [];
    let account: Account | null = null;
    const calls = serveAppInfo(() => INFO, {
      accounts_status: () => ({
        account,
        accounts: [],
        keychainPersistent: true,
        builtInApp: false,
      }),
      sign_in_demo: () => {
        account = DEMO;
        return DEMO;
      },
      outbox_counts: () => ({ pending: 2, rejected: 0, conflicts: 0, waitingForRetry: 0 }),
      cancel_sync: () => null,
      list_contacts: (args) => {
        queries.push((args as { query: unknown }).query);
        return PAGE;
      },
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("contacts-demo"));
    await waitFor(() => expect(calls).toContain("sign_in_demo"));
    await emit("sync-status-event", {
      ...IDLE,
      reachability: "online",
      running: true,
      progress: { phase: "contacts", done: 500, total: 2000, requests: 1, etaSeconds: 1 },
    });
    expect(await screen.findByTestId("sync-progress")).toHaveTextContent(
      "Pulling contacts · 500 of 2,000 · about 1 s left",
    );
    expect(screen.getByRole("button", { name: "Syncing…" })).toBeDisabled();
    await fireEvent.click(screen.getByRole("button", { name: "Stop" }));
    expect(calls).toContain("cancel_sync");
    await emit("sync-status-event", { ...IDLE, reachability: "online", last: SUMMARY });
    expect(await screen.findByText("Ada Lovelace")).toBeInTheDocument();
    expect(screen.getByText("vip")).toBeInTheDocument();
    expect(screen.getByTestId("contact-count")).toHaveTextContent("2 contacts");
    expect(screen.getByTestId("pending-count")).toHaveTextContent("2 pending");
    expect(calls).not.toContain("sync_now");
    const sync = screen.getByRole("button", { name: "Sync" });
    expect(sync).toBeEnabled();
    expect(screen.queryByTestId("sync-progress")).toBeNull();

    await fireEvent.input(screen.getByTestId("contact-search"), { target: { value: "ada" } });
    await waitFor(() => expect(queries.at(-1)).toMatchObject({ search: "ada", sort: "name" }));
  });

  it("heads Activity with the sync under way, which a first fill logs only when it ends", async () => {
    await openOnline();
    window.location.hash = "#/activity";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    expect(await screen.findByText("No activity yet")).toBeInTheDocument();
    await emit("sync-status-event", {
      ...IDLE,
      reachability: "online",
      running: true,
      progress: { phase: "contacts", done: 500, total: 2000, requests: 1, etaSeconds: 90 },
    });
    const live = await screen.findByTestId("activity-live");
    expect(live).toHaveTextContent("Syncing: Pulling contacts · 500 of 2,000 · about 2 min left");
    expect(screen.queryByText("No activity yet")).toBeNull();
    await fireEvent.click(screen.getByTestId("activity-problems"));
    await waitFor(() => expect(screen.queryByTestId("activity-live")).toBeNull());
    await fireEvent.click(screen.getByTestId("activity-all"));
    expect(await screen.findByTestId("activity-live")).toBeInTheDocument();
    await emit("sync-status-event", { ...IDLE, reachability: "online", last: SUMMARY });
    await waitFor(() => expect(screen.queryByTestId("activity-live")).toBeNull());
  });

  it("asks for one page per keystroke and leaves the filters' lists alone", async () => {
    const calls = serveAppInfo(() => INFO, {
      accounts_status: () => ({
        account: DEMO,
        accounts: [],
        keychainPersistent: true,
        builtInApp: false,
      }),
      list_contacts: () => PAGE,
    });
    render(App);
    expect(await screen.findByText("Ada Lovelace")).toBeInTheDocument();
    await waitFor(() => expect(calls).toContain("businesses"));
    const before = calls.length;
    await fireEvent.input(screen.getByTestId("contact-search"), { target: { value: "a" } });
    await fireEvent.input(screen.getByTestId("contact-search"), { target: { value: "ad" } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls.slice(before)).toEqual(["list_contacts", "list_contacts"]);
  });

  it("shows the signed-in account in Settings and signs out", async () => {
    let account: Account | null = DEMO;
    const signedOut: unknown[] = [];
    serveAppInfo(() => ({ ...INFO, databasePath: "/db/demoLoc123.sqlite3" }), {
      accounts_status: () => ({
        account,
        accounts: [],
        keychainPersistent: true,
        builtInApp: false,
      }),
      sign_out: (args) => {
        signedOut.push(args);
        account = null;
        return null;
      },
    });
    window.location.hash = "#/settings";
    render(App);
    expect(await screen.findByTestId("account-location")).toHaveTextContent("demoLoc123");
    expect(screen.getByTestId("account-kind")).toHaveTextContent("Demo (until the app closes)");
    await fireEvent.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByTestId("demo-sign-in")).toBeInTheDocument();
    expect(signedOut).toEqual([{ locationId: "demoLoc123" }]);
  });

  it("opens another kept location and deletes local data after naming unsent changes", async () => {
    const first: Account = {
      locationId: "locA",
      companyId: "co1",
      kind: "oAuth",
      scopes: null,
      name: "Austin office",
    };
    const second: Account = { ...first, locationId: "locB", name: "Boston office" };
    let open: Account = first;
    const deleted: unknown[] = [];
    serveAppInfo(() => INFO, {
      accounts_status: () => ({
        account: open,
        accounts: [first, second],
        keychainPersistent: true,
        builtInApp: true,
      }),
      open_account: (args) => {
        open = (args as { locationId: string }).locationId === "locB" ? second : first;
        return open;
      },
      merge_policy: () => "ask",
      cache_summary: () => ({ unsentChanges: 3, contacts: 1200, exists: true }),
      delete_local_data: (args) => {
        deleted.push(args);
        return null;
      },
    });
    window.location.hash = "#/settings";
    render(App);
    const kept = await screen.findByTestId("kept-accounts");
    expect(kept).toHaveTextContent("Boston office");
    await fireEvent.click(screen.getByRole("button", { name: "Open" }));
    await waitFor(() => expect(screen.getByTestId("account-location")).toHaveTextContent("locB"));
    expect(screen.getByTestId("kept-accounts")).toHaveTextContent("Austin office");

    const [deleteOpen] = screen.getAllByRole("button", { name: "Delete local data…" });
    if (!deleteOpen) throw new Error("the open location offers Delete local data…");
    await fireEvent.click(deleteOpen);
    expect(await screen.findByTestId("unsent-count")).toHaveTextContent(
      "3 changes have not reached HighLevel yet",
    );
    expect(screen.getByTestId("delete-cache")).toHaveTextContent("1,200 cached contacts");
    await fireEvent.click(screen.getByRole("button", { name: "Delete, losing 3 changes" }));
    await waitFor(() => expect(deleted).toEqual([{ locationId: "locB", unsentChanges: 3 }]));
    await waitFor(() => expect(screen.queryByTestId("delete-cache")).toBeNull());
  });

  it("lets an agency sign-in choose which locations to keep", async () => {
    let account: Account | null = null;
    const kept: unknown[] = [];
    serveAppInfo(() => INFO, {
      accounts_status: () => ({
        account,
        accounts: account ? [account] : [],
        keychainPersistent: true,
        builtInApp: true,
      }),
      sign_in_oauth: () => ({
        kind: "agency",
        companyId: "co1",
        locations: [
          { id: "locA", name: "Austin office", address: "1 Main St", kept: false },
          { id: "locB", name: "Boston office", address: null, kept: false },
        ],
      }),
      keep_agency_locations: (args) => {
        kept.push(args);
        account = {
          locationId: "locB",
          companyId: "co1",
          kind: "oAuth",
          scopes: null,
          name: "Boston office",
        };
        return account;
      },
      merge_policy: () => "ask",
    });
    window.location.hash = "#/settings";
    render(App);
    // A build with its own Marketplace app asks for no client id or secret.
    await screen.findByText(/The browser opens for you to approve a location/);
    expect(screen.queryByLabelText("Client id")).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Sign in with HighLevel" }));
    const picker = await screen.findByTestId("agency-picker");
    expect(picker).toHaveTextContent("1 Main St");
    await fireEvent.click(screen.getByRole("checkbox", { name: /Boston office/ }));
    await fireEvent.click(screen.getByRole("button", { name: "Keep 1 location offline" }));
    await waitFor(() => expect(screen.getByTestId("account-location")).toHaveTextContent("locB"));
    expect(kept).toEqual([
      { companyId: "co1", locations: [{ id: "locB", name: "Boston office" }] },
    ]);
    expect(screen.queryByTestId("agency-picker")).toBeNull();
  });

  it("sends a Private Integration token with its location and shows a refusal", async () => {
    const seen: unknown[] = [];
    serveAppInfo(() => INFO, {
      sign_in_private_integration: (args) => {
        seen.push(args);
        throw { kind: "unauthorized", message: "the HighLevel sign-in is no longer valid" };
      },
    });
    window.location.hash = "#/settings";
    render(App);
    await fireEvent.input(await screen.findByLabelText("Token"), { target: { value: "pit-abc" } });
    await fireEvent.input(screen.getByLabelText("Location id"), { target: { value: "loc9" } });
    await fireEvent.click(screen.getByRole("button", { name: "Use this token" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("no longer valid");
    expect(seen).toEqual([{ token: "pit-abc", locationId: "loc9" }]);
  });

  it("lists what needs review first and a long queue a page at a time", async () => {
    const change = (seq: number, state: PendingChange["state"]): PendingChange => ({
      seq,
      entity: "contact",
      entityId: `c${seq}`,
      op: "tags",
      state,
      summary: "Tags of contact",
      lastError: state === "rejected" ? "refused" : null,
      attempts: 0,
      contactId: `c${seq}`,
      contactName: `Contact ${seq}`,
      createdAt: 1_700_000_000_000,
      retryAt: null,
      fields: [],
      tagsAdded: ["bulk"],
      tagsRemoved: [],
      choices: [],
    });
    // A bulk tag of 450 contacts, the last of which HighLevel refused: the store lists
    // it first and answers as many as asked.
    const queue = [
      change(450, "rejected"),
      ...Array.from({ length: 449 }, (_, i) => change(i + 1, "pending")),
    ];
    const asked: unknown[] = [];
    serveAppInfo(() => INFO, {
      accounts_status: () => ({ account: DEMO, keychainPersistent: true }),
      outbox_counts: () => ({ pending: 449, rejected: 1, conflicts: 0, waitingForRetry: 0 }),
      pending_changes: (args) => {
        asked.push(args);
        return queue.slice(0, (args as { limit: number }).limit);
      },
    });
    window.location.hash = "#/pending";
    render(App);
    const list = await screen.findByTestId("pending-changes");
    const items = () => list.querySelectorAll(":scope > li");
    expect(items()).toHaveLength(200);
    expect(items()[0]).toHaveAttribute("data-seq", "450");
    expect(items()[1]).toHaveAttribute("data-seq", "1");
    await fireEvent.click(await screen.findByText("Show 200 more of the 250 not shown"));
    await waitFor(() => expect(items()).toHaveLength(400));
    await fireEvent.click(await screen.findByText("Show 50 more of the 50 not shown"));
    await waitFor(() => expect(items()).toHaveLength(450));
    expect(screen.queryByTestId("pending-more")).not.toBeInTheDocument();
    // Each page asks the store for the changes shown so far and the next 200.
    expect([...new Set(asked.map((a) => (a as { limit: number }).limit))]).toEqual([200, 400, 600]);
  });

  it("lists pending changes and discards a rejected one", async () => {
    const rejected: PendingChange = {
      seq: 7,
      entity: "contact",
      entityId: "c1",
      op: "update",
      state: "rejected",
      summary: "Changed contact: companyName",
      lastError: "property companyName should not exist",
      attempts: 1,
      contactId: "c1",
      contactName: "Ada Lovelace",
      createdAt: 1_700_000_000_000,
      retryAt: null,
      fields: [{ field: "companyName", before: "Engines", after: "Renamed" }],
      tagsAdded: [],
      tagsRemoved: [],
      choices: [],
    };
    let queue: PendingChange[] = [rejected];
    const resolved: unknown[] = [];
    serveAppInfo(() => INFO, {
      accounts_status: () => ({ account: DEMO, keychainPersistent: true }),
      sync_now: () => SUMMARY,
      outbox_counts: () => ({
        pending: 0,
        rejected: queue.length,
        conflicts: 0,
        waitingForRetry: 0,
      }),
      pending_changes: () => queue,
      resolve_change: (args) => {
        resolved.push(args);
        queue = [];
        return null;
      },
    });
    window.location.hash = "#/pending";
    render(App);
    const link = await screen.findByTestId("pending-contact");
    expect(link).toHaveTextContent("Ada Lovelace");
    expect(link).toHaveAttribute("href", "#/contacts/c1");
    expect(screen.getByText("Refused by HighLevel")).toBeInTheDocument();
    expect(screen.getByText("Engines")).toBeInTheDocument();
    expect(screen.getByText("Renamed")).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId("attention-count")).toHaveTextContent("1 to review"),
    );
    expect(screen.getByText("property companyName should not exist")).toBeInTheDocument();
    await fireEvent.click(screen.getByRole("button", { name: "Discard" }));
    // Nothing is thrown away before the confirmation.
    expect(resolved).toEqual([]);
    await fireEvent.click(await screen.findByTestId("confirm-discard-button"));
    expect(await screen.findByText("No pending changes")).toBeInTheDocument();
    expect(resolved).toEqual([{ seq: 7, resolution: { action: "discard" } }]);
  });

  it("shows offline when the core cannot reach HighLevel", async () => {
    await openOnline();
    await emit("sync-status-event", {
      ...IDLE,
      reachability: "offline",
      error: "HighLevel cannot be reached; changes stay queued: connection refused",
    });
    await waitFor(() => expect(screen.getByTestId("connectivity")).toHaveTextContent("Offline"));
    expect(await screen.findByRole("alert")).toHaveTextContent("changes stay queued");
  });

  it("tells a background failure once, not again at each retry that fails the same way", async () => {
    await openOnline();
    const failed = { ...IDLE, reachability: "online", error: "HighLevel had a server error (500)" };
    const toasts = screen.getByTestId("toasts");
    await emit("sync-status-event", failed);
    await waitFor(() =>
      expect(toasts).toHaveTextContent("Sync failed: HighLevel had a server error (500)"),
    );
    await fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    await emit("sync-status-event", { ...IDLE, reachability: "online", running: true });
    await emit("sync-status-event", failed);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(toasts).not.toHaveTextContent("Sync failed");
    await emit("sync-status-event", { ...IDLE, reachability: "online", last: SUMMARY });
    await emit("sync-status-event", failed);
    await waitFor(() => expect(toasts).toHaveTextContent("Sync failed"));
  });

  it("shows signed out, not online, when HighLevel refuses the sign-in", async () => {
    await openOnline();
    await emit("sync-status-event", {
      ...IDLE,
      reachability: "online",
      error: "the HighLevel sign-in is no longer valid: no stored token for this location",
      errorKind: "unauthorized",
    });
    const pill = await screen.findByText("Signed out");
    expect(pill.closest("a")).toHaveAttribute("href", "#/settings");
    await emit("sync-status-event", { ...IDLE, reachability: "online", running: true });
    await waitFor(() => expect(screen.getByTestId("connectivity")).toHaveTextContent("Online"));
  });

  it("chooses how conflicting fields are settled in Settings", async () => {
    const chosen: unknown[] = [];
    serveAppInfo(() => INFO, {
      accounts_status: () => ({ account: DEMO, keychainPersistent: true }),
      merge_policy: () => "ask",
      set_merge_policy: (args) => {
        chosen.push(args);
        return null;
      },
    });
    window.location.hash = "#/settings";
    render(App);
    const ask = await screen.findByRole("radio", { name: /Ask me/ });
    await waitFor(() => expect(ask).toBeChecked());
    await fireEvent.click(screen.getByRole("radio", { name: /Keep HighLevel's/ }));
    expect(await screen.findByText("Saved. It applies from the next sync.")).toBeInTheDocument();
    expect(chosen).toEqual([{ policy: "preferGhl" }]);
  });

  it("settles a conflict field by field", async () => {
    const conflict: PendingChange = {
      seq: 9,
      entity: "contact",
      entityId: "c1",
      op: "update",
      state: "conflict",
      summary: "Changed contact: email, firstName",
      lastError: "Changed in HighLevel too: email, firstName",
      attempts: 0,
      contactId: "c1",
      contactName: "Ada Lovelace",
      createdAt: 1_700_000_000_000,
      retryAt: null,
      fields: [],
      tagsAdded: [],
      tagsRemoved: [],
      choices: [
        { field: "email", mine: "mine@example.com", ghl: "theirs@example.com" },
        { field: "firstName", mine: "Ada", ghl: "" },
      ],
    };
    let queue: PendingChange[] = [conflict];
    const settled: unknown[] = [];
    serveAppInfo(() => INFO, {
      accounts_status: () => ({
        account: DEMO,
        accounts: [],
        keychainPersistent: true,
        builtInApp: false,
      }),
      pending_changes: () => queue,
      resolve_change: (args) => {
        settled.push(args);
        queue = [];
        return null;
      },
    });
    window.location.hash = "#/pending";
    render(App);
    const table = await screen.findByTestId("conflict-fields");
    expect(table).toHaveTextContent("First name");
    expect(table).toHaveTextContent("theirs@example.com");
    expect(table).toHaveTextContent("empty");
    expect(screen.getByRole("button", { name: "Apply my values" })).toBeInTheDocument();
    await fireEvent.click(screen.getByRole("radio", { name: "theirs@example.com" }));
    // A sync finishing meanwhile reloads the list; the choice stays.
    await emit("sync-status-event", { ...IDLE, running: true });
    await emit("sync-status-event", { ...IDLE, last: SUMMARY });
    await waitFor(() =>
      expect(screen.getByRole("radio", { name: "theirs@example.com" })).toBeChecked(),
    );
    await fireEvent.click(screen.getByRole("button", { name: "Apply these choices" }));
    expect(await screen.findByText("No pending changes")).toBeInTheDocument();
    expect(settled).toEqual([{ seq: 9, resolution: { action: "fields", takeGhl: ["email"] } }]);
  });

  it("says when no keychain is available", async () => {
    serveAppInfo(() => INFO, {
      accounts_status: () => ({ account: null, keychainPersistent: false }),
    });
    window.location.hash = "#/settings";
    render(App);
    expect(await screen.findByText(/sign-ins last until GHL Desk closes/)).toBeInTheDocument();
  });

  it("follows the machine going offline and back online", async () => {
    const onLine = Object.getOwnPropertyDescriptor(Navigator.prototype, "onLine");
    let online = true;
    Object.defineProperty(navigator, "onLine", { configurable: true, get: () => online });
    try {
      const status = await openOnline();
      online = false;
      window.dispatchEvent(new Event("offline"));
      await waitFor(() => expect(status).toHaveTextContent("Offline"));
      online = true;
      window.dispatchEvent(new Event("online"));
      await waitFor(() => expect(status).toHaveTextContent("Online"));
    } finally {
      delete (navigator as { onLine?: boolean }).onLine;
      if (onLine) Object.defineProperty(Navigator.prototype, "onLine", onLine);
    }
  });

  it("tells of a crash of the last run once, with the way to its report", async () => {
    const calls = serveAppInfo(() => INFO, {
      crash_reports: () => [
        {
          path: "/logs/crash-1.txt",
          at: "2026-12-01T10:00:00Z",
          summary: "the database went away (src/sync.rs:10:5)",
        },
      ],
      dismiss_crash_reports: () => null,
      open_log_folder: () => null,
    });
    render(App);
    const notice = await screen.findByTestId("crash-notice");
    expect(notice).toHaveTextContent("the database went away");
    expect(notice).toHaveTextContent("Nothing you queued was lost");
    await fireEvent.click(screen.getByRole("button", { name: "Open log folder" }));
    expect(calls).toContain("open_log_folder");
    await fireEvent.click(screen.getByTestId("crash-dismiss"));
    await waitFor(() => expect(screen.queryByTestId("crash-notice")).not.toBeInTheDocument());
    expect(calls).toContain("dismiss_crash_reports");
  });

  it("offers an update at start, downloads it with progress and installs it", async () => {
    const checks: unknown[] = [];
    let downloadOk = false;
    const calls = serveAppInfo(() => INFO, {
      check_for_update: (args) => {
        checks.push((args as { automatic: boolean }).automatic);
        return {
          kind: "available",
          current: "9.8.7",
          version: "9.9.0",
          notes: "Faster search.",
          date: "2026-12-01T00:00:00+00:00",
        };
      },
      download_update: async () => {
        await emit("update-progress-event", { downloaded: 512, total: 1024 });
        if (!downloadOk) {
          throw {
            kind: "invalid",
            message:
              "the downloaded update 9.9.0 is not signed by GHL Desk's release key, so it was thrown away; this version keeps running",
          };
        }
        return null;
      },
      install_update: () => null,
    });
    render(App);
    expect(
      await screen.findByText("GHL Desk 9.9.0 is available: Settings → Updates"),
    ).toBeInTheDocument();
    expect(checks).toEqual([true]);
    await fireEvent.keyDown(window, { key: "4", ctrlKey: true });
    expect(await screen.findByTestId("update-offer")).toHaveTextContent(
      "GHL Desk 9.9.0 is available (you have 9.8.7)",
    );
    expect(screen.getByTestId("update-notes")).toHaveTextContent("Faster search.");
    await fireEvent.click(screen.getByTestId("update-download"));
    expect(await screen.findByTestId("update-error")).toHaveTextContent(
      "not signed by GHL Desk's release key",
    );
    downloadOk = true;
    await fireEvent.click(screen.getByTestId("update-download"));
    expect(await screen.findByTestId("update-ready")).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("update-install"));
    await waitFor(() => expect(calls).toContain("install_update"));
  });

  it("says when this build does not update itself", async () => {
    serveAppInfo(() => INFO);
    window.location.hash = "#/settings";
    render(App);
    expect(await screen.findByText(/does not update itself/)).toBeInTheDocument();
    expect(screen.queryByTestId("update-check")).not.toBeInTheDocument();
  });
});
