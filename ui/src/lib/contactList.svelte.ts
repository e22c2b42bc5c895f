import { listContacts } from "./api";
import type { ContactPage, ContactQuery, ContactRow, ContactSort, Targets } from "./bindings";
import { handedFirstScreen } from "./handed";
import { narrows, rowMatches, searchTerms } from "./localSearch";

/** Rows per request: a few screens, so scrolling rarely waits. */
export const PAGE = 100;
/**
 * Pages kept on each side of the visible ones; rows further away are dropped, so
 * scrolling through 100,000 contacts holds a few thousand rows, not all of them.
 */
export const KEEP_PAGES = 5;
/** First pages of recent filters kept, so going back to one (a backspace) shows at once. */
export const RECENT_FILTERS = 32;

/** What the list shows: search text, filters and order. */
export interface ListFilter {
  search: string;
  tag: string | null;
  businessId: string | null;
  sort: ContactSort;
  reverse: boolean;
}

/** The list's query for rows `offset..offset + limit`. */
export function queryFor(filter: ListFilter, offset = 0, limit = PAGE): ContactQuery {
  return {
    search: filter.search.trim() || null,
    tag: filter.tag,
    businessId: filter.businessId,
    sort: filter.sort,
    reverse: filter.reverse,
    offset,
    limit,
  };
}

/** What the list shows before the user chooses anything. */
export const DEFAULT_FILTER: ListFilter = {
  search: "",
  tag: null,
  businessId: null,
  sort: "name",
  reverse: false,
};

/** The first page of the default list, asked for by `prefetchFirstPage`, until used. */
let early: { key: string; page: Promise<ContactPage> } | null = null;

/** Whether two list queries ask for the same rows. */
function sameQuery(a: ContactQuery, b: ContactQuery): boolean {
  return (
    (a.search ?? null) === (b.search ?? null) &&
    (a.tag ?? null) === (b.tag ?? null) &&
    (a.businessId ?? null) === (b.businessId ?? null) &&
    a.sort === b.sort &&
    Boolean(a.reverse) === Boolean(b.reverse) &&
    (a.offset ?? 0) === (b.offset ?? 0) &&
    a.limit === b.limit
  );
}

/**
 * Takes the first page of the default list as the page starts, before anyone knows
 * whether a location is signed in: the one the app handed over if it is fresh and for
 * this query (the first screen is then drawn with its rows, without a round trip),
 * else by asking the store. The first screen then waits for at most one query, not for
 * the account's round trip, the screen's mount and then the query. Without a location
 * the answer is an error, and the list asks again when it needs rows.
 */
export function prefetchFirstPage(): void {
  const query = queryFor(DEFAULT_FILTER);
  const handed = handedFirstScreen()?.firstPage;
  const page =
    handed && sameQuery(handed.query, query) ? Promise.resolve(handed.page) : listContacts(query);
  page.catch(() => {});
  early = { key: JSON.stringify(query), page };
}

/** The rows for `query`: the early first page when that is what is asked, else a query. */
function pageFor(query: ContactQuery): Promise<ContactPage> {
  const taken = early;
  early = null;
  if (taken?.key === JSON.stringify(query)) return taken.page.catch(() => listContacts(query));
  return listContacts(query);
}

/** A first page as the store last answered it. */
interface FirstPage {
  rows: ContactRow[];
  total: number;
}

/** The key a filter's first page is remembered by. */
function filterKey(filter: ListFilter): string {
  return JSON.stringify(queryFor(filter));
}

/**
 * The contact list's data: the total and the rows fetched so far, by position, page by
 * page as the virtual list asks for them. A new filter shows its first rows at once,
 * before the store answers: a filter seen recently shows its remembered first page, and
 * a search that only adds letters shows the current rows it still matches (they are its
 * first rows, in order); the store's answer then confirms or corrects them. A refresh
 * after a sync re-reads the pages in view while the old rows stay on screen, so nothing
 * jumps. Also the selection for bulk edits: picked ids, or every match of the filter.
 */
