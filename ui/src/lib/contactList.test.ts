import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ContactQuery, ContactRow } from "./bindings";
import { ContactRows, KEEP_PAGES, PAGE, prefetchFirstPage } from "./contactList.svelte";

const ALL: ContactRow[] = Array.from({ length: 2500 }, (_, i) => ({
  id: `c${i}`,
  firstName: `First${String(i).padStart(3, "0")}`,
  lastName: "Last",
  email: null,
  phone: null,
  companyName: null,
  businessId: null,
  tags: i % 2 === 0 ? ["even"] : [],
  dateAdded: null,
  dateUpdated: null,
  pending: 0,
}));

let queries: ContactQuery[] = [];

beforeEach(() => {
  queries = [];
  mockIPC((cmd, args) => {
    if (cmd !== "list_contacts") throw new Error(`unexpected command ${cmd}`);
    const query = (args as { query: ContactQuery }).query;
    queries.push(query);
    const matching = ALL.filter((row) => !query.tag || row.tags.includes(query.tag));
    const offset = query.offset ?? 0;
    return {
      rows: matching.slice(offset, offset + (query.limit ?? PAGE)),
      total: matching.length,
    };
  });
});
afterEach(() => clearMocks());

describe("the contact list's data", () => {
  it("uses the first page asked for at start once, then asks again", async () => {
    prefetchFirstPage();
    const rows = new ContactRows();
    await rows.reload(false);
    expect(rows.row(0)?.id).toBe("c0");
    expect(queries).toHaveLength(1);
    await rows.reload(false);
    expect(queries).toHaveLength(2);
  });

  it("asks again when the first page asked for at start failed", async () => {
    clearMocks();
    mockIPC(() => {
      throw new Error("not signed in");
    });
    prefetchFirstPage();
    await Promise.resolve();
    mockIPC((_cmd, args) => {
      queries.push((args as { query: ContactQuery }).query);
      return { rows: ALL.slice(0, PAGE), total: ALL.length };
    });
    const rows = new ContactRows();
    await rows.reload(false);
    expect(rows.total).toBe(2500);
    expect(queries).toHaveLength(1);
  });

  it("fetches the first page, then only the pages the view asks for", async () => {
    const rows = new ContactRows();
    await rows.reload(false);
    expect(rows.total).toBe(2500);
    expect(rows.row(0)?.id).toBe("c0");
    expect(rows.row(150)).toBeUndefined();
    rows.ensure(140, 160);
    await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(rows.row(150)?.id).toBe("c150");
    expect(queries.map((q) => q.offset)).toEqual([0, 100]);
    rows.ensure(140, 160);
    expect(queries).toHaveLength(2);
  });

  it("holds only the pages near the view while scrolling far", async () => {
    const rows = new ContactRows();
    await rows.reload(false);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
    rows.ensure(0, 30);
    await settle();
    rows.ensure(2400, 2430);
    await settle();
    expect(rows.row(2410)?.id).toBe("c2410");
    expect(rows.row(5)).toBeUndefined();
    const kept = Array.from({ length: ALL.length }, (_, i) => rows.row(i)).filter(Boolean);
    expect(kept.length).toBeLessThanOrEqual((2 * KEEP_PAGES + 1) * PAGE);
    rows.ensure(0, 30);
    await settle();
    expect(rows.row(5)?.id).toBe("c5");
  });

  it("starts over and clears the selection when the filter changes", async () => {
    const rows = new ContactRows();
    await rows.reload(false);
    rows.toggle("c3");
    expect(rows.pickedCount).toBe(1);
    await rows.setFilter({ tag: "even" });
    expect(rows.total).toBe(1250);
    expect(rows.row(1)?.id).toBe("c2");
    expect(rows.pickedCount).toBe(0);
    expect(queries.at(-1)).toMatchObject({ tag: "even", offset: 0 });
  });

  it("picks a range across pages not yet fetched, and every match", async () => {
    const rows = new ContactRows();
    await rows.reload(false);
    await rows.pickRange(98, 102);
    expect(rows.targets()).toEqual({ kind: "ids", ids: ["c98", "c99", "c100", "c101", "c102"] });
    rows.pickAll();
    expect(rows.pickedCount).toBe(2500);
    expect(rows.targets()).toMatchObject({ kind: "matching", query: { offset: 0 } });
    rows.unpick();
    expect(rows.pickedCount).toBe(0);
  });

  it("keeps the rows on screen while a sync's refresh re-reads the pages in view", async () => {
    const rows = new ContactRows();
    await rows.reload(false);
    rows.ensure(200, 210);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const refresh = rows.reload(true, [200, 210]);
    expect(rows.row(205)?.id).toBe("c205");
    await refresh;
    expect(rows.row(205)?.id).toBe("c205");
    expect(
      queries
        .slice(-2)
        .map((q) => q.offset)
        .sort(),
    ).toEqual([0, 200]);
  });

  it("turns the order round when the same column is sorted again", async () => {
    const rows = new ContactRows();
    await rows.sortBy("dateAdded");
    expect(rows.filter).toMatchObject({ sort: "dateAdded", reverse: false });
    await rows.sortBy("dateAdded");
    expect(rows.filter.reverse).toBe(true);
    await rows.sortBy("name");
    expect(rows.filter).toMatchObject({ sort: "name", reverse: false });
  });
});

