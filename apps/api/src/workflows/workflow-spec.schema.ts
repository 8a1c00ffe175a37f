import type { SchemaObject } from '@nestjs/swagger';
import { MAX_PRIORITY } from '@app/tasks';

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` }) as SchemaObject;

/**
 * The body of `POST /workflows`, a recursive shape that decorators cannot describe: a task signature or a
 * chain, group or chord of them, nested at will (at most 32 levels).
 */
export const WORKFLOW_SCHEMAS: Record<string, SchemaObject> = {
  WorkflowSpec: {
    description: 'A task signature, or a chain, group or chord of workflows',
    oneOf: [ref('WorkflowTask'), ref('WorkflowChain'), ref('WorkflowGroup'), ref('WorkflowChord')],
  },
  WorkflowTask: {
    type: 'object',
    description: "One task: Celery's signature",
    required: ['task'],
    additionalProperties: false,
    properties: {
      task: { type: 'string', example: 'tasks.add' },
      args: {
        type: 'array',
        items: {},
        description: 'Positional arguments (the previous result goes first)',
      },
      kwargs: { type: 'object', additionalProperties: true },
      options: {
        type: 'object',
        additionalProperties: false,
        properties: {
          queue: { type: 'string' },
          countdown: { type: 'number', minimum: 0, description: 'Seconds after the member is queued' },
          eta: { type: 'string', format: 'date-time' },
          expires: {
            oneOf: [{ type: 'number' }, { type: 'string', format: 'date-time' }],
            description: 'Seconds after the member is queued, or a time',
          },
          priority: { type: 'integer', minimum: 0, maximum: MAX_PRIORITY },
          immutable: {
            type: 'boolean',
            description: "Celery's .si(): ignore the previous result instead of receiving it",
          },
        },
      },
    },
  },
  WorkflowChain: {
    type: 'object',
    required: ['chain'],
    additionalProperties: false,
    properties: { chain: { type: 'array', minItems: 1, items: ref('WorkflowSpec') } },
    example: {
      chain: [
        { task: 'tasks.add', args: [2, 2] },
        { task: 'tasks.add', args: [4] },
      ],
    },
  },
  WorkflowGroup: {
    type: 'object',
    required: ['group'],
    additionalProperties: false,
    properties: { group: { type: 'array', items: ref('WorkflowSpec') } },
  },
  WorkflowChord: {
    type: 'object',
    required: ['chord'],
    additionalProperties: false,
    properties: {
      chord: {
        type: 'object',
        required: ['header', 'body'],
        additionalProperties: false,
        properties: { header: { type: 'array', items: ref('WorkflowSpec') }, body: ref('WorkflowSpec') },
      },
    },
  },
};
