export * from './devices/device.entity.js';
export * from './devices/devices.repository.js';
export * from './housekeeping.config.js';
export * from './housekeeping.module.js';
export * from './tokens/api-token.entity.js';
export * from './tokens/tokens.repository.js';
