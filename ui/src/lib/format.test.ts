import { describe, expect, it } from "vitest";
import { ago, contactName, formatCount, formatPhone, initials, pickLocale, plural } from "./format";

describe("format", () => {
  it("falls back to US English when the platform locale is not a language tag", () => {
    expect(pickLocale(["C", undefined, "POSIX"])).toBe("en-US");
    expect(pickLocale(["C", "de-DE"])).toBe("de-DE");
  });

  it("groups counts and names them", () => {
    expect(formatCount(2000)).toBe("2,000");
    expect(plural(1, "contact")).toBe("1 contact");
    expect(plural(36056, "match", "matches")).toBe("36,056 matches");
  });

  it("shows own-country phones nationally, others internationally, and other text as is", () => {
    expect(formatPhone("+15125550100", "US")).toBe("(512) 555-0100");
    expect(formatPhone("+442079460958", "US")).toBe("+44 20 7946 0958");
    expect(formatPhone("call reception", "US")).toBe("call reception");
    expect(formatPhone(null, "US")).toBe("");
  });

  it("formats a phone seen before the same way, for the region it was asked for", () => {
    for (let round = 0; round < 2; round += 1) {
      expect(formatPhone("+15125550100", "US")).toBe("(512) 555-0100");
      expect(formatPhone("+15125550100", "GB")).toBe("+1 512 555 0100");
      expect(formatPhone("+442079460958", "GB")).toBe("020 7946 0958");
      expect(formatPhone("+442079460958", "US")).toBe("+44 20 7946 0958");
    }
    // Past the memo's size, numbers are still formatted right.
    for (let n = 0; n < 5000; n += 1) {
      const line = String(n).padStart(4, "0");
      expect(formatPhone(`+1512555${line}`, "US")).toBe(`(512) 555-${line}`);
    }
    expect(formatPhone("+442079460958", "US")).toBe("+44 20 7946 0958");
  });

  it("says how long ago something was", () => {
    const now = Date.UTC(2026, 0, 10, 12);
    expect(ago(now - 10_000, now)).toBe("just now");
    expect(ago(now - 5 * 60_000, now)).toBe("5 minutes ago");
    expect(ago(now - 24 * 3_600_000, now)).toBe("yesterday");
  });

  it("names a contact by name, else email, else phone", () => {
    expect(contactName({ firstName: "Ada", lastName: "Lovelace" })).toBe("Ada Lovelace");
    expect(contactName({ email: "ada@example.com" })).toBe("ada@example.com");
    expect(contactName({ phone: "+15125550100" })).toMatch(/555-0100/);
    expect(contactName({})).toBe("(no name)");
    expect(initials("Ada Lovelace")).toBe("AL");
    expect(initials("ada@example.com")).toBe("A");
    expect(initials("(512) 555")).toBe("?");
  });
});
