import { describe, expect, it } from '@jest/globals';
import { IsInt, IsString, Min, validateSync } from 'class-validator';
import { cacheValidationMetadata } from './validation-metadata-cache.js';

cacheValidationMetadata();

const failing = (object: object): string[] =>
  validateSync(object, { whitelist: true, forbidNonWhitelisted: true })
    .map((e) => e.property)
    .sort();

class Base {
  @IsInt() id: unknown;
}

describe('cacheValidationMetadata', () => {
  it('validates with the same rules when asked again (own and inherited)', () => {
    class Child extends Base {
      @IsString() name: unknown;
    }
    const bad = Object.assign(new Child(), { id: 'x', name: 3 });
    expect(failing(bad)).toEqual(['id', 'name']);
    expect(failing(bad)).toEqual(['id', 'name']);
    expect(failing(Object.assign(new Child(), { id: 1, name: 'n' }))).toEqual([]);
    expect(failing(Object.assign(new Child(), { id: 1, name: 'n', extra: true }))).toEqual(['extra']);
  });

  it('sees the rules of a class defined after the first validations, and of its parents', () => {
    expect(failing(Object.assign(new Base(), { id: 1 }))).toEqual([]);
    class Later extends Base {
      @Min(10) size: unknown;
    }
    expect(failing(Object.assign(new Later(), { id: 'x', size: 3 }))).toEqual(['id', 'size']);
    // a rule added to a class already validated (decorators applied by hand) counts from then on
    IsInt()(Base.prototype, 'count');
    expect(failing(Object.assign(new Base(), { id: 1, count: 'x' }))).toEqual(['count']);
    expect(failing(Object.assign(new Base(), { id: 1, count: 3 }))).toEqual([]);
  });

  it('is installed once, however often asked', () => {
    class Once {
      @IsInt() n: unknown;
    }
    cacheValidationMetadata();
    cacheValidationMetadata();
    expect(failing(Object.assign(new Once(), { n: 2 }))).toEqual([]);
    expect(failing(Object.assign(new Once(), { n: 'x' }))).toEqual(['n']);
  });
});
