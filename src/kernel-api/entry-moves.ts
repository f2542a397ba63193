/**
 * Moves of page-table entries (mremap): under the page-table lock the old entry is read and cleared and its value
 * installed at another entry. The installs are the catalogue's `pte-set` calls (set_pte_at(), set_ptes(),
 * set_pmd_at(), set_pud_at(), set_huge_pte_at(), pmd_populate(), pud_populate(): src/kernel-api/catalogue.ts); this
 * module says how the old value is read, so that an install can be tied to the entry it came from.
 *
 * Why a move is special (mm/mremap.c move_ptes(): "Both old and new PTL matter: the old one for racing with
 * folio_mkclean(), the new one to make sure the physical page stays valid until the TLB entry for the old mapping
 * has been flushed"; commit eb66ae030829 "mremap: properly flush TLB before releasing the page"; the revert of
 * "mm/mremap: use mmu gather interface instead of flush_tlb_range", 2021): an unmap hands the page it removed to
 * the mmu_gather (tlb_remove_page()), which frees it only after the flush, and nothing else can reach it. A move
 * gives the page to nobody: it stays mapped at the new entry, where rmap walkers (try_to_unmap_one() for reclaim,
 * try_to_migrate_one(), folio_mkclean() for writeback, unmap_mapping_range() for truncate) find it as soon as the
 * locks are dropped, act on the new entry and flush only the new address (ptep_clear_flush() → flush_tlb_page() of
 * the address they walked). Recording the old range in a gather (tlb_flush_pte_range()), or announcing the deferral
 * (inc_tlb_flush_pending(), which tlb_gather_mmu() does), does not keep the page alive: the flush of the old
 * address must happen before the page-table lock is released.
 */

/**
 * Calls that read an entry's current value (include/linux/pgtable.h ptep_get(): `READ_ONCE(*ptep)`; pmdp_get(),
 * pudp_get(), the `_lockless` forms; READ_ONCE() of a dereference). A plain dereference (`pmd = *old_pmd;`, as
 * move_normal_pmd() and move_normal_pud() read the entry they move) reads it too.
 */
const ENTRY_READERS: readonly string[] = ['ptep_get', 'ptep_get_lockless', 'pmdp_get', 'pmdp_get_lockless', 'pudp_get', 'huge_ptep_get', 'READ_ONCE'];

/** The expression `expr` as a regular-expression source, whitespace-insensitive, `&` and parentheses optional. */
function exprPattern(expr: string): string {
  return expr
    .replace(/\s+/g, '')
    .replace(/^&/, '')
    .split('')
    .map((ch) => `${ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*`)
    .join('');
}

/**
 * Variables the text assigns the value of entry `entry` to: `v = *entry`, `v = READ_ONCE(*entry)`,
 * `v = ptep_get(entry)` / `pmdp_get(entry)` / ... (ENTRY_READERS).
 */
export function entryValueVars(text: string, entry: string): ReadonlySet<string> {
  let byEntry = VALUE_VARS.get(text);
  if (!byEntry) VALUE_VARS.set(text, (byEntry = new Map()));
  const known = byEntry.get(entry);
  if (known) return known;
  const found = scanValueVars(text, entry);
  byEntry.set(entry, found);
  return found;
}

/** entryValueVars() per text and entry: one scan per image, not one per install, clear and path. */
const VALUE_VARS = new Map<string, Map<string, ReadonlySet<string>>>();
/** Texts remembered at most (a review's images); the oldest is dropped first. */
const MAX_VALUE_TEXTS = 64;

function scanValueVars(text: string, entry: string): ReadonlySet<string> {
  if (VALUE_VARS.size > MAX_VALUE_TEXTS) VALUE_VARS.delete(VALUE_VARS.keys().next().value as string);
  const e = exprPattern(entry);
  const readers = ENTRY_READERS.filter((r) => r !== 'READ_ONCE').join('|');
  const forms = [`\\*\\s*\\(?\\s*${e}\\)?`, `READ_ONCE\\s*\\(\\s*\\*\\s*${e}\\)`, `(?:${readers})\\s*\\((?:[^(),]*,\\s*)*&?\\s*${e}\\)`];
  const out = new Set<string>();
  for (const f of forms) {
    for (const m of text.matchAll(new RegExp(`(?:^|[;{}\\s(])([A-Za-z_]\\w*)\\s*=\\s*${f}`, 'gm'))) out.add(m[1] as string);
  }
  return out;
}
