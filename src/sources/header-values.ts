/**
 * How header values are rendered into MessageHeaders, shared by the mailparser path (message.ts) and the plain
 * header reader (plain-headers.ts) so that both give the same strings for the same mail.
 */

/** A Message-ID / In-Reply-To / References token without its angle brackets. */
export function stripAngles(s: string): string {
  return s.trim().replace(/^<|>$/g, '');
}

/** One mailbox as text: `Name <address>`, or the bare address when it has no display name. */
export function addressText(name: string | undefined, address: string | undefined): string {
  const n = (name ?? '').toString().trim();
  return n ? `${n} <${address ?? ''}>` : address ?? '';
}

/** A parsed address list (mailparser's / nodemailer's shape, groups flattened) as mailbox texts. */
export function addressTexts(list: Iterable<{ name?: string; address?: string; group?: Array<{ name?: string; address?: string }> }>): string[] {
  const out: string[] = [];
  for (const a of list) {
    if (a.group) for (const g of a.group) out.push(addressText(g.name, g.address));
    else out.push(addressText(a.name, a.address));
  }
  return out.filter(Boolean);
}
