export * from './job-spans.js';
export * from './tracing.js';
export * from './tracing-settings.js';
