/** The `HistoryStore` of the process's database. */
export const HISTORY_STORE = Symbol('HISTORY_STORE');
export const HISTORY_CONFIG = Symbol('HISTORY_CONFIG');
