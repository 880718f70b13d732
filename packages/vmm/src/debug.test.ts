import { describe, expect, it } from 'vitest';
import { DebugSwitches, v3_debug_compiled_in, v3_debug_compiled_list } from './debug.js';

// Tests run with no DEBUG_* in the environment, so every component is compiled out.
describe('debug switches', () => {
  it('compiles nothing in by default', () => {
    expect(v3_debug_compiled_in('PIC')).toBe(false);
    expect(v3_debug_compiled_list()).toEqual([]);
  });

  it('refuses a run-time switch for a component compiled out, saying how to rebuild', () => {
    expect(() => new DebugSwitches(['PIC'])).toThrow(/PIC compiled out of this build; rebuild with DEBUG_PIC=1/);
    expect(new DebugSwitches([]).enabled('PIC')).toBe(false);
  });
});
