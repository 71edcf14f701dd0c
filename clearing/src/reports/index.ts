export { csvDocument, csvField, csvLine, parseCsv } from './csv.js';
export { STATEMENT_COLUMNS, statementCsv, statementLines } from './statement-csv.js';
export { statementPdf } from './statement-pdf.js';
export { financeSummary, type FinanceSummary } from './finance-summary.js';
