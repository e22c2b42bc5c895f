import { describe, expect, it } from "vitest";
import { type PaletteAction, rankActions } from "./palette";

const action = (label: string): PaletteAction => ({ id: label, label, run: () => {} });
const ACTIONS = [
  action("Go to Contacts"),
  action("New contact"),
  action("Sync now"),
  action("Export contacts as CSV"),
  action("Switch theme"),
];

describe("command palette ranking", () => {
  it("keeps every action, in order, for an empty query", () => {
    expect(rankActions(ACTIONS, "  ")).toEqual(ACTIONS);
  });

  it("puts labels starting with the text first and drops what does not match", () => {
    const labels = rankActions(ACTIONS, "con").map((a) => a.label);
    expect(labels[0]).toBe("Go to Contacts");
    expect(labels).toContain("New contact");
    expect(labels).not.toContain("Sync now");
    expect(rankActions(ACTIONS, "new").map((a) => a.label)).toEqual(["New contact"]);
  });

  it("needs every typed word", () => {
    expect(rankActions(ACTIONS, "export csv").map((a) => a.label)).toEqual([
      "Export contacts as CSV",
    ]);
    expect(rankActions(ACTIONS, "export pdf")).toEqual([]);
  });
});