export class ContactRows {
  filter: ListFilter = $state({ ...DEFAULT_FILTER });
  total = $state(0);
  /** Bumped whenever rows arrive, so views re-read `row()`. */
  version = $state(0);
  loaded = $state(false);
  error: string | null = $state(null);
  /** Ids picked for a bulk edit. */
  picked: Set<string> = $state(new Set());
  /** Every match of the filter is picked. */
  allPicked = $state(false);

  /** The rows shown come from the page, not yet from the store's answer. */
  provisional = $state(false);

  #rows = new Map<number, ContactRow>();
  #pages = new Map<number, number>();
  #generation = 0;
  #recent = new Map<string, FirstPage>();

  /** The row at `index`, if fetched. */
  row(index: number): ContactRow | undefined {
    void this.version;
    return this.#rows.get(index);
  }

  /** Changes the filter and starts over from the first page. */
  setFilter(change: Partial<ListFilter>): Promise<void> {
    const previous = this.filter;
    this.filter = { ...previous, ...change };
    this.allPicked = false;
    this.picked = new Set();
    const early = this.loaded ? this.#foreseen(previous, this.filter) : null;
    const reading = this.reload(false);
    if (early) this.#show(early);
    return reading;
  }

  /**
   * The first rows of `next` as far as the page can tell without the store: a recent
   * answer for it, or the rows of `previous` that `next` narrows down to (their total is
   * known only when every match of `previous` is here).
   */
  #foreseen(previous: ListFilter, next: ListFilter): FirstPage | null {
    const remembered = this.#recent.get(filterKey(next));
    if (remembered) return remembered;
    const same =
      previous.tag === next.tag &&
      previous.businessId === next.businessId &&
      previous.sort === next.sort &&
      previous.reverse === next.reverse;
    if (!same || !narrows(previous.search, next.search)) return null;
    const terms = searchTerms(next.search);
    if (!terms) return null;
    const held: ContactRow[] = [];
    for (let i = 0; this.#rows.has(i); i += 1) held.push(this.#rows.get(i) as ContactRow);
    const found = held.filter((row) => rowMatches(terms, row));
    const complete = held.length >= this.total;
    return { rows: found.slice(0, PAGE), total: complete ? found.length : this.total };
  }

