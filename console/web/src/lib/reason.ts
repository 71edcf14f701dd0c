const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

/** Free text the services take as a reason: printable, no long digit runs (numbers have fields). */
export function reasonProblem(text: string): 'empty' | 'digits' | 'characters' | undefined {
  const s = text.trim();
  if (s === '') return 'empty';
  if (UNPRINTABLE.test(s)) return 'characters';
  if (/\d(?:[\s-]?\d){7,}/u.test(s.normalize('NFKC'))) return 'digits';
  return undefined;
}
