// Everyday editing in the real window, against the demo's embedded sandbox as HighLevel:
// open a contact, edit fields (a bad value refused at the field), edit while HighLevel is
// down, add notes, tasks and tags, tag several contacts at once, create a contact with a
// note while offline, delete a contact, export the searched contacts as CSV. Each journey
// checks what HighLevel (or the exported file) ends up with.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import { launchApp, saveInDialog, typeText } from "./driver.mjs";
import { acceptedWrites, findSandbox } from "./sandbox.mjs";

const ROWS = '[data-testid="contact-rows"] .row[data-id]';

let app;
let sandbox;
before(async () => {
  app = await launchApp();
  await app.browser.setWindowSize(1400, 900);
  await (await app.browser.$('[data-testid="contacts-demo"]')).click();
  await (await app.browser.$(ROWS)).waitForDisplayed({ timeout: 90_000 });
  sandbox = await findSandbox(app.pid());
});
after(async () => {
  await app?.close();
});
afterEach(async () => {
  // A failed journey must not leave HighLevel failing for the next one.
  await sandbox?.faults({});
});

/** Waits until `check` holds, polling HighLevel or the window. */
async function eventually(check, timeoutMsg, timeout = 60_000) {
  try {
    await app.browser.waitUntil(check, { timeout, interval: 400, timeoutMsg });
  } catch (err) {
    await app.screenshot(`failed-${timeoutMsg.replace(/\W+/g, "-")}`);
    throw err;
  }
}

/** Waits until the list counts every contact HighLevel has: the first sync has cached them. */
async function everyContactCached() {
  const all = await sandbox.contactCount();
  const count = await app.browser.$('[data-testid="contact-count"]');
  await eventually(
    async () => Number((await count.getText()).replace(/\D/g, "")) === all,
    "the first sync did not cache every contact",
    120_000,
  );
}

/** Closes the toasts on screen, as a user does to reach what they cover. */
async function dismissToasts() {
  for (const button of await app.browser.$$('[data-testid="toasts"] button[aria-label="Dismiss"]')) {
    await button.click().catch(() => {});
  }
}

/** The rows of a CSV file (RFC 4180: quoted cells may hold commas, quotes and newlines). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(cell);
      cell = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += char;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** Opens the contact in row `index` of the list and returns its id. */
async function openRow(index) {
  const rows = await app.browser.$$(ROWS);
  const id = await rows[index].getAttribute("data-id");
  await rows[index].$(".name").click();
  const pane = await app.browser.$('[data-testid="contact-pane"]');
  await pane.waitForDisplayed({ timeout: 10_000 });
  await eventually(async () => (await pane.getAttribute("data-id")) === id, "the pane did not open the contact", 10_000);
  return id;
}

/** Replaces the text of the input inside `selector` and presses Enter, as a user would. */
async function typeInto(selector, text) {
  const input = await app.browser.$(`${selector} input, ${selector} textarea`);
  await input.click();
  await app.browser.execute((el) => el.select(), input);
  await typeText(app.browser, text);
  await app.browser.keys(["Enter"]);
}

test("a bad email is refused at the field; a good one is pending until HighLevel has it", async () => {
  const { browser } = app;
  const id = await openRow(2);
  await app.screenshot("contact-pane");
  const email = '[data-testid="field-email"]';
  const before = await sandbox.contact(id);

  await typeInto(email, "not an email");
  const refusal = await browser.$(`${email} [role="alert"]`);
  await refusal.waitForDisplayed({ timeout: 5_000 });
  assert.match(await refusal.getText(), /email/i);
  assert.equal(await (await browser.$(email)).getAttribute("data-pending"), null, "nothing was queued");
  await app.screenshot("field-refused");

  await typeInto(email, "ada.e2e@example.com");
  await eventually(async () => !(await refusal.isExisting()), "the refusal did not go away", 5_000);
  await eventually(async () => (await sandbox.contact(id)).email === "ada.e2e@example.com", "the email did not reach HighLevel");
  await eventually(
    async () => (await (await browser.$(email)).getAttribute("data-pending")) === null,
    "the field stayed marked pending after HighLevel had it",
    20_000,
  );
  assert.notEqual(before.email, "ada.e2e@example.com");
});

