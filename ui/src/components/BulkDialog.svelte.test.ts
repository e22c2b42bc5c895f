import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, screen } from "@testing-library/svelte";
import { mount, unmount } from "svelte";
import { afterEach, expect, it } from "vitest";
import BulkDialog from "./BulkDialog.svelte";

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

let dialog: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (dialog) unmount(dialog);
  dialog = undefined;
  document.body.innerHTML = "";
  clearMocks();
});

it("says it is tagging while the store queues the edit, and sends it once however often Enter is pressed", async () => {
  const edits: unknown[] = [];
  let answer: (value: unknown) => void = () => {};
  mockIPC((cmd, args) => {
    if (cmd !== "apply_edit") throw new Error(`unexpected command ${cmd}`);
    edits.push(args);
    return new Promise((resolve) => (answer = resolve));
  });
  const done: string[] = [];
  dialog = mount(BulkDialog, {
    target: document.body,
    props: {
      action: "addTag",
      targets: { kind: "ids", ids: ["c1", "c2", "c3"] },
      count: 35941,
      suggestions: [],
      oncancel: () => {},
      ondone: (message: string) => done.push(message),
    },
  });
  const input = screen.getByTestId("bulk-tag");
  await fireEvent.input(input, { target: { value: "vip" } });
  expect(screen.getByTestId("bulk-confirm")).toHaveTextContent("Tag 35,941 contacts");
  await fireEvent.keyDown(input, { key: "Enter" });
  await fireEvent.keyDown(input, { key: "Enter" });
  await fireEvent.click(screen.getByTestId("bulk-confirm"));
  await settle();
  expect(edits).toHaveLength(1);
  expect(screen.getByTestId("bulk-confirm")).toHaveTextContent("Tagging 35,941 contacts…");
  expect(screen.getByTestId("bulk-confirm")).toBeDisabled();

  answer({ id: null, count: 35941 });
  await settle();
  expect(done).toEqual(["Tagged 35,941 contacts “vip”"]);
});
