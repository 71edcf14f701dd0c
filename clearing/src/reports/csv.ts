/**
 * The few CSV rules clearing's files need (RFC 4180): fields quoted when they hold a comma, quote
 * or line break; lines end in CRLF. Text cells that a spreadsheet would run as a formula get a
 * leading apostrophe, since statements are opened in spreadsheets by people outside finance.
 */
const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;
const AMOUNT_LIKE = /^-?\d+\.\d{2}$/;

export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) && !AMOUNT_LIKE.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}

export function csvDocument(lines: readonly (readonly string[])[]): string {
  return lines.map((l) => `${csvLine(l)}\r\n`).join('');
}

/** Parses a whole document into rows of fields; blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  const endRow = (): void => {
    endField();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
    i += 1;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}
