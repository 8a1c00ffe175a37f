import { defineTask } from '../core/define-task.js';

export class UpdateDeviceStatusPayload {}

export interface UpdateDeviceStatusResult {
  updated: number;
}

/** Marks devices silent for longer than DEVICE_OFFLINE_AFTER offline (hourly, `update-device-status`). */
export const UpdateDeviceStatus = defineTask<UpdateDeviceStatusPayload, UpdateDeviceStatusResult>({
  name: 'tasks.update_device_status',
  params: [],
  payload: UpdateDeviceStatusPayload,
  isolation: 'none',
  description:
    'Marks devices without a heartbeat for DEVICE_OFFLINE_AFTER seconds offline; returns {updated}.',
});
