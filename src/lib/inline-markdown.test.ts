import { describe, expect, it } from 'vitest';
import { inlineMarkdown } from './inline-markdown.ts';

describe('inlineMarkdown', () => {
  it('renders code, strong and emphasis', () => {
    expect(inlineMarkdown('Run `kubectl top pod` and **read** the *working set*.')).toBe(
      'Run <code>kubectl top pod</code> and <strong>read</strong> the <em>working set</em>.',
    );
  });

  it('escapes HTML everywhere, including inside code', () => {
    expect(inlineMarkdown('<script>x</script> `a<b>` & "q"')).toBe('&lt;script&gt;x&lt;/script&gt; <code>a&lt;b&gt;</code> &amp; &quot;q&quot;');
  });

  it('leaves stars inside code and lone stars alone', () => {
    expect(inlineMarkdown('`2 * 3` is 6, and 2 * 3 too')).toBe('<code>2 * 3</code> is 6, and 2 * 3 too');
  });
});