test("an edit made while HighLevel fails is kept and sent exactly once when it answers again", async () => {
  const { browser } = app;
  const id = await openRow(3);
  await sandbox.clearRequests();
  await sandbox.faults({ errorRate: 1.0 });
  const city = '[data-testid="field-city"]';
  await typeInto(city, "Offline City");
  await eventually(async () => (await (await browser.$(city)).getAttribute("data-pending")) === "yes", "the edit was not marked pending", 5_000);
  // While every request fails, the edit stays queued (HighLevel is only read again
  // once the faults are lifted, since they answer every request).
  await browser.pause(5_000);
  assert.deepEqual(acceptedWrites(await sandbox.requests()), [], "nothing reached HighLevel");
  await app.screenshot("pending-while-failing");
  await sandbox.faults({});
  assert.equal(await (await browser.$(city)).getAttribute("data-pending"), "yes");
  await eventually(async () => (await sandbox.contact(id)).city === "Offline City", "the queued edit never reached HighLevel", 90_000);
  const sent = acceptedWrites(await sandbox.requests()).filter((w) => w === `PUT /contacts/${id}`);
  assert.equal(sent.length, 1, `the change was accepted exactly once (got ${sent.length})`);
});

test("notes, tasks and tags are added, completed and removed on the contact", async () => {
  const { browser } = app;
  const id = await openRow(4);
  await (await browser.$('[data-testid="add-note"]')).click();
  await (await browser.$('[data-testid="note-body"]')).click();
  await typeText(browser, "Called about the renewal");
  await (await browser.$('[data-testid="note-save"]')).click();
  // The saved note takes the editor's place and moves the buttons below it: a click
  // aimed while they move lands on what slid under the pointer.
  await (await browser.$('[data-testid="timeline-note"]*=Called about the renewal')).waitForDisplayed({ timeout: 5_000 });
  await (await browser.$('[data-testid="note-body"]')).waitForExist({ reverse: true, timeout: 5_000 });

  await (await browser.$('[data-testid="add-task"]')).click();
  await (await browser.$('[data-testid="task-title"]')).click();
  await typeText(browser, "Send the contract");
  await browser.execute(() => {
    const due = document.querySelector('[data-testid="task-due"]');
    due.value = "2027-03-01T09:30";
    due.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await (await browser.$('[data-testid="task-save"]')).click();
  const task = await browser.$('[data-testid="timeline-task"]*=Send the contract');
  await task.waitForDisplayed({ timeout: 5_000 });
  await (await task.$('[data-testid="task-done"]')).click();

  await typeInto('[data-testid="tag-editor"] .add', "e2e-tag");
  await app.screenshot("timeline-and-tags");

  await eventually(async () => {
    const notes = (await sandbox.get(`/contacts/${id}/notes`)).notes ?? [];
    const tasks = (await sandbox.get(`/contacts/${id}/tasks`)).tasks ?? [];
    const contact = await sandbox.contact(id);
    return (
      notes.some((n) => n.body === "Called about the renewal") &&
      tasks.some((t) => t.title === "Send the contract" && t.completed === true) &&
      contact.tags.includes("e2e-tag")
    );
  }, "the note, the completed task or the tag did not reach HighLevel");

  // The chip may sit half under the pane's top edge after the tag box took the focus.
  const remove = await browser.$('button[aria-label="Remove tag e2e-tag"]');
  await remove.scrollIntoView({ block: "center" });
  await remove.click();
  await eventually(async () => !(await sandbox.contact(id)).tags.includes("e2e-tag"), "the tag was not removed in HighLevel");
});

test("three contacts are tagged at once after a confirmation that names the count", async () => {
  const { browser } = app;
  const rows = await browser.$$(ROWS);
  const ids = [];
  for (const row of rows.slice(6, 9)) {
    ids.push(await row.getAttribute("data-id"));
    await (await row.$('input[type="checkbox"]')).click();
  }
  const bar = await browser.$('[data-testid="bulk-bar"]');
  assert.match(await bar.getText(), /3 contacts selected/);
  await (await browser.$('[data-testid="bulk-add-tag"]')).click();
  await (await browser.$('[data-testid="bulk-tag"]')).click();
  await typeText(browser, "bulk-e2e");
  const confirm = await browser.$('[data-testid="bulk-confirm"]');
  assert.equal(await confirm.getText(), "Tag 3 contacts");
  await app.screenshot("bulk-tag");
  await confirm.click();
  await eventually(async () => {
    const contacts = await Promise.all(ids.map((id) => sandbox.contact(id)));
    return contacts.every((c) => c.tags.includes("bulk-e2e"));
  }, "the three contacts were not tagged in HighLevel");
});

test("the list narrows to a tag and to a business found by typing into their filters", async () => {
  const { browser } = app;
  const count = await browser.$('[data-testid="contact-count"]');
  /** Opens a filter's list; typing then goes to its search box. */
  const open = async (filter) => {
    await (await browser.$(`[data-testid="${filter}"]`)).click();
    const search = await browser.$(`[data-testid="${filter}-search"]`);
    await eventually(() => search.isFocused(), `the ${filter} list did not take the keyboard`);
    return search;
  };
  const pickFrom = async (filter, text) => {
    const search = await open(filter);
    if (text) await typeText(browser, text);
    await app.screenshot(`${filter}-open`);
    // What the option that Enter takes says: its name and its count of contacts.
    const label = await browser.execute(
      (selector) => {
        const option = document.querySelector(selector);
        return [option?.querySelector(".text")?.textContent, option?.querySelector(".count")?.textContent];
      },
      `[data-testid="${filter}-option"]${text ? "" : ":nth-child(2)"}`,
    );
    await browser.keys(text ? ["Enter"] : ["ArrowDown", "Enter"]);
    await eventually(async () => !(await search.isExisting()), `the ${filter} list did not close`);
    return label;
  };

  // A business's count is compared with the list's, so every contact must be cached first.
  await everyContactCached();

  // The three contacts tagged by the journey before.
  await pickFrom("tag-filter", "bulk-e2e");
  await eventually(async () => (await count.getText()) === "3 matches", "the tag filter did not narrow to 3");
  const named = async (filter) => (await browser.$(`[data-testid="${filter}"]`)).getAttribute("aria-label");
  assert.equal(await named("tag-filter"), "Filter by tag: bulk-e2e");
  // Reopened, the list starts on the current tag; Home goes up to "All tags".
  await open("tag-filter");
  await browser.keys(["Home", "Enter"]);
  await eventually(async () => /contacts$/.test(await count.getText()), "All tags did not turn the filter off");

  // A press inside the list but off its options (here the count of more matches) keeps
  // it open and the typing in its box.
  const search = await open("business-filter");
  await (await browser.$('[data-testid="business-filter-more"]')).click();
  assert.ok(await search.isFocused(), "the business list kept the keyboard after a press inside it");
  await browser.keys(["Escape"]);
  await eventually(async () => !(await search.isExisting()), "Escape did not close the business list");

  // The first business listed, with the count its option gives.
  const business = await pickFrom("business-filter", "");
  const [name, listed] = business;
  assert.ok(name && listed, `the option names a business and its contacts: ${business}`);
  await eventually(
    async () => (await count.getText()) === `${listed} ${listed === "1" ? "match" : "matches"}`,
    "the business filter did not narrow to its count",
  );
  assert.equal(await named("business-filter"), `Filter by business: ${name}`);
  const ids = await browser.execute((rows) => [...document.querySelectorAll(rows)].map((row) => row.dataset.id), ROWS);
  const owners = new Set((await Promise.all(ids.map((id) => sandbox.contact(id)))).map((c) => c.businessId));
  assert.equal(owners.size, 1, "the contacts listed belong to one business in HighLevel");
  assert.ok([...owners][0], "that business is named on the contacts in HighLevel");
  await open("business-filter");
  await browser.keys(["Home", "Enter"]);
  await eventually(async () => /contacts$/.test(await count.getText()), "All businesses did not turn the filter off");
});

test("a contact and its note created while HighLevel fails arrive once each", async () => {
  const { browser } = app;
  await sandbox.clearRequests();
  await sandbox.faults({ errorRate: 1.0 });
  // The command palette opens the new-contact form.
  await browser.keys(["Control", "k"]);
  await (await browser.$('[data-testid="palette-input"]')).waitForDisplayed({ timeout: 5_000 });
  await typeText(browser, "new contact");
  await browser.keys(["Enter"]);
  await (await browser.$('[data-testid="new-firstName"]')).waitForDisplayed({ timeout: 5_000 });
  await (await browser.$('[data-testid="new-firstName"]')).click();
  await typeText(browser, "Offline");
  await (await browser.$('[data-testid="new-lastName"]')).click();
  await typeText(browser, "Newcomer");
  await (await browser.$('[data-testid="new-email"]')).click();
  await typeText(browser, "offline.newcomer@example.com");
  await (await browser.$('[data-testid="new-save"]')).click();
  await eventually(
    async () =>
      (await browser.execute(() => document.querySelector('[data-testid="contact-name"]')?.textContent)) ===
      "Offline Newcomer",
    "the new contact did not open",
    10_000,
  );
  await dismissToasts();
  await (await browser.$('[data-testid="add-note"]')).click();
  await (await browser.$('[data-testid="note-body"]')).click();
  await typeText(browser, "Met at the fair");
  await (await browser.$('[data-testid="note-save"]')).click();
  await (await browser.$('[data-testid="timeline-note"]*=Met at the fair')).waitForDisplayed({ timeout: 5_000 });
  await app.screenshot("created-offline");
  await browser.pause(3_000);
  await sandbox.faults({});

  let created;
  await eventually(async () => {
    const writes = acceptedWrites(await sandbox.requests());
    const creates = writes.filter((w) => /^POST \/contacts\/?$/.test(w));
    const notes = writes.filter((w) => /^POST \/contacts\/[^/]+\/notes\/?$/.test(w));
    if (creates.length === 1 && notes.length === 1) created = notes[0].split("/")[2];
    return created !== undefined;
  }, "the contact and its note did not both reach HighLevel", 90_000);
  const contact = await sandbox.contact(created);
  assert.equal(contact.email, "offline.newcomer@example.com");
  const notes = (await sandbox.get(`/contacts/${created}/notes`)).notes;
  assert.deepEqual(
    notes.map((n) => n.body),
    ["Met at the fair"],
  );
  // Nothing more was created while the rest synced.
  await browser.pause(2_000);
  const writes = acceptedWrites(await sandbox.requests());
  assert.equal(writes.filter((w) => /^POST \/contacts\/?$/.test(w)).length, 1);
  assert.equal(writes.filter((w) => /^POST \/contacts\/[^/]+\/notes\/?$/.test(w)).length, 1);
});

test("a contact is deleted after a confirmation and leaves the list", async () => {
  const { browser } = app;
  const id = await openRow(10);
  await (await browser.$('[data-testid="delete-contact"]')).click();
  const dialog = await browser.$('[data-testid="confirm-delete-contact"]');
  await dialog.waitForDisplayed({ timeout: 5_000 });
  await app.screenshot("delete-confirmation");
  await (await dialog.$('[data-testid="confirm-delete"]')).click();
  await eventually(
    async () => !(await browser.$(`${ROWS.replace(".row[data-id]", `.row[data-id="${id}"]`)}`).isExisting()),
    "the deleted contact stayed in the list",
    10_000,
  );
  await eventually(
    async () => acceptedWrites(await sandbox.requests()).includes(`DELETE /contacts/${id}`),
    "the deletion did not reach HighLevel",
  );
});

test("the searched contacts are exported as CSV to the file chosen in the save dialog", async () => {
  const { browser } = app;
  const count = await browser.$('[data-testid="contact-count"]');
  // The export is compared with the list, so every contact must be cached first.
  await everyContactCached();
  const name = await browser.execute(() => document.querySelector("#contact-row-0 .name .text")?.textContent ?? "");
  const word = name.split(/\s+/)[0];
  assert.ok(word, "the first row has a name");
  await (await browser.$('[data-testid="contact-search"]')).click();
  await typeText(browser, word);
  await eventually(
    async () => /match/.test(await count.getText()) && (await count.getAttribute("aria-busy")) !== "true",
    "the search did not answer",
    10_000,
  );
  const matches = Number((await count.getText()).replace(/\D/g, ""));
  const shown = [];
  for (const row of (await browser.$$(ROWS)).slice(0, Math.min(matches, 5))) shown.push(await row.getAttribute("data-id"));

  await (await browser.$('[data-testid="export"]')).click();
  await (await browser.$('[data-testid="export-dialog"]')).waitForDisplayed({ timeout: 5_000 });
  await app.screenshot("export-choice");
  await (await browser.$('[data-testid="export-confirm"]')).click();
  const folder = mkdtempSync(join(tmpdir(), "ghl-desk-e2e-export-"));
  try {
    const file = join(folder, "searched.csv");
    await saveInDialog("Export contacts", file);
    const toasts = await browser.$('[data-testid="toasts"]');
    let told;
    await eventually(async () => {
      told = (await toasts.getText()).match(/Exported ([\d,]+) contacts?/);
      return told !== null;
    }, "no toast told the export", 20_000);
    assert.equal(Number(told[1].replace(/,/g, "")), matches, "the toast tells how many");

    const [header, ...records] = parseCsv(readFileSync(file, "utf8"));
    assert.deepEqual(header.slice(0, 4), ["id", "first_name", "last_name", "email"]);
    const defined = (await sandbox.get(`/locations/${sandbox.location.id}/customFields`)).customFields.map((f) => f.name);
    const named = header.slice(header.indexOf("tags") + 1);
    assert.ok(named.length > 0, "the custom fields in use have columns");
    assert.ok(named.every((name) => defined.includes(name)), `custom columns are named as in HighLevel: ${named}`);
    assert.equal(records.length, matches, "one line per contact the search matches");
    assert.deepEqual(
      records.slice(0, shown.length).map((r) => r[0]),
      shown,
      "in the list's order",
    );
    const needle = word.toLowerCase();
    assert.ok(
      records.every((r) => r.join(" ").toLowerCase().includes(needle)),
      `every exported contact matches "${word}"`,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
    const search = await browser.$('[data-testid="contact-search"]');
    await search.click();
    await browser.execute((el) => el.select(), search);
    await browser.keys(["Backspace"]);
    await eventually(async () => /contacts/.test(await count.getText()), "the search was not cleared", 10_000);
  }
});

/** Shows every screen (Contacts with a contact open) and saves a screenshot of each. */
async function lookAtEveryScreen(label) {
  const { browser } = app;
  for (const screen of ["contacts", "pending", "activity", "settings"]) {
    await (await browser.$(`a[href="#/${screen}"]`)).click();
    if (screen === "contacts") await openRow(1);
    await browser.pause(500);
    await app.screenshot(`${label}-${screen}`);
    const spills = await browser.execute(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(spills, false, `nothing spills out sideways on ${screen} (${label})`);
  }
  await (await browser.$('a[href="#/contacts"]')).click();
  // The business filter's list, open over the contacts.
  await (await browser.$('[data-testid="business-filter"]')).click();
  await (await browser.$('[data-testid="business-filter-search"]')).waitForDisplayed();
  await browser.pause(500);
  await app.screenshot(`${label}-business-filter`);
  await browser.keys(["Escape"]);
}

test("every screen stays readable light and dark, at the minimum size and a large one", async () => {
  const { browser } = app;
  // "Like the system" sets no theme on the page: the system's preference shows.
  const theme = () =>
    browser.execute(
      () =>
        document.documentElement.dataset.theme ??
        (window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"),
    );
  for (const wanted of ["light", "dark"]) {
    if ((await theme()) !== wanted) {
      await browser.keys(["Control", "k"]);
      await (await browser.$('[data-testid="palette-input"]')).waitForDisplayed({ timeout: 5_000 });
      await typeText(browser, "theme");
      await browser.keys(["Enter"]);
      await eventually(async () => (await theme()) === wanted, `the theme did not switch to ${wanted}`);
    }
    for (const [width, height, size] of [
      [900, 560, "minimum"],
      [1920, 1080, "large"],
    ]) {
      await browser.setWindowSize(width, height);
      await lookAtEveryScreen(`${wanted}-${size}`);
    }
  }
  await browser.setWindowSize(1400, 900);
});
