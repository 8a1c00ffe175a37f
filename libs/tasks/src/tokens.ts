/** Injection tokens of the tasks library. */
export const TASKS_CONFIG = Symbol('TASKS_CONFIG');
export const PRODUCER_REDIS = Symbol('PRODUCER_REDIS');
