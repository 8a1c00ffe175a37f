export * from './log-settings.js';
export * from './nest-logger.js';
export * from './preview.js';
export * from './root-logger.js';
export * from './secret-scrubber.js';
export * from './task-log.js';
export * from './url.js';
