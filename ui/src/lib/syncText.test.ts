import { describe, expect, it } from "vitest";
import { describeProgress, isOnline, timeLeft } from "./syncText";

describe("sync wording", () => {
  it("describes each phase with counts and time left", () => {
    expect(
      describeProgress({ phase: "contacts", done: 1500, total: 10000, requests: 3, etaSeconds: 2 }),
    ).toBe("Pulling contacts · 1,500 of 10,000 · about 2 s left");
    expect(
      describeProgress({ phase: "push", done: 0, total: null, requests: 0, etaSeconds: null }),
    ).toBe("Sending changes");
    expect(
      describeProgress({ phase: "children", done: 12, total: 300, requests: 40, etaSeconds: 95 }),
    ).toBe("Fetching notes and tasks · 12 of 300 · about 2 min left");
  });

  it("rounds long waits to hours and minutes", () => {
    expect(timeLeft(3 * 3600 + 25 * 60)).toBe("about 3 h 25 min left");
    expect(timeLeft(0.2)).toBe("about 1 s left");
  });

  it("is offline when the machine has no network or GHL did not answer", () => {
    expect(isOnline("unknown", true)).toBe(true);
    expect(isOnline("online", true)).toBe(true);
    expect(isOnline("unknown", false)).toBe(false);
    expect(isOnline("offline", true)).toBe(false);
    expect(isOnline("online", false)).toBe(false);
  });
});
