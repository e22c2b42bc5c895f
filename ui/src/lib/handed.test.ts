import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, expect, it } from "vitest";
import { Accounts } from "./accounts.svelte";
import type { Account, ContactRow } from "./bindings";
import { ContactRows, PAGE, prefetchFirstPage } from "./contactList.svelte";
import { type FirstScreen, HANDED_FRESH_MS } from "./handed";

const ACCOUNT: Account = {
  locationId: "loc1",
  name: "Acme Dental",
  kind: "privateIntegration",
  scopes: [],
} as unknown as Account;

const ROW: ContactRow = {
  id: "handed1",
  firstName: "Ada",
  lastName: "Lovelace",
  email: null,
  phone: null,
  companyName: null,
  businessId: null,
  tags: [],
  dateAdded: null,
  dateUpdated: null,
  pending: 0,
};

/** What the app hands a page that started `age` ms after it was read. */
function hand(age: number, query = {}): void {
  const screen: FirstScreen = {
    at: performance.timeOrigin - age,
    accounts: {
      account: ACCOUNT,
      accounts: [ACCOUNT],
      keychainPersistent: false,
      builtInApp: true,
    },
    firstPage: {
      query: {
        search: null,
        tag: null,
        businessId: null,
        sort: "name",
        reverse: false,
        offset: 0,
        limit: PAGE,
        ...query,
      },
      page: { rows: [ROW], total: 1 },
    },
  } as FirstScreen;
  window.__ghlDeskFirstScreen = screen;
}

/** Records the list queries asked of the core; each answers one row of its own. */
function recordQueries(): string[] {
  const asked: string[] = [];
  mockIPC((cmd) => {
    asked.push(cmd);
    if (cmd === "list_contacts") return { rows: [{ ...ROW, id: "asked1" }], total: 1 };
    throw new Error(`unexpected command ${cmd}`);
  });
  return asked;
}

afterEach(() => {
  delete window.__ghlDeskFirstScreen;
  clearMocks();
});

it("starts from the account and first page the app handed over, without asking", async () => {
  hand(300);
  const asked = recordQueries();
  const accounts = new Accounts();
  expect(accounts.loaded).toBe(true);
  expect(accounts.account?.locationId).toBe("loc1");
  expect(accounts.keychainPersistent).toBe(false);
  prefetchFirstPage();
  const rows = new ContactRows();
  await rows.reload(false);
  expect(rows.row(0)?.id).toBe("handed1");
  expect(asked).toEqual([]);
});

it("asks the core when what was handed over is stale or answers another query", async () => {
  for (const [age, query] of [
    [HANDED_FRESH_MS + 1, {}],
    [300, { sort: "dateAdded" }],
  ] as const) {
    hand(age, query);
    const asked = recordQueries();
    expect(new Accounts().loaded).toBe(age < HANDED_FRESH_MS);
    prefetchFirstPage();
    const rows = new ContactRows();
    await rows.reload(false);
    expect(rows.row(0)?.id).toBe("asked1");
    expect(asked).toEqual(["list_contacts"]);
  }
});
