import { describe, expect, it } from '@jest/globals';
import { isCompleteJsonValue } from '../../../src/looker/json-scan.js';

const encode = (text: string) => new TextEncoder().encode(text);

const documents = [
  '{}',
  '[]',
  '{"id":"1","title":"Sales"}',
  ' \n{"a":[1,2,{"b":"}"}],"c":"\\"]}","d":null}\r\n',
  '[{"text":"{[ unbalanced in a string ]]]"},{"emoji":"😀 é","esc":"\\\\"}]',
  JSON.stringify({ id: '7', nested: { deep: [[[{ x: '\\"}' }]]] }, s: 'a\\b"c' }),
];

describe('isCompleteJsonValue', () => {
  it('accepts complete objects and arrays, whatever their strings hold', () => {
    for (const text of documents) expect(isCompleteJsonValue(encode(text))).toBe(true);
  });

  it('rejects every truncation of them', () => {
    for (const text of documents) {
      const bytes = encode(text.trim());
      for (let length = 0; length < bytes.length; length++) {
        expect([text, length, isCompleteJsonValue(bytes.subarray(0, length))]).toEqual([
          text,
          length,
          false,
        ]);
      }
    }
  });

  it('rejects scalars, trailing data and a second value', () => {
    for (const text of [
      '"text"',
      '42',
      'null',
      '{"a":1}x',
      '{"a":1}{"b":2}',
      '{"a":1}}',
      '<html>',
    ]) {
      expect([text, isCompleteJsonValue(encode(text))]).toEqual([text, false]);
    }
  });
});
