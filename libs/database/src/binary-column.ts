import { Column, type ColumnOptions } from 'typeorm';

/** Options objects of every `@BinaryColumn`, kept so that their type can follow the driver. */
const binaryColumns: ColumnOptions[] = [];

/**
 * A column of raw bytes (a Buffer): `blob` on SQLite, `bytea` on PostgreSQL. TypeORM has no binary type both
 * drivers accept, so the type is set per driver by `useBinaryColumnType` before a DataSource is built.
 */
export function BinaryColumn(options: Omit<ColumnOptions, 'type'> = {}): PropertyDecorator {
  const own: ColumnOptions = { ...options, type: 'blob' };
  binaryColumns.push(own);
  return Column(own);
}

/** Points every `@BinaryColumn` at the binary type of the driver about to be used. */
export function useBinaryColumnType(driver: string): void {
  const type = driver === 'postgres' ? 'bytea' : 'blob';
  for (const options of binaryColumns) options.type = type;
}
