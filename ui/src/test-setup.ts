import "@testing-library/jest-dom/vitest";

// jsdom lays nothing out, so every element measures 0×0 and a virtual list would show no
// rows. The contact list's scroller is given the size of a window instead.
for (const [name, size] of [
  ["clientHeight", 800],
  ["clientWidth", 1000],
] as const) {
  const native = Object.getOwnPropertyDescriptor(Element.prototype, name);
  Object.defineProperty(HTMLElement.prototype, name, {
    configurable: true,
    get(this: HTMLElement) {
      if (this.dataset.testid === "contact-rows") return size;
      return native?.get?.call(this) ?? 0;
    },
  });
}

// jsdom has the <dialog> element but not its modal methods.
HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
  this.open = true;
};
HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
  this.open = false;
  this.dispatchEvent(new Event("close"));
};
