import { describe, expect, it } from "vitest";
import { fieldLabel } from "./fieldLabels";

describe("field labels", () => {
  it("names GHL's fields as people read them", () => {
    expect(fieldLabel("firstName")).toBe("First name");
    expect(fieldLabel("address1")).toBe("Address");
    expect(fieldLabel("lastAttributionSource")).toBe("Last attribution source");
  });
});
