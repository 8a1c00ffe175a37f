export * from './binary-column.js';
export * from './config/database.config.js';
export * from './database.module.js';
export * from './migrations/index.js';
export * from './commit-sync.js';
