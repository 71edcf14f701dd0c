export type { Journal, JournalItem, JournalStats } from './journal.types.js';
export { FileJournal, openJournal, type JournalOptions } from './file-journal.js';
