/** One thing the command palette can do. */
export interface PaletteAction {
  id: string;
  label: string;
  /** The keyboard shortcut that does the same, as shown to the user. */
  shortcut?: string;
  /** Why it cannot be done now, if it cannot. */
  disabled?: string;
  run: () => void;
}

/**
 * The actions matching what was typed, best first: every typed word must start a word
 * of the label (or occur in it), labels starting with the text first.
 */
export function rankActions(actions: PaletteAction[], query: string): PaletteAction[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return actions;
  const scored = actions
    .map((action) => {
      const label = action.label.toLowerCase();
      const labelWords = label.split(/[^\p{L}\p{N}]+/u);
      let score = 0;
      for (const word of words) {
        if (labelWords.some((w) => w.startsWith(word))) score += 2;
        else if (label.includes(word)) score += 1;
        else return null;
      }
      if (label.startsWith(words[0] ?? "")) score += 3;
      return { action, score };
    })
    .filter((entry): entry is { action: PaletteAction; score: number } => entry !== null);
  return scored.sort((a, b) => b.score - a.score).map((entry) => entry.action);
}
