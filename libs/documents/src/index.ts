export * from './config/database.config.js';
export * from './database.module.js';
