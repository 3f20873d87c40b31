import { describe, expect, it } from '@jest/globals';
import { OrderedOutput } from './ordered-output.js';

function collect(order: string[]) {
  const out: { flow: string; token: string; separator: boolean }[] = [];
  const output = new OrderedOutput(order, (flow, token, separator) =>
    out.push({ flow, token, separator }),
  );
  return { output, out, text: () => out.map((o) => o.token).join('') };
}

describe('OrderedOutput', () => {
  it('streams the first flow live and holds later flows until the earlier ones finish', () => {
    const { output, out, text } = collect(['a', 'b']);
    output.push('b', 'B1 ');
    output.push('a', 'A1 ');
    expect(text()).toBe('A1 ');
    output.push('b', 'B2');
    output.push('a', 'A2');
    expect(text()).toBe('A1 A2');
    output.finish('a');
    expect(text()).toBe('A1 A2\n\nB1 B2');
    output.push('b', ' B3');
    expect(text()).toBe('A1 A2\n\nB1 B2 B3');
    expect(out.filter((o) => o.separator)).toEqual([{ flow: 'b', token: '\n\n', separator: true }]);
  });

  it('lets a later flow that finished first out as soon as its turn comes', () => {
    const { output, text } = collect(['a', 'b', 'c']);
    output.push('c', 'C');
    output.finish('c');
    output.push('b', 'B');
    output.finish('b');
    expect(text()).toBe('');
    output.push('a', 'A');
    output.finish('a');
    expect(text()).toBe('A\n\nB\n\nC');
  });

  it('puts no separator in front of the first output or around a flow that wrote nothing', () => {
    const { output, text } = collect(['a', 'b', 'c']);
    output.finish('a');
    output.push('b', 'B');
    output.finish('b');
    output.finish('c');
    expect(text()).toBe('B');
  });
});
