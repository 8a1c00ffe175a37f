/** Injection tokens of the tasks library. */
export const TASKS_CONFIG = Symbol('TASKS_CONFIG');
export const PRODUCER_REDIS = Symbol('PRODUCER_REDIS');
/** The queues `BullModule.registerQueue` made, by name, handed to `QueueRegistry`. */
export const REGISTERED_QUEUES = Symbol('REGISTERED_QUEUES');