  /** Shows a foreseen first page until the store's answer replaces it. */
  #show(page: FirstPage): void {
    page.rows.forEach((row, i) => {
      this.#rows.set(i, row);
    });
    this.total = page.total;
    this.provisional = true;
    this.version += 1;
  }

  /** Sorts by a column; the same column again turns the order round. */
  sortBy(sort: ContactSort): Promise<void> {
    const reverse = this.filter.sort === sort ? !this.filter.reverse : false;
    return this.setFilter({ sort, reverse });
  }

  /**
   * Reads the first page again (`keep`: keeping the other pages' rows on screen and
   * re-reading the pages `visible` covers).
   */
  async reload(keep: boolean, visible: [number, number] = [0, PAGE]): Promise<void> {
    const generation = ++this.#generation;
    this.#pages.clear();
    if (keep) {
      this.#recent.clear();
    } else {
      this.#rows.clear();
    }
    const first = Math.floor(visible[0] / PAGE);
    const last = Math.floor(Math.max(visible[0], visible[1] - 1) / PAGE);
    const pages = [...new Set([0, ...range(first, last)])];
    await Promise.all(pages.map((page) => this.#fetch(page, generation, keep)));
  }

  /** Makes sure rows `start..end` are fetched or on their way. */
  ensure(start: number, end: number): void {
    if (!this.loaded) return;
    const first = Math.floor(start / PAGE);
    const last = Math.floor(Math.max(start, end - 1) / PAGE);
    for (const page of range(first, last)) {
      if (page * PAGE >= this.total) break;
      if (!this.#pages.has(page)) void this.#fetch(page, this.#generation, false);
    }
    this.#forgetFarFrom(first, last);
  }

  /** Drops the rows of pages more than `KEEP_PAGES` away from pages `first..last`. */
  #forgetFarFrom(first: number, last: number): void {
    for (const page of [...this.#pages.keys()]) {
      if (page >= first - KEEP_PAGES && page <= last + KEEP_PAGES) continue;
      this.#pages.delete(page);
      for (let i = page * PAGE; i < page * PAGE + PAGE; i += 1) this.#rows.delete(i);
    }
  }

  async #fetch(page: number, generation: number, replacing: boolean): Promise<void> {
    this.#pages.set(page, generation);
    try {
      const result = await pageFor(queryFor(this.filter, page * PAGE, PAGE));
      if (generation !== this.#generation || !this.#pages.has(page)) return;
      if (page === 0) {
        this.total = result.total;
        this.#remember(result);
        if (this.provisional) {
          for (let i = result.rows.length; i < PAGE; i += 1) this.#rows.delete(i);
          this.provisional = false;
        }
      }
      if (replacing && page === 0) {
        for (const index of [...this.#rows.keys()]) {
          if (index >= result.total) this.#rows.delete(index);
        }
      }
      result.rows.forEach((row, i) => {
        this.#rows.set(page * PAGE + i, row);
      });
      this.error = null;
      this.loaded = true;
      this.version += 1;
    } catch (err) {
      if (generation !== this.#generation) return;
      this.#pages.delete(page);
      if (page === 0) this.provisional = false;
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  /** Keeps the current filter's first page, dropping the oldest beyond `RECENT_FILTERS`. */
  #remember(result: ContactPage): void {
    const key = filterKey(this.filter);
    this.#recent.delete(key);
    this.#recent.set(key, { rows: result.rows, total: result.total });
    if (this.#recent.size > RECENT_FILTERS) {
      this.#recent.delete(this.#recent.keys().next().value as string);
    }
  }

  /** Where a contact is in the rows fetched, if it is. */
  indexOf(id: string): number | undefined {
    for (const [index, row] of this.#rows) {
      if (row.id === id) return index;
    }
    return undefined;
  }

  /** Picks or unpicks one contact. */
  toggle(id: string): void {
    const next = new Set(this.picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.allPicked = false;
    this.picked = next;
  }

  /** Picks every fetched contact between two positions (shift-click). */
  async pickRange(from: number, to: number): Promise<void> {
    const [start, end] = from <= to ? [from, to] : [to, from];
    const missing = range(Math.floor(start / PAGE), Math.floor(end / PAGE)).filter((page) =>
      range(page * PAGE, Math.min(end, page * PAGE + PAGE - 1)).some((i) => !this.#rows.has(i)),
    );
    const generation = this.#generation;
    await Promise.all(missing.map((page) => this.#fetch(page, generation, false)));
    const next = new Set(this.picked);
    for (let i = start; i <= end; i += 1) {
      const row = this.#rows.get(i);
      if (row) next.add(row.id);
    }
    this.allPicked = false;
    this.picked = next;
  }

  /** Picks every match of the filter. */
  pickAll(): void {
    this.allPicked = true;
    this.picked = new Set();
  }

  /** Clears the selection. */
  unpick(): void {
    this.allPicked = false;
    this.picked = new Set();
  }

  /** How many contacts are picked. */
  get pickedCount(): number {
    return this.allPicked ? this.total : this.picked.size;
  }

  /** What a bulk edit of the selection applies to. */
  targets(): Targets {
    return this.allPicked
      ? { kind: "matching", query: queryFor(this.filter) }
      : { kind: "ids", ids: [...this.picked] };
  }
}

function range(first: number, last: number): number[] {
  const out: number[] = [];
  for (let i = first; i <= last; i += 1) out.push(i);
  return out;
}