describe("a new filter's first rows", () => {
  /** Answers held until released, so a test sees what shows before the store answers. */
  let held: (() => void)[] = [];
  const release = async () => {
    for (const answer of held.splice(0)) answer();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };

  /** A list with its first page answered. */
  const loaded = async () => {
    const rows = new ContactRows();
    const first = rows.reload(false);
    await release();
    await first;
    return rows;
  };
  /** Changes the filter and lets the store answer. */
  const answered = async (rows: ContactRows, change: Parameters<ContactRows["setFilter"]>[0]) => {
    const typed = rows.setFilter(change);
    await release();
    await typed;
  };

  beforeEach(() => {
    held = [];
    clearMocks();
    mockIPC((_cmd, args) => {
      const query = (args as { query: ContactQuery }).query;
      const search = query.search?.toLowerCase() ?? "";
      const matching = ALL.filter(
        (row) =>
          (row.firstName ?? "").toLowerCase().startsWith(search) &&
          (!query.tag || row.tags.includes(query.tag)),
      );
      const offset = query.offset ?? 0;
      const page = {
        rows: matching.slice(offset, offset + (query.limit ?? PAGE)),
        total: matching.length,
      };
      return new Promise((resolve) => held.push(() => resolve(page)));
    });
  });

  it("shows the rows a longer search still matches before the store answers", async () => {
    const rows = await loaded();
    const typed = rows.setFilter({ search: "first01" });
    expect(rows.provisional).toBe(true);
    expect(rows.row(0)?.id).toBe("c10");
    expect(rows.row(9)?.id).toBe("c19");
    expect(rows.row(10)).toBeUndefined();
    expect(rows.total).toBe(2500);
    await release();
    await typed;
    expect(rows.provisional).toBe(false);
    expect(rows.total).toBe(10);
    expect(rows.row(0)?.id).toBe("c10");
  });

  it("shows a recent filter's first page again at once, and the store's answer after", async () => {
    const rows = await loaded();
    await answered(rows, { search: "first01" });
    const back = rows.setFilter({ search: "" });
    expect(rows.row(0)?.id).toBe("c0");
    expect(rows.row(50)?.id).toBe("c50");
    expect(rows.total).toBe(2500);
    await release();
    await back;
    expect(rows.provisional).toBe(false);
    expect(rows.row(99)?.id).toBe("c99");
  });

  it("leaves the rows to the store when the filter is not a narrower search", async () => {
    const rows = await loaded();
    const tagged = rows.setFilter({ tag: "even" });
    expect(rows.provisional).toBe(false);
    expect(rows.row(0)).toBeUndefined();
    await release();
    await tagged;
    expect(rows.row(1)?.id).toBe("c2");
  });

  it("forgets remembered pages when a sync refreshes the list", async () => {
    const rows = await loaded();
    await answered(rows, { search: "first01" });
    const refresh = rows.reload(true);
    await release();
    await refresh;
    const back = rows.setFilter({ search: "" });
    expect(rows.row(0)).toBeUndefined();
    await release();
    await back;
    expect(rows.row(0)?.id).toBe("c0");
  });
});
