import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { DevicesRepository, type DeviceView } from '@app/housekeeping';
import { IsObject, IsOptional } from 'class-validator';
import { ApiErrors, JSON_BODY_ERRORS } from '../openapi/decorators.js';

const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

export class HeartbeatDto {
  @ApiPropertyOptional({
    description: "The device's own status, kept as given",
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  status?: Record<string, unknown>;
}

export class DeviceDto implements DeviceView {
  @ApiProperty({ example: 'esp32-classroom-7' }) id!: string;
  @ApiProperty({
    description: 'Offline once silent for DEVICE_OFFLINE_AFTER s (tasks.update_device_status, hourly)',
  })
  online!: boolean;
  @ApiProperty({ format: 'date-time' }) last_seen!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) status!: Record<
    string,
    unknown
  > | null;
}

/** ESP32 classroom devices: heartbeats in, online state out. */
@ApiTags('devices')
@ApiBearerAuth()
@Controller('devices')
export class DevicesController {
  constructor(private readonly devices: DevicesRepository) {}

  @Post(':id/heartbeat')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A heartbeat: the device is online, seen now (known from its first heartbeat on)',
  })
  @ApiParam({
    name: 'id',
    description: 'The device id: letters, digits, `_ . : -`, at most 100',
    example: 'esp32-7',
  })
  @ApiBody({ type: HeartbeatDto, required: false })
  @ApiOkResponse({ type: DeviceDto })
  @ApiErrors({ ...JSON_BODY_ERRORS, 400: 'A bad device id or status (named)' })
  heartbeat(@Param('id') id: string, @Body() body: HeartbeatDto = {}): Promise<DeviceView> {
    if (!DEVICE_ID.test(id)) throw new BadRequestException('id: letters, digits, _ . : - only, at most 100');
    return this.devices.heartbeat(id, body.status);
  }

  @Get()
  @ApiOperation({ summary: 'Every device with its online state and last heartbeat' })
  @ApiOkResponse({ type: [DeviceDto] })
  list(): Promise<DeviceView[]> {
    return this.devices.list();
  }
}
