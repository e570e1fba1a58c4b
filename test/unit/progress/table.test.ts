import { describe, expect, it } from '@jest/globals';
import { createStyle } from '../../../src/progress/style.js';
import { columnWidths, renderTable, tableRow } from '../../../src/progress/table.js';

describe('the table helper', () => {
  it('sizes columns by what shows on screen, so colour never shifts a column', () => {
    const style = createStyle(true);
    expect(
      columnWidths([
        ['abc', style.red('12345')],
        ['a', '1'],
      ]),
    ).toEqual([3, 5]);
    expect(tableRow([style.red('x'), '7'], [3, 4], ['left', 'right'])).toBe(
      `${style.red('x')}       7`,
    );
  });

  it('aligns names left and numbers right, with a bold footer and no trailing blanks', () => {
    const lines = renderTable({
      header: ['type', 'stored', 'state'],
      rows: [
        ['dashboards', '1,200', 'done'],
        ['looks', '7', ''],
      ],
      footer: ['total', '1,207', ''],
      align: ['left', 'right', 'left'],
      style: createStyle(false),
    });
    expect(lines).toEqual([
      'type        stored  state',
      'dashboards   1,200  done',
      'looks            7',
      'total        1,207',
    ]);
  });
});
