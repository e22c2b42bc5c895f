import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, screen } from "@testing-library/svelte";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, expect, it } from "vitest";
import type { ContactView } from "../lib/bindings";
import ContactPane from "./ContactPane.svelte";

const VIEW: ContactView = {
  detail: {
    contact: {
      id: "c1",
      firstName: "Ada",
      lastName: "Lovelace",
      email: "ada@example.com",
      phone: null,
      companyName: null,
      businessId: null,
      tags: [],
      dateAdded: null,
      dateUpdated: null,
      pending: 0,
    },
    raw: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" },
    notes: [],
    tasks: [],
    appointments: [],
  },
  changes: [],
  readOnly: null,
};

/** The pane's props, each its own signal, as a parent component passes them. */
function paneProps(online: boolean) {
  const props = $state({
    id: "c1",
    revision: 0,
    online,
    customFields: [],
    businesses: [],
    tags: [],
    onclose: () => {},
    onchanged: () => {},
    ondeleted: () => {},
  });
  return props;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

let pane: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (pane) unmount(pane);
  pane = undefined;
  document.body.innerHTML = "";
  clearMocks();
});

it("reads the contact once, again after a sync, and keeps a note being typed when the connection comes or goes", async () => {
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    if (cmd === "contact_view") return VIEW;
    if (cmd === "refresh_contact") return null;
    throw new Error(`unexpected command ${cmd}`);
  });
  const props = paneProps(true);
  pane = mount(ContactPane, { target: document.body, props });
  await screen.findByTestId("add-note");
  await settle();
  // The cached contact, then HighLevel's after the refresh; nothing more while idle.
  expect(calls).toEqual(["contact_view", "refresh_contact", "contact_view"]);

  await fireEvent.click(screen.getByTestId("add-note"));
  await fireEvent.input(screen.getByTestId("note-body"), { target: { value: "Half a thought" } });
  props.online = false;
  flushSync();
  props.online = true;
  flushSync();
  await settle();
  expect(screen.getByTestId("note-body")).toHaveValue("Half a thought");
  expect(calls).toHaveLength(3);

  props.revision = 1;
  flushSync();
  await settle();
  expect(calls.slice(3)).toEqual(["contact_view"]);
  expect(screen.getByTestId("note-body")).toHaveValue("Half a thought");
});

it("a note saved slowly does not close the task form opened meanwhile", async () => {
  let answer: (value: unknown) => void = () => {};
  mockIPC((cmd) => {
    if (cmd === "contact_view") return VIEW;
    if (cmd === "refresh_contact") return null;
    if (cmd === "apply_edit") return new Promise((resolve) => (answer = resolve));
    throw new Error(`unexpected command ${cmd}`);
  });
  const props = paneProps(false);
  pane = mount(ContactPane, { target: document.body, props });
  await fireEvent.click(await screen.findByTestId("add-note"));
  await fireEvent.input(screen.getByTestId("note-body"), { target: { value: "Called" } });
  await fireEvent.click(screen.getByTestId("note-save"));
  await fireEvent.click(screen.getByTestId("add-task"));
  await fireEvent.input(screen.getByTestId("task-title"), {
    target: { value: "Send the contract" },
  });
  answer({ id: "local_n1", count: null });
  await settle();
  expect(screen.getByTestId("task-title")).toHaveValue("Send the contract");
});
