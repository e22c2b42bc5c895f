import type { Business } from "./bindings";

/** One value a list filter can take (a tag, a business), with its contact count. */
export interface Choice {
  value: string;
  label: string;
  count: number;
}

/** The choices a picker lists for what was typed, and how many more match unlisted. */
export interface Matches {
  shown: Choice[];
  more: number;
}

/**
 * The choices matching `query`, at most `limit` of them: labels starting with the text
 * first, then labels with a word starting with it, then labels containing it, each
 * group in the given order. A location can have thousands of businesses; the picker
 * lists a screenful and says how many more typing would reach.
 */
export function matchingChoices(choices: readonly Choice[], query: string, limit: number): Matches {
  const text = query.trim().toLowerCase();
  if (text === "")
    return { shown: choices.slice(0, limit), more: Math.max(0, choices.length - limit) };
  const groups: Choice[][] = [[], [], []];
  for (const choice of choices) {
    const label = choice.label.toLowerCase();
    const at = label.indexOf(text);
    if (at < 0) continue;
    if (at === 0) groups[0]?.push(choice);
    else if (/[^\p{L}\p{N}]/u.test(label[at - 1] ?? "")) groups[1]?.push(choice);
    else groups[2]?.push(choice);
  }
  const found = groups.flat();
  return { shown: found.slice(0, limit), more: Math.max(0, found.length - limit) };
}

/**
 * The businesses as filter choices, named after their company. Names several businesses
 * share end with the tail of each one's id, so that the entries can be told apart.
 */
export function choicesOfBusinesses(businesses: readonly Business[]): Choice[] {
  const named = new Map<string, number>();
  for (const b of businesses) if (b.name) named.set(b.name, (named.get(b.name) ?? 0) + 1);
  return businesses.map((b) => {
    const shared = b.name != null && (named.get(b.name) ?? 0) > 1;
    const label = b.name == null ? b.id : shared ? `${b.name} · …${b.id.slice(-6)}` : b.name;
    return { value: b.id, label, count: b.contacts };
  });
}
