import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { prefetchFirstPage } from "./lib/contactList.svelte";

const target = document.getElementById("app");
if (!target) {
  throw new Error("index.html has no #app element");
}

// The web view's own menu (Back, Reload, Inspect) means nothing in a desktop app; text
// fields and selected text keep theirs, for copy and paste.
if (import.meta.env.PROD) {
  document.addEventListener("contextmenu", (event) => {
    const on = event.target instanceof Element ? event.target : null;
    if (on?.closest("input, textarea, [contenteditable]") || window.getSelection()?.toString())
      return;
    event.preventDefault();
  });
}

prefetchFirstPage();
export default mount(App, { target });
