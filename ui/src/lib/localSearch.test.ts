import { describe, expect, it } from "vitest";
import type { ContactRow } from "./bindings";
import { narrows, rowMatches, searchTerms } from "./localSearch";
import cases from "./search-cases.json";

/** The shared cases' contacts as the list's rows. */
const rows: ContactRow[] = cases.contacts.map((c) => ({
  id: c.id,
  firstName: c.firstName,
  lastName: c.lastName,
  email: "email" in c ? (c.email ?? null) : null,
  phone: "phone" in c ? (c.phone ?? null) : null,
  companyName: "companyName" in c ? (c.companyName ?? null) : null,
  businessId: null,
  tags: c.tags,
  dateAdded: null,
  dateUpdated: null,
  pending: 0,
}));

describe("the page's search", () => {
  // The same cases the store is held to (crates/desk-store/tests/search_cases.rs).
  it.each(cases.cases)("finds what the store finds for $search", ({ search, ids }) => {
    const terms = searchTerms(search);
    expect(terms).not.toBeNull();
    const found = rows.filter((row) => rowMatches(terms ?? [], row)).map((row) => row.id);
    expect(found.sort()).toEqual(ids);
  });

  it("leaves to the store a word it cannot read", () => {
    expect(searchTerms("@@")).toBeNull();
  });

  it("narrows only when letters or words are added to a search without numbers", () => {
    expect(narrows("", "m")).toBe(true);
    expect(narrows("mar", "mary")).toBe(true);
    expect(narrows("mary", "mary s")).toBe(true);
    expect(narrows("mary", "mar")).toBe(false);
    expect(narrows("mary", "mary ")).toBe(false);
    expect(narrows("555", "5550")).toBe(false);
    expect(narrows("ada", "ada 5")).toBe(false);
    expect(narrows("", "@@")).toBe(false);
  });
});
