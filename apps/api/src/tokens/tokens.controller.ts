import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { TokensRepository, type ApiToken } from '@app/housekeeping';
import { InvalidOptionError } from '@app/tasks';
import { IsISO8601, IsString, Length } from 'class-validator';
import { ApiErrors, ApiUuidParam, JSON_BODY_ERRORS } from '../openapi/decorators.js';
import { IdParamPipe } from '../validation/id-param.pipe.js';

export class CreateTokenDto {
  @ApiProperty({
    description: 'What the token is for',
    example: 'classroom sync',
    minLength: 1,
    maxLength: 200,
  })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ description: 'When it stops working (ISO 8601, in the future)', format: 'date-time' })
  @IsISO8601({ strict: true })
  expires_at!: string;
}

export class TokenDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class CreatedTokenDto extends TokenDto {
  @ApiProperty({
    description: 'The secret, shown this once (only its hash is kept): `Authorization: Bearer <token>`',
  })
  token!: string;
}

const notFound = (id: string): Error => new NotFoundException(`No token ${id}`);

/** API tokens: Bearer keys beside API_KEYS, each until it expires. */
@ApiTags('tokens')
@ApiBearerAuth()
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: TokensRepository) {}

  @Post()
  @ApiOperation({ summary: 'Create an API token; its secret is in this answer only' })
  @ApiCreatedResponse({ type: CreatedTokenDto })
  @ApiErrors({
    ...JSON_BODY_ERRORS,
    400: 'A bad field, named (expires_at must be an ISO time in the future)',
  })
  create(@Body() body: CreateTokenDto): Promise<ApiToken & { token: string }> {
    const expiresAt = new Date(body.expires_at);
    if (!(expiresAt.getTime() > Date.now()))
      throw new InvalidOptionError('expires_at', 'must be in the future');
    return this.tokens.create(body.name, expiresAt);
  }

  @Get()
  @ApiOperation({ summary: 'Every token, newest first, without secrets' })
  @ApiOkResponse({ type: [TokenDto] })
  list(): Promise<ApiToken[]> {
    return this.tokens.list();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiUuidParam('id', 'the token')
  @ApiOperation({ summary: 'Delete a token: it no longer authenticates' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ 404: 'No token of that id' })
  async remove(@Param('id', new IdParamPipe(notFound)) id: string): Promise<void> {
    if (!(await this.tokens.remove(id))) throw notFound(id);
  }
}
