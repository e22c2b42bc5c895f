import { describe, expect, it } from "vitest";
import { type Choice, choicesOfBusinesses, matchingChoices } from "./choices";

const choice = (label: string, count = 1): Choice => ({ value: label.toLowerCase(), label, count });
const labels = (choices: Choice[]) => choices.map((c) => c.label);

describe("matchingChoices", () => {
  const all = ["Acme Corp", "Blue Acme", "Macmillan", "Zeta", "acme labs"].map((l) => choice(l));

  it("lists the first choices in order when nothing is typed, and counts the rest", () => {
    const found = matchingChoices(all, "  ", 2);
    expect(labels(found.shown)).toEqual(["Acme Corp", "Blue Acme"]);
    expect(found.more).toBe(3);
  });

  it("puts labels starting with the text first, then words starting with it, then the rest", () => {
    const found = matchingChoices(all, "ACME", 10);
    expect(labels(found.shown)).toEqual(["Acme Corp", "acme labs", "Blue Acme"]);
    expect(matchingChoices(all, "acm", 10).shown.map((c) => c.label)).toEqual([
      "Acme Corp",
      "acme labs",
      "Blue Acme",
      "Macmillan",
    ]);
    expect(found.more).toBe(0);
  });

  it("stops at the limit among thousands and says how many more match", () => {
    const many = Array.from({ length: 4000 }, (_, i) => choice(`Business ${i}`));
    const found = matchingChoices(many, "business 1", 50);
    expect(found.shown).toHaveLength(50);
    expect(found.shown[0]?.label).toBe("Business 1");
    // 1, 10–19, 100–199, 1000–1999.
    expect(found.shown.length + found.more).toBe(1 + 10 + 100 + 1000);
  });

  it("finds nothing for text no label has", () => {
    expect(matchingChoices(all, "xyz", 10)).toEqual({ shown: [], more: 0 });
  });
});

describe("choicesOfBusinesses", () => {
  it("names each business by its company, telling apart those that share one", () => {
    const choices = choicesOfBusinesses([
      { id: "65f0000000000000000a1b2c", name: "Acme", contacts: 6 },
      { id: "65f0000000000000000d3e4f", name: "Acme", contacts: 9 },
      { id: "65f00000000000000000beef", name: "Zeta", contacts: 1 },
      { id: "65f00000000000000000cafe", name: null, contacts: 2 },
    ]);
    expect(choices.map((c) => c.label)).toEqual([
      "Acme · …0a1b2c",
      "Acme · …0d3e4f",
      "Zeta",
      "65f00000000000000000cafe",
    ]);
    expect(choices.map((c) => [c.value, c.count])[0]).toEqual(["65f0000000000000000a1b2c", 6]);
  });
});
