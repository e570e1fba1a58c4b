import { describe, expect, it } from '@jest/globals';
import { chooseProgressMode } from '../../../src/progress/mode.js';

describe('chooseProgressMode', () => {
  it('gives a terminal the live display', () => {
    expect(chooseProgressMode({ isTTY: true, noProgress: false, env: { TERM: 'xterm' } })).toBe(
      'tty',
    );
  });

  it('gives a pipe or a file plain lines', () => {
    expect(chooseProgressMode({ isTTY: false, noProgress: false, env: {} })).toBe('plain');
    expect(chooseProgressMode({ isTTY: undefined, noProgress: false, env: {} })).toBe('plain');
  });

  it.each([
    ['CI=true', { CI: 'true' }],
    ['CI=1', { CI: '1' }],
    ['NO_COLOR=1', { NO_COLOR: '1' }],
    ['TERM=dumb', { TERM: 'dumb' }],
  ])('gives a terminal plain lines when %s', (_label, env) => {
    expect(chooseProgressMode({ isTTY: true, noProgress: false, env })).toBe('plain');
  });

  it('ignores CI=false, CI=0 and an empty NO_COLOR', () => {
    for (const env of [{ CI: 'false' }, { CI: '0' }, { NO_COLOR: '' }, { CI: '' }]) {
      expect(chooseProgressMode({ isTTY: true, noProgress: false, env })).toBe('tty');
    }
  });

  it('shows nothing live with --no-progress, on a terminal or not', () => {
    expect(chooseProgressMode({ isTTY: true, noProgress: true, env: {} })).toBe('none');
    expect(chooseProgressMode({ isTTY: false, noProgress: true, env: { CI: '1' } })).toBe('none');
  });
});
