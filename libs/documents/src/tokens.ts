/** Injection tokens of the documents library. */
export const EMBEDDING_CONFIG = Symbol('EMBEDDING_CONFIG');
export const DOCUMENTS_CONFIG = Symbol('DOCUMENTS_CONFIG');
export const SEARCH_CONFIG = Symbol('SEARCH_CONFIG');
