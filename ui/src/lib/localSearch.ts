import type { ContactRow } from "./bindings";

/**
 * The store's search, run on rows the page already holds, so that a keystroke shows
 * its results in the same frame and the store's answer only confirms them. It mirrors
 * the store's rules (`desk-store` `read::fts_query` and `view::search_index`): every
 * word must prefix-match a word of the name, email, phone, company or tags; a
 * phone-like word matches the start of a number's digits or their end. Where the two
 * ever disagree, the store's answer replaces what this showed a moment later.
 */

/** One word of a search: a phrase of tokens (the last a prefix), or a run of digits. */
type Term = { kind: "words"; tokens: string[] } | { kind: "digits"; digits: string };

/** A search split into the terms every match must meet. */
export type SearchTerms = Term[];

const LATIN_WITH_MARKS = /[\u00C0-\u024F\u1E00-\u1EFF]/u;
const COMBINING = /\p{M}/gu;
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;
const KEPT_IN_TERM = /[\p{L}\p{N}@._'-]/u;

/** Folds case and Latin diacritics, as the search index's tokenizer does. */
function fold(text: string): string {
  let out = "";
  for (const ch of text.toLowerCase()) {
    out += LATIN_WITH_MARKS.test(ch) ? ch.normalize("NFD").replace(COMBINING, "") : ch;
  }
  return out;
}

/** The index's words of a text. */
function tokens(text: string): string[] {
  return fold(text).match(TOKEN) ?? [];
}

function isPhoneLike(word: string): boolean {
  return /\d/.test(word) && /^[\d+\-().]+$/.test(word);
}

/**
 * The terms of what the user typed, or `null` when the search is one this cannot
 * decide (a word with nothing the index keeps), so that only the store answers it.
 */
export function searchTerms(search: string): SearchTerms | null {
  const terms: Term[] = [];
  let digits = "";
  const flush = () => {
    if (digits) terms.push({ kind: "digits", digits });
    digits = "";
  };
  for (const word of search.split(/\s+/).filter(Boolean)) {
    if (isPhoneLike(word)) {
      digits += word.replace(/\D/g, "");
      continue;
    }
    flush();
    const kept = [...word].filter((ch) => KEPT_IN_TERM.test(ch)).join("");
    if (!kept) continue;
    const phrase = tokens(kept);
    if (phrase.length === 0) return null;
    terms.push({ kind: "words", tokens: phrase });
  }
  flush();
  return terms;
}

/** Whether some run of `words` is the phrase, its last token as a prefix. */
function hasPhrase(words: string[], phrase: string[]): boolean {
  const last = phrase.length - 1;
  const prefix = phrase[last] ?? "";
  for (let start = 0; start + last < words.length; start += 1) {
    let all = true;
    for (let i = 0; i < last && all; i += 1) all = words[start + i] === phrase[i];
    if (all && words[start + last]?.startsWith(prefix)) return true;
  }
  return false;
}

/** A row's indexed fields, one word list per field. */
function fields(row: ContactRow): string[][] {
  const digits = (row.phone ?? "").replace(/\D/g, "");
  const phone =
    digits.length === 11 && digits.startsWith("1") ? [digits, digits.slice(1)] : [digits];
  return [
    tokens(`${row.firstName ?? ""} ${row.lastName ?? ""}`),
    tokens(row.email ?? ""),
    phone.filter(Boolean),
    tokens(row.companyName ?? ""),
    tokens(row.tags.join(" ")),
  ];
}

/** Whether the store's search would find this row. */
export function rowMatches(terms: SearchTerms, row: ContactRow): boolean {
  const words = fields(row);
  return terms.every((term) => {
    if (term.kind === "words") return words.some((field) => hasPhrase(field, term.tokens));
    const ends = [...(row.phone ?? "").replace(/\D/g, "")].reverse().join("");
    const reversed = [...term.digits].reverse().join("");
    return (
      words.some((field) => field.some((word) => word.startsWith(term.digits))) ||
      (ends !== "" && ends.startsWith(reversed))
    );
  });
}

/**
 * Whether every match of `next` is also a match of `previous`, so that the matches of
 * `next` among `previous`'s first rows are `next`'s first rows, in the same order. True
 * when `next` only adds letters or words to `previous` and has no phone-like word (a
 * longer number may match the end of a phone where the shorter matched its start).
 */
export function narrows(previous: string, next: string): boolean {
  const before = previous.trim();
  const after = next.trim();
  if (!after.startsWith(before) || after === before) return false;
  const terms = searchTerms(after);
  return terms != null && terms.length > 0 && terms.every((term) => term.kind === "words");
}
