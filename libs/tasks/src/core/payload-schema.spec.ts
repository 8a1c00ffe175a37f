import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { IsInt, IsString, Max, ValidateNested } from 'class-validator';
import { Add, ALL_TASKS } from '../definitions/index.js';
import { defineTask } from './define-task.js';
import { payloadSchema } from './payload-schema.js';

class Small {
  @IsInt() @Max(10) n!: number;
}
class Larger {
  @IsInt() @Max(11) n!: number;
}
class Named {
  @IsInt() @Max(10) n!: number;
  @IsString() label!: string;
}
class Inner {
  @IsString() code!: string;
}
class InnerChanged {
  @IsString() @Max(3) code!: string;
}
class Outer {
  @ValidateNested() inner!: Inner;
}
class OuterChanged {
  @ValidateNested() inner!: InnerChanged;
}
class OuterOfArray {
  @ValidateNested({ each: true }) items!: Inner[];
}

const task = <P extends object>(payload: new () => P, params: (keyof P & string)[], name = 't.demo') =>
  defineTask<P, unknown>({ name, params, payload, description: 'test' });

describe('payloadSchema', () => {
  it('gives every declared task a fingerprint, the same one each time', () => {
    for (const t of ALL_TASKS) {
      expect(payloadSchema(t)).toMatch(/^[\w-]{16}$/);
      expect(payloadSchema(task(t.payload, [...t.params], t.name))).toBe(payloadSchema(t));
    }
  });

  it('changes with any constraint, property, parameter order or task name', () => {
    const base = payloadSchema(task(Small, ['n']));
    expect(payloadSchema(task(Larger, ['n']))).not.toBe(base);
    expect(payloadSchema(task(Named, ['n', 'label']))).not.toBe(base);
    expect(payloadSchema(task(Named, ['label', 'n']))).not.toBe(payloadSchema(task(Named, ['n', 'label'])));
    expect(payloadSchema(task(Small, ['n'], 't.other'))).not.toBe(base);
    expect(payloadSchema(Add)).not.toBe(base);
  });

  it('follows a nested class, and changes with its rules', () => {
    const outer = payloadSchema(task(Outer, ['inner']));
    expect(outer).not.toBeNull();
    expect(payloadSchema(task(OuterChanged, ['inner']))).not.toBe(outer);
  });

  it('gives none when the nested class cannot be seen (an array), so such payloads are always re-checked', () => {
    expect(payloadSchema(task(OuterOfArray, ['items']))).toBeNull();
  });
});
