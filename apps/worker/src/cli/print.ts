import Table from 'cli-table3';

/** Prints rows as a readable table, or as JSON with `--json` (for scripts). */
export function print(json: boolean, data: unknown, head: string[], rows: (string | number)[][]): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows.map((row) => row.map(String)));
  process.stdout.write(`${table.toString()}\n`);
}
