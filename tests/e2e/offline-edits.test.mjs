// Changes made outside the window reach HighLevel without anyone pressing Sync, and a
// field changed on both sides is settled field by field in the real window. The demo's
// embedded sandbox plays HighLevel; the command-line tool queues the edit in the same
// data directory, as an admin's script would while the app is open.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { launchApp, ROOT } from "./driver.mjs";
import { findSandbox } from "./sandbox.mjs";

let app;
before(async () => {
  app = await launchApp();
});
after(async () => {
  await app?.close();
});

test("a command-line edit is sent on its own and a clash is settled field by field", async () => {
  const { browser, dataDir } = app;
  await (await browser.$('[data-testid="contacts-demo"]')).click();
  const firstRow = await browser.$('[data-testid="contact-rows"] .row[data-id]');
  await firstRow.waitForDisplayed({ timeout: 90_000 });
  const id = await firstRow.getAttribute("data-id");
  const sandbox = await findSandbox(app.pid());
  const before = await sandbox.contact(id);

  // The command-line tool works on the open location's database.
  writeFileSync(
    join(dataDir, "accounts.json"),
    JSON.stringify({
      active: sandbox.location.id,
      accounts: [{ locationId: sandbox.location.id, kind: "privateIntegration" }],
    }),
  );
  const cli = join(ROOT, "target", "debug", "ghl-desk-cli");
  const queue = (...args) =>
    execFileSync(cli, ["--data-dir", dataDir, ...args], { env: { ...process.env, GHL_DESK_DATA_DIR: dataDir } });
  queue("contact", "update", id, "city=Queued From A Script");
  await browser.waitUntil(async () => (await sandbox.contact(id)).city === "Queued From A Script", {
    timeout: 40_000,
    interval: 500,
    timeoutMsg: "the app did not send the command line's change by itself",
  });

  // HighLevel goes down; meanwhile both sides change the same fields.
  await sandbox.faults({ errorRate: 1.0 });
  await sandbox.edit({ kind: "contact", contactId: id, fields: { firstName: "Theirs", lastName: "Theirs Too" } });
  queue("contact", "update", id, "firstName=Mine", "lastName=Mine Too");
  await sandbox.faults({});
  // While the demo's first fill runs the app syncs continuously and picks up the
  // command line's edit by itself; once it is idle, Sync asks for it at once.
  const sync = await browser.$("button.sync");
  if (await sync.isEnabled()) await sync.click();
  await (await browser.$('a[data-route="pending"]')).click();
  const table = await browser.$('[data-testid="conflict-fields"]');
  await table.waitForDisplayed({ timeout: 90_000, timeoutMsg: "no conflict was shown" });
  assert.match(await table.getText(), /Theirs Too/);
  await app.screenshot("conflict-fields");

  await (await browser.$('[data-testid="conflict-fields"] input[name="pick-lastName"][value="ghl"]')).click();
  await (await browser.$("button=Apply these choices")).click();
  await browser.waitUntil(
    async () => {
      const now = await sandbox.contact(id);
      return now.firstName === "Mine" && now.lastName === "Theirs Too";
    },
    { timeout: 30_000, interval: 500, timeoutMsg: "the chosen values did not reach HighLevel" },
  );
  assert.notEqual(before.firstName, "Mine");
  await browser.$("h2=No pending changes").waitForDisplayed({ timeout: 10_000 });
});
